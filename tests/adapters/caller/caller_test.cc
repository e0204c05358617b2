// hallq-caller: the key logic and config (pure), and the program in a real
// terminal (tmux) against the real hallqd: every key's feedback, the engine's
// refusals, offline and back without losing or repeating a key.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <zmq.hpp>

#include "adapters/caller/caller_config.h"
#include "adapters/caller/caller_legend.h"
#include "adapters/caller/caller_session.h"
#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/config/toml_reader.h"
#include "engine/core/utf8.h"
#include "engine/protocol/event_codec.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

using namespace std::chrono_literals;
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

std::string config_error(std::string_view text) {
  try {
    caller::parse_caller_config(text, "caller.toml");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(CallerConfig, ErrorsNameFileAndLine) {
  EXPECT_EQ(config_error("[caller]\nhall = \"town\"\n"),
            "caller.toml:1: missing required key \"window\" in [caller]");
  EXPECT_EQ(config_error("[caller]\nhall = \"town\"\nwindow = \"w1\"\n[keys]\ncall_next = \"nn\"\n"),
            "caller.toml:5: keys.call_next: \"nn\": expected one printable ASCII character");
  EXPECT_EQ(config_error("[caller]\nhall = \"town\"\nwindow = \"w1\"\n[keys]\nrecall = \"n\"\n"),
            "caller.toml:5: keys.recall: 'n' is already the key for call_next");
  EXPECT_EQ(config_error("[caller]\nhall = \"town\"\nwindow = \"w1\"\n[keys]\nfinnish = \"x\"\n"),
            "caller.toml:5: unknown key \"finnish\" in [keys] (did you mean \"finish\"?)");
  const auto c =
      caller::load_caller_config(std::string(HALLQ_SOURCE_DIR) + "/conf/devices/caller-town-w1.toml");
  EXPECT_EQ(c.window, "w1");
  EXPECT_EQ(c.key_for(caller::Key::kCallNext), 'n');
  EXPECT_EQ(c.keys.size(), 12u);
  EXPECT_EQ(c.key_for(caller::Key::kFinishCase), 'c');
}

TEST(CallerSession, KeysGiveFeedbackAndOneRequestAtATime) {
  caller::CallerConfig c;
  c.keys = caller::default_keys();
  c.staff = "s0";
  caller::CallerSession s(c);
  auto r = s.on_key('n', nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->action, caller::Key::kCallNext);
  EXPECT_EQ(s.status(), "正在呼叫…");
  EXPECT_FALSE(s.on_key('f', nullptr));  // the call is still unanswered
  EXPECT_EQ(s.status(), "上一操作尚未完成，请稍候");
  s.on_connecting();
  EXPECT_EQ(s.status(), "系统连接中，请稍候（呼叫下一位已保留，恢复后自动提交）");
  s.on_reply(true, "", "A012");
  EXPECT_EQ(s.status(), "已呼叫 A012");
  EXPECT_FALSE(s.on_key('l', nullptr));  // prompts, pre-filled with the configured staff id
  EXPECT_EQ(s.prompt(), "工号：s0");
  s.on_key('1', nullptr);
  s.on_key(127, nullptr);
  s.on_key('7', nullptr);
  r = s.on_key('\n', nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->arg, "s07");
  s.on_reply(false, "工号 s07 不存在", "");
  EXPECT_EQ(s.status(), "拒绝：工号 s07 不存在");
  EXPECT_TRUE(s.status_is_error());
  caller::WindowView paused;
  paused.paused = true;
  r = s.on_key('p', &paused);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->arg, "resume");
  EXPECT_TRUE(std::holds_alternative<core::ResumeWindow>(caller::to_command(*r, "w1")));
  s.on_reply(true, "", "");
  EXPECT_EQ(s.status(), "已恢复叫号");
  s.on_key('t', nullptr);
  s.on_key(27, nullptr);
  EXPECT_EQ(s.status(), "已取消");
  EXPECT_FALSE(s.on_key('z', nullptr));
  EXPECT_EQ(s.status(), "按键 z 未定义");
  s.on_key('q', nullptr);
  EXPECT_TRUE(s.quit());
}

// The 办件编号 prompt: a keyboard-wedge scanner's burst (the number, CR, LF)
// before any reply makes one Finish carrying the number; Esc cancels; Enter
// on nothing is refused with the prompt open; the entry reaches the engine
// unchanged (a space, Chinese, one byte past the engine's 64), and its
// refusal shows as the engine words it. Plain finish stays as it was.
TEST(CallerFinishCase, AScannedNumberAndEnterFinishWithIt) {
  caller::CallerConfig c;
  c.keys = caller::default_keys();
  caller::CallerSession s(c);
  auto type = [&](std::string_view text) {
    std::vector<caller::Request> sent;
    for (unsigned char ch : text)
      if (auto r = s.on_key(ch, nullptr)) sent.push_back(*r);
    return sent;
  };
  EXPECT_FALSE(s.on_key('c', nullptr));
  EXPECT_EQ(s.prompting(), caller::Key::kFinishCase);
  EXPECT_EQ(s.prompt(), "办件编号：");
  EXPECT_EQ(s.status(), "请扫描或输入办件编号，回车办结，Esc 取消");
  EXPECT_TRUE(type("GA-1").empty());
  EXPECT_EQ(s.prompt(), "办件编号：GA-1");
  EXPECT_FALSE(s.on_key(27, nullptr));
  EXPECT_FALSE(s.prompting());
  EXPECT_FALSE(s.pending());
  EXPECT_EQ(s.status(), "已取消");

  s.on_key('c', nullptr);
  EXPECT_FALSE(s.on_key('\r', nullptr));  // a misread: Enter alone
  EXPECT_TRUE(s.prompting());
  EXPECT_TRUE(s.status_is_error());
  EXPECT_EQ(s.status(), "请扫描或输入办件编号（不录编号办结：按 Esc 再按 f）");

  std::vector<caller::Request> sent = type("GA-2026/0017\r\n");  // the scan, in one burst
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].action, caller::Key::kFinishCase);
  EXPECT_EQ(caller::to_command(sent[0], "w1"), core::CommandBody(core::Finish{"w1", "GA-2026/0017"}));
  EXPECT_FALSE(s.prompting());
  EXPECT_EQ(s.status(), "正在办结…");  // the trailing LF did nothing
  s.on_connecting();
  EXPECT_EQ(s.status(), "系统连接中，请稍候（办结并录入办件编号已保留，恢复后自动提交）");
  s.on_reply(true, "", "A001");
  EXPECT_EQ(s.status(), "已办结 A001，办件编号 GA-2026/0017");

  const auto plain = s.on_key('f', nullptr);
  ASSERT_TRUE(plain);
  EXPECT_EQ(caller::to_command(*plain, "w1"), core::CommandBody(core::Finish{"w1", ""}));
  s.on_reply(true, "", "A002");
  EXPECT_EQ(s.status(), "已办结 A002");

  s.on_key('c', nullptr);
  sent = type("GA 2026 办件\n");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].arg, "GA 2026 办件");  // the space kept, for the engine to refuse
  s.on_reply(false, "办件编号的第 3 个字符是空格，不可用：只能是字母、数字或 . _ / -", "");
  EXPECT_EQ(s.status(), "拒绝：办件编号的第 3 个字符是空格，不可用：只能是字母、数字或 . _ / -");
  EXPECT_TRUE(s.status_is_error());
  EXPECT_FALSE(s.prompting());  // closed: a rescan starts afresh

  s.on_key('c', nullptr);
  sent = type(std::string(100, '7') + "\n");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].arg,
            std::string(65, '7'));  // one byte past the engine's 64: refused there, not cut to fit
}

std::vector<caller::ServiceChoice> town_choices() {
  return {{"social", "社保医保", "A"}, {"estate", "不动产登记", "B"}, {"business", "企业开办", "C"},
          {"police", "户籍证件", "D"}, {"civil", "民政残联", "E"},    {"consult", "综合咨询", "F"},
          {"tax", "税务", "G"}};
}

TEST(CallerTransfer, TakesLetterIdChineseNameOrAUniquePrefix) {
  auto choices = town_choices();
  auto id_of = [&](std::string_view typed) {
    const caller::ServiceMatch m = caller::resolve_service(choices, typed);
    return m.service ? m.service->id : "refused: " + m.error;
  };
  EXPECT_EQ(id_of("G"), "tax");
  EXPECT_EQ(id_of("g"), "tax");
  EXPECT_EQ(id_of("tax"), "tax");
  EXPECT_EQ(id_of("税务"), "tax");
  EXPECT_EQ(id_of("税"), "tax");
  EXPECT_EQ(id_of("不动产"), "estate");
  EXPECT_EQ(
      id_of("公积金"),
      "refused: 没有事项「公积金」，可选：A 社保医保、B 不动产登记、C 企业开办、D 户籍证件、E 民政残联、F "
      "综合咨询、G 税务");
  choices.push_back({"relief", "社会救助", "H"});
  EXPECT_EQ(id_of("社"), "refused: 「社」有多个事项：A 社保医保、H 社会救助");
  EXPECT_EQ(id_of("社会"), "relief");
  EXPECT_EQ(id_of("社保医保"), "social");
}

TEST(CallerTransfer, PromptListsChoicesAndTheResultNamesTheService) {
  caller::CallerConfig c;
  c.keys = caller::default_keys();
  caller::CallerSession s(c);
  caller::WindowView v;
  v.services = town_choices();
  EXPECT_FALSE(s.on_key('t', &v));
  EXPECT_EQ(s.prompt(), "转至事项（字母或名称）：");
  const auto legend = caller::legend_lines(c, s, &v, 80);
  ASSERT_EQ(legend.size(), 2u);
  EXPECT_EQ(legend[0], "A 社保医保  B 不动产登记  C 企业开办  D 户籍证件  E 民政残联  F 综合咨询  G 税务");
  EXPECT_EQ(legend[1], "回车 确认  Esc 取消  退格 删除");
  for (char ch : std::string("XYZ")) s.on_key(ch, &v);
  EXPECT_FALSE(s.on_key('\n', &v));  // refused: the prompt stays open to correct it
  EXPECT_TRUE(s.status_is_error());
  EXPECT_EQ(s.status().rfind("没有事项「XYZ」，可选：A 社保医保", 0), 0u) << s.status();
  for (int i = 0; i < 3; ++i) s.on_key(127, &v);
  for (unsigned char ch : std::string("税务")) s.on_key(ch, &v);
  s.on_key(263, &v);  // KEY_BACKSPACE: one whole character
  EXPECT_EQ(s.prompt(), "转至事项（字母或名称）：税");
  const auto r = s.on_key('\r', &v);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->arg, "tax");
  EXPECT_TRUE(std::holds_alternative<core::Transfer>(caller::to_command(*r, "w1")));
  EXPECT_EQ(s.status(), "正在转事项…");
  s.on_reply(true, "", "A003");
  EXPECT_EQ(s.status(), "A003 已转至 税务（G）");
}

// Every key the handler acts on is in the legend, and at 80 columns no line
// of it is wider than 80 display columns (CJK characters count two).
TEST(CallerLegend, ListsEveryAcceptedKeyWithin80Columns) {
  caller::CallerConfig remapped;
  remapped.keys = caller::default_keys();
  remapped.keys.erase('n');
  remapped.keys['N'] = caller::Key::kCallNext;  // a config that moves a key: the legend follows
  caller::CallerConfig defaults;
  defaults.keys = caller::default_keys();
  caller::WindowView v;
  v.services = town_choices();
  for (const caller::CallerConfig* c : {&defaults, &remapped}) {
    caller::CallerSession s(*c);
    for (int mode = 0; mode < 4; ++mode) {  // keys, the login, transfer and 办件编号 prompts
      if (mode == 1) s.on_key(c->key_for(caller::Key::kLogin), &v);
      if (mode >= 2) {
        s.on_key(27, &v);
        s.on_key(c->key_for(mode == 2 ? caller::Key::kTransfer : caller::Key::kFinishCase), &v);
      }
      const auto lines = caller::legend_lines(*c, s, &v, 80);
      std::string all;
      for (const std::string& line : lines) {
        EXPECT_LE(core::display_width(line), 80) << line;
        all += line + "\n";
      }
      EXPECT_LE(lines.size(), 3u) << all;
      int accepted = 0;
      for (int ch = 0; ch < 512; ++ch) {
        if (!s.accepts(ch)) continue;
        ++accepted;
        std::string item;
        if (mode == 0) {
          item = fmt::format("{} {}", static_cast<char>(ch),
                             caller::key_label(c->keys.at(static_cast<char>(ch))));
        } else {
          const int k = caller::prompt_key(ch);
          for (const caller::PromptKey& p : caller::kPromptKeys)
            if (p.ch == k) item = fmt::format("{} {}", p.text, p.label);
        }
        EXPECT_NE(all.find(item), std::string::npos) << "key " << ch << " (" << item << ") missing from\n"
                                                     << all;
      }
      EXPECT_EQ(accepted,
                mode == 0 ? 12 : 7);  // prompt: Enter \n \r KEY_ENTER, Esc, backspace 127 8 KEY_BACKSPACE
    }
  }
  // Nothing else is a key: every other printable character is refused.
  caller::CallerSession s(defaults);
  for (int ch = 0x21; ch <= 0x7E; ++ch) {
    if (defaults.keys.count(static_cast<char>(ch))) continue;
    EXPECT_FALSE(s.on_key(ch, &v));
    EXPECT_EQ(s.status(), fmt::format("按键 {} 未定义", static_cast<char>(ch)));
  }
}

// A caller in a detached tmux session, driven by send-keys and read by capture-pane.
class Tmux {
 public:
  explicit Tmux(const std::string& command, int columns = 120, int rows = 40) {
    static std::atomic<int> counter{0};
    socket_ = "hallq-caller-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    run("new-session -d -x " + std::to_string(columns) + " -y " + std::to_string(rows) + " " +
        quote("env LANG=C.UTF-8 TERM=xterm-256color " + command + "; echo EXITED $?; sleep 60"));
  }
  ~Tmux() { run("kill-server"); }
  void keys(const std::string& k) { run("send-keys " + k); }
  // Resizes the terminal: the program gets SIGWINCH.
  void resize(int columns, int rows) {
    run("resize-window -x " + std::to_string(columns) + " -y " + std::to_string(rows));
  }
  std::string screen() {
    std::string out;
    FILE* p = ::popen(("tmux -L " + socket_ + " capture-pane -p 2>/dev/null").c_str(), "r");
    if (!p) return out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    ::pclose(p);
    return out;
  }
  // Polls the screen until it shows `text`; the screen (or the last one, on timeout).
  bool wait_for(const std::string& text, std::chrono::milliseconds limit = 15s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      last_ = screen();
      if (last_.find(text) != std::string::npos) return true;
      ::poll(nullptr, 0, 20);  // the interval between two captures, not a wait for the result
    }
    return false;
  }
  const std::string& last() const { return last_; }

 private:
  static std::string quote(const std::string& s) { return "'" + s + "'"; }
  void run(const std::string& args) {
    (void)std::system(("tmux -L " + socket_ + " " + args + " >/dev/null 2>&1").c_str());
  }
  std::string socket_;
  std::string last_;
};

class CallerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{kTown}, dir_.path() + "/data");
    client_ = std::make_unique<client::Client>(ctx_, engine_->cmd());
  }
  std::string caller_command(const std::string& extra = "") {
    return std::string(CALLER_PATH) + " --config " + HALLQ_SOURCE_DIR +
           "/conf/devices/caller-town-w1.toml --engine " + engine_->cmd() + " --events " + engine_->pub() +
           " " + extra;
  }
  void issue(const std::string& service) {
    ASSERT_TRUE(client_->command("town", core::IssueTicket{service})->ok());
  }
  // The engine's own view of window w1 (a fresh replica).
  template <class Pred>
  bool engine_shows(Pred pred) {
    client::Subscriber sub(ctx_, engine_->cmd(), engine_->pub(), {"town"});
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      sub.poll(50ms);
      if (const core::Hall* h = sub.hall("town"); h && sub.synced("town") && pred(*h)) return true;
    }
    return false;
  }
  static std::string current_of_w1(const core::Hall& h) {
    const core::Window& w = h.window(0);
    const core::Ticket* t = w.current ? h.find_ticket(w.current) : nullptr;
    return t ? h.number_of(*t) : "";
  }

  TempDir dir_{"hallq-caller"};
  zmq::context_t ctx_;
  std::unique_ptr<EngineProcess> engine_;
  std::unique_ptr<client::Client> client_;
};

TEST_F(CallerTest, ClerkWorksTheQueueWithImmediateFeedback) {
  issue("social");
  issue("social");
  issue("social");
  Tmux t(caller_command());
  ASSERT_TRUE(t.wait_for("窗口状态：关闭")) << t.last();
  EXPECT_NE(t.last().find("1号窗口 社保医保窗口"), std::string::npos) << t.last();
  EXPECT_NE(t.last().find("A001 A002 A003"), std::string::npos) << t.last();  // next numbers of 社保医保
  t.keys("n");
  ASSERT_TRUE(t.wait_for("状态：拒绝：")) << t.last();  // closed: the engine's reason
  t.keys("l");
  ASSERT_TRUE(t.wait_for("工号：s001_")) << t.last();
  t.keys("Enter");
  ASSERT_TRUE(t.wait_for("已登录：s001")) << t.last();
  ASSERT_TRUE(t.wait_for("窗口状态：空闲")) << t.last();
  t.keys("n");
  ASSERT_TRUE(t.wait_for("已呼叫 A001")) << t.last();
  ASSERT_TRUE(t.wait_for("当前号：A001")) << t.last();
  EXPECT_TRUE(engine_shows([](const core::Hall& h) { return current_of_w1(h) == "A001"; }));
  t.keys("r");
  ASSERT_TRUE(t.wait_for("已重呼 A001")) << t.last();
  t.keys("s");
  ASSERT_TRUE(t.wait_for("开始办理 A001")) << t.last();
  t.keys("f");
  ASSERT_TRUE(t.wait_for("已办结 A001")) << t.last();
  ASSERT_TRUE(t.wait_for("今日已办结：1")) << t.last();
  t.keys("n");
  ASSERT_TRUE(t.wait_for("已呼叫 A002")) << t.last();
  t.keys("k");
  ASSERT_TRUE(t.wait_for("已过号 A002")) << t.last();
  t.keys("n");
  ASSERT_TRUE(t.wait_for("已呼叫 A003")) << t.last();
  t.keys("s");
  ASSERT_TRUE(t.wait_for("开始办理 A003")) << t.last();
  t.keys("t");
  ASSERT_TRUE(t.wait_for("转至事项（字母或名称）：_")) << t.last();
  t.keys("c i v i l Enter");  // the id still works
  ASSERT_TRUE(t.wait_for("A003 已转至 民政残联（E）")) << t.last();
  t.keys("p");
  ASSERT_TRUE(t.wait_for("已暂停叫号")) << t.last();
  ASSERT_TRUE(t.wait_for("窗口状态：暂停")) << t.last();
  t.keys("n");
  ASSERT_TRUE(t.wait_for("状态：拒绝：")) << t.last();
  t.keys("p");
  ASSERT_TRUE(t.wait_for("已恢复叫号")) << t.last();
  t.keys("n");  // A003 waits for civil now, which w1 serves at level 2
  ASSERT_TRUE(t.wait_for("已呼叫 A003")) << t.last();
  t.keys("h");
  ASSERT_TRUE(t.wait_for("状态：拒绝：")) << t.last();  // hold needs a ticket being served
  t.keys("s");
  ASSERT_TRUE(t.wait_for("开始办理 A003")) << t.last();
  t.keys("h");
  ASSERT_TRUE(t.wait_for("已挂起 A003")) << t.last();
  t.keys("o");
  ASSERT_TRUE(t.wait_for("已退出登录，窗口已关闭")) << t.last();
  EXPECT_TRUE(
      engine_shows([](const core::Hall& h) { return h.window(0).state == core::WindowState::kClosed; }));
  t.keys("q");
  ASSERT_TRUE(t.wait_for("EXITED 0")) << t.last();
}

// The clerk transfers in Chinese at 80×24: the prompt lists the hall's
// services by letter and name, an unknown entry is refused naming them, a
// name's first character or a letter is enough; the engine records the
// transfer to that service. The key legend shows every key at 80 columns.
TEST_F(CallerTest, TransferByChineseNameOrLetterAt80x24) {
  issue("social");
  issue("social");
  ASSERT_TRUE(client_->command("town", core::OpenWindow{"w1", "s001"})->ok());
  Tmux t(caller_command(), 80, 24);
  ASSERT_TRUE(t.wait_for("窗口状态：空闲")) << t.last();
  const caller::CallerConfig config =
      caller::load_caller_config(std::string(HALLQ_SOURCE_DIR) + "/conf/devices/caller-town-w1.toml");
  for (const caller::KeySpec& k : caller::kKeyTable) {
    const std::string item = fmt::format("{} {}", config.key_for(k.key), k.label);
    EXPECT_NE(t.last().find(item), std::string::npos) << item << " not in\n" << t.last();
  }
  auto service_of = [](const std::string& number, const std::string& service) {
    return [=](const core::Hall& h) {
      const core::Ticket* ticket = h.find_number(number);
      return ticket && ticket->service == h.config().find_service(service);
    };
  };
  t.keys("n");
  ASSERT_TRUE(t.wait_for("已呼叫 A001")) << t.last();
  t.keys("s");
  ASSERT_TRUE(t.wait_for("开始办理 A001")) << t.last();
  t.keys("t");
  ASSERT_TRUE(t.wait_for("转至事项（字母或名称）：_")) << t.last();
  EXPECT_NE(t.last().find("A 社保医保  B 不动产登记"), std::string::npos) << t.last();
  EXPECT_NE(t.last().find("G 税务"), std::string::npos) << t.last();
  EXPECT_NE(t.last().find("回车 确认  Esc 取消"), std::string::npos) << t.last();
  t.keys("-l 公积金");
  t.keys("Enter");
  ASSERT_TRUE(t.wait_for("没有事项「公积金」，可选：A 社保医保、B 不动产登记")) << t.last();
  t.keys("BSpace BSpace BSpace");
  t.keys("-l 税");
  ASSERT_TRUE(t.wait_for("转至事项（字母或名称）：税_")) << t.last();
  t.keys("Enter");
  ASSERT_TRUE(t.wait_for("A001 已转至 税务（G）")) << t.last();
  EXPECT_TRUE(engine_shows(service_of("A001", "tax")));
  t.keys("n");
  ASSERT_TRUE(t.wait_for("已呼叫 A002")) << t.last();
  t.keys("s");
  ASSERT_TRUE(t.wait_for("开始办理 A002")) << t.last();
  t.keys("t b Enter");
  ASSERT_TRUE(t.wait_for("A002 已转至 不动产登记（B）")) << t.last();
  EXPECT_TRUE(engine_shows(service_of("A002", "estate")));
  t.keys("q");
  ASSERT_TRUE(t.wait_for("EXITED 0")) << t.last();
}

// The clerk finishes with the 办件编号 from a keyboard-wedge scanner: the
// number and Enter reach the terminal in one write. The engine's refusals show
// as it words them (the ticket only called; a space in the number) and change
// nothing; the number accepted is in the ticket's TicketFinished, read back
// from hallqd's event log as the 好差评 record's projectNo (GET
// .../evaluation-records), and plain f still finishes without one.
TEST_F(CallerTest, FinishWithAScannedCaseNumber) {
  issue("social");
  issue("social");
  ASSERT_TRUE(client_->command("town", core::OpenWindow{"w1", "s001"})->ok());
  ASSERT_TRUE(client_->command("town", core::CallNext{"w1"})->ok());
  Tmux t(caller_command());
  ASSERT_TRUE(t.wait_for("当前号：A001")) << t.last();
  auto scan = [&](const std::string& number) {
    t.keys("c");
    ASSERT_TRUE(t.wait_for("办件编号：_")) << t.last();
    t.keys("-l '" + number + "\r'");  // one send-keys: the characters and CR in one burst
  };
  // Called, not yet being served: the engine's reason, as it gives it to anyone.
  const auto not_served = client_->command("town", core::Finish{"w1", "GA-2026/0017"});
  ASSERT_TRUE(not_served && !not_served->ok());
  scan("GA-2026/0017");
  ASSERT_TRUE(t.wait_for("状态：拒绝：" + not_served->message)) << t.last();
  t.keys("s");
  ASSERT_TRUE(t.wait_for("开始办理 A001")) << t.last();
  scan("GA 2026/0017");
  ASSERT_TRUE(t.wait_for("状态：拒绝：办件编号的第 3 个字符是空格，不可用：只能是字母、数字或 . _ / -"))
      << t.last();
  EXPECT_TRUE(engine_shows([](const core::Hall& h) {
    const core::Ticket* a = h.find_number("A001");
    return a && a->state == core::TicketState::kServing && current_of_w1(h) == "A001";
  }));
  scan("GA-2026/0017");
  ASSERT_TRUE(t.wait_for("已办结 A001，办件编号 GA-2026/0017")) << t.last();
  t.keys("n");
  ASSERT_TRUE(t.wait_for("已呼叫 A002")) << t.last();
  t.keys("s");
  ASSERT_TRUE(t.wait_for("开始办理 A002")) << t.last();
  t.keys("f");
  ASSERT_TRUE(t.wait_for("已办结 A002")) << t.last();
  t.keys("q");
  ASSERT_TRUE(t.wait_for("EXITED 0")) << t.last();

  ASSERT_TRUE(client_->command("town", core::Evaluate{"A001", 5, "w1"})->ok());
  ASSERT_TRUE(client_->command("town", core::Evaluate{"A002", 4, "w1"})->ok());
  const HttpAnswer a =
      http_request(engine_->http(), boost::beast::http::verb::get, "/api/halls/town/evaluation-records");
  ASSERT_EQ(a.status, 200) << a.body;
  const nlohmann::json records = a.j()["records"];
  std::map<std::string, std::string> case_of;
  for (const auto& r : records) case_of[r["ticketNo"].get<std::string>()] = r["projectNo"].get<std::string>();
  EXPECT_EQ(case_of, (std::map<std::string, std::string>{{"A001", "GA-2026/0017"}, {"A002", ""}})) << a.body;
}

TEST_F(CallerTest, KeyPressedWhileEngineIsDownIsAppliedOnceAfterRestart) {
  issue("social");
  issue("social");
  ASSERT_TRUE(client_->command("town", core::OpenWindow{"w1", "s001"})->ok());
  Tmux t(caller_command());
  ASSERT_TRUE(t.wait_for("窗口状态：空闲")) << t.last();
  engine_->kill9();
  t.keys("n");
  ASSERT_TRUE(t.wait_for("正在呼叫…")) << t.last();
  ASSERT_TRUE(t.wait_for("系统连接中，请稍候（呼叫下一位已保留")) << t.last();
  t.keys("f");
  ASSERT_TRUE(t.wait_for("上一操作尚未完成")) << t.last();
  ASSERT_TRUE(t.wait_for("[离线 系统连接中]")) << t.last();
  engine_->restart();
  ASSERT_TRUE(t.wait_for("已呼叫 A001", 20s)) << t.last();
  ASSERT_TRUE(t.wait_for("[在线]")) << t.last();
  // One call, not one per resend: A002 still waits.
  EXPECT_TRUE(engine_shows([](const core::Hall& h) {
    return current_of_w1(h) == "A001" && h.find_number("A002") &&
           h.find_number("A002")->state == core::TicketState::kWaiting;
  }));
}

// A terminal resize (SIGWINCH) redraws the caller instead of killing it (it
// used to die with "zmq::error_t: Interrupted system call", exit 134); Ctrl-C
// (SIGINT) stops it with exit 0.
TEST_F(CallerTest, ResizeRedrawsAndCtrlCExits0) {
  Tmux t(caller_command());
  ASSERT_TRUE(t.wait_for("窗口状态：关闭")) << t.last();
  for (auto [columns, rows] : {std::pair{100, 30}, std::pair{80, 24}, std::pair{130, 45}}) {
    t.resize(columns, rows);
    t.keys("l");  // something new to draw after the resize
    ASSERT_TRUE(t.wait_for("工号：")) << t.last();
    t.keys("Escape");
    ASSERT_TRUE(t.wait_for("窗口状态：关闭")) << t.last();
    EXPECT_EQ(t.last().find("EXITED"), std::string::npos) << t.last();
  }
  t.keys("C-c");
  EXPECT_TRUE(t.wait_for("EXITED 0")) << t.last();
}

TEST_F(CallerTest, UnknownWindowAndBrokenConfigExit2) {
  RunResult r = run_program(CALLER_PATH,
                            {"--config", std::string(HALLQ_SOURCE_DIR) + "/conf/devices/caller-town-w1.toml",
                             "--engine", engine_->cmd(), "--events", engine_->pub(), "--window", "w99"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("hall \"town\" has no window \"w99\""), std::string::npos) << r.err;
  const std::string bad = dir_.path() + "/bad.toml";
  std::ofstream(bad) << "[caller]\nhall = \"town\"\nwindow = 1\n";
  // --conf: the old spelling of --config, a hidden alias for one release.
  r = run_program(CALLER_PATH, {"--conf", bad});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad + ":3: caller.window: expected a string, got integer"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace hallq::testing
