// The real hallq-keypad against the real hallqd: a finished ticket is asked
// for, a press is recorded exactly once, a timeout records "not rated", the
// serial line protocol on a pseudo-terminal, the engine going away between
// press and acknowledgement, and broken settings.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <stdexcept>
#include <utility>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/config/config_loader.h"
#include "engine/core/utf8.h"
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
const std::string kKeypad = HALLQ_KEYPAD_PATH;

// The box's side of a serial line: a pseudo-terminal master.
class PseudoTerminal {
 public:
  PseudoTerminal() {
    master_ = posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0) throw std::runtime_error("no pty");
    slave_ = ptsname(master_);
  }
  ~PseudoTerminal() { close(master_); }
  const std::string& slave() const { return slave_; }
  void write_bytes(const std::string& bytes) {
    ASSERT_EQ(write(master_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  // Reads until `want` has arrived (true) or the deadline passes.
  bool wait_for(const std::string& want) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (received_.find(want) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{master_, POLLIN, 0};
      if (poll(&p, 1, 100) == 1) {
        char buf[256];
        const ssize_t n = read(master_, buf, sizeof buf);
        if (n > 0) received_.append(buf, static_cast<std::size_t>(n));
      }
    }
    return received_.find(want) != std::string::npos;
  }
  // Everything received so far, forgotten.
  std::string take() { return std::exchange(received_, {}); }
  const std::string& received() const { return received_; }

 private:
  int master_ = -1;
  std::string slave_;
  std::string received_;
};

// `text` in GBK as the iconv command-line tool writes it (an encoder independent of the keypad's).
std::string gbk_by_iconv_tool(const std::string& text, const std::string& dir) {
  const std::string in = dir + "/iconv.in";
  std::ofstream(in, std::ios::binary) << text;
  std::string out;
  FILE* p = ::popen(("iconv -f UTF-8 -t GBK " + in).c_str(), "r");
  if (!p) return out;
  char buf[256];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  EXPECT_EQ(::pclose(p), 0);
  return out;
}

class KeypadProcessTest : public ::testing::Test {
 protected:
  void write_config(const std::string& extra) {
    config_ = dir_.path() + "/keypad.toml";
    std::ofstream(config_) << "[keypad]\nhall = \"town\"\nwindow = \"w5\"\nengine = \"" << engine_->cmd()
                           << "\"\npub = \"" << engine_->pub() << "\"\n"
                           << extra;
  }
  std::unique_ptr<ChildProcess> start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--config", config_, "--headless"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto p = std::make_unique<ChildProcess>(
        kKeypad, args, ChildProcess::Options{.stderr_path = dir_.path() + "/keypad.stderr"});
    EXPECT_TRUE(p->wait_prefix("hallq-keypad ready")) << slurp(dir_.path() + "/keypad.stderr");
    // The keypad asks for a rating on the live ticket_finished event only: a
    // citizen served before it is connected to the hall is not asked (the
    // test served one before the subscription was up, once in six runs).
    EXPECT_TRUE(p->wait_prefix("online town")) << slurp(dir_.path() + "/keypad.stderr");
    return p;
  }
  // Opens w5 with staff s07 and takes one citizen through to finished; returns the number.
  std::string serve_one(client::Client& c, bool open = true) {
    if (open) {
      EXPECT_TRUE(c.command("town", core::OpenWindow{"w5", "s07"})->ok());
    }
    EXPECT_TRUE(c.command("town", core::IssueTicket{"estate"})->ok());
    auto r = c.command("town", core::CallNext{"w5"});
    EXPECT_TRUE(r && r->ok());
    const std::string number = protocol::describe_event(protocol::as_bytes(r->events.back())).number;
    EXPECT_TRUE(c.command("town", core::StartService{"w5"})->ok());
    EXPECT_TRUE(c.command("town", core::Finish{"w5"})->ok());
    return number;
  }
  // The engine's own record of `number` (a fresh replica from a snapshot).
  std::pair<core::TicketState, int> engine_record(const std::string& number) {
    client::Subscriber sub(ctx_, engine_->cmd(), engine_->pub(), {"town"});
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!sub.synced("town") && std::chrono::steady_clock::now() < deadline) sub.poll(50ms);
    const core::Ticket* t = sub.synced("town") ? sub.hall("town")->find_number(number) : nullptr;
    if (!t) return {core::TicketState::kWaiting, -1};
    return {t->state, t->rating};
  }
  int count(const ChildProcess& p, const std::string& prefix) {
    int n = 0;
    for (const auto& l : p.lines()) n += starts_with(l, prefix);
    return n;
  }

  TempDir dir_{"keypad-proc"};
  zmq::context_t ctx_;
  std::unique_ptr<EngineProcess> engine_ =
      std::make_unique<EngineProcess>(std::vector<std::string>{kTown}, dir_.path() + "/data");
  std::string config_;
};

TEST_F(KeypadProcessTest, PressIsRecordedOnceAndExtraPressesAreIgnoredVisibly) {
  write_config("timeout_s = 20\nthanks_s = 30\nretry_ms = 300\n");
  auto keypad = start();
  client::Client c(ctx_, engine_->cmd());
  ASSERT_TRUE(c.command("town", core::OpenWindow{"w5", "s07"})->ok());
  ASSERT_TRUE(keypad->wait_prefix("STATE idle window=5 staff=s07"));
  keypad->write("R 3\n");  // nothing to rate yet
  ASSERT_TRUE(keypad->wait_prefix("ERR 当前没有待评价的业务"));
  const std::string number = serve_one(c, false);
  ASSERT_TRUE(keypad->wait_prefix("STATE asking " + number));
  keypad->write("K Z\n");
  ASSERT_TRUE(keypad->wait_prefix("ERR 无效按键"));
  keypad->write("R 5\n");
  ASSERT_TRUE(keypad->wait_prefix("RECORDED " + number + " 5 非常满意"));
  keypad->write("R 4\n");
  ASSERT_TRUE(keypad->wait_prefix("ERR " + number + " 已评价，请勿重复按键"));
  keypad->write("P\n");
  ASSERT_TRUE(keypad->wait_line([](const std::string& l) { return l == "OK"; }));
  const auto [state, rating] = engine_record(number);
  EXPECT_EQ(state, core::TicketState::kRated);
  EXPECT_EQ(rating, 5);
  EXPECT_EQ(c.command("town", core::Evaluate{number, 4, "w5"})->code, core::ErrorCode::kAlreadyRated);
  EXPECT_EQ(keypad->stop(), 0);
  EXPECT_EQ(count(*keypad, "RECORDED "), 1);
  EXPECT_EQ(count(*keypad, "stopped pending=0"), 1);
}

TEST_F(KeypadProcessTest, TimeoutRecordsNotRated) {
  write_config("timeout_s = 0.5\n");
  auto keypad = start();
  client::Client c(ctx_, engine_->cmd());
  const std::string number = serve_one(c);
  ASSERT_TRUE(keypad->wait_prefix("STATE asking " + number));
  ASSERT_TRUE(keypad->wait_prefix("RECORDED " + number + " 0 未评价"));
  keypad->write("R 5\n");
  ASSERT_TRUE(keypad->wait_prefix("ERR 当前没有待评价的业务"));
  const auto [state, rating] = engine_record(number);
  EXPECT_EQ(state, core::TicketState::kRated);
  EXPECT_EQ(rating, 0);
}

TEST_F(KeypadProcessTest, SerialLineOnAPseudoTerminal) {
  PseudoTerminal box;
  write_config("input = \"serial\"\nserial_device = \"" + box.slave() + "\"\nbaud = 19200\n");
  auto keypad = start();
  box.write_bytes("P\r\n");
  ASSERT_TRUE(box.wait_for("OK\r\n")) << box.received();
  // An unknown command is answered in Chinese (UTF-8 by default) after the ASCII prefix.
  box.take();
  box.write_bytes("XYZ\r\n");
  ASSERT_TRUE(box.wait_for("\r\n")) << box.received();
  EXPECT_EQ(box.received(), "ERR 未知命令：XYZ\r\n");
  EXPECT_TRUE(core::printable_utf8(box.received().substr(0, box.received().size() - 2)));
  client::Client c(ctx_, engine_->cmd());
  const std::string number = serve_one(c);
  ASSERT_TRUE(keypad->wait_prefix("STATE asking " + number));
  box.write_bytes("S\r\n");
  ASSERT_TRUE(box.wait_for("STATE asking " + number)) << box.received();
  // 不满意 asks for the hall's 差评 reasons: tick the second, untick a mistake, confirm.
  const std::string second = config::load_hall_config(kTown)->evaluation.reasons.at(1).code;
  box.write_bytes("R 2\r\n");
  ASSERT_TRUE(keypad->wait_prefix("STATE reasons " + number + " 2 chosen= left="));
  box.write_bytes("C 2\r\nC 3\r\nC 3\r\nS\r\n");
  ASSERT_TRUE(box.wait_for("STATE reasons " + number + " 2 chosen=" + second + " left=")) << box.received();
  box.write_bytes("C 99\r\n");
  ASSERT_TRUE(box.wait_for("ERR 无效按键，请按 1-")) << box.received();
  box.write_bytes("Y\r\nR 2\r\n");
  ASSERT_TRUE(keypad->wait_prefix("RECORDED " + number + " 2 不满意 reasons=" + second));
  ASSERT_TRUE(box.wait_for("ERR " + number + " 已评价")) << box.received();
  EXPECT_EQ(engine_record(number).second, 2);
  EXPECT_EQ(keypad->stop(), 0);
  EXPECT_EQ(count(*keypad, "RECORDED "), 1);
}

// A box whose display is GBK (keypad.serial_encoding = "gbk"): every answer
// is on the wire exactly as `iconv -f UTF-8 -t GBK` encodes it, and a
// GBK-encoded command (a key named in Chinese) is understood.
TEST_F(KeypadProcessTest, GbkSerialLine) {
  PseudoTerminal box;
  write_config("input = \"serial\"\nserial_device = \"" + box.slave() +
               "\"\nserial_encoding = \"gbk\"\n[keypad.keys]\n\"满意\" = 4\n");
  auto keypad = start();
  const std::string gbk_answer = gbk_by_iconv_tool("ERR 未知命令：XYZ\r\n", dir_.path());
  ASSERT_NE(gbk_answer, "ERR 未知命令：XYZ\r\n");  // GBK is not UTF-8 here
  box.write_bytes("XYZ\r\n");
  ASSERT_TRUE(box.wait_for(gbk_answer)) << box.received();
  EXPECT_EQ(box.take(), gbk_answer);
  box.write_bytes(gbk_by_iconv_tool("查询\r\n", dir_.path()));  // a GBK command read back as text
  const std::string gbk_unknown = gbk_by_iconv_tool("ERR 未知命令：查询\r\n", dir_.path());
  ASSERT_TRUE(box.wait_for(gbk_unknown)) << box.received();
  EXPECT_EQ(box.take(), gbk_unknown);
  client::Client c(ctx_, engine_->cmd());
  const std::string number = serve_one(c);
  ASSERT_TRUE(keypad->wait_prefix("STATE asking " + number));
  box.write_bytes(gbk_by_iconv_tool("K 满意\r\n", dir_.path()));
  ASSERT_TRUE(keypad->wait_prefix("RECORDED " + number + " 4 满意"));
  ASSERT_TRUE(box.wait_for("OK\r\n")) << box.received();
  box.take();
  box.write_bytes("R 4\r\n");  // a Chinese refusal in GBK
  const std::string gbk_rated = gbk_by_iconv_tool("ERR " + number + " 已评价，请勿重复按键\r\n", dir_.path());
  ASSERT_TRUE(box.wait_for(gbk_rated)) << box.received();
  EXPECT_EQ(engine_record(number).second, 4);
  EXPECT_EQ(keypad->stop(), 0);
}

TEST_F(KeypadProcessTest, PressWhileTheEngineIsGoneIsRecordedOnceWhenItReturns) {
  write_config("timeout_s = 60\nretry_ms = 200\n");
  auto keypad = start();
  client::Client c(ctx_, engine_->cmd());
  const std::string number = serve_one(c);
  ASSERT_TRUE(keypad->wait_prefix("STATE asking " + number));
  engine_->kill9();
  ASSERT_TRUE(keypad->wait_prefix("offline town", 15s));
  keypad->write("R 4\n");
  ASSERT_TRUE(keypad->wait_prefix("STATE sending " + number + " 4 offline"));
  ASSERT_TRUE(keypad->wait_prefix("RESEND " + number + " 4"));  // retried with its id while away
  engine_->restart();
  ASSERT_TRUE(keypad->wait_prefix("RECORDED " + number + " 4 满意", 20s));
  const auto [state, rating] = engine_record(number);
  EXPECT_EQ(state, core::TicketState::kRated);
  EXPECT_EQ(rating, 4);
  EXPECT_EQ(keypad->stop(), 0);
  EXPECT_EQ(count(*keypad, "RECORDED "), 1);
  // Every send carried the same request id.
  std::set<std::string> ids;
  for (const auto& l : keypad->lines())
    if (starts_with(l, "RESEND ")) ids.insert(l.substr(l.find("id=")));
  EXPECT_EQ(ids.size(), 1u);
}

// SIGTERM and SIGINT stop the keypad with exit 0; SIGWINCH and SIGCHLD while
// it waits leave it answering.
TEST_F(KeypadProcessTest, StopSignalsExit0AndOtherSignalsDoNotStopIt) {
  write_config("");
  EXPECT_EQ(
      check_stop_signals([&] { return start(); },
                         [](ChildProcess& k) {
                           k.write("P\n");
                           return k.wait_line([](const std::string& l) { return l == "OK"; }).has_value();
                         }),
      "");
}

TEST_F(KeypadProcessTest, BrokenSettingsExitTwoNamingTheLine) {
  write_config("timeout_s = -1\n");
  auto r = run_program(kKeypad, {"--config", config_, "--headless"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(config_ + ":6: keypad.timeout_s: -1 is out of range"), std::string::npos) << r.err;
  config_ = dir_.path() + "/w50.toml";
  std::ofstream(config_) << "[keypad]\nhall = \"town\"\nwindow = \"w50\"\nengine = \"" << engine_->cmd()
                         << "\"\npub = \"" << engine_->pub() << "\"\n";
  ChildProcess p(kKeypad, {"--config", config_, "--headless"}, {.stderr_path = dir_.path() + "/w50.stderr"});
  EXPECT_EQ(p.wait_exit(15s).value_or(-1), 2);
  EXPECT_NE(slurp(dir_.path() + "/w50.stderr")
                .find(config_ + ":3: keypad.window: hall \"town\" has no window \"w50\""),
            std::string::npos)
      << slurp(dir_.path() + "/w50.stderr");
}

}  // namespace
}  // namespace hallq::testing
