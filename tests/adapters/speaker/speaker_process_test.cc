// The real hallq-speaker against the real hallqd: calls become WAV files
// (headless) in call order, with real speech; zones filter; a recall of a
// queued ticket is dropped; the engine going away and coming back; broken
// settings exit 2 naming the line.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <zmq.hpp>

#include "adapters/speaker/chime.h"
#include "adapters/speaker/wav_file.h"
#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "tests/support/child_process.h"
#include "tests/support/engine_process.h"
#include "tests/support/program_output.h"
#include "tests/support/run_program.h"
#include "tests/support/stop_signals.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

using namespace std::chrono_literals;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
const std::string kSpeaker = HALLQ_SPEAKER_PATH;

struct Announced {
  std::string kind, number, window, path;
  int repeat = 0;      // times the sentence was said
  bool burst = false;  // followed straight on another: no chime
};

// "announced 3 call A001 w1 seq=.. ... repeat=2 burst=0 waiting=0 PATH"
std::optional<Announced> parse_announced(const std::string& line) {
  static const std::regex re(
      R"(^announced \d+ (call|recall) (\S+) (\S+) .* repeat=(\d+) burst=([01]) .* (\S+)$)");
  std::smatch m;
  if (!std::regex_match(line, m, re)) return std::nullopt;
  return Announced{m[1], m[2], m[3], m[6], std::stoi(m[4]), m[5] == "1"};
}

class SpeakerProcessTest : public ::testing::Test {
 protected:
  void write_config(const std::string& extra_speaker, const std::string& tail = "") {
    config_ = dir_.path() + "/speaker.toml";
    std::ofstream(config_) << "[speaker]\nhall = \"town\"\nengine = \"" << engine_->cmd() << "\"\npub = \""
                           << engine_->pub() << "\"\n"
                           << extra_speaker << "\n"
                           << tail;
  }
  std::unique_ptr<ChildProcess> start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--config", config_, "--headless", "--wav-dir", dir_.path() + "/wavs"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto p = std::make_unique<ChildProcess>(
        kSpeaker, args, ChildProcess::Options{.stderr_path = dir_.path() + "/speaker.stderr"});
    EXPECT_TRUE(p->wait_prefix("synced town")) << slurp(dir_.path() + "/speaker.stderr");
    return p;
  }
  std::string number_of(const std::optional<protocol::DecodedReply>& r) {
    EXPECT_TRUE(r && r->ok()) << (r ? r->message : "no reply");
    if (!r || !r->ok()) return "";
    return protocol::describe_event(protocol::as_bytes(r->events.back())).number;
  }
  std::vector<Announced> wait_announced(ChildProcess& p, std::size_t count) {
    std::vector<Announced> out;
    while (out.size() < count) {
      auto line = p.wait_prefix("announced ", 20s);
      if (!line) break;
      if (auto a = parse_announced(*line)) out.push_back(*a);
    }
    return out;
  }

  TempDir dir_{"speaker-proc"};
  zmq::context_t ctx_;
  std::unique_ptr<EngineProcess> engine_ =
      std::make_unique<EngineProcess>(std::vector<std::string>{kTown}, dir_.path() + "/data");
  std::string config_;
};

TEST_F(SpeakerProcessTest, CallsBecomeRealSpeechInCallOrder) {
  write_config("repeat = 2\ngap_ms = 600\n");
  auto speaker = start();
  client::Client c(ctx_, engine_->cmd());
  for (const char* w : {"w1", "w4", "w5"}) ASSERT_TRUE(c.command("town", core::OpenWindow{w, ""})->ok());
  for (const char* s : {"social", "estate", "estate"})
    ASSERT_TRUE(c.command("town", core::IssueTicket{s})->ok());
  std::vector<std::pair<std::string, std::string>> called;  // number, window
  for (const char* w : {"w5", "w1", "w4"})
    called.emplace_back(number_of(c.command("town", core::CallNext{w})), w);

  const auto announced = wait_announced(*speaker, 3);
  ASSERT_EQ(announced.size(), 3u) << slurp(dir_.path() + "/speaker.stderr");
  const double chime = speaker::make_chime(22050).seconds();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(announced[i].kind, "call");
    EXPECT_EQ(announced[i].number, called[i].first);
    EXPECT_EQ(announced[i].window, called[i].second);
    EXPECT_EQ(std::filesystem::path(announced[i].path).filename().string(),
              fmt::format("{:06d}-{}-{}.wav", i + 1, called[i].first, called[i].second));
    const speaker::Pcm pcm = speaker::read_wav(announced[i].path);
    // [chime + gap] + repeat x (a 2-6 s sentence) + gaps; said twice as
    // configured unless others waited behind it (then once); the chime opens
    // a burst of announcements, not each of them.
    const int repeat = announced[i].repeat;
    ASSERT_TRUE(repeat == 1 || repeat == 2) << repeat;
    const double opening = announced[i].burst ? 0.0 : chime + 0.6;
    if (i == 0) {
      EXPECT_FALSE(announced[i].burst);
    }
    EXPECT_GT(pcm.seconds(), opening + 0.6 * (repeat - 1) + 2.0 * repeat) << announced[i].path;
    EXPECT_LT(pcm.seconds(), opening + 0.6 * (repeat - 1) + 6.0 * repeat + 0.2) << announced[i].path;
    const std::size_t speech_start = static_cast<std::size_t>(opening * pcm.rate);
    if (!announced[i].burst) {
      EXPECT_GT(speaker::rms(pcm, 0, static_cast<std::size_t>(chime * pcm.rate)), 1500) << "chime";
    }
    EXPECT_GT(speaker::rms(pcm, speech_start), 1000) << "speech";
  }
  EXPECT_EQ(announced[2].repeat, 2);  // nothing waited behind the last
  EXPECT_EQ(speaker->stop(), 0);
}

// Several windows call at once: the first is said once (others wait), a
// call whose citizen has already come to the window is withdrawn unsaid,
// and the last is said twice again.
TEST_F(SpeakerProcessTest, StaleCallsAreWithdrawnAndABacklogIsSaidOnce) {
  write_config("repeat = 2\ngap_ms = 600\n");
  // Emulated loudspeaker at 4x: each announcement keeps the device busy 1-3 s.
  auto speaker = start({"--play-speed", "4"});
  client::Client c(ctx_, engine_->cmd());
  for (const char* w : {"w1", "w4", "w5"}) ASSERT_TRUE(c.command("town", core::OpenWindow{w, ""})->ok());
  for (const char* s : {"social", "estate", "estate"})
    ASSERT_TRUE(c.command("town", core::IssueTicket{s})->ok());
  const std::string first = number_of(c.command("town", core::CallNext{"w1"}));
  const std::string came = number_of(c.command("town", core::CallNext{"w4"}));
  const std::string last = number_of(c.command("town", core::CallNext{"w5"}));
  ASSERT_TRUE(c.command("town", core::StartService{"w4"})->ok());  // the citizen is at w4 already
  const auto withdrawn = speaker->wait_prefix("withdrawn " + came + " 1", 20s);
  ASSERT_TRUE(withdrawn) << slurp(dir_.path() + "/speaker.stderr");
  ASSERT_TRUE(speaker->wait_prefix("announced 2 call " + last, 20s));
  EXPECT_EQ(speaker->stop(), 0);
  std::vector<Announced> said;
  for (const auto& l : speaker->lines())
    if (auto a = parse_announced(l)) said.push_back(*a);
  ASSERT_EQ(said.size(), 2u);
  EXPECT_EQ(said[0].number, first);
  EXPECT_EQ(said[1].number, last);
  EXPECT_EQ(said[1].repeat, 2);
}

TEST_F(SpeakerProcessTest, ZoneVoicePackAndNoDoubleRecall) {
  const auto made = run_program(kSpeaker, {"--make-pack", dir_.path() + "/pack"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  write_config("zone = \"social\"\nrepeat = 1\n[speaker.voice]\nkind = \"pack\"\npack_dir = \"pack\"\n",
               "[[zone]]\nid = \"social\"\nwindows = [\"w1\", \"w2\", \"w3\"]\n");
  // Emulated loudspeaker at 8x: each announcement keeps the device busy ~0.5 s.
  auto speaker = start({"--play-speed", "8"});
  client::Client c(ctx_, engine_->cmd());
  for (const char* w : {"w1", "w2", "w5"}) ASSERT_TRUE(c.command("town", core::OpenWindow{w, ""})->ok());
  for (const char* s : {"social", "social", "estate"})
    ASSERT_TRUE(c.command("town", core::IssueTicket{s})->ok());
  const std::string outside = number_of(c.command("town", core::CallNext{"w5"}));  // not in the zone
  const std::string first = number_of(c.command("town", core::CallNext{"w1"}));
  const std::string second = number_of(c.command("town", core::CallNext{"w2"}));
  // While `first` plays, `second` waits: recalls of it are not queued twice.
  ASSERT_TRUE(c.command("town", core::Recall{"w2"})->ok());
  ASSERT_TRUE(c.command("town", core::Recall{"w2"})->ok());
  auto announced = wait_announced(*speaker, 2);
  ASSERT_EQ(announced.size(), 2u);
  EXPECT_EQ(announced[0].number, first);
  EXPECT_EQ(announced[1].number, second);
  EXPECT_EQ(announced[1].window, "w2");
  int duplicates = 0;
  for (const auto& l : speaker->lines()) duplicates += starts_with(l, "duplicate recall " + second + " w2");
  EXPECT_EQ(duplicates, 2);
  const speaker::Pcm pcm = speaker::read_wav(announced[1].path);
  EXPECT_GT(pcm.seconds(), 3.0);
  EXPECT_GT(speaker::rms(pcm), 1000);

  // Once said, a recall is announced again.
  ASSERT_TRUE(c.command("town", core::Recall{"w1"})->ok());
  announced = wait_announced(*speaker, 1);
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].kind, "recall");
  EXPECT_EQ(announced[0].number, first);
  EXPECT_EQ(speaker->stop(), 0);
  bool stopped_line = false;
  for (const auto& l : speaker->lines()) {
    EXPECT_EQ(l.find(outside), std::string::npos) << "a call outside the zone was announced: " << l;
    if (starts_with(l, "stopped ")) {
      stopped_line = true;
      EXPECT_NE(l.find("spoken=3 duplicates=2"), std::string::npos) << l;
    }
  }
  EXPECT_TRUE(stopped_line);
}

TEST_F(SpeakerProcessTest, KeepsWorkingWhenTheEngineGoesAwayAndComesBack) {
  write_config("repeat = 1\n");
  auto speaker = start();
  engine_->kill9();
  ASSERT_TRUE(speaker->wait_prefix("offline town", 15s));
  engine_->restart();
  ASSERT_TRUE(speaker->wait_prefix("online town", 15s));
  client::Client c(ctx_, engine_->cmd());
  ASSERT_TRUE(c.command("town", core::OpenWindow{"w3", ""})->ok());
  ASSERT_TRUE(c.command("town", core::IssueTicket{"police"})->ok());
  const std::string number = number_of(c.command("town", core::CallNext{"w3"}));
  const auto announced = wait_announced(*speaker, 1);
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].number, number);
  EXPECT_EQ(speaker->stop(), 0);
}

// SIGTERM and SIGINT stop the speaker with exit 0; SIGWINCH and SIGCHLD while
// it waits leave it announcing the next call.
TEST_F(SpeakerProcessTest, StopSignalsExit0AndOtherSignalsDoNotStopIt) {
  write_config("repeat = 1\n");
  client::Client c(ctx_, engine_->cmd());
  int round = 0;
  EXPECT_EQ(check_stop_signals(
                [&] {
                  return start({"--play-speed", "8"});
                },
                [&](ChildProcess& speaker) {
                  const std::string window = ++round == 1 ? "w1" : "w2";  // both serve social
                  EXPECT_TRUE(c.command("town", core::OpenWindow{window, ""})->ok());
                  EXPECT_TRUE(c.command("town", core::IssueTicket{"social"})->ok());
                  const std::string number = number_of(c.command("town", core::CallNext{window}));
                  const auto announced = wait_announced(speaker, 1);
                  return announced.size() == 1 && announced[0].number == number;
                }),
            "");
}

TEST_F(SpeakerProcessTest, BrokenSettingsExitTwoNamingTheLine) {
  write_config("repeat = 0\n");
  auto r = run_program(kSpeaker, {"--config", config_, "--headless", "--wav-dir", dir_.path() + "/w"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(config_ + ":5: speaker.repeat: 0 is out of range 1..9"), std::string::npos) << r.err;

  write_config("windows = [\"w1\", \"w42\"]\n");
  r = run_program(kSpeaker, {"--config", config_, "--headless", "--wav-dir", dir_.path() + "/w"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(config_ + ":5: speaker.windows: hall \"town\" has no window \"w42\""),
            std::string::npos)
      << r.err;

  config_ = dir_.path() + "/other.toml";
  std::ofstream(config_) << "[speaker]\nhall = \"village\"\nengine = \"" << engine_->cmd() << "\"\n";
  r = run_program(kSpeaker, {"--config", config_, "--headless", "--wav-dir", dir_.path() + "/w"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("has no hall \"village\""), std::string::npos) << r.err;

  r = run_program(kSpeaker, {"--config", config_, "--headless"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace hallq::testing
