#include "engine/server/http_upload_rejections.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "engine/core/calendar.h"
#include "engine/core/command.h"
#include "engine/core/upload_rejection.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/stats/history.h"
#include "engine/store/event_store.h"

namespace hallq::server {
namespace {

using nlohmann::json;

constexpr std::int64_t kDefaultDays = 30, kMaxDays = 366;

}  // namespace

bool is_upload_rejections(const std::vector<std::string>& parts) {
  return parts.size() == 4 && parts[3] == "upload-rejections";
}

void record_upload_rejection(HttpActions& actions, const core::Hall& hall, const HttpRequest& req,
                             const HttpActions::Record& record, HttpReply reply) {
  auto fail = [&](HttpError e) { actions.refuse(record, std::move(e), std::move(reply)); };
  const json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return fail({400, "malformed", "请求内容须为 JSON 对象"});
  if (!body.contains("record_id") || !body["record_id"].is_string())
    return fail({400, "bad_argument", "缺少字符串字段 record_id（记录编号）"});
  if (!body.contains("status") || !body["status"].is_number_integer())
    return fail({400, "bad_argument", "缺少整数字段 status（平台的 HTTP 状态码）"});
  if (!body.contains("reason") || !body["reason"].is_string())
    return fail({400, "bad_argument", "缺少字符串字段 reason（平台给出的原因）"});
  const std::string record_id = body["record_id"].get<std::string>();
  const std::string reason = body["reason"].get<std::string>();
  const std::int64_t status64 = body["status"].get<std::int64_t>();
  const int status = status64 < 0 || status64 > 1000 ? 0 : static_cast<int>(status64);  // 0: the core refuses
  if (!req.idempotency_key.empty() && req.idempotency_key != record_id)
    return fail({400, "bad_argument", "Idempotency-Key 须与 record_id 相同（或不发送）"});
  // The key: the record id without the hall's prefix (it fits the engine's
  // request ids: "http:rej-W-" + two 20-digit numbers is 52 bytes). An id of
  // another form goes without one: the core refuses it.
  const std::string& hall_id = hall.config().id;
  const std::string key =
      core::parse_upload_record_id(hall_id, record_id) ? "rej-" + record_id.substr(hall_id.size() + 1) : "";
  // encode_request copies the strings before they go.
  actions.submit(hall_id, core::RecordUploadRejection{record_id, status, reason}, key, record,
                 std::move(reply));
}

RejectionsReader make_rejections_reader(const store::EventStore& store,
                                        std::vector<std::shared_ptr<const core::HallConfig>> halls) {
  return [&store, halls = std::move(halls)](std::string_view hall_id,
                                            const std::map<std::string, std::string>& query,
                                            core::TimeUs now) -> HistoryAnswer {
    auto bad = [](std::string why) { return HistoryAnswer{.json = {}, .bad_query = std::move(why)}; };
    std::shared_ptr<const core::HallConfig> config;
    for (const auto& h : halls)
      if (h->id == hall_id) config = h;
    if (!config) return bad(fmt::format("没有大厅“{}”", hall_id));
    std::int64_t days = kDefaultDays;
    for (const auto& [key, value] : query) {
      if (key != "days") return bad(fmt::format("未知参数 {}（可用 days）", key));
      const std::optional<std::uint64_t> n = parse_number(value, true);
      if (!n || *n < 1 || *n > static_cast<std::uint64_t>(kMaxDays))
        return bad(fmt::format("days={} 无效（1 到 {} 天）", value, kMaxDays));
      days = static_cast<std::int64_t>(*n);
    }
    const core::HallConfig& hall = *config;
    const std::int64_t first_day = hall.local_day(now) - days + 1;
    std::vector<json> found;
    std::string buffer;  // LMDB memory is not aligned for FlatBuffers
    store.for_each_event(hall.id, stats::first_seq_at(store, hall, hall.day_start(first_day)),
                         [&](std::uint64_t seq, std::string_view raw) {
                           buffer.assign(raw);
                           const protocol::Bytes bytes = protocol::as_bytes(buffer);
                           if (!protocol::is_upload_rejection(bytes)) return true;
                           const protocol::EventSummary e = protocol::describe_event(bytes);
                           const std::int64_t day = hall.local_day(e.time);
                           found.push_back({
                               {"record_id", e.record_id},
                               {"ticket", e.number.empty() ? json(nullptr) : json(e.number)},
                               {"status", e.status},
                               {"reason", e.text},
                               {"at", fmt::format("{} {}", core::format_date(day),
                                                  core::format_time_of_day(static_cast<int>(
                                                      (e.time - hall.day_start(day)) / 1'000'000)))},
                               {"at_us", e.time},
                               {"seq", seq},
                           });
                           return true;
                         });
    json out = {{"hall", hall.id},
                {"days", days},
                {"from", core::format_date(first_day)},
                {"count", found.size()},
                {"rejections", json::array()}};
    for (auto it = found.rbegin(); it != found.rend(); ++it) out["rejections"].push_back(std::move(*it));
    return {.json = out.dump()};
  };
}

}  // namespace hallq::server
