#include "engine/server/http_work_orders.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "engine/core/command.h"
#include "engine/view/work_orders_json.h"

namespace hallq::server {

using nlohmann::json;

bool HttpWorkOrders::is_work_order(const std::vector<std::string>& parts) {
  return parts.size() >= 4 && parts[3] == "work-orders";
}

bool HttpWorkOrders::is_step(const std::vector<std::string>& parts) {
  return parts.size() == 6 && parts[3] == "work-orders" &&
         (parts[5] == "callback" || parts[5] == "rectification");
}

HttpOutcome HttpWorkOrders::read(const core::Hall& hall, core::TimeUs now) const {
  return json_response(200, view::work_orders_json(hall, now));
}

void HttpWorkOrders::act(const core::Hall& hall, std::string_view path, const std::vector<std::string>& parts,
                         const HttpRequest& req, const std::string& by, const HttpActions::Record& record,
                         HttpReply reply) {
  auto fail = [&](HttpError e) { actions_.refuse(record, std::move(e), std::move(reply)); };
  if (!is_step(parts)) return fail({404, "not_found", fmt::format("没有这个地址：{}", path)});
  const std::optional<std::uint64_t> ticket = parse_number(parts[4], true);
  if (!ticket || *ticket == 0)
    return fail({400, "bad_argument", fmt::format("工单编号须为正整数，收到“{}”", parts[4])});
  json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return fail({400, "malformed", "请求内容须为 JSON 对象"});
  if (!body.contains("note") || !body["note"].is_string())
    return fail({400, "bad_argument", "缺少字符串字段 note"});
  const std::string note = body["note"].get<std::string>();
  core::CommandBody command;
  if (parts[5] == "callback") {
    if (!body.contains("reached") || !body["reached"].is_boolean())
      return fail({400, "bad_argument", "缺少布尔字段 reached（是否联系上群众）"});
    command = core::RecordCallback{*ticket, body["reached"].get<bool>(), note, by};
  } else {
    command = core::RecordRectification{*ticket, note, by};
  }
  // encode_request copies the strings before `note` and `by` go.
  actions_.submit(hall.config().id, command, req.idempotency_key, record, std::move(reply));
}

}  // namespace hallq::server
