// The kiosk's device config (conf/devices/kiosk-*.toml):
//   [kiosk]        hall, engine, events, services, font, font_index, width, height,
//                  device (the id its printer's state is reported under; default "kiosk-HALL")
//   [priority]     age_threshold, elderly_label, categories
//   [printer]      kind, path, host, port, timeout_ms, paper_mm, qr_url, footer,
//                  on_failure ("stop" | "screen"), reprint_within (seconds),
//                  probe_interval_ms, status_timeout_ms, pending_file,
//                  ticket_secret (signs {token} in qr_url: the citizen's live page)
//   [security]     key_file, engine_public_key_file | engine_public_key
//                  (CURVE keys; engine/device/device_security.h)
// Relative paths are taken from the config file's directory. Errors throw
// config::ConfigError naming file:line (engine/config/toml_reader.h).
// Appointment check-in needs no table: the bookings and their check-in
// margins live in the engine (the hall's [service.appointments]). A config
// that still has the old [appointments] table (the kiosk's CSV book) is
// refused with a ConfigError that says so and names the one-time import
// (`hallq appointments import`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/kiosk/printer_sink.h"
#include "engine/device/device_security.h"

namespace hallq::kiosk {

struct KioskConfig {
  std::string hall;
  std::string engine = "tcp://127.0.0.1:5570";
  std::string events = "tcp://127.0.0.1:5571";
  // The id under which the kiosk reports its printer's state to the hall
  // (ReportDevice; managers see it). Default "kiosk-HALL"; set one per kiosk
  // where a hall has several.
  std::string device;
  std::vector<std::string> services;  // buttons shown, in order; empty: all of the hall's
  std::string font = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
  int font_index = 2;
  int width = 1080, height = 1920;  // the touch screen (portrait kiosk)

  int age_threshold = 65;
  std::string elderly_label = "老年人";
  std::vector<std::string> categories = {"残疾人", "现役军人", "孕妇"};

  PrinterTarget printer;
  int paper_mm = 80;   // 58 or 80
  std::string qr_url;  // template with {hall} {number} {date} {token}; empty: no QR
  // The ticket secret (hallq keys ticket-secret) that signs {token}: the
  // citizen gateway's link to the ticket's live page. Required by {token}.
  std::string ticket_secret;
  std::vector<std::string> footer = {"请留意叫号，过号请到导办台"};
  // While the printer is out: stop issuing (kStop), or issue and show the
  // number and QR on the screen (kScreen).
  enum class OnFailure { kStop, kScreen } on_failure = OnFailure::kStop;
  // An acknowledged ticket whose print failed is printed when the printer
  // returns within this time, else cancelled in the engine (not_printed).
  std::chrono::seconds reprint_within{120};
  std::chrono::milliseconds probe_interval{3000};  // printer status while it is ok
  // The tickets acknowledged but not yet printed (pending_prints.h; survives a
  // restart or kill -9). Default: "kiosk-HALL.pending" beside the config file.
  std::string pending_file;

  device::SecurityConfig security;  // no [security]: plaintext
};

KioskConfig parse_kiosk_config(std::string_view text, const std::string& source);
KioskConfig load_kiosk_config(const std::string& path);

}  // namespace hallq::kiosk
