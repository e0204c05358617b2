// hallq-kiosk against the real hallqd started with --keys: with its enrolled
// key in [security] the kiosk gets the hall's snapshot and issues a ticket
// over CURVE; a key the engine does not know (given with --key) gets nothing
// while the engine keeps serving the others; a kiosk key checks a booking in
// (CheckIn is among a kiosk's commands in the key registry) but may not book;
// a broken [security] exits 2 naming the line.
#include <gtest/gtest.h>

#include <fstream>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "tests/adapters/kiosk/kiosk_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/json_lines.h"
#include "tests/support/run_program.h"
#include "tests/support/secure_engine.h"

namespace hallq::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
class KioskCurveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    se_.add_device("kiosk-1", "kiosk", "town");
    se_.add_device("mgr", "manager", "town");
    se_.add_device("stranger", "kiosk", "town", "", /*enrol=*/false);
    se_.start({write_booking_hall(se_.dir())});  // town.toml, social bookable all day
  }

  // A kiosk config next to the keys folder, its [security] pointing into it.
  std::string write_config(bool security = true) {
    const std::string path = se_.dir() + "/kiosk.toml";
    std::ofstream f(path);
    f << "[kiosk]\nhall = \"town\"\nwidth = 540\nheight = 960\n"
      << "[printer]\nkind = \"file\"\npath = \"spool.bin\"\n";
    if (security)
      f << "[security]\nkey_file = \"keys/kiosk-1.key\"\nengine_public_key_file = \"keys/engine.pub\"\n";
    return path;
  }
  std::unique_ptr<ChildProcess> start_kiosk(std::vector<std::string> extra = {}, bool security = true) {
    std::vector<std::string> args = {"--config", write_config(security), "--engine",  se_.engine().cmd(),
                                     "--events", se_.engine().pub(),     "--headless"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<ChildProcess>(KIOSK_PATH, args,
                                          ChildProcess::Options{.env = {"SDL_VIDEODRIVER=dummy"}});
  }
  // Asks for tiles until the kiosk's replica shows `service` with an open window.
  static bool wait_open(ChildProcess& k, const std::string& service) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      k.write_line("tiles");
      const json t = wait_json_event(k, "tiles", 2s);
      if (t.is_null()) return false;
      for (const json& s : t["services"])
        if (s["id"] == service && s["open_windows"].get<int>() > 0) return true;
    }
    return false;
  }
  client::Client& manager() {
    if (!manager_)
      manager_ = std::make_unique<client::Client>(
          ctx_, se_.engine().cmd(),
          client::ClientOptions{.timeout = 3000ms, .attempts = 1, .curve = se_.curve("mgr")});
    return *manager_;
  }
  std::string issue_directly(const std::string& service) {
    auto r = manager().command("town", core::IssueTicket{service});
    EXPECT_TRUE(r && r->ok()) << (r ? r->message : "no reply");
    return r && r->ok() ? protocol::describe_event(protocol::as_bytes(r->events.back())).number : "";
  }

  SecureEngine se_{"hallq-kiosk-curve"};
  zmq::context_t ctx_;
  std::unique_ptr<client::Client> manager_;
};

TEST_F(KioskCurveTest, EnrolledKioskGetsTheHallAndIssuesOverCurve) {
  auto open = manager().command("town", core::OpenWindow{"w1", "s1"});
  ASSERT_TRUE(open && open->ok()) << (open ? open->message : "no reply");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();  // the snapshot came over CURVE
  k->write_line("tap social");
  const json issued = wait_json_event(*k, "issued");
  ASSERT_FALSE(issued.is_null()) << k->output();
  EXPECT_EQ(issued["number"], "A001");
  ASSERT_FALSE(wait_json_event(*k, "printed").is_null()) << k->output();
  EXPECT_EQ(issue_directly("social"), "A002");  // the kiosk issued exactly one
  // No refusal was logged for the kiosk.
  EXPECT_EQ(se_.engine_stderr().find("not enrolled"), std::string::npos) << se_.engine_stderr();
}

TEST_F(KioskCurveTest, KeyNotEnrolledGetsNothingAndTheEngineKeepsServing) {
  ASSERT_TRUE(manager().command("town", core::OpenWindow{"w1", "s1"})->ok());
  // The config's key replaced on the command line by one the engine does not know.
  auto k = start_kiosk({"--key", se_.key_path("stranger")});
  k->write_line("tap social");
  ASSERT_FALSE(wait_json_event(*k, "connecting").is_null()) << k->output();
  ASSERT_TRUE(se_.wait_stderr("is not enrolled")) << se_.engine_stderr();
  // Meanwhile the engine serves enrolled devices: a manager and the real kiosk.
  EXPECT_EQ(issue_directly("social"), "A001");
  auto good = start_kiosk();
  ASSERT_TRUE(wait_open(*good, "social")) << good->output();
  good->write_line("tap social");
  const json issued = wait_json_event(*good, "issued");
  ASSERT_FALSE(issued.is_null()) << good->output();
  EXPECT_EQ(issued["number"], "A002");
  // The stranger never got a replica, a ticket or a refusal.
  k->write_line("tiles");
  const json tiles = wait_json_event(*k, "tiles", 5s);
  ASSERT_FALSE(tiles.is_null()) << k->output();
  EXPECT_TRUE(tiles["services"].empty()) << tiles.dump();
  for (const json& l : json_lines(*k)) {
    EXPECT_NE(l.value("event", ""), "issued") << l.dump();
    EXPECT_NE(l.value("event", ""), "refused") << l.dump();
    if (l.value("event", "") == "state") {
      EXPECT_FALSE(l["online"].get<bool>()) << l.dump();
    }
  }
  EXPECT_EQ(issue_directly("social"), "A003");
}

// The registry lets a kiosk key check a booking in (预约签到) in its hall over
// CURVE, and the appointment ticket is printed; booking is not a kiosk's.
TEST_F(KioskCurveTest, EnrolledKioskChecksABookingInOverCurve) {
  ASSERT_TRUE(manager().command("town", core::OpenWindow{"w1", "s1"})->ok());
  const auto [day, slot] = next_slot();
  const std::string person(core::kPersonHexDigits, 'c');
  const core::Book book{"social", day, slot, person, "", 31337};
  auto booked = manager().command("town", book);
  ASSERT_TRUE(booked && booked->ok()) << (booked ? booked->message : "no reply");
  std::uint32_t code = 0;
  for (const std::string& bytes : booked->events) {
    const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(bytes));
    if (e.kind == "booking_made") code = e.booking;
  }
  ASSERT_NE(code, 0u);
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  k->write_line("appt " + std::to_string(code));
  const json issued = wait_json_event(*k, "issued");
  ASSERT_FALSE(issued.is_null()) << k->output();
  EXPECT_EQ(issued["number"], "A001");
  EXPECT_EQ(issued["priority"], "appointment");
  ASSERT_FALSE(wait_json_event(*k, "printed").is_null()) << k->output();
  EXPECT_EQ(se_.engine_stderr().find("not enrolled"), std::string::npos) << se_.engine_stderr();
  // The kiosk's own key may check in but not book.
  client::Client as_kiosk(
      ctx_, se_.engine().cmd(),
      client::ClientOptions{.timeout = 3000ms, .attempts = 1, .curve = se_.curve("kiosk-1")});
  const core::Book other{"social", day, slot, std::string(core::kPersonHexDigits, 'd'), "", 1};
  auto refused = as_kiosk.command("town", other);
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->ok());
  EXPECT_NE(refused->message.find("may only issue tickets and check in bookings"), std::string::npos)
      << refused->message;
}

TEST_F(KioskCurveTest, PlaintextKioskGetsNothingFromACurveEngine) {
  auto k = start_kiosk({}, /*security=*/false);
  k->write_line("tap social");
  ASSERT_FALSE(wait_json_event(*k, "connecting").is_null()) << k->output();
  EXPECT_EQ(issue_directly("social"), "A001");  // the tap never reached the engine
}

TEST_F(KioskCurveTest, BrokenSecurityNamesTheLineAndExits2) {
  const std::string path = se_.dir() + "/bad.toml";
  std::ofstream(path)
      << "[kiosk]\nhall = \"town\"\n[printer]\nkind = \"file\"\npath = \"x\"\n"
      << "[security]\nkey_file = \"keys/kiosk-9.key\"\nengine_public_key_file = \"keys/engine.pub\"\n";
  RunResult r = run_program(KIOSK_PATH, {"--config", path, "--headless"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path + ":7: security.key_file: " + se_.dir() +
                       "/keys/kiosk-9.key: No such file or directory"),
            std::string::npos)
      << r.err;
  // --key without the engine's key anywhere.
  const std::string plain = se_.dir() + "/plain.toml";
  std::ofstream(plain) << "[kiosk]\nhall = \"town\"\n[printer]\nkind = \"file\"\npath = \"x\"\n";
  r = run_program(KIOSK_PATH, {"--config", plain, "--headless", "--key", se_.key_path("kiosk-1")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--key: needs the engine's public key too"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace hallq::testing
