#include "engine/server/http_views.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/server/engine.h"
#include "engine/view/hall_json.h"
#include "engine/view/hall_summary.h"
#include "engine/view/json_view.h"

namespace hallq::server {

using nlohmann::json;

HttpOutcome HttpViews::halls(const Caller& caller, core::TimeUs now,
                             const std::function<bool(std::string_view)>& stale) const {
  json halls = json::array();
  for (const std::string& id : engine_.hall_ids()) {
    if (!caller.may_see(id) || (stale && stale(id))) continue;
    halls.push_back(view::overview_json(view::summarize(*engine_.hall(id), now)));
  }
  return json_response(200, halls);
}

HttpOutcome HttpViews::hall(const core::Hall& hall, core::TimeUs now) const {
  return json_response(200, view::hall_json(hall, now));
}

HttpOutcome HttpViews::tickets(const core::Hall& hall, const HttpQuery& query, core::TimeUs now) const {
  const std::string state = query.count("state") ? query.at("state") : "all";
  if (state != "all" && state != "waiting")
    return HttpError{400, "bad_argument", "state 只能是 waiting 或 all"};
  return json_response(200, view::tickets_json(hall, now, state == "waiting"));
}

HttpOutcome HttpViews::staff(const core::Hall& hall) const {
  return json_response(200, view::staff_json(hall));
}

HttpOutcome HttpViews::history(HistoryAnswer answer) {
  if (!answer.bad_query.empty()) return HttpError{400, "bad_argument", std::move(answer.bad_query)};
  if (!answer.failure.empty())
    return HttpError{answer.failure_status, answer.failure_status == 503 ? "busy" : "internal",
                     std::move(answer.failure)};
  return HttpResponse{200, "application/json; charset=utf-8", std::move(answer.json)};
}

HttpOutcome HttpViews::audit_log(const Caller& caller, const HttpQuery& query) const {
  if (!caller.admin) return HttpError{403, "forbidden", "只有管理员可以查看审计日志"};
  if (!options_.read_audit) return HttpError{501, "not_implemented", "审计日志不可用"};
  std::optional<std::uint64_t> from = 1, limit = 200;
  if (query.count("from")) from = parse_number(query.at("from"), false);
  if (query.count("limit")) limit = parse_number(query.at("limit"), false);
  if (!from || !limit) return HttpError{400, "bad_argument", "from 和 limit 须为数字"};
  const std::uint64_t most = std::min<std::uint64_t>(*limit, 1000);
  json records = json::array();
  options_.read_audit(*from, [&](std::uint64_t n, std::string_view bytes) {
    json r = json::parse(bytes, nullptr, false);
    if (r.is_discarded()) r = json::object();
    r["n"] = n;
    records.push_back(std::move(r));
    return records.size() < most;
  });
  return json_response(200, records);
}

std::string HttpViews::live_message(std::string_view hall_id, core::TimeUs now) const {
  const core::Hall* hall = engine_.hall(hall_id);
  if (hall == nullptr) return {};
  return dump(json{{"type", "summary"}, {"data", view::hall_json(*hall, now)}});
}

}  // namespace hallq::server
