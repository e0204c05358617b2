// hallq-keypad against the real hallqd started with --keys: with its enrolled
// keypad key (window w5) in [security] it follows the window over CURVE and
// its evaluation is recorded by the engine.
#include <gtest/gtest.h>

#include <fstream>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "tests/support/child_process.h"
#include "tests/support/program_output.h"
#include "tests/support/secure_engine.h"

namespace hallq::testing {
namespace {

using namespace std::chrono_literals;
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

TEST(KeypadCurveTest, EnrolledKeypadRecordsAnEvaluationOverCurve) {
  SecureEngine se("hallq-keypad-curve");
  se.add_device("keypad-w5", "keypad", "town", "w5");
  se.add_device("mgr", "manager", "town");
  se.start({kTown});
  const std::string config = se.dir() + "/keypad.toml";
  std::ofstream(config)
      << "[keypad]\nhall = \"town\"\nwindow = \"w5\"\nengine = \"" << se.engine().cmd() << "\"\npub = \""
      << se.engine().pub() << "\"\ntimeout_s = 20\n"
      << "[security]\nkey_file = \"keys/keypad-w5.key\"\nengine_public_key_file = \"keys/engine.pub\"\n";
  ChildProcess keypad(HALLQ_KEYPAD_PATH, {"--config", config, "--headless"},
                      {.stderr_path = se.dir() + "/keypad.stderr"});
  ASSERT_TRUE(keypad.wait_prefix("hallq-keypad ready")) << slurp(se.dir() + "/keypad.stderr");

  zmq::context_t ctx;
  client::Client c(ctx, se.engine().cmd(), {.timeout = 3000ms, .attempts = 1, .curve = se.curve("mgr")});
  ASSERT_TRUE(c.command("town", core::OpenWindow{"w5", "s07"})->ok());
  ASSERT_TRUE(keypad.wait_prefix("STATE idle window=5 staff=s07"))
      << se.engine_stderr();  // events over CURVE
  ASSERT_TRUE(c.command("town", core::IssueTicket{"estate"})->ok());
  auto r = c.command("town", core::CallNext{"w5"});
  ASSERT_TRUE(r && r->ok());
  const std::string number = protocol::describe_event(protocol::as_bytes(r->events.back())).number;
  ASSERT_TRUE(c.command("town", core::StartService{"w5"})->ok());
  ASSERT_TRUE(c.command("town", core::Finish{"w5"})->ok());
  ASSERT_TRUE(keypad.wait_prefix("STATE asking " + number));
  keypad.write("R 4\n");
  ASSERT_TRUE(keypad.wait_prefix("RECORDED " + number + " 4 满意"))
      << se.engine_stderr();  // the engine's ack
  // The engine has it: a second rating is refused as already rated.
  EXPECT_EQ(c.command("town", core::Evaluate{number, 5, "w5"})->code, core::ErrorCode::kAlreadyRated);
  EXPECT_EQ(keypad.stop(), 0);
  EXPECT_EQ(se.engine_stderr().find("forbidden"), std::string::npos) << se.engine_stderr();
}

}  // namespace
}  // namespace hallq::testing
