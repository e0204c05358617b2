#include "adapters/kiosk/kiosk_app.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "adapters/kiosk/ticket_layout.h"
#include "engine/core/booking.h"
#include "engine/core/calendar.h"
#include "engine/core/resident_id.h"
#include "engine/core/utf8.h"
#include "engine/device/signals.h"
#include "engine/keys/ticket_token.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/request_codec.h"

namespace hallq::kiosk {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {
client::ClientOptions client_options(const client::CurveOptions& curve) {
  client::ClientOptions o;
  o.timeout = std::chrono::milliseconds(1000);
  o.attempts = 1;
  o.curve = curve;
  return o;
}

core::DeviceState device_state(PrinterState s) {
  switch (s) {
    case PrinterState::kOk:
      return core::DeviceState::kOk;
    case PrinterState::kPaperLow:
      return core::DeviceState::kPaperLow;
    case PrinterState::kPaperOut:
      return core::DeviceState::kPaperOut;
    case PrinterState::kCoverOpen:
      return core::DeviceState::kCoverOpen;
    case PrinterState::kOffline:
      return core::DeviceState::kOffline;
    case PrinterState::kUnreachable:
      return core::DeviceState::kUnreachable;
  }
  return core::DeviceState::kOffline;
}

// The printer's detail as the hall takes it: printable UTF-8 (anything else
// becomes '?'), cut at a character boundary to core::kMaxDeviceDetailBytes.
std::string device_detail(std::string_view detail) {
  std::string out;
  for (std::size_t i = 0; i < detail.size();) {
    std::size_t n = 1;
    while (n < 4 && i + n < detail.size() && (static_cast<unsigned char>(detail[i + n]) & 0xC0) == 0x80) ++n;
    const std::string_view ch = detail.substr(i, n);
    const std::string_view take = core::printable_utf8(ch) ? ch : std::string_view("?");
    if (out.size() + take.size() > core::kMaxDeviceDetailBytes) break;
    out += take;
    i += n;
  }
  return out;
}

client::SubscriberOptions subscriber_options(const client::CurveOptions& curve) {
  client::SubscriberOptions o;
  o.curve = curve;
  return o;
}
}  // namespace

KioskApp::KioskApp(zmq::context_t& ctx, const KioskConfig& config, std::ostream& out,
                   const client::CurveOptions& curve, const time::Clock& wall)
    : config_(config),
      ticket_secret_(config.ticket_secret.empty() ? std::string()
                                                  : keys::read_ticket_secret_file(config.ticket_secret)),
      out_(out),
      wall_(wall),
      session_(config_),
      subscriber_(ctx, config.engine, config.events, {config.hall}, nullptr, subscriber_options(curve)),
      client_(ctx, config.engine, client_options(curve)),
      printer_(make_printer(config.printer)),
      pending_file_(config.pending_file) {
  // Tickets a previous run got but did not print: printed or cancelled like new ones.
  try {
    for (PendingPrint& t : pending_file_.load())
      print_queue_.push_back({std::move(t), Clock::now(), true, {}, {}, {}});
  } catch (const std::exception& e) {
    emit(json{{"event", "error"}, {"message", e.what()}}.dump());
  }
  if (!print_queue_.empty()) {
    json numbers = json::array();
    for (const PrintJob& j : print_queue_) numbers.push_back(j.ticket.number);
    emit(json{{"event", "unprinted"}, {"numbers", numbers}, {"file", pending_file_.path()}}.dump());
  }
  probe_printer();                  // known before the first tap
  if (!reported_) report_device();  // the hall may remember a state from before a restart
}

KioskApp::~KioskApp() = default;

const core::Hall* KioskApp::hall() const { return subscriber_.hall(config_.hall); }
bool KioskApp::online() const { return subscriber_.online(config_.hall); }
bool KioskApp::takes_bookings() const {
  const core::Hall* h = hall();
  return h == nullptr || !h->config().appointments.empty();
}

int KioskApp::utc_offset_min() const {
  const core::Hall* h = hall();
  return h ? h->config().utc_offset_min : 8 * 60;
}

std::string KioskApp::hall_name() const {
  const core::Hall* h = hall();
  return h ? h->config().name : config_.hall;
}

std::vector<ServiceTile> KioskApp::tiles() const {
  const core::Hall* h = hall();
  if (!h) return {};
  return service_tiles(*h, now(), config_.services);
}

void KioskApp::emit(const std::string& line) { out_ << line << '\n' << std::flush; }

std::string KioskApp::status_line() const {
  if (!online()) return "系统连接中";
  if (health_.state != PrinterState::kOk) return printer_status_line(health_.state);
  return "系统正常";
}

bool KioskApp::show_on_screen() const {
  return !health_.can_print() && config_.on_failure == KioskConfig::OnFailure::kScreen;
}

std::string KioskApp::printer_notice() const {
  if (health_.can_print()) return "";
  return printer_out_message(health_.state, config_.on_failure == KioskConfig::OnFailure::kScreen);
}

void KioskApp::emit_state() {
  emit(json{{"event", "state"},
            {"screen", to_string(session_.screen())},
            {"online", online()},
            {"message", session_.message()},
            {"priority", session_.priority_label()},
            {"status", status_line()},
            {"printer", to_string(health_.state)},
            {"printer_message", printer_notice()}}
           .dump());
}

void KioskApp::probe_printer() {
  PrinterHealth h = printer_->probe();
  next_probe_ = Clock::now() + (h.can_print() ? config_.probe_interval : resend_interval_);
  set_health(std::move(h));
}

void KioskApp::set_health(PrinterHealth h) {
  const bool changed = h.state != health_.state;
  health_ = std::move(h);
  if (!changed) return;
  report_device();
  emit(json{{"event", "printer"},
            {"state", to_string(health_.state)},
            {"status", printer_status_line(health_.state)},
            {"message", printer_notice()},
            {"detail", health_.detail}}
           .dump());
  emit_state();
}

bool KioskApp::step(std::chrono::milliseconds timeout, int fd) {
  const auto t0 = Clock::now();
  if (pending_)
    timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::max(pending_->next_send - t0, Clock::duration::zero())));
  if (report_)
    timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::max(report_->next_send - t0, Clock::duration::zero())));
  if (!print_queue_.empty()) timeout = std::min(timeout, std::chrono::milliseconds(200));
  timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::max(next_probe_ - t0, Clock::duration::zero())));
  zmq::pollitem_t items[] = {{subscriber_.event_socket().handle(), 0, ZMQ_POLLIN, 0},
                             {subscriber_.reply_socket().handle(), 0, ZMQ_POLLIN, 0},
                             {client_.socket().handle(), 0, ZMQ_POLLIN, 0},
                             {nullptr, fd, ZMQ_POLLIN, 0}};
  device::poll(items, fd >= 0 ? 4 : 3, timeout);  // a signal ends the wait early
  subscriber_.poll(std::chrono::milliseconds(0));
  while (auto reply = client_.receive(std::chrono::milliseconds(0))) on_reply(*reply);
  if (online() != last_online_) {
    last_online_ = online();
    emit(json{{"event", last_online_ ? "online" : "offline"}}.dump());
  }
  if (Clock::now() >= next_probe_) probe_printer();
  if (pending_ && Clock::now() >= pending_->next_send) send_pending();
  if (report_ && Clock::now() >= report_->next_send) {
    (void)client_.send(report_->bytes, true);
    report_->next_send = Clock::now() + resend_interval_;
  }
  expire_unprinted();
  if (!print_queue_.empty() && health_.can_print() && Clock::now() >= print_queue_.front().next_try)
    try_print();
  return fd >= 0 && (items[3].revents & ZMQ_POLLIN) != 0;
}

void KioskApp::start(std::optional<IssueRequest> request) {
  if (!request) {
    if (session_.screen() == Screen::kRefused)
      emit(json{{"event", "refused"}, {"reason", session_.message()}}.dump());
    emit_state();
    return;
  }
  if (!health_.can_print() && !show_on_screen()) {
    // No paper ticket can be handed out: nothing is sent.
    session_.refused(printer_notice());
    emit(json{{"event", "refused"}, {"reason", session_.message()}, {"code", "printer"}}.dump());
    emit_state();
    return;
  }
  Pending p;
  p.id = request->request_id.empty() ? client_.next_request_id() : request->request_id;
  p.bytes = request->booking != 0
                ? protocol::encode_request(p.id, config_.hall, core::CheckIn{request->booking})
                : protocol::encode_request(p.id, config_.hall,
                                           core::IssueTicket{request->service, request->priority});
  p.request = std::move(*request);
  pending_ = std::move(p);
  json requested{{"event", "requested"},
                 {"service", pending_->request.service},
                 {"request_id", pending_->id},
                 {"priority", core::to_string(pending_->request.priority)}};
  if (pending_->request.booking != 0) requested["booking"] = pending_->request.booking;
  emit(requested.dump());
  emit_state();
  send_pending();
}

void KioskApp::send_pending() {
  // Queued by the DEALER while disconnected; a reconnect delivers the copies,
  // which the engine answers from its request memory.
  (void)client_.send(pending_->bytes, true);
  ++pending_->sends;
  pending_->next_send = Clock::now() + resend_interval_;
  if (pending_->sends == 2) {
    emit(json{{"event", "connecting"}, {"message", "系统连接中，请稍候"}}.dump());
  }
}

void KioskApp::report_device() {
  // A new id per state: the engine applies each report once, and an older
  // report's late copies are answered from its request memory, not re-applied.
  reported_ = true;
  Report r;
  r.id = client_.next_request_id();
  const std::string detail = device_detail(health_.detail);
  r.bytes = protocol::encode_request(
      r.id, config_.hall, core::ReportDevice{config_.device, "printer", device_state(health_.state), detail});
  r.next_send = Clock::now() + resend_interval_;
  (void)client_.send(r.bytes, true);
  report_ = std::move(r);
}

bool KioskApp::on_report_reply(const protocol::DecodedReply& reply) {
  if (!report_ || reply.request_id != report_->id) return false;
  if (!reply.ok())  // e.g. the kiosk's key may not report (an older engine): said once, not resent
    emit(json{{"event", "error"}, {"message", fmt::format("device report refused: {}", reply.message)}}
             .dump());
  report_.reset();
  return true;
}

void KioskApp::on_reply(const protocol::DecodedReply& reply) {
  if (on_cancel_reply(reply) || on_report_reply(reply)) return;
  if (!pending_ || reply.request_id != pending_->id) return;  // late answer to a finished request
  Pending p = std::move(*pending_);
  pending_.reset();
  if (!reply.ok()) {
    session_.refused(reply.message);
    emit(json{{"event", "refused"}, {"reason", reply.message}, {"code", core::to_string(reply.code)}}.dump());
    emit_state();
    return;
  }
  Issued t;
  t.service_name = p.request.service_name;
  t.label = p.request.label;
  bool remote = false;  // the code was a remote ticket's (网上取号): checked in, the number it has held
  for (const std::string& bytes : reply.events) {
    const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(bytes));
    if (e.kind == "remote_checked_in") {
      remote = true;
      t.number = e.number;
      continue;
    }
    if (e.kind != "ticket_issued") continue;
    t.number = e.number;
    t.ahead = e.ahead;
    t.predicted_wait_s = e.predicted_wait_s;
    if (p.request.booking != 0) p.request.service = e.service;  // known from the answer only
  }
  if (p.request.booking != 0) {
    // The service's name and the slot from the replica; without one, the id and "预约".
    const core::Hall* h = hall();
    const std::optional<core::ServiceIdx> s = h ? h->config().find_service(p.request.service) : std::nullopt;
    t.service_name = s ? h->config().services[*s].name : p.request.service;
    const core::Booking* b = h ? h->find_booking(p.request.booking) : nullptr;
    t.label = b ? fmt::format("预约 {}", core::format_slot_time(b->slot_min)) : "预约";
    if (remote) {
      const core::Ticket* rt = h ? h->find_number(t.number) : nullptr;
      if (rt != nullptr) t.service_name = h->config().services[rt->service].name;
      t.label = "网上取号";
    }
  }
  if (t.number.empty()) {
    session_.refused("出票失败，请咨询导办台");
    emit(json{{"event", "refused"}, {"reason", "reply without a ticket"}}.dump());
    emit_state();
    return;
  }
  // The ticket's printed form.
  TicketInfo info;
  info.hall_id = config_.hall;
  info.hall_name = hall_name();
  info.number = t.number;
  info.service_name = t.service_name;
  info.priority_label = t.label;
  info.ahead = t.ahead;
  info.predicted_wait_s = t.predicted_wait_s;
  const core::TimeUs at = now();
  info.date = core::format_date(core::local_date(at, utc_offset_min()));
  const int minute = core::local_minute_of_day(at, utc_offset_min());
  info.time = fmt::format("{:02}:{:02}", minute / 60, minute % 60);
  if (!ticket_secret_.empty())
    info.token = keys::ticket_token(ticket_secret_, info.hall_id, info.date, info.number);
  if (!config_.qr_url.empty()) info.qr = expand_qr_template(config_.qr_url, info);
  info.footer = config_.footer;
  // The printer out and the hall allows it: the citizen photographs the screen instead.
  t.on_screen = show_on_screen();
  t.qr = info.qr;
  if (!t.on_screen) {
    const int number_size = config_.paper_mm == 58 ? 4 : 5;
    PrintJob job;
    job.ticket = {t.number, at, layout_ticket(info, number_size, config_.paper_mm == 58 ? 5 : 6)};
    job.next_try = Clock::now();
    print_queue_.push_back(std::move(job));
    save_pending();  // before the first try: a kill -9 mid-print does not lose it
  }
  json issued{{"event", "issued"},
              {"number", t.number},
              {"service", p.request.service},
              {"priority", core::to_string(p.request.priority)},
              {"ahead", t.ahead},
              {"predicted_wait_s", t.predicted_wait_s},
              {"duplicate", reply.duplicate},
              {"sends", p.sends},
              {"shown", t.on_screen}};
  if (t.on_screen) issued["printed"] = false;
  if (p.request.booking != 0) issued["booking"] = p.request.booking;
  emit(issued.dump());
  session_.issued(std::move(t));
  emit_state();
  try_print();
}

void KioskApp::save_pending() {
  std::vector<PendingPrint> tickets;
  for (const PrintJob& j : print_queue_) tickets.push_back(j.ticket);
  std::string error;
  if (!pending_file_.save(tickets, error)) emit(json{{"event", "error"}, {"message", error}}.dump());
}

void KioskApp::try_print() {
  for (auto it = print_queue_.begin(); it != print_queue_.end();) {
    PrintJob& job = *it;
    if (!job.cancel_id.empty()) {  // being cancelled: never printed now
      ++it;
      continue;
    }
    std::string error;
    if (!printer_->print(job.ticket.bytes, error)) {
      job.failed = true;
      job.next_try = Clock::now() + resend_interval_;
      emit(json{{"event", "printer_error"}, {"number", job.ticket.number}, {"message", error}}.dump());
      session_.print_delayed(job.ticket.number);
      probe_printer();  // what is wrong, said at once
      if (health_.can_print()) {
        PrinterHealth h;  // it opens but does not take the ticket
        h.state = PrinterState::kUnreachable;
        h.detail = error;
        set_health(std::move(h));
        next_probe_ = Clock::now() + resend_interval_;
      }
      emit_state();
      return;
    }
    json printed{{"event", "printed"}, {"number", job.ticket.number}, {"bytes", job.ticket.bytes.size()}};
    if (job.failed) {
      printed["reprint"] = true;
      session_.reprinted(job.ticket.number);
    }
    emit(printed.dump());
    const bool late = job.failed;
    it = print_queue_.erase(it);
    save_pending();
    if (late) emit_state();
  }
}

void KioskApp::expire_unprinted() {
  const core::TimeUs at = now();
  const core::TimeUs grace_us =
      std::chrono::duration_cast<std::chrono::microseconds>(config_.reprint_within).count();
  for (PrintJob& job : print_queue_) {
    if (job.cancel_id.empty() && at - job.ticket.issued_at_us > grace_us) {
      // Same id on every resend and after a restart: the engine applies it once.
      job.cancel_id = fmt::format("kiosk-not-printed-{}-{}", job.ticket.number, job.ticket.issued_at_us);
      job.cancel_bytes = protocol::encode_request(
          job.cancel_id, config_.hall, core::Cancel{job.ticket.number, core::LeaveReason::kNotPrinted});
      emit(json{{"event", "not_printed"},
                {"number", job.ticket.number},
                {"grace_s", config_.reprint_within.count()}}
               .dump());
    }
    if (!job.cancel_id.empty() && Clock::now() >= job.next_cancel) {
      (void)client_.send(job.cancel_bytes, true);
      job.next_cancel = Clock::now() + resend_interval_;
    }
  }
}

bool KioskApp::on_cancel_reply(const protocol::DecodedReply& reply) {
  auto it = std::find_if(print_queue_.begin(), print_queue_.end(), [&](const PrintJob& j) {
    return !j.cancel_id.empty() && j.cancel_id == reply.request_id;
  });
  if (it == print_queue_.end()) return false;
  // Refused (e.g. the ticket was already called or cancelled at the desk): nothing left to do either.
  if (reply.ok())
    emit(json{{"event", "cancelled"}, {"number", it->ticket.number}, {"reason", "not_printed"}}.dump());
  else
    emit(json{{"event", "cancel_refused"}, {"number", it->ticket.number}, {"reason", reply.message}}.dump());
  print_queue_.erase(it);
  save_pending();
  return true;
}

void KioskApp::tap(std::string_view service) {
  const auto t = tiles();
  start(session_.tap(service, hall() ? &t : nullptr));
}

void KioskApp::priority(std::string_view category) {
  session_.choose_priority(category);
  start(std::nullopt);
}

void KioskApp::resident_id(std::string_view id) {
  const core::TimeUs at = now();
  session_.enter_id(id, core::local_date(at, utc_offset_min()));
  emit(json{{"event", "id_read"}, {"id", core::mask_resident_id(id)}}.dump());
  start(std::nullopt);
}

void KioskApp::appointment(std::string_view code) { start(session_.enter_appointment(code)); }

void KioskApp::cancel() {
  session_.cancel();
  emit_state();
}

bool KioskApp::handle_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  const std::size_t sp = line.find(' ');
  const std::string_view verb = line.substr(0, sp);
  const std::string_view arg = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  if (verb == "quit") return false;
  if (verb == "tap")
    tap(arg);
  else if (verb == "priority")
    priority(arg);
  else if (verb == "id")
    resident_id(arg);
  else if (verb == "appt")
    appointment(arg);
  else if (verb == "cancel")
    cancel();
  else if (verb == "tiles" || verb == "state") {
    json services = json::array();
    for (const ServiceTile& t : tiles()) {
      services.push_back({{"id", t.id},
                          {"name", t.name},
                          {"waiting", t.waiting},
                          {"predicted_wait_s", t.predicted_wait_s},
                          {"open_windows", t.open_windows},
                          {"caption", tile_caption(t)}});
    }
    emit(json{{"event", "tiles"}, {"online", online()}, {"synced", hall() != nullptr}, {"services", services}}
             .dump());
    if (verb == "state") emit_state();
  } else if (!verb.empty()) {
    emit(json{{"event", "error"}, {"message", fmt::format("unknown input \"{}\"", verb)}}.dump());
  }
  return true;
}

}  // namespace hallq::kiosk
