// The kiosk program's engine side: a Subscriber keeps the hall's replica (the
// service tiles and whether the engine is online), a Client sends the one
// pending issue request, and the printer prints each acknowledged ticket.
//
// Offline behaviour: a request that has no answer is resent every
// `resend_interval` with the SAME request id until the engine answers (the
// engine applies it once; a retry gets the first outcome), while the session
// shows "系统连接中，请稍候". A ticket is printed only after the engine's
// acknowledgement; a failed print is retried every `resend_interval`.
//
// Every visible change is also written as one JSON object per line to `out`
// (the headless protocol tests and the README use):
//   {"event":"state","screen":"home","online":true,"message":"..."}
//   {"event":"issued","number":"A012","ahead":3,"predicted_wait_s":720,...}
//   {"event":"printed","number":"A012","bytes":412}
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

#include "adapters/kiosk/appointment_book.h"
#include "adapters/kiosk/kiosk_config.h"
#include "adapters/kiosk/kiosk_session.h"
#include "adapters/kiosk/printer_sink.h"
#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/time/system_clock.h"

namespace hallq::kiosk {

class KioskApp {
 public:
  // Throws config::ConfigError for a broken appointments file.
  // `curve`: the keys of config.security (device::load_curve) for both
  // sockets; empty: plaintext. `wall`: the clock of dates, appointment
  // slots and waits (not owned).
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
  const core::Hall* hall() const;
  std::string hall_name() const;
  bool connecting() const { return pending_ && pending_->sends > 1; }
  // Nothing pending and nothing left to print.
  bool idle() const { return !pending_ && print_queue_.empty(); }
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
    std::string number, bytes;
    std::chrono::steady_clock::time_point next_try;
  };

  int utc_offset_min() const;
  void start(std::optional<IssueRequest> request);
  void send_pending();
  void on_reply(const protocol::DecodedReply& reply);
  void try_print();
  void emit_state();
  void emit(const std::string& json_line);

  const KioskConfig& config_;
  std::ostream& out_;
  const time::Clock& wall_;
  std::unique_ptr<AppointmentBook> book_;
  KioskSession session_;
  client::Subscriber subscriber_;
  client::Client client_;
  std::unique_ptr<PrinterSink> printer_;
  std::optional<Pending> pending_;
  std::vector<PrintJob> print_queue_;
  bool last_online_ = false;
  std::chrono::milliseconds resend_interval_{1000};
};

}  // namespace hallq::kiosk
