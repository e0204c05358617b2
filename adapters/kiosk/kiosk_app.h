// The kiosk program's engine side: a Subscriber keeps the hall's replica (the
// service tiles and whether the engine is online), a Client sends the one
// pending issue request, and the printer prints each acknowledged ticket.
//
// Appointment check-in (预约签到): the booking code typed on the pad is sent
// as core::CheckIn; the engine, which holds the bookings and the hall's
// check-in margins, answers with the appointment ticket (its ticket_issued
// event), printed like any other ticket with "预约 HH:MM" (the slot, from the
// replica) under the number, or with a refusal shown as it comes ("没有预约码
// 123456", "预约时段为 ...，请于 09:00 后签到", "预约 ... 已签到，号码 A001").
//
// Offline behaviour: a request that has no answer is resent every
// `resend_interval` with the SAME request id until the engine answers (the
// engine applies it once; a retry gets the first outcome), while the session
// shows "系统连接中，请稍候". A ticket is printed only after the engine's
// acknowledgement.
//
// No phantom tickets: an acknowledged ticket is kept in the pending file
// (pending_prints.h) until it is printed, so a restart or kill -9 does not
// forget it. A failed print is retried when the printer is back (the citizen
// is told "打印机恢复后将补打，请稍候"); a ticket not printed within
// `[printer] reprint_within` of its acknowledgement is cancelled in the engine
// with LeaveReason::kNotPrinted (resent with the same request id until
// answered) and never printed after that.
//
// Managers see the printer's state: at start and on every change of state
// (not on every probe) the kiosk sends ReportDevice{config.device, "printer",
// state, detail}, resent with the same request id every `resend_interval`
// until the engine answers; a newer state replaces an unanswered report.
//
// The printer: probed (printer_sink.h: opened / connected, asked the ESC/POS
// status queries) at start, every `[printer] probe_interval_ms` while it is
// ok, every `resend_interval` while it is out and right after a failed print.
// While it cannot print, the status line and the message say so in Chinese
// and a tap is refused ("打印机缺纸，暂停取号。请到咨询台取号或稍候"), unless
// `[printer] on_failure = "screen"`: then the ticket is issued and its number
// and QR are shown on the screen ("请拍照或记下您的号码").
//
// Every visible change is also written as one JSON object per line to `out`
// (the headless protocol tests and the README use):
//   {"event":"state","screen":"home","online":true,"message":"..."}
//   {"event":"issued","number":"A012","ahead":3,"predicted_wait_s":720,...}
//   {"event":"issued",...,"printed":false,"shown":true}  (printer out, on_failure = "screen")
//   {"event":"printed","number":"A012","bytes":412[,"reprint":true]}
//   {"event":"printer_error","number":"A012","message":"..."}
//   {"event":"not_printed","number":"A012","grace_s":120}   (the grace passed: cancelling)
//   {"event":"cancelled","number":"A012","reason":"not_printed"}  / "cancel_refused"
//   {"event":"printer","state":"paper_out","status":"打印机缺纸","message":"...","detail":"..."}
//     (on each change of the printer's state)
//   {"event":"refused","reason":"..."}   {"event":"connecting"}
//   {"event":"tiles","services":[{"id":...,"waiting":...,...}]}
// Headless input lines: "tap SERVICE", "priority CATEGORY", "id NUMBER",
// "appt CODE", "cancel", "tiles", "quit".
//
// Thread: one thread (the program's main loop) owns everything.
#pragma once

#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "adapters/kiosk/kiosk_config.h"
#include "adapters/kiosk/kiosk_session.h"
#include "adapters/kiosk/pending_prints.h"
#include "adapters/kiosk/printer_sink.h"
#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/time/system_clock.h"

namespace hallq::kiosk {

class KioskApp {
 public:
  // `curve`: the keys of config.security (device::load_curve) for both
  // sockets; empty: plaintext. `wall`: the clock of dates and waits on
  // the ticket (not owned).
  KioskApp(zmq::context_t& ctx, const KioskConfig& config, std::ostream& out,
           const client::CurveOptions& curve = {}, const time::Clock& wall = time::system_clock());
  ~KioskApp();

  // Waits at most `timeout` for engine traffic (or `fd` readable, if >= 0),
  // handles what arrived, resends / reprints when due. Returns true if `fd`
  // is readable.
  bool step(std::chrono::milliseconds timeout, int fd = -1);

  // Citizen actions (from touches or headless lines).
  void tap(std::string_view service);
  void priority(std::string_view category);
  void resident_id(std::string_view id);
  void appointment(std::string_view code);
  void cancel();
  // One headless input line; false for "quit".
  bool handle_line(std::string_view line);

  const KioskSession& session() const { return session_; }
  std::vector<ServiceTile> tiles() const;  // empty before the first snapshot
  bool online() const;
  // The hall takes bookings (some service has appointment slots), or no
  // replica yet (the engine decides): the screen offers 预约签到.
  bool takes_bookings() const;
  const core::Hall* hall() const;
  std::string hall_name() const;
  bool connecting() const { return pending_ && pending_->sends > 1; }
  const PrinterHealth& printer_health() const { return health_; }
  // The header's status line: "系统正常", "系统连接中", "打印机缺纸" ...
  std::string status_line() const;
  // What the citizen is told while the printer cannot print; "" when it can.
  std::string printer_notice() const;
  // Nothing pending and nothing left to print.
  bool idle() const { return !pending_ && print_queue_.empty(); }
  // Nothing left that a stop could lose: no request pending, and nothing to
  // print or the printer is out (the pending file hands the tickets over).
  bool settled() const { return !pending_ && (print_queue_.empty() || !health_.can_print()); }
  // The wall clock's time.
  core::TimeUs now() const { return wall_.now_us(); }

 private:
  struct Pending {
    IssueRequest request;
    std::string id, bytes;
    std::chrono::steady_clock::time_point next_send;
    int sends = 0;
  };
  struct PrintJob {
    PendingPrint ticket;
    std::chrono::steady_clock::time_point next_try;
    bool failed = false;    // a print was tried and failed (or the job came from the file)
    std::string cancel_id;  // not printed in time: the Cancel's request id, resent until answered
    std::string cancel_bytes;
    std::chrono::steady_clock::time_point next_cancel;
  };

  int utc_offset_min() const;
  void start(std::optional<IssueRequest> request);
  void send_pending();
  void on_reply(const protocol::DecodedReply& reply);
  void try_print();
  void expire_unprinted();
  bool on_cancel_reply(const protocol::DecodedReply& reply);
  void report_device();
  bool on_report_reply(const protocol::DecodedReply& reply);
  void save_pending();
  void probe_printer();
  void set_health(PrinterHealth h);
  bool show_on_screen() const;
  void emit_state();
  void emit(const std::string& json_line);

  const KioskConfig& config_;
  std::string ticket_secret_;  // raw; empty: no {token}
  std::ostream& out_;
  const time::Clock& wall_;
  KioskSession session_;
  client::Subscriber subscriber_;
  client::Client client_;
  std::unique_ptr<PrinterSink> printer_;
  std::optional<Pending> pending_;
  PendingPrints pending_file_;
  std::vector<PrintJob> print_queue_;
  PrinterHealth health_;
  struct Report {  // the printer's state for the hall, until answered
    std::string id, bytes;
    std::chrono::steady_clock::time_point next_send;
  };
  std::optional<Report> report_;
  bool reported_ = false;  // a report was made since start
  std::chrono::steady_clock::time_point next_probe_{};
  bool last_online_ = false;
  std::chrono::milliseconds resend_interval_{1000};
};

}  // namespace hallq::kiosk
