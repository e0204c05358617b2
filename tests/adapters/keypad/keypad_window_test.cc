// The keypad's SDL window (keypad.input = "sdl") in the test process against
// the real hallqd: real SDL rendering on the dummy driver (off-screen
// software canvas), keys injected with SDL_PushEvent into the app's own
// event loop, the engine's record read back from a fresh replica. Also the
// pure layout of every screen, glyph coverage of every text the window can
// show, and the engine going away while a rating is pending.
//
// HALLQ_KEYPAD_DOC_DIR=adapters/keypad/doc regenerates the README pictures
// (keypad-idle.png, keypad-asking.png, keypad-thanks.png, keypad-reasons.png)
// from the test's frames.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <zmq.hpp>

#include "adapters/keypad/keypad_app.h"
#include "adapters/keypad/keypad_config.h"
#include "adapters/keypad/keypad_layout.h"
#include "adapters/keypad/keypad_screen.h"
#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/config/config_loader.h"
#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/png_frame.h"
#include "engine/device/sdl/sdl_init.h"
#include "engine/device/sdl/text_cache.h"
#include "engine/protocol/event_codec.h"
#include "tests/support/engine_process.h"
#include "tests/support/temp_dir.h"

namespace hallq::keypad {
namespace {

using namespace std::chrono_literals;
using testing::EngineProcess;
using testing::TempDir;

const std::string kDistrict = std::string(HALLQ_SOURCE_DIR) + "/conf/district.toml";

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::vector<std::string> texts_of(const KeypadFrame& f) {
  std::vector<std::string> out;
  for (const TextItem& t : f.texts) out.push_back(t.text);
  return out;
}
bool shows(const KeypadFrame& f, const std::string& part) {
  for (const TextItem& t : f.texts)
    if (contains(t.text, part)) return true;
  return false;
}

// A left click (a touch arrives as one) at (x, y) of the window.
void push_click(int x, int y) {
  SDL_Event e{};
  e.type = SDL_MOUSEBUTTONDOWN;
  e.button.button = SDL_BUTTON_LEFT;
  e.button.state = SDL_PRESSED;
  e.button.x = x;
  e.button.y = y;
  ASSERT_EQ(SDL_PushEvent(&e), 1) << SDL_GetError();
}

// The engine's TicketEvaluated events as its stream carries them.
struct EvaluatedEvents : client::Subscriber::Listener {
  void on_event(const core::Hall&, const protocol::DecodedEvent& e, protocol::Bytes) override {
    if (const auto* t = std::get_if<core::TicketEvaluated>(&e.event.body)) seen.push_back({e.number, *t});
  }
  std::vector<std::pair<std::string, core::TicketEvaluated>> seen;
};

void push_key(SDL_Keycode key) {
  SDL_Event e{};
  e.type = SDL_KEYDOWN;
  e.key.state = SDL_PRESSED;
  e.key.keysym.sym = key;
  e.key.keysym.scancode = SDL_GetScancodeFromKey(key);
  ASSERT_EQ(SDL_PushEvent(&e), 1) << SDL_GetError();
}

// The colour of a pixel of the current frame.
SDL_Color pixel(const sdl::Image& img, int x, int y) {
  const std::size_t i = (static_cast<std::size_t>(y) * img.width + x) * 4;
  return {img.rgba[i], img.rgba[i + 1], img.rgba[i + 2], img.rgba[i + 3]};
}

class KeypadWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("SDL_VIDEODRIVER", "dummy", 1);
    config_ = parse_keypad_config("[keypad]\nhall = \"district\"\nwindow = \"w5\"\nengine = \"" +
                                      engine_->cmd() + "\"\npub = \"" + engine_->pub() +
                                      "\"\ninput = \"sdl\"\ntimeout_s = 60\nthanks_s = 30\nretry_ms = 200\n",
                                  "kp.toml");
    app_ = std::make_unique<KeypadApp>(ctx_, config_, [this](std::string_view l) { lines_.emplace_back(l); });
    screen_ = std::make_unique<KeypadScreen>(*app_, config_, /*headless=*/true);
  }

  // The program's loop, one turn at a time, until `done` or the deadline.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      app_->step(20ms);
      screen_->pump();
      screen_->draw_if_changed();
      if (done()) return true;
    }
    return false;
  }
  bool saw(const std::string& prefix) {
    return std::any_of(lines_.begin(), lines_.end(),
                       [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
  }
  int count(const std::string& prefix) {
    return static_cast<int>(std::count_if(lines_.begin(), lines_.end(),
                                          [&](const std::string& l) { return l.rfind(prefix, 0) == 0; }));
  }
  KeypadFrame frame() { return layout_keypad(config_.width, config_.height, screen_->model()); }
  // Writes the current frame to the temp dir (and the doc dir when asked) and loads it back.
  sdl::Image snapshot(const std::string& name) {
    const std::string path = dir_.path() + "/" + name;
    screen_->snapshot(path);
    if (const char* doc = std::getenv("HALLQ_KEYPAD_DOC_DIR"); doc && name.rfind("keypad-", 0) == 0) {
      std::filesystem::copy_file(path, std::string(doc) + "/" + name,
                                 std::filesystem::copy_options::overwrite_existing);
    }
    return sdl::load_png(path);
  }
  // Takes one citizen of 社会保障 through window 5 to finished; the number.
  std::string serve_one(client::Client& c) {
    EXPECT_TRUE(c.command("district", core::IssueTicket{"social"})->ok());
    auto r = c.command("district", core::CallNext{"w5"});
    EXPECT_TRUE(r && r->ok());
    const std::string number = protocol::describe_event(protocol::as_bytes(r->events.back())).number;
    EXPECT_TRUE(c.command("district", core::StartService{"w5"})->ok());
    EXPECT_TRUE(c.command("district", core::Finish{"w5"})->ok());
    return number;
  }
  // The engine's own record of `number` (a fresh replica from a snapshot).
  std::pair<core::TicketState, int> engine_record(const std::string& number) {
    client::Subscriber sub(ctx_, engine_->cmd(), engine_->pub(), {"district"});
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!sub.synced("district") && std::chrono::steady_clock::now() < deadline) sub.poll(50ms);
    const core::Ticket* t = sub.synced("district") ? sub.hall("district")->find_number(number) : nullptr;
    if (!t) return {core::TicketState::kWaiting, -1};
    return {t->state, t->rating};
  }

  TempDir dir_{"keypad-window"};
  zmq::context_t ctx_;
  std::unique_ptr<EngineProcess> engine_ =
      std::make_unique<EngineProcess>(std::vector<std::string>{kDistrict}, dir_.path() + "/data");
  KeypadConfig config_;
  std::vector<std::string> lines_;
  std::unique_ptr<KeypadApp> app_;
  std::unique_ptr<KeypadScreen> screen_;
};

TEST_F(KeypadWindowTest, KeyFourOnTheWindowIsRecordedOnceAndExtraKeysShowMessages) {
  client::Client c(ctx_, engine_->cmd());
  ASSERT_TRUE(c.command("district", core::OpenWindow{"w5", "rs09"})->ok());
  ASSERT_TRUE(run_until([&] { return app_->online() && app_->window().staff_id == "rs09"; }));
  // Idle: the window, its staff member and 工号, 欢迎评价.
  KeypadFrame f = frame();
  EXPECT_TRUE(shows(f, "5号窗口 · 社保医保综合窗口")) << ::testing::PrintToString(texts_of(f));
  EXPECT_TRUE(shows(f, "周伟 工号 rs09"));
  EXPECT_TRUE(shows(f, "欢迎评价"));
  const sdl::Image idle = snapshot("keypad-idle.png");
  ASSERT_EQ(idle.width, config_.width);
  ASSERT_EQ(idle.height, config_.height);
  const SDL_Color header = pixel(idle, 2, 2);  // the header band is the accent blue
  EXPECT_EQ(header.r, 30);
  EXPECT_EQ(header.b, 168);

  // A key with nothing to rate, then an unknown key: visible messages, nothing sent.
  push_key(SDLK_3);
  ASSERT_TRUE(run_until([&] { return contains(app_->view().message, "当前没有待评价的业务"); }));
  EXPECT_TRUE(shows(frame(), "当前没有待评价的业务"));
  const sdl::Image refused = snapshot("refused.png");
  const SDL_Color banner = pixel(refused, 2, config_.height - 2);  // the message banner is red
  EXPECT_EQ(banner.r, 200);
  EXPECT_EQ(banner.g, 40);
  EXPECT_EQ(app_->pending(), 0u);

  const std::string number = serve_one(c);
  ASSERT_TRUE(run_until([&] { return app_->view().state == KeypadState::kAsking; }));
  EXPECT_EQ(app_->view().number, number);
  push_key(SDLK_z);
  ASSERT_TRUE(run_until([&] { return contains(app_->view().message, "无效按键"); }));
  EXPECT_EQ(app_->view().state, KeypadState::kAsking);
  ASSERT_TRUE(run_until([&] { return app_->view().message.empty(); }, 5s));  // the message times out (3 s)

  // Asking: the question, the ticket, the five choices with their keys, the countdown.
  f = frame();
  EXPECT_TRUE(shows(f, "请对本次服务进行评价"));
  EXPECT_TRUE(shows(f, "票号 " + number));
  for (const char* choice : {"非常满意", "满意", "基本满意", "不满意", "非常不满意"})
    EXPECT_TRUE(shows(f, choice)) << choice;
  for (const char* key : {"1", "2", "3", "4", "5"}) {
    EXPECT_TRUE(std::any_of(f.texts.begin(), f.texts.end(), [&](const TextItem& t) { return t.text == key; }))
        << key;
  }
  EXPECT_TRUE(shows(f, "剩余 ")) << ::testing::PrintToString(texts_of(f));
  const sdl::Image asking = snapshot("keypad-asking.png");
  EXPECT_FALSE(sdl::compare_images(asking, idle).ok);

  push_key(SDLK_4);
  ASSERT_TRUE(run_until([&] { return saw("RECORDED " + number + " 4 满意"); }));
  ASSERT_TRUE(run_until([&] { return app_->view().state == KeypadState::kThanks; }));
  EXPECT_TRUE(shows(frame(), "谢谢您的评价"));
  snapshot("keypad-thanks.png");

  // A second press (keypad 2): a message, nothing sent.
  push_key(SDLK_KP_2);
  ASSERT_TRUE(run_until([&] { return contains(app_->view().message, number + " 已评价，请勿重复按键"); }));
  EXPECT_TRUE(shows(frame(), "已评价，请勿重复按键"));
  EXPECT_EQ(app_->pending(), 0u);
  const auto [state, rating] = engine_record(number);
  EXPECT_EQ(state, core::TicketState::kRated);
  EXPECT_EQ(rating, 4);
  EXPECT_EQ(c.command("district", core::Evaluate{number, 2, "w5"})->code, core::ErrorCode::kAlreadyRated);
  EXPECT_EQ(count("RECORDED "), 1);
  EXPECT_EQ(screen_->text_failures(), 0u);
}

TEST_F(KeypadWindowTest, KeyTwoAsksForTheHallsReasonsTickedByTouchAndKeyThenConfirmed) {
  // The reasons as the hall's file gives them (read here, not from the keypad's replica).
  const auto district = config::load_hall_config(kDistrict);
  const std::vector<core::EvaluationReason>& reasons = district->evaluation.reasons;
  ASSERT_GE(reasons.size(), 3u);
  EvaluatedEvents events;
  client::Subscriber watcher(ctx_, engine_->cmd(), engine_->pub(), {"district"}, &events);
  client::Client c(ctx_, engine_->cmd());
  ASSERT_TRUE(c.command("district", core::OpenWindow{"w5", "rs09"})->ok());
  ASSERT_TRUE(run_until([&] {
    watcher.poll(0ms);
    return app_->online() && app_->window().staff_id == "rs09" && watcher.synced("district");
  }));
  const std::string number = serve_one(c);
  ASSERT_TRUE(run_until([&] { return app_->view().state == KeypadState::kAsking; }));

  push_key(SDLK_2);
  ASSERT_TRUE(run_until([&] { return app_->view().state == KeypadState::kReasons; }));
  KeypadFrame f = frame();
  EXPECT_TRUE(shows(f, "您的评价：不满意。请选择不满意的原因（可多选）"))
      << ::testing::PrintToString(texts_of(f));
  for (std::size_t i = 0; i < reasons.size(); ++i)
    EXPECT_TRUE(shows(f, fmt::format("{} {}", i + 1, reasons[i].text))) << reasons[i].text;
  EXPECT_TRUE(shows(f, "确认提交（#）"));
  EXPECT_TRUE(shows(f, "跳过（0）"));
  EXPECT_TRUE(shows(f, "超时按已选原因提交"));
  EXPECT_TRUE(saw("STATE reasons " + number + " 2 chosen="));

  // Reason 1 by touch, reason 3 by its key.
  const auto first = std::find_if(f.hits.begin(), f.hits.end(), [](const Hit& h) {
    return h.what == KeypadApp::Touch::kReason && h.n == 1;
  });
  ASSERT_NE(first, f.hits.end());
  const Box one = first->box;
  push_click(one.x + one.w / 2, one.y + one.h / 2);
  push_key(SDLK_3);
  ASSERT_TRUE(run_until([&] {
    const KeypadView v = app_->view();
    return v.chosen.size() == reasons.size() && v.chosen[0] && !v.chosen[1] && v.chosen[2];
  }));
  f = frame();
  EXPECT_TRUE(shows(f, "√ 1 " + reasons[0].text));
  EXPECT_TRUE(shows(f, "√ 3 " + reasons[2].text));
  EXPECT_FALSE(shows(f, "√ 2 "));
  const sdl::Image picture = snapshot("keypad-reasons.png");
  const auto two = std::find_if(f.hits.begin(), f.hits.end(),
                                [](const Hit& h) { return h.what == KeypadApp::Touch::kReason && h.n == 2; });
  ASSERT_NE(two, f.hits.end());
  const Box second = two->box;
  const SDL_Color ticked = pixel(picture, one.x + 2, one.y + 2);  // green
  EXPECT_EQ(ticked.r, 20);
  EXPECT_EQ(ticked.g, 130);
  const SDL_Color unticked = pixel(picture, second.x + 2, second.y + 2);  // grey
  EXPECT_EQ(unticked.r, 100);
  EXPECT_EQ(unticked.g, 108);

  push_key(SDLK_RETURN);
  const std::string codes = reasons[0].code + "," + reasons[2].code;
  ASSERT_TRUE(run_until([&] { return saw("RECORDED " + number + " 2 不满意 reasons=" + codes); }));
  ASSERT_TRUE(run_until([&] {
    watcher.poll(0ms);
    return !events.seen.empty();
  }));
  ASSERT_EQ(events.seen.size(), 1u);
  EXPECT_EQ(events.seen[0].first, number);
  EXPECT_EQ(events.seen[0].second.level, 2);
  EXPECT_EQ(events.seen[0].second.reasons, (std::vector<std::string>{reasons[0].code, reasons[2].code}));
  EXPECT_EQ(events.seen[0].second.channel, core::EvaluationChannel::kKeypad);
  EXPECT_EQ(engine_record(number).second, 2);
  EXPECT_EQ(screen_->text_failures(), 0u);
}

TEST_F(KeypadWindowTest, EngineGoneShowsConnectingAndKeepsThePressUntilItReturns) {
  client::Client c(ctx_, engine_->cmd());
  ASSERT_TRUE(c.command("district", core::OpenWindow{"w5", "rs09"})->ok());
  ASSERT_TRUE(run_until([&] { return app_->online() && app_->window().staff_id == "rs09"; }));
  const std::string number = serve_one(c);
  ASSERT_TRUE(run_until([&] { return app_->view().state == KeypadState::kAsking; }));
  engine_->kill9();
  ASSERT_TRUE(run_until([&] { return !app_->online(); }, 15s));
  EXPECT_TRUE(shows(frame(), "系统连接中"));
  push_key(SDLK_5);
  ASSERT_TRUE(run_until([&] { return saw("RESEND " + number + " 5"); }));
  EXPECT_EQ(app_->pending(), 1u);
  const KeypadFrame f = frame();
  EXPECT_TRUE(shows(f, "评价已保存")) << ::testing::PrintToString(texts_of(f));
  EXPECT_TRUE(shows(f, "待提交 1 条"));
  engine_->restart();
  ASSERT_TRUE(run_until([&] { return saw("RECORDED " + number + " 5 非常满意"); }, 20s));
  ASSERT_TRUE(run_until([&] { return app_->online(); }));
  EXPECT_EQ(app_->pending(), 0u);
  EXPECT_EQ(engine_record(number).second, 5);
  EXPECT_EQ(count("RECORDED "), 1);
}

// Every text any screen can show has glyphs in the configured font.
TEST(KeypadLayoutTest, EveryScreenHasItsTextsAndNoMissingGlyphs) {
  ::setenv("SDL_VIDEODRIVER", "dummy", 1);
  sdl::SdlSession session({true, ""});
  sdl::FontSet fonts;
  KeypadModel m;
  m.window = {5, "社保医保综合窗口", "rs09", "周伟", true};
  for (int level = 1; level <= 5; ++level) m.key_labels[level] = std::to_string(level);
  std::vector<KeypadModel> models;
  for (bool online : {true, false}) {
    m.online = online;
    for (KeypadState s :
         {KeypadState::kIdle, KeypadState::kAsking, KeypadState::kSending, KeypadState::kThanks}) {
      m.view = {s, "A012", 4, 27, ""};
      models.push_back(m);
      m.pending = 2;
      for (const char* msg : {"当前没有待评价的业务", "无效按键，请按 1-5 键评价",
                              "A012 已评价，请勿重复按键", "A012 评价未记录：ticket A012 is not finished"}) {
        m.view.message = msg;
        models.push_back(m);
      }
      m.pending = 0;
    }
  }
  // The reasons screen with the default list, none and some ticked, and the
  // longest reason the config allows (40 characters).
  m.online = true;
  m.view = {KeypadState::kReasons, "A012", 1, 20, ""};
  for (const core::EvaluationReason& r : core::default_evaluation_reasons())
    m.view.reasons.push_back({r.code, r.text});
  m.view.chosen.assign(m.view.reasons.size(), false);
  models.push_back(m);
  m.view.chosen[0] = m.view.chosen[2] = true;
  m.confirm_label = "#";
  m.skip_label = "0";
  models.push_back(m);
  std::string longest;
  for (int i = 0; i < 40; ++i) longest += "慢";
  m.view.reasons = {{"01", longest}};
  m.view.chosen = {true};
  models.push_back(m);
  m.view = {};
  m.window = {5, "社保医保综合窗口", "s07", "", true};
  models.push_back(m);
  m.window.open = false;
  models.push_back(m);
  m.window = {};
  models.push_back(m);

  int texts = 0;
  for (const KeypadModel& model : models) {
    const KeypadFrame f = layout_keypad(800, 480, model);
    for (const TextItem& t : f.texts) {
      ++texts;
      EXPECT_TRUE(sdl::missing_glyphs(fonts.get(t.size), t.text).empty()) << t.text;
      EXPECT_GT(t.size, 8) << t.text;
      EXPECT_GE(t.box.x, 0);
      EXPECT_LE(t.box.x + t.box.w, 800) << t.text;
      EXPECT_LE(t.box.y + t.box.h, 480) << t.text;
    }
  }
  EXPECT_GT(texts, 100);
  // The offline idle screen says so; the asking one counts down.
  m = models[0];
  EXPECT_TRUE(shows(layout_keypad(800, 480, m), "欢迎评价"));
  m.online = false;
  EXPECT_TRUE(shows(layout_keypad(800, 480, m), "系统连接中"));
  m.view = {KeypadState::kAsking, "A012", 0, 4, ""};
  EXPECT_TRUE(shows(layout_keypad(800, 480, m), "剩余 4 秒"));
  EXPECT_EQ(staff_line({5, "x", "s07", "", true}), "工号 s07");
  EXPECT_EQ(staff_line({5, "x", "", "", true}), "暂无工作人员登录");
  EXPECT_EQ(window_title({}), "评价器");
}

}  // namespace
}  // namespace hallq::keypad
