#include "adapters/caller/caller_session.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/predict/forecast.h"
#include "engine/view/hall_summary.h"

namespace hallq::caller {

std::optional<WindowView> view_window(const core::Hall& hall, std::string_view window, core::TimeUs now) {
  const core::HallConfig& cfg = hall.config();
  const auto wi = cfg.find_window(window);
  if (!wi) return std::nullopt;
  const core::Window& w = hall.window(*wi);
  const view::HallSummary summary = view::summarize(hall, now);
  const view::WindowSummary& ws = summary.windows[*wi];
  WindowView v;
  v.hall_name = cfg.name;
  v.window_id = cfg.windows[*wi].id;
  v.window_name = cfg.windows[*wi].name;
  v.number = cfg.windows[*wi].number;
  v.open = w.state != core::WindowState::kClosed;
  v.paused = w.state == core::WindowState::kPaused;
  v.staff = ws.staff;
  v.staff_name = ws.staff_name;
  v.current = ws.current;
  v.served = ws.served;
  v.hall_waiting = summary.waiting;
  if (const core::Ticket* t = w.current ? hall.find_ticket(w.current) : nullptr) {
    v.current_state = std::string(core::display_name(t->state));
    v.current_service = cfg.services[t->service].name;
  }
  if (!v.open)
    v.state = "关闭";
  else if (v.paused)
    v.state = "暂停";
  else if (w.current == 0)
    v.state = "空闲";
  else
    v.state = v.current_state.empty() ? "办理中" : v.current_state;

  const predict::Forecast f = predict::forecast(hall, now);
  for (const core::Skill& s : w.skills) {
    QueueLine q;
    q.id = cfg.services[s.service].id;
    q.name = cfg.services[s.service].name;
    q.level = s.level;
    q.waiting = summary.services[s.service].waiting;
    q.predicted_wait_s = summary.services[s.service].predicted_wait_s;
    for (const predict::TicketForecast& tf : f.tickets) {
      if (q.next.size() >= 4) break;
      const core::Ticket* t = hall.find_ticket(tf.ticket);
      if (t && t->service == s.service) q.next.push_back(hall.number_of(*t));
    }
    // With no open window the forecast calls nobody: show the queue in issue order then.
    for (const core::Ticket& t : hall.tickets()) {
      if (q.next.size() >= 4) break;
      if (t.state != core::TicketState::kWaiting || t.service != s.service) continue;
      const std::string n = hall.number_of(t);
      if (std::find(q.next.begin(), q.next.end(), n) == q.next.end()) q.next.push_back(n);
    }
    v.queues.push_back(std::move(q));
  }
  for (const core::ServiceConfig& s : cfg.services) v.services.push_back({s.id, s.name, s.prefix});
  return v;
}

std::string choice_text(const ServiceChoice& c) { return c.letter + " " + c.name; }

ServiceMatch resolve_service(const std::vector<ServiceChoice>& choices, std::string_view typed) {
  auto upper = [](std::string_view s) {
    std::string u(s);
    for (char& ch : u)
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    return u;
  };
  for (const ServiceChoice& c : choices)
    if (upper(typed) == c.letter || typed == c.id || typed == c.name) return {&c, ""};
  std::vector<const ServiceChoice*> begun;
  for (const ServiceChoice& c : choices)
    if (!typed.empty() && c.name.starts_with(typed)) begun.push_back(&c);
  if (begun.size() == 1) return {begun.front(), ""};
  auto list = [](const auto& items) {
    std::string out;
    for (const ServiceChoice* c : items) out += (out.empty() ? "" : "、") + choice_text(*c);
    return out;
  };
  if (!begun.empty()) return {nullptr, fmt::format("「{}」有多个事项：{}", typed, list(begun))};
  std::vector<const ServiceChoice*> all;
  for (const ServiceChoice& c : choices) all.push_back(&c);
  return {nullptr, fmt::format("没有事项「{}」，可选：{}", typed, list(all))};
}

int prompt_key(int ch) {
  switch (ch) {
    case '\n':
    case '\r':
    case 343:  // KEY_ENTER
      return '\n';
    case 27:
      return 27;
    case 127:
    case 8:
    case 263:  // KEY_BACKSPACE
      return 127;
  }
  return -1;
}

core::CommandBody to_command(const Request& r, const std::string& window) {
  switch (r.action) {
    case Key::kCallNext:
      return core::CallNext{window};
    case Key::kRecall:
      return core::Recall{window};
    case Key::kStart:
      return core::StartService{window};
    case Key::kSkip:
      return core::SkipTicket{window};
    case Key::kHold:
      return core::HoldTicket{window};
    case Key::kTransfer:
      return core::Transfer{window, r.arg};
    case Key::kFinish:
      return core::Finish{window};
    case Key::kFinishCase:
      return core::Finish{window, r.arg};
    case Key::kPause:
      if (r.arg == "resume") return core::ResumeWindow{window};
      return core::PauseWindow{window};
    case Key::kLogin:
      return core::OpenWindow{window, r.arg};
    case Key::kLogout:
      return core::CloseWindow{window};
    case Key::kQuit:
      break;
  }
  return core::Tick{};
}

namespace {
std::string_view working_text(const Request& r) {
  switch (r.action) {
    case Key::kCallNext:
      return "正在呼叫…";
    case Key::kRecall:
      return "正在重呼…";
    case Key::kStart:
      return "正在开始办理…";
    case Key::kSkip:
      return "正在过号…";
    case Key::kHold:
      return "正在挂起…";
    case Key::kTransfer:
      return "正在转事项…";
    case Key::kFinish:
    case Key::kFinishCase:
      return "正在办结…";
    case Key::kPause:
      return r.arg == "resume" ? "正在恢复…" : "正在暂停…";
    case Key::kLogin:
      return "正在登录…";
    case Key::kLogout:
      return "正在退出登录…";
    case Key::kQuit:
      break;
  }
  return "";
}

std::string_view prompt_label(Key prompt) {
  switch (prompt) {
    case Key::kLogin:
      return "工号：";
    case Key::kTransfer:
      return "转至事项（字母或名称）：";
    default:
      return "办件编号：";
  }
}
}  // namespace

std::string CallerSession::prompt() const {
  if (!prompting_) return "";
  return fmt::format("{}{}", prompt_label(*prompting_), typed_);
}

bool CallerSession::accepts(int ch) const {
  if (prompting_) return prompt_key(ch) >= 0;
  return ch > 0 && ch <= 0x7E && config_.keys.count(static_cast<char>(ch)) != 0;
}

std::optional<Request> CallerSession::on_key(int ch, const WindowView* view) {
  if (prompting_) {
    switch (prompt_key(ch)) {
      case 27:
        prompting_.reset();
        typed_.clear();
        set("已取消");
        return std::nullopt;
      case 127:  // a whole UTF-8 character
        while (!typed_.empty() && (static_cast<unsigned char>(typed_.back()) & 0xC0) == 0x80)
          typed_.pop_back();
        if (!typed_.empty()) typed_.pop_back();
        return std::nullopt;
      case '\n':
        return on_enter(view);
    }
    // Text, its UTF-8 bytes one by one (a character begun may end past the limit). A
    // 办件编号 keeps its spaces: the engine refuses them, rather than the number changing.
    const bool case_number = *prompting_ == Key::kFinishCase;
    const std::size_t limit = case_number ? kCaseNumberTyped : 64;
    const bool room = typed_.size() < limit || ((ch & 0xC0) == 0x80 && typed_.size() < limit + 4);
    if (ch >= (case_number ? 0x20 : 0x21) && ch <= 0xFF && ch != 0x7F && room)
      typed_.push_back(static_cast<char>(ch));
    return std::nullopt;
  }
  if (!accepts(ch)) {
    if (ch >= 0x21 && ch <= 0x7E) set(fmt::format("按键 {} 未定义", static_cast<char>(ch)), true);
    return std::nullopt;
  }
  const Key key = config_.keys.at(static_cast<char>(ch));
  if (key == Key::kQuit) {
    quit_ = true;
    return std::nullopt;
  }
  if (pending_) {
    set("上一操作尚未完成，请稍候", true);
    return std::nullopt;
  }
  if (key == Key::kLogin || key == Key::kTransfer || key == Key::kFinishCase) {
    prompting_ = key;
    typed_ = key == Key::kLogin ? config_.staff : "";
    set(key == Key::kLogin      ? "请输入工号，回车确认，Esc 取消"
        : key == Key::kTransfer ? "请输入事项字母或名称，回车确认，Esc 取消"
                                : "请扫描或输入办件编号，回车办结，Esc 取消");
    return std::nullopt;
  }
  Request r{key, "", ""};
  if (key == Key::kPause && view && view->paused) r.arg = "resume";
  pending_ = r;
  set(std::string(working_text(r)));
  return r;
}

std::optional<Request> CallerSession::on_enter(const WindowView* view) {
  if (typed_.empty()) {
    switch (*prompting_) {
      case Key::kLogin:
        set("请输入工号", true);
        break;
      case Key::kTransfer:
        set("请输入事项字母或名称", true);
        break;
      default:  // the prompt stays open for a rescan; plain finish has its own key
        set(fmt::format("请扫描或输入办件编号（不录编号办结：按 Esc 再按 {}）",
                        config_.key_for(Key::kFinish)),
            true);
    }
    return std::nullopt;
  }
  Request r{*prompting_, typed_, ""};
  if (r.action == Key::kTransfer && view) {  // without a replica the engine judges the id
    const ServiceMatch m = resolve_service(view->services, typed_);
    if (!m.service) {
      set(m.error, true);  // the prompt stays open to correct the entry
      return std::nullopt;
    }
    r.arg = m.service->id;
    r.shown = fmt::format("{}（{}）", m.service->name, m.service->letter);
  }
  prompting_.reset();
  typed_.clear();
  if (pending_) {
    set("上一操作尚未完成，请稍候", true);
    return std::nullopt;
  }
  pending_ = r;
  set(std::string(working_text(r)));
  return r;
}

void CallerSession::on_reply(bool ok, const std::string& message, const std::string& number) {
  if (!pending_) return;
  const Request r = *pending_;
  pending_.reset();
  if (!ok) {
    set("拒绝：" + message, true);
    return;
  }
  switch (r.action) {
    case Key::kCallNext:
      set("已呼叫 " + number);
      break;
    case Key::kRecall:
      set("已重呼 " + number);
      break;
    case Key::kStart:
      set("开始办理 " + number);
      break;
    case Key::kSkip:
      set("已过号 " + number);
      break;
    case Key::kHold:
      set("已挂起 " + number);
      break;
    case Key::kTransfer:
      set(fmt::format("{} 已转至 {}", number, r.shown.empty() ? r.arg : r.shown));
      break;
    case Key::kFinish:
      set("已办结 " + number);
      break;
    case Key::kFinishCase:
      set(fmt::format("已办结 {}，办件编号 {}", number, r.arg));
      break;
    case Key::kPause:
      set(r.arg == "resume" ? "已恢复叫号" : "已暂停叫号");
      break;
    case Key::kLogin:
      set("已登录：" + r.arg);
      break;
    case Key::kLogout:
      set("已退出登录，窗口已关闭");
      break;
    case Key::kQuit:
      break;
  }
}

void CallerSession::on_connecting() {
  if (pending_)
    set(fmt::format("系统连接中，请稍候（{}已保留，恢复后自动提交）", key_label(pending_->action)), true);
}

}  // namespace hallq::caller
