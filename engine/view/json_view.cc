#include "engine/view/json_view.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "engine/core/calendar.h"
#include "engine/protocol/message.h"

namespace hallq::view {

using nlohmann::json;

namespace {

json serves_json(const std::vector<std::pair<std::string, int>>& serves) {
  json out = json::object();
  for (const auto& [id, level] : serves) out[id] = level;
  return out;
}

// The 好差评 fields of a RatingsLive, added to `j`.
void add_ratings(json& j, const RatingsLive& r) {
  j["rated"] = r.rated;
  j["good"] = r.good;
  j["bad"] = r.bad;
  j["good_rate"] = r.good_rate;
  j["bad_rate"] = r.bad_rate;
}

}  // namespace

json to_json(const HallSummary& s) {
  json services = json::array(), windows = json::array(), advisories = json::array(), devices = json::array();
  for (const ServiceSummary& sv : s.services) {
    services.push_back({{"id", sv.id},
                        {"name", sv.name},
                        {"prefix", sv.prefix},
                        {"waiting", sv.waiting},
                        {"predicted_wait_s", sv.predicted_wait_s},
                        {"longest_wait_s", sv.longest_wait_s},
                        {"open_windows", sv.open_windows},
                        {"wait_text", sv.wait_text}});
  }
  for (const WindowSummary& w : s.windows) {
    windows.push_back({{"id", w.id},
                       {"number", w.number},
                       {"name", w.name},
                       {"state", w.state},
                       {"current", w.current.empty() ? json(nullptr) : json(w.current)},
                       {"current_state", w.current_state},
                       {"service", w.service},
                       {"staff", w.staff},
                       {"staff_name", w.staff_name},
                       {"served", w.served}});
  }
  for (const AdvisorySummary& a : s.advisories) {
    advisories.push_back({{"id", a.id},
                          {"service", a.service},
                          {"window", a.window},
                          {"window_number", a.window_number},
                          {"action", a.action},
                          {"service_name", a.service_name},
                          {"window_name", a.window_name},
                          {"text", a.text},
                          {"serves", serves_json(a.serves)},
                          {"wait_before_s", a.wait_before_s},
                          {"wait_after_s", a.wait_after_s},
                          {"expires_in_s", a.expires_in_s}});
  }
  for (const DeviceSummary& d : s.devices) {
    devices.push_back({{"id", d.id},
                       {"kind", d.kind},
                       {"state", d.state},
                       {"state_name", d.state_name},
                       {"detail", d.detail},
                       {"since_s", d.since_s},
                       {"ok", d.ok}});
  }
  return {{"hall", s.id},         {"name", s.name},           {"seq", s.seq},
          {"waiting", s.waiting}, {"notice", s.notice},       {"services", services},
          {"windows", windows},   {"advisories", advisories}, {"devices", devices}};
}

json overview_json(const HallSummary& s) {
  std::uint32_t open = 0;
  for (const WindowSummary& w : s.windows) open += w.state != "closed";
  return {{"id", s.id}, {"name", s.name}, {"seq", s.seq}, {"waiting", s.waiting}, {"open_windows", open}};
}

json to_json(const LiveStats& l) {
  json windows = json::array(), services = json::array(), staff = json::array(), alerts = json::array();
  for (const WindowLive& w : l.windows) {
    json j = {{"id", w.id},
              {"finished", w.finished},
              {"mean_handle_s", w.mean_handle_s},
              {"utilisation", w.utilisation}};
    add_ratings(j, w.ratings);
    windows.push_back(std::move(j));
  }
  for (const StaffLive& st : l.staff) {
    json j = {{"id", st.id}, {"name", st.name}};
    add_ratings(j, st.ratings);
    staff.push_back(std::move(j));
  }
  for (const ServiceLive& s : l.services) {
    services.push_back({{"id", s.id},
                        {"issued", s.issued},
                        {"called", s.called},
                        {"finished", s.finished},
                        {"mean_wait_s", s.mean_wait_s},
                        {"over_target_share", s.over_target_share},
                        {"mean_handle_s", s.mean_handle_s}});
  }
  for (const Alert& a : l.alerts)
    alerts.push_back(
        {{"kind", a.kind}, {"service", a.service}, {"window", a.window}, {"message", a.message}});
  json out = {{"windows", windows},
              {"services", services},
              {"staff", staff},
              {"ratings", l.ratings},
              {"satisfied", l.satisfied},
              {"not_rated", l.not_rated},
              {"satisfaction", l.satisfaction},
              {"issued", l.issued},
              {"called", l.called},
              {"no_shows", l.no_shows},
              {"left", l.left},
              {"no_show_rate", l.no_show_rate},
              {"give_up_rate", l.give_up_rate},
              {"alerts", alerts}};
  add_ratings(out, l.hall_ratings);
  return out;
}

json to_json(const protocol::EventSummary& e) {
  json j = {{"seq", e.seq}, {"time_us", e.time}, {"kind", e.kind}};
  if (e.ticket) j["ticket"] = e.ticket;
  if (!e.number.empty()) j["number"] = e.number;
  if (!e.window.empty()) j["window"] = e.window;
  if (e.window_number) j["window_number"] = e.window_number;
  if (!e.service.empty()) j["service"] = e.service;
  if (!e.staff.empty()) j["staff"] = e.staff;
  if (e.kind == "ticket_issued") {
    j["priority"] = e.priority;
    j["ahead"] = e.ahead;
    j["predicted_wait_s"] = e.predicted_wait_s;
  }
  if (e.kind == "ticket_evaluated") {
    j["level"] = e.level;
    j["channel"] = e.channel;
    if (!e.reasons.empty()) j["reasons"] = e.reasons;
    if (!e.text.empty()) j["comment"] = e.text;
    if (e.supplementary) j["supplementary"] = true;
  }
  if (!e.case_number.empty()) j["case"] = e.case_number;
  if (!e.reason.empty()) j["reason"] = e.reason;
  if (e.kind == "day_rolled") j["day"] = e.day;
  if (e.booking) j["booking"] = e.booking;
  if (e.kind == "booking_made") {
    j["date"] = core::format_date(e.day);
    j["slot"] = fmt::format("{:02}:{:02}", e.slot_min / 60, e.slot_min % 60);
  }
  if (e.kind == "notice_changed") j["text"] = e.text;
  if (e.kind == "device_reported") {
    j["device"] = e.device;
    j["device_kind"] = e.device_kind;
    j["state"] = e.device_state;
    j["detail"] = e.text;
  }
  if (e.kind == "window_skills_changed" || e.kind == "advisory_issued") {
    j["serves"] = serves_json(e.serves);
    if (e.advisory) j["advisory"] = e.advisory;
  }
  if (e.kind == "work_order_opened") j["due"] = core::format_date(e.day);
  if (e.kind == "work_order_called_back") j["reached"] = e.reached;
  if (e.kind == "work_order_called_back" || e.kind == "work_order_rectified") {
    j["note"] = e.text;
    j["by"] = e.by;
  }
  if (e.kind == "upload_rejected") {  // the reason is withheld ("") on hall topics (personal_data.h)
    j["record_id"] = e.record_id;
    j["status"] = e.status;
    j["reason"] = e.text;
  }
  if (e.kind == "upload_resend_requested") j["record_id"] = e.record_id;
  if (e.kind == "upload_resend_accepted") {
    j["record_id"] = e.record_id;
    j["resend"] = e.resend;
  }
  if (e.kind == "advisory_issued") {
    j["action"] = e.action;
    j["wait_before_s"] = e.wait_before_s;
    j["wait_after_s"] = e.wait_after_s;
  }
  return j;
}

json events_json(const std::vector<std::string>& encoded_events) {
  json out = json::array();
  for (const std::string& e : encoded_events)
    out.push_back(to_json(protocol::describe_event(protocol::as_bytes(e))));
  return out;
}

}  // namespace hallq::view
