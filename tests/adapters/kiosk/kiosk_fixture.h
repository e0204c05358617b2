// The kiosk tests' fixture: a real hallqd on town.toml, a kiosk config in a
// temp dir (the [printer] body settable), the program started headless, and
// helpers to open windows, issue directly and decode the spool.
// KioskBookingTest: the same on a town hall whose social service takes
// bookings all day, with a helper that books the next slot (Book).
// KioskRemoteTest: on a town hall whose social service takes remote tickets
// at any hour.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "adapters/kiosk/escpos_decoder.h"
#include "engine/client/client.h"
#include "engine/core/booking.h"
#include "engine/core/calendar.h"
#include "engine/core/resident_id.h"
#include "engine/protocol/event_codec.h"
#include "tests/support/child_process.h"
#include "tests/support/engine_process.h"
#include "tests/support/json_lines.h"
#include "tests/support/program_output.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {

inline const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

inline std::string today_iso() {
  using namespace std::chrono;
  const auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return core::format_date(core::local_date(us, 480));
}

inline std::string id_born(std::string_view yyyymmdd) {
  std::string id = "110105" + std::string(yyyymmdd) + "123";
  id.push_back(core::resident_id_check_char(id));
  return id;
}

// town.toml with social (A) bookable all day, every day: slots of 30 minutes,
// check-in from 30 minutes before a slot to 15 after, whatever the time the
// test runs. Written into `dir`; returns its path.
inline std::string write_booking_hall(const std::string& dir) {
  std::string text = slurp(kTown);
  const std::string marker = "expected_handle_min = 6\n";  // social's last key
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) throw std::runtime_error("town.toml: social's expected_handle_min not found");
  text.insert(at + marker.size(),
              "\n[service.appointments]\nslot_min = 30\ncapacity = 5\nhours = [\"00:00-24:00\"]\n"
              "days = \"sun-sat\"\ncheck_in_before_min = 30\ncheck_in_after_min = 15\nbook_ahead_days = 1\n");
  const std::string path = dir + "/town.toml";
  std::ofstream(path) << text;
  return path;
}

// town.toml with social (A) taking remote tickets (网上取号) at any hour of
// any day (the hall open every day), whatever the time the test runs.
inline std::string write_remote_hall(const std::string& dir) {
  std::string text = slurp(kTown);
  const std::string hours = "hours = [\"08:30-17:30\"]\n";  // the hall's, first in the file
  const std::size_t h = text.find(hours);
  if (h == std::string::npos) throw std::runtime_error("town.toml: the hall's hours not found");
  text.insert(h + hours.size(), "days = \"sun-sat\"\n");
  const std::string marker = "expected_handle_min = 6\n";  // social's last key
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) throw std::runtime_error("town.toml: social's expected_handle_min not found");
  text.insert(at + marker.size(),
              "\n[service.remote]\nhours = [\"00:00-24:00\"]\ndaily_quota = 5\ngrace_min = 15\n");
  const std::string path = dir + "/town.toml";
  std::ofstream(path) << text;
  return path;
}

// The next slot start (local day, minute of day) of a 30-minute grid in
// UTC+8: its check-in (30 minutes before) is open now.
inline std::pair<std::int64_t, int> next_slot() {
  using namespace std::chrono;
  const std::int64_t us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  const std::int64_t slot = (us / 60'000'000 + 8 * 60) / 30 * 30 + 30;
  return {slot / 1440, static_cast<int>(slot % 1440)};
}

class KioskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{kTown}, dir_.path() + "/data");
  }

  // A kiosk config in the temp dir; `printer` is the [printer] body.
  std::string write_config(const std::string& printer = "") {
    const std::string path = dir_.path() + "/kiosk.toml";
    std::ofstream f(path);
    f << "[kiosk]\nhall = \"town\"\nwidth = 540\nheight = 960\n"
      << "[printer]\n"
      << (printer.empty() ? "kind = \"file\"\npath = \"spool.bin\"\n" : printer) << qr_lines_;
    return path;
  }

  std::unique_ptr<ChildProcess> start_kiosk(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--config", write_config(printer_), "--engine", engine_->cmd(),
                                     "--events", engine_->pub()};
    if (extra.empty()) args.push_back("--headless");
    for (auto& e : extra) args.push_back(e);
    return std::make_unique<ChildProcess>(KIOSK_PATH, args,
                                          ChildProcess::Options{.env = {"SDL_VIDEODRIVER=dummy"}});
  }

  // Asks for tiles until the kiosk's replica shows `service` with an open window.
  bool wait_open(ChildProcess& k, const std::string& service) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      k.write_line("tiles");
      nlohmann::json t = wait_json_event(k, "tiles", std::chrono::seconds(2));
      if (t.is_null()) return false;
      for (const nlohmann::json& s : t["services"]) {
        if (s["id"] == service && s["open_windows"].get<int>() > 0) return true;
      }
    }
    return false;
  }

  void open_window(const std::string& w) {
    ASSERT_TRUE(client().command("town", core::OpenWindow{w, "s1"})->ok());
  }
  client::Client& client() {
    if (!client_) client_ = std::make_unique<client::Client>(ctx_, engine_->cmd());
    return *client_;
  }
  // The next number the engine issues for `service` (proves how many were issued before).
  std::string issue_directly(const std::string& service) {
    auto r = client().command("town", core::IssueTicket{service});
    EXPECT_TRUE(r && r->ok());
    return protocol::describe_event(protocol::as_bytes(r->events.back())).number;
  }
  std::vector<kiosk::DecodedPrint> spool() {
    return kiosk::decode_escpos(slurp(dir_.path() + "/spool.bin")).split_at_cuts();
  }

  TempDir dir_{"hallq-kiosk"};
  std::unique_ptr<EngineProcess> engine_;
  zmq::context_t ctx_;
  std::unique_ptr<client::Client> client_;
  std::string printer_;
  std::string qr_lines_ = "qr_url = \"https://q.example/{hall}/{date}/{number}\"\n";
};

class KioskBookingTest : public KioskTest {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{write_booking_hall(dir_.path())},
                                              dir_.path() + "/data");
  }
  // Books social's next slot for a person (the hash of an ID number, as
  // the HTTP API or `hallq book` would send); returns the booking code.
  std::uint32_t book(std::string_view person_hex_digit = "a") {
    const auto [day, slot] = next_slot();
    const std::string person(core::kPersonHexDigits, person_hex_digit.front());
    auto r = client().command(
        "town", core::Book{"social", day, slot, person, "", static_cast<std::uint32_t>(slot) * 977u});
    EXPECT_TRUE(r && r->ok()) << (r ? r->message : "no reply");
    if (!r || !r->ok()) return 0;
    for (const std::string& bytes : r->events) {
      const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(bytes));
      if (e.kind == "booking_made") return e.booking;
    }
    ADD_FAILURE() << "no booking_made event";
    return 0;
  }
};

class KioskRemoteTest : public KioskTest {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{write_remote_hall(dir_.path())},
                                              dir_.path() + "/data");
  }
};

inline std::vector<std::string> texts(const kiosk::DecodedPrint& p) {
  std::vector<std::string> out;
  for (const auto* l : p.lines()) out.push_back(l->text);
  return out;
}
inline bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace hallq::testing
