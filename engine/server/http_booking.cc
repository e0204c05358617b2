// Field checks happen here (keys/booking_form.h) so that a hostile body is
// answered without a command; the engine then decides what only it can
// (slots, capacity, one booking per person), and its refusals keep their
// codes. Booking codes come from the engine, picked by a random nonce.
#include "engine/server/http_booking.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/core/booking.h"
#include "engine/core/calendar.h"
#include "engine/core/command.h"
#include "engine/keys/booking_form.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/view/appointment_figures.h"
#include "engine/view/json_view.h"

namespace hallq::server {
namespace {

using nlohmann::json;

HttpError not_found(std::string_view path) {
  return {404, "not_found", fmt::format("没有这个地址：{}", path)};
}

// The code in a path part, or the error that answers it.
std::variant<std::uint32_t, HttpError> code_of(const std::string& text) {
  const std::uint32_t code = core::parse_booking_code(text);
  if (code == 0) return HttpError{400, "bad_argument", "预约码须为 6 位数字"};
  return code;
}

json booking_json(const core::Hall& hall, const core::Booking& b, bool personal) {
  const core::HallConfig& cfg = hall.config();
  json j = {{"code", b.code},
            {"service", cfg.services[b.service].id},
            {"service_name", cfg.services[b.service].name},
            {"day", core::format_date(b.day)},
            {"slot", core::format_slot_time(b.slot_min)},
            {"state", core::to_string(b.state)}};
  if (personal) {
    j["person"] = b.person.substr(0, kPersonPrefix);
    j["phone"] = core::mask_phone(b.phone);
  }
  if (b.state == core::BookingState::kCheckedIn) {
    const core::Ticket* t = hall.find_ticket(b.ticket);
    j["ticket"] = b.ticket;
    if (t != nullptr) j["number"] = hall.number_of(*t);
  }
  return j;
}

}  // namespace

bool HttpBooking::is_booking(const std::vector<std::string>& parts) {
  return parts.size() >= 4 && parts.size() <= 6 && parts[3] == "appointments";
}

HttpOutcome HttpBooking::read(const core::Hall& hall, const std::vector<std::string>& parts,
                              const HttpQuery& query, core::TimeUs now, bool personal) const {
  if (parts.size() == 4) {
    std::int64_t day = hall.config().local_day(now);
    for (const auto& [key, value] : query) {
      if (key != "day")
        return HttpError{400, "bad_argument", fmt::format("不认识的参数 {}（只有 day）", key)};
      const std::optional<std::int64_t> d = core::parse_day(value);
      if (!d) return HttpError{400, "bad_argument", "day 须写成 YYYY-MM-DD，如 2026-12-04"};
      day = *d;
    }
    json list = json::array();
    for (const core::Booking& b : hall.bookings())
      if (b.day == day) list.push_back(booking_json(hall, b, personal));
    json out = view::appointments_json(view::appointments_on(hall, day), day);
    out["bookings"] = std::move(list);
    return json_response(200, out);
  }
  if (parts.size() != 5) return HttpError{405, "method_not_allowed", "只支持 POST"};
  auto code = code_of(parts[4]);
  if (HttpError* e = std::get_if<HttpError>(&code)) return std::move(*e);
  const core::Booking* b = hall.find_booking(std::get<std::uint32_t>(code));
  if (b == nullptr) return HttpError{404, "unknown_booking", fmt::format("没有预约码 {}", parts[4])};
  return json_response(200, booking_json(hall, *b, personal));
}

void HttpBooking::act(const core::Hall& hall, std::string_view path, const std::vector<std::string>& parts,
                      const HttpRequest& req, const HttpActions::Record& record, HttpReply reply,
                      core::TimeUs now) {
  auto fail = [&](HttpError e) { actions_.refuse(record, std::move(e), std::move(reply)); };
  const std::string& hall_id = hall.config().id;

  if (parts.size() == 4) {  // POST: a new booking
    if (req.method != "POST") return fail({405, "method_not_allowed", "只支持 GET 和 POST"});
    if (salt_ == nullptr)
      return fail(
          {503, "no_salt", "本系统未配置身份证号码散列用的盐（hallqd --person-salt），暂不能按身份证号预约"});
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return fail({400, "malformed", "请求内容须为 JSON 对象"});
    static constexpr const char* kFields[] = {"service", "day", "slot", "id_number", "phone"};
    std::string text[5];
    for (const auto& item : body.items()) {
      const std::string& key = item.key();
      const json& value = item.value();
      const auto* f =
          std::find_if(std::begin(kFields), std::end(kFields), [&](const char* k) { return key == k; });
      if (f == std::end(kFields))
        return fail({400, "bad_argument",
                     fmt::format("不认识的字段 {}（可用：service、day、slot、id_number、phone）",
                                 key.size() > 40 ? key.substr(0, 40) + "…" : key)});
      if (!value.is_string()) return fail({400, "bad_argument", fmt::format("{} 须为字符串", *f)});
      text[f - std::begin(kFields)] = value.get<std::string>();
    }
    for (int i = 0; i < 4; ++i)
      if (!body.contains(kFields[i]))
        return fail({400, "bad_argument", fmt::format("缺少字段 {}", kFields[i])});
    const core::CivilDate today = core::civil_date(hall.config().local_day(now));
    auto prepared = keys::prepare_booking({text[0], text[1], text[2], text[3], text[4]}, *salt_, today);
    if (const keys::FormError* e = std::get_if<keys::FormError>(&prepared))
      return fail({400, e->code, e->message});
    const keys::PreparedBooking& p = std::get<keys::PreparedBooking>(prepared);
    const std::uint32_t nonce = randombytes_uniform(core::kBookingCodes);
    return actions_.submit(
        hall_id, core::Book{p.service, p.day, p.slot_min, p.person, p.phone, nonce}, req.idempotency_key,
        record, std::move(reply), [](const protocol::DecodedReply& r) {
          json out = {{"ok", true}, {"duplicate", r.duplicate}};
          for (const std::string& bytes : r.events) {
            const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(bytes));
            if (e.kind != "booking_made") continue;
            out["code"] = e.booking;
            out["service"] = e.service;
            out["day"] = core::format_date(e.day);
            out["slot"] = core::format_slot_time(e.slot_min);
          }
          return json_response(r.duplicate ? 200 : 201, out);
        });
  }
  auto code = code_of(parts[4]);
  if (HttpError* e = std::get_if<HttpError>(&code)) return fail(std::move(*e));
  const std::uint32_t c = std::get<std::uint32_t>(code);
  if (parts.size() == 5) {
    if (req.method != "DELETE") return fail({405, "method_not_allowed", "只支持 GET 和 DELETE"});
    return actions_.submit(hall_id, core::CancelBooking{c}, req.idempotency_key, record, std::move(reply));
  }
  if (parts[5] != "check-in") return fail(not_found(path));
  if (req.method != "POST") return fail({405, "method_not_allowed", "只支持 POST"});
  actions_.submit(hall_id, core::CheckIn{c}, req.idempotency_key, record, std::move(reply),
                  [](const protocol::DecodedReply& r) {
                    json out = {{"ok", true}, {"duplicate", r.duplicate}};
                    json events = json::array();
                    for (const std::string& bytes : r.events) {
                      const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(bytes));
                      events.push_back(view::to_json(e));
                      if (e.kind == "ticket_issued") {
                        out["number"] = e.number;
                        out["ticket"] = e.ticket;
                        out["service"] = e.service;
                        out["priority"] = e.priority;
                        out["ahead"] = e.ahead;
                        out["predicted_wait_s"] = e.predicted_wait_s;
                      }
                      if (e.kind == "booking_checked_in") out["code"] = e.booking;
                    }
                    out["events"] = std::move(events);
                    return json_response(200, out);
                  });
}

}  // namespace hallq::server
