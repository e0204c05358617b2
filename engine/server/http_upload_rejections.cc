#include "engine/server/http_upload_rejections.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "engine/core/calendar.h"
#include "engine/core/command.h"
#include "engine/core/upload_rejection.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/stats/evaluation_log.h"
#include "engine/stats/history.h"
#include "engine/store/event_store.h"

namespace hallq::server {
namespace {

using nlohmann::json;

constexpr std::int64_t kDefaultDays = 30, kMaxDays = 366;
constexpr std::int64_t kMaxResend = core::kMaxUploadResend;

std::shared_ptr<const core::HallConfig> find_hall(
    const std::vector<std::shared_ptr<const core::HallConfig>>& halls, std::string_view id) {
  for (const auto& h : halls)
    if (h->id == id) return h;
  return nullptr;
}

std::string hall_time(const core::HallConfig& hall, core::TimeUs t) {
  const std::int64_t day = hall.local_day(t);
  return fmt::format("{} {}", core::format_date(day),
                     core::format_time_of_day(static_cast<int>((t - hall.day_start(day)) / 1'000'000)));
}

}  // namespace

bool is_upload_resend(const std::vector<std::string>& parts) {
  return parts.size() == 6 && parts[3] == "upload-rejections" && parts[5] == "resend";
}

void request_upload_resend(HttpActions& actions, const core::Hall& hall, const std::string& record_id,
                           const HttpRequest& req, const HistoryAnswer& check,
                           const HttpActions::Record& record, HttpReply reply) {
  auto fail = [&](HttpError e) { actions.refuse(record, std::move(e), std::move(reply)); };
  const std::string& hall_id = hall.config().id;
  // An id of another form: the core refuses it in Chinese (400), nothing read.
  if (!core::upload_resend_problem(hall_id, record_id).empty())
    return actions.submit(hall_id, core::RequestUploadResend{record_id}, req.idempotency_key, record,
                          std::move(reply));
  if (!check.failure.empty()) return fail({check.failure_status, "unavailable", check.failure});
  if (!check.bad_query.empty()) return fail({400, "bad_argument", check.bad_query});
  const json found = json::parse(check.json, nullptr, false);
  if (found.is_discarded() || !found.is_object()) return fail({500, "internal", "重新上报检查失败"});
  if (!found.value("rejected", false))
    return fail(
        {404, "not_rejected",
         fmt::format("记录“{}”近 {} 天内没有被平台拒收，无需重新上报", record_id, found.value("days", 0))});
  const bool retry =
      !req.idempotency_key.empty() && found.value("pending_request", "") == "http:" + req.idempotency_key;
  if (found.value("accepted_last", false) && !retry)
    return fail(
        {409, "already_accepted", fmt::format("记录“{}”已重新上报，平台已接受，无需再申请", record_id)});
  if (found.value("pending", false) &&
      (req.idempotency_key.empty() || found.value("pending_request", "") != "http:" + req.idempotency_key))
    return fail({409, "already_requested",
                 fmt::format("记录“{}”已申请重新上报，等待上报结果（再次被拒后才能再申请）", record_id)});
  actions.submit(hall_id, core::RequestUploadResend{record_id}, req.idempotency_key, record,
                 std::move(reply));
}

bool is_upload_acceptance(const std::vector<std::string>& parts) {
  return parts.size() == 6 && parts[3] == "upload-rejections" && parts[5] == "accepted";
}

void record_upload_acceptance(HttpActions& actions, const core::Hall& hall, const std::string& record_id,
                              const HttpRequest& req, const HistoryAnswer& check,
                              const HttpActions::Record& record, HttpReply reply) {
  auto fail = [&](HttpError e) { actions.refuse(record, std::move(e), std::move(reply)); };
  const json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return fail({400, "malformed", "请求内容须为 JSON 对象"});
  for (const auto& [key, value] : body.items())
    if (key != "resend") return fail({400, "bad_argument", fmt::format("未知字段 {}（可用 resend）", key)});
  const auto n = body.find("resend");
  if (n == body.end() || !n->is_number_integer() || n->get<std::int64_t>() < 1 ||
      n->get<std::int64_t>() > kMaxResend)
    return fail(
        {400, "bad_argument",
         fmt::format("缺少或错误的 resend（平台接受的是第几次重新上报，1 到 {} 的整数）", kMaxResend)});
  const std::int64_t resend = n->get<std::int64_t>();
  const std::string suffix = fmt::format("~r{}", resend);
  if (!req.idempotency_key.empty() && req.idempotency_key != record_id + suffix)
    return fail({400, "bad_argument", "Idempotency-Key 须为记录编号加 ~r 和重新上报次数（或不发送）"});
  const std::string& hall_id = hall.config().id;
  const core::RecordUploadAcceptance command{record_id, resend};
  // An id of another form: the core refuses it in Chinese (400), nothing read.
  if (!core::upload_acceptance_problem(hall_id, record_id, resend).empty())
    return actions.submit(hall_id, command, "", record, std::move(reply));
  if (!check.failure.empty()) return fail({check.failure_status, "unavailable", check.failure});
  if (!check.bad_query.empty()) return fail({400, "bad_argument", check.bad_query});
  const json found = json::parse(check.json, nullptr, false);
  if (found.is_discarded() || !found.is_object()) return fail({500, "internal", "平台接受登记检查失败"});
  if (!found.value("rejected", false))
    return fail({404, "not_rejected",
                 fmt::format("记录“{}”近 {} 天内没有被平台拒收，没有可登记为平台接受的重新上报", record_id,
                             found.value("days", 0))});
  const std::int64_t requests = found.value("requests", std::int64_t{0});
  if (requests == 0)
    return fail({409, "not_resent", fmt::format("记录“{}”被拒收后没有申请过重新上报", record_id)});
  if (resend > requests)
    return fail({409, "resend_not_requested",
                 fmt::format("记录“{}”只申请过 {} 次重新上报，没有第 {} 次", record_id, requests, resend)});
  // The key: like a rejection's, the record id without the hall's prefix
  // plus ~rN (at most 60 bytes of the engine's 64 with "http:acc-").
  const std::string key =
      req.idempotency_key.empty() ? "" : "acc-" + record_id.substr(hall_id.size() + 1) + suffix;
  const json accepted = found.value("accepted", json::array());
  if (accepted.is_array())
    for (const json& a : accepted) {
      if (!a.is_object() || a.value("resend", std::int64_t{0}) != resend) continue;
      // A retry of the request that recorded it gets its first outcome while
      // the engine remembers it; anything else is refused.
      const std::string first = a.value("request_id", "");
      if (key.empty() || first != "http:" + key || hall.find_request(first) == nullptr)
        return fail({409, "already_accepted",
                     fmt::format("记录“{}”第 {} 次重新上报已登记为平台接受", record_id, resend)});
    }
  actions.submit(hall_id, command, key, record, std::move(reply));
}

RejectionsReader make_resend_checker(const store::EventStore& store,
                                     std::vector<std::shared_ptr<const core::HallConfig>> halls) {
  return [&store, halls = std::move(halls)](std::string_view hall_id,
                                            const std::map<std::string, std::string>& query,
                                            core::TimeUs now) -> HistoryAnswer {
    const std::shared_ptr<const core::HallConfig> config = find_hall(halls, hall_id);
    const auto id = query.find("record_id");
    if (!config || id == query.end()) return {.json = {}, .bad_query = "重新上报检查缺少大厅或记录编号"};
    const core::HallConfig& hall = *config;
    const int days = stats::records_lookback_days(hall);
    bool rejected = false, pending = false, accepted_last = false;
    std::string pending_request;
    std::int64_t requests = 0;  // re-send requests after its first rejection
    json accepted = json::array();
    std::string buffer;  // LMDB memory is not aligned for FlatBuffers
    store.for_each_event(hall.id,
                         stats::first_seq_at(store, hall, hall.day_start(hall.local_day(now) - days + 1)),
                         [&](std::uint64_t, std::string_view raw) {
                           buffer.assign(raw);
                           const protocol::Bytes bytes = protocol::as_bytes(buffer);
                           const bool rejection = protocol::is_upload_rejection(bytes);
                           const bool acceptance = protocol::is_upload_resend_acceptance(bytes);
                           if (!rejection && !acceptance && !protocol::is_upload_resend_request(bytes))
                             return true;
                           const protocol::EventSummary e = protocol::describe_event(bytes);
                           if (e.record_id != id->second) return true;
                           if (rejection) {
                             rejected = true;
                             pending = accepted_last = false;
                           } else if (acceptance) {
                             accepted.push_back({{"resend", e.resend}, {"request_id", e.request_id}});
                             if (e.resend == requests) {
                               pending = false;
                               accepted_last = true;
                             }
                           } else if (rejected) {
                             pending = true;
                             accepted_last = false;
                             pending_request = e.request_id;
                             ++requests;
                           }
                           return true;
                         });
    const json out = {{"days", days},
                      {"rejected", rejected},
                      {"pending", pending},
                      {"pending_request", pending_request},
                      {"requests", requests},
                      {"accepted", accepted},
                      {"accepted_last", accepted_last}};
    return {.json = out.dump()};
  };
}

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
  // A re-sent record's rejection: "resend": N (its Nth re-send), a rejection of its own.
  std::int64_t resend = 0;
  if (body.contains("resend")) {
    if (!body["resend"].is_number_integer() || body["resend"].get<std::int64_t>() < 1 ||
        body["resend"].get<std::int64_t>() > kMaxResend)
      return fail(
          {400, "bad_argument", fmt::format("resend（第几次重新上报）须为 1 到 {} 的整数", kMaxResend)});
    resend = body["resend"].get<std::int64_t>();
  }
  const std::string suffix = resend > 0 ? fmt::format("~r{}", resend) : "";
  if (!req.idempotency_key.empty() && req.idempotency_key != record_id + suffix)
    return fail({400, "bad_argument",
                 resend > 0 ? "Idempotency-Key 须为 record_id~r 加重新上报次数（或不发送）"
                            : "Idempotency-Key 须与 record_id 相同（或不发送）"});
  // The key: the record id without the hall's prefix, plus ~rN for a re-send
  // (it fits the engine's request ids: "http:rej-W-" + two 20-digit numbers
  // is 52 bytes, ~r and 6 digits 60). An id of another form goes without
  // one: the core refuses it.
  const std::string& hall_id = hall.config().id;
  const std::string key = core::parse_upload_record_id(hall_id, record_id)
                              ? "rej-" + record_id.substr(hall_id.size() + 1) + suffix
                              : "";
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
    const std::shared_ptr<const core::HallConfig> config = find_hall(halls, hall_id);
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
    std::map<std::string, std::size_t> last_of;     // record id -> its latest rejection in `found`
    std::map<std::string, std::size_t> resent_row;  // record id -> its re-sent rejection awaiting the outcome
    std::string buffer;                             // LMDB memory is not aligned for FlatBuffers
    store.for_each_event(
        hall.id, stats::first_seq_at(store, hall, hall.day_start(first_day)),
        [&](std::uint64_t seq, std::string_view raw) {
          buffer.assign(raw);
          const protocol::Bytes bytes = protocol::as_bytes(buffer);
          const bool rejection = protocol::is_upload_rejection(bytes);
          const bool acceptance = protocol::is_upload_resend_acceptance(bytes);
          if (!rejection && !acceptance && !protocol::is_upload_resend_request(bytes)) return true;
          const protocol::EventSummary e = protocol::describe_event(bytes);
          const auto last = last_of.find(e.record_id);
          const json when = {{"at", hall_time(hall, e.time)}, {"at_us", e.time}, {"seq", seq}};
          if (acceptance) {  // of the rejection whose re-send it follows, if listed
            const auto row = resent_row.find(e.record_id);
            if (row != resent_row.end() && found[row->second]["accepted"].is_null())
              found[row->second]["accepted"] = when;
            return true;
          }
          if (!rejection) {  // a re-send request: of the rejection before it, if listed
            if (last != last_of.end() && found[last->second]["resend"].is_null()) {
              found[last->second]["resend"] = when;
              resent_row[e.record_id] = last->second;
            }
            return true;
          }
          resent_row.erase(e.record_id);
          if (last != last_of.end()) found[last->second]["rejected_again"] = true;
          last_of[e.record_id] = found.size();
          found.push_back({
              {"record_id", e.record_id},
              {"ticket", e.number.empty() ? json(nullptr) : json(e.number)},
              {"status", e.status},
              {"reason", e.text},
              {"at", hall_time(hall, e.time)},
              {"at_us", e.time},
              {"seq", seq},
              {"resend", nullptr},
              {"accepted", nullptr},
              {"rejected_again", false},
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
