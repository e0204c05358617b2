#include "adapters/caller/caller_view.h"

#include <fmt/format.h>
#include <ncursesw/ncurses.h>

#include "adapters/caller/caller_legend.h"

namespace hallq::caller {
namespace {

std::string wait_text(std::int32_t s) {
  if (s < 0) return "-";
  if (s < 60) return "即将";
  return fmt::format("约 {} 分钟", (s + 59) / 60);
}

void put(int y, int x, const std::string& s, attr_t a = A_NORMAL) {
  attron(a);
  mvaddstr(y, x, s.c_str());
  attroff(a);
}

}  // namespace

void draw_screen(const CallerConfig& config, const WindowView* v, const CallerSession& session, bool online,
                 bool connecting, const std::string& clock) {
  erase();
  const int width = COLS;
  // From the bottom up: the status (wrapped), the prompt, the key legend.
  int foot = LINES;
  const bool error = session.status_is_error() || connecting;
  const std::vector<std::string> status = wrap_text("状态：" + session.status(), width);
  foot -= static_cast<int>(status.size());
  for (std::size_t i = 0; i < status.size(); ++i)
    put(foot + static_cast<int>(i), 0, status[i], error ? A_BOLD | A_REVERSE : A_BOLD);
  if (!session.prompt().empty()) put(--foot, 0, session.prompt() + "_", A_BOLD);
  const std::vector<std::string> legend = legend_lines(config, session, v, width);
  foot -= static_cast<int>(legend.size());
  for (std::size_t i = 0; i < legend.size(); ++i) put(foot + static_cast<int>(i), 0, legend[i]);
  const std::string title = v ? fmt::format("{}  {}号窗口 {}", v->hall_name, v->number, v->window_name)
                              : fmt::format("{}  窗口 {}", config.hall, config.window);
  put(0, 0, title, A_BOLD);
  const std::string net = online ? "[在线]" : "[离线 系统连接中]";
  put(0, std::max(0, width - 28), net + "  " + clock, online ? A_NORMAL : A_BOLD | A_REVERSE);
  if (!v) {
    put(2, 0, "正在同步大厅状态…");
  } else {
    put(2, 0,
        fmt::format("工作人员：{}{}", v->staff.empty() ? "未登录" : v->staff,
                    v->staff_name.empty() ? "" : " " + v->staff_name));
    put(2, 40, "窗口状态：" + v->state, A_BOLD);
    put(3, 0, "当前号：");
    put(3, 8, v->current.empty() ? "-" : v->current, A_BOLD | A_STANDOUT);
    if (!v->current.empty()) put(3, 16, fmt::format("{}  {}", v->current_state, v->current_service));
    put(4, 0, fmt::format("今日已办结：{}    全厅等候：{}", v->served, v->hall_waiting));
    put(6, 0, "事项            优先级  等候  下一位                      预计等待", A_UNDERLINE);
    int y = 7;
    for (const QueueLine& q : v->queues) {
      std::string next;
      for (const std::string& n : q.next) next.append(n).append(" ");
      if (next.empty()) next.push_back('-');
      put(y, 0, q.name);
      put(y, 16, std::to_string(q.level));
      put(y, 24, std::to_string(q.waiting));
      put(y, 30, next);
      put(y, 58, wait_text(q.predicted_wait_s));
      if (++y >= foot - 1) break;
    }
  }
  refresh();
}

}  // namespace hallq::caller
