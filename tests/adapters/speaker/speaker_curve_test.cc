// hallq-speaker against the real hallqd started with --keys: with its
// enrolled speaker key in [security] it syncs the hall over CURVE and
// announces a call (real speech into a WAV file); the engine's public key
// may also come from the command line as the 40 characters.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <zmq.hpp>

#include "adapters/speaker/wav_file.h"
#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "tests/support/child_process.h"
#include "tests/support/program_output.h"
#include "tests/support/secure_engine.h"

namespace hallq::testing {
namespace {

using namespace std::chrono_literals;
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

class SpeakerCurveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    se_.add_device("speaker-1", "speaker", "town");
    se_.add_device("mgr", "manager", "town");
    se_.start({kTown});
  }
  std::string write_config(const std::string& security) {
    const std::string path = se_.dir() + "/speaker.toml";
    std::ofstream(path) << "[speaker]\nhall = \"town\"\nengine = \"" << se_.engine().cmd() << "\"\npub = \""
                        << se_.engine().pub() << "\"\nrepeat = 1\n"
                        << security;
    return path;
  }
  // Calls one ticket at w1 as the manager; its number.
  std::string call_one() {
    client::Client c(ctx_, se_.engine().cmd(), {.timeout = 3000ms, .attempts = 1, .curve = se_.curve("mgr")});
    EXPECT_TRUE(c.command("town", core::OpenWindow{"w1", ""})->ok());
    EXPECT_TRUE(c.command("town", core::IssueTicket{"social"})->ok());
    auto r = c.command("town", core::CallNext{"w1"});
    EXPECT_TRUE(r && r->ok());
    return r && r->ok() ? protocol::describe_event(protocol::as_bytes(r->events.back())).number : "";
  }
  void expect_announced(const std::vector<std::string>& extra, const std::string& config) {
    std::vector<std::string> args = {"--config", config, "--headless", "--wav-dir", se_.dir() + "/wavs"};
    args.insert(args.end(), extra.begin(), extra.end());
    ChildProcess speaker(HALLQ_SPEAKER_PATH, args, {.stderr_path = se_.dir() + "/speaker.stderr"});
    ASSERT_TRUE(speaker.wait_prefix("synced town"))
        << slurp(se_.dir() + "/speaker.stderr") << se_.engine_stderr();
    const std::string number = call_one();
    const auto line = speaker.wait_prefix("announced ", 20s);
    ASSERT_TRUE(line) << slurp(se_.dir() + "/speaker.stderr");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(*line, m, std::regex(R"(^announced \d+ call (\S+) w1 .* (\S+\.wav)$)")))
        << *line;
    EXPECT_EQ(m[1], number);
    EXPECT_GT(speaker::read_wav(m[2]).seconds(), 1.0);
    EXPECT_EQ(speaker.stop(), 0);
    EXPECT_EQ(se_.engine_stderr().find("not enrolled"), std::string::npos) << se_.engine_stderr();
  }

  SecureEngine se_{"hallq-speaker-curve"};
  zmq::context_t ctx_;
};

TEST_F(SpeakerCurveTest, EnrolledSpeakerSyncsAndAnnouncesOverCurve) {
  expect_announced({}, write_config("[security]\nkey_file = \"keys/speaker-1.key\"\n"
                                    "engine_public_key_file = \"keys/engine.pub\"\n"));
}

TEST_F(SpeakerCurveTest, KeysFromTheCommandLine) {
  expect_announced({"--key", se_.key_path("speaker-1"), "--server-key", se_.engine_public_key()},
                   write_config(""));
}

}  // namespace
}  // namespace hallq::testing
