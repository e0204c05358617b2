// The hall state machine. `apply` validates fully before emitting anything, so
// a refusal leaves no trace; `apply_event` re-checks each event's fit because
// events also arrive from disk and from the network.
#include "engine/core/hall.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <type_traits>
#include <utility>

#include "engine/core/overloaded.h"
#include "engine/core/utf8.h"

namespace hallq::core {
namespace {

Status refuse(ErrorCode code, std::string message) { return {code, std::move(message)}; }

bool is_requeueable(TicketState s) { return s == TicketState::kHeld || s == TicketState::kNoShow; }

}  // namespace

Hall::Hall(std::shared_ptr<const HallConfig> config, const CallPolicy* policy, const WaitPredictor* predictor)
    : config_(std::move(config)), policy_(policy), predictor_(predictor) {
  const std::size_t n_services = config_->services.size();
  state_.windows.resize(config_->windows.size());
  for (std::size_t i = 0; i < state_.windows.size(); ++i)
    state_.windows[i].skills = config_->windows[i].serves;
  state_.stats.resize(n_services);
  state_.last_number.assign(n_services, 0);
  rebuild_indexes();
}

double Hall::mean_pause_s() const {
  constexpr double kPriorS = 30 * 60, kPriorWeight = 2;
  return (state_.pause_seconds + kPriorS * kPriorWeight) / (state_.pauses + kPriorWeight);
}

double Hall::mean_handle_s(ServiceIdx s) const {
  return state_.stats[s].mean_handle_s(config_->services[s].expected_handle_min * 60);
}

int Hall::open_windows(ServiceIdx s, int level) const {
  return level >= 1 && level <= 9 ? index_.open_at_level[s][level] : 0;
}

void Hall::count_open_windows() {
  index_.open_at_level.assign(config_->services.size(), {});
  for (const Window& w : state_.windows) {
    if (w.state != WindowState::kOpen) continue;
    for (const Skill& k : w.skills) ++index_.open_at_level[k.service][k.level];
  }
}

// ---------------------------------------------------------------- lookups

std::string_view Hall::staff_id(StaffIdx s) const {
  return s < state_.staff_names.size() ? std::string_view(state_.staff_names[s]) : std::string_view();
}

const Ticket* Hall::find_ticket(TicketId id) const {
  if (state_.tickets.empty() || id < state_.tickets.front().id) return nullptr;
  const std::size_t i = id - state_.tickets.front().id;
  return i < state_.tickets.size() ? &state_.tickets[i] : nullptr;
}

Ticket* Hall::ticket_mut(TicketId id) { return const_cast<Ticket*>(find_ticket(id)); }

const Ticket* Hall::find_number(std::string_view number) const {
  std::string_view prefix;
  std::uint32_t n = 0;
  if (!split_number(number, prefix, n) || n == 0) return nullptr;
  const auto s = config_->find_prefix(prefix);
  if (!s || n > index_.by_number[*s].size()) return nullptr;
  return find_ticket(index_.by_number[*s][n - 1]);
}

std::string Hall::number_of(const Ticket& t) const {
  return format_number(config_->services[t.issued_service].prefix, t.number, config_->rules.number_digits);
}

std::size_t Hall::waiting_total() const {
  std::size_t n = 0;
  for (const ServiceQueue& q : index_.queues) n += q.size();
  return n;
}

const RequestRecord* Hall::find_request(std::string_view request_id) const {
  return requests_.find(request_id);
}

void Hall::remember_request(std::string_view request_id, RequestRecord record) {
  requests_.remember(request_id, record);
}

// ---------------------------------------------------------------- commands

Status Hall::apply(const Command& cmd, TimeUs now, std::vector<Event>& out) {
  now = std::max(now, state_.clock);
  advance(now, out);
  if (cmd.request_id.size() > kMaxRequestIdLength) {
    return refuse(ErrorCode::kBadArgument, fmt::format("请求编号过长（{} 字节，最多 {}）",
                                                       cmd.request_id.size(), kMaxRequestIdLength));
  }
  const std::size_t first = out.size();
  Status status = apply_body(cmd.body, now, out);
  if (status.ok() && !cmd.request_id.empty() && out.size() > first) {
    remember_request(cmd.request_id, {out[first].seq, static_cast<std::uint32_t>(out.size() - first)});
  }
  return status;
}

void Hall::advance(TimeUs now, std::vector<Event>& out) {
  if (state_.day == 0) return;  // nothing has happened yet; the first event sets the day
  const std::int64_t today = config_->local_day(now);
  if (today > state_.day) emit(DayRolled{today}, now, out);
}

void Hall::emit(EventBody body, TimeUs now, std::vector<Event>& out) {
  Event e{state_.seq + 1, now, std::move(body)};
  apply_event(e);
  out.push_back(std::move(e));
}

Status Hall::apply_body(const CommandBody& body, TimeUs now, std::vector<Event>& out) {
  const HallConfig& cfg = *config_;

  auto find_window = [&](std::string_view id, WindowIdx& w) -> Status {
    auto found = cfg.find_window(id);
    if (!found) return refuse(ErrorCode::kUnknownWindow, fmt::format("没有窗口“{}”", id));
    w = *found;
    return {};
  };
  auto window_label = [&](WindowIdx w) { return fmt::format("{}号窗口", cfg.windows[w].number); };
  // A window that can call: open, not paused, no current ticket.
  auto check_can_call = [&](WindowIdx w) -> Status {
    const Window& win = state_.windows[w];
    if (win.state == WindowState::kClosed)
      return refuse(ErrorCode::kWindowClosed, fmt::format("{}未开放", window_label(w)));
    if (win.state == WindowState::kPaused)
      return refuse(ErrorCode::kWindowPaused, fmt::format("{}暂停服务中，请先恢复", window_label(w)));
    if (win.current != 0) {
      const Ticket& t = *find_ticket(win.current);
      return refuse(ErrorCode::kWindowBusy,
                    fmt::format("{}当前还有 {}（{}），请先办结、过号或转出", window_label(w), number_of(t),
                                display_name(t.state)));
    }
    return {};
  };
  // The window's current ticket, which must be in `wanted` state.
  auto current_in = [&](WindowIdx w, TicketState wanted, const Ticket*& t) -> Status {
    const Window& win = state_.windows[w];
    if (win.current == 0) {
      return refuse(ErrorCode::kNoCurrentTicket,
                    fmt::format("{}当前没有{}的号", window_label(w), display_name(wanted)));
    }
    t = find_ticket(win.current);
    if (t->state != wanted) {
      return refuse(ErrorCode::kWrongTicketState, fmt::format("{} 当前为“{}”，不是“{}”", number_of(*t),
                                                              display_name(t->state), display_name(wanted)));
    }
    return {};
  };
  // The staff who would open window `w`: an id that can be shown and stored
  // (it goes into events, screens and reports), known (when the hall lists
  // staff) and not logged in at another window.
  auto check_staff = [&](WindowIdx w, std::string_view staff) -> Status {
    if (staff.size() > kMaxStaffIdBytes || !printable_utf8(staff)) {
      return refuse(ErrorCode::kBadArgument,
                    fmt::format("工号须为 UTF-8 文字，不含控制字符，至多 {} 字节", kMaxStaffIdBytes));
    }
    if (!cfg.staff.empty()) {
      if (staff.empty())
        return refuse(ErrorCode::kBadArgument, fmt::format("开启{}需要工号", window_label(w)));
      if (!cfg.staff_known(staff))
        return refuse(ErrorCode::kUnknownStaff, fmt::format("没有工号“{}”", staff));
    }
    if (!staff.empty()) {
      for (std::size_t i = 0; i < state_.windows.size(); ++i) {
        if (i != w && state_.windows[i].state != WindowState::kClosed &&
            staff_id(state_.windows[i].staff) == staff) {
          return refuse(ErrorCode::kStaffOnDuty,
                        fmt::format("工号 {} 已在{}登录", staff, window_label(static_cast<WindowIdx>(i))));
        }
      }
    }
    return {};
  };
  auto find_by_number = [&](std::string_view number, const Ticket*& t) -> Status {
    t = find_number(number);
    if (t == nullptr) return refuse(ErrorCode::kUnknownTicket, fmt::format("今天没有 {} 号", number));
    return {};
  };
  auto wrong_state = [&](const Ticket& t, std::string_view action) {
    return refuse(ErrorCode::kWrongTicketState,
                  fmt::format("{} 当前为“{}”，不能{}", number_of(t), display_name(t.state), action));
  };

  return std::visit(
      Overloaded{
          [&](const IssueTicket& c) -> Status {
            auto s = cfg.find_service(c.service);
            if (!s) return refuse(ErrorCode::kUnknownService, fmt::format("没有事项“{}”", c.service));
            const std::uint32_t number = state_.last_number[*s] + 1;
            if (number > static_cast<std::uint32_t>(cfg.rules.max_tickets_per_service)) {
              return refuse(ErrorCode::kLimitReached,
                            fmt::format("{} 今日号码已发完（{} 个）", cfg.services[*s].name,
                                        cfg.rules.max_tickets_per_service));
            }
            const Prediction p = predictor_->predict_new(*this, *s, c.priority, now);
            emit(TicketIssued{state_.next_ticket, *s, number, c.priority, p.ahead, p.wait_s}, now, out);
            return {};
          },
          [&](const OpenWindow& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            if (Status st = check_staff(w, c.staff); !st) return st;
            const Window& win = state_.windows[w];
            if (win.state == WindowState::kClosed) {
              emit(WindowOpened{w, std::string(c.staff)}, now, out);
            } else if (staff_id(win.staff) == c.staff) {
              return refuse(ErrorCode::kWindowAlreadyOpen,
                            c.staff.empty() ? fmt::format("{}已开放", window_label(w))
                                            : fmt::format("{}已由 {} 开放", window_label(w), c.staff));
            } else {
              emit(StaffChanged{w, std::string(c.staff)}, now, out);
            }
            return {};
          },
          [&](const CloseWindow& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            const Window& win = state_.windows[w];
            if (win.state == WindowState::kClosed)
              return refuse(ErrorCode::kWindowClosed, fmt::format("{}已关闭", window_label(w)));
            if (win.current != 0) {
              const Ticket& t = *find_ticket(win.current);
              return refuse(ErrorCode::kWindowBusy,
                            fmt::format("{}还有 {}（{}），请先办结、过号或转出再关闭", window_label(w),
                                        number_of(t), display_name(t.state)));
            }
            emit(WindowClosed{w}, now, out);
            return {};
          },
          [&](const PauseWindow& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            const Window& win = state_.windows[w];
            if (win.state == WindowState::kClosed)
              return refuse(ErrorCode::kWindowClosed, fmt::format("{}未开放", window_label(w)));
            if (win.state == WindowState::kPaused)
              return refuse(ErrorCode::kWindowPaused, fmt::format("{}已暂停", window_label(w)));
            emit(WindowPaused{w}, now, out);
            return {};
          },
          [&](const ResumeWindow& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            const Window& win = state_.windows[w];
            if (win.state == WindowState::kClosed)
              return refuse(ErrorCode::kWindowClosed, fmt::format("{}未开放", window_label(w)));
            if (win.state != WindowState::kPaused)
              return refuse(ErrorCode::kWindowNotPaused, fmt::format("{}没有暂停", window_label(w)));
            emit(WindowResumed{w}, now, out);
            return {};
          },
          [&](const CallNext& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            if (Status st = check_can_call(w); !st) return st;
            const TicketId id = policy_->choose(*this, w, now);
            if (id == 0)
              return refuse(ErrorCode::kQueueEmpty, fmt::format("{}暂无可叫的号", window_label(w)));
            const Ticket* t = find_ticket(id);
            if (t == nullptr || t->state != TicketState::kWaiting) {
              return refuse(ErrorCode::kInternal,
                            fmt::format("叫号策略 {} 选了不在等候的票 {}", policy_->name(), id));
            }
            emit(TicketCalled{id, w}, now, out);
            return {};
          },
          [&](const CallTicket& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            if (Status st = check_can_call(w); !st) return st;
            const Ticket* t;
            if (Status st = find_by_number(c.number, t); !st) return st;
            if (t->state != TicketState::kWaiting && t->state != TicketState::kHeld)
              return wrong_state(*t, "叫号");
            emit(TicketCalled{t->id, w}, now, out);
            return {};
          },
          [&](const Recall& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            const Ticket* t;
            if (Status st = current_in(w, TicketState::kCalled, t); !st) return st;
            if (t->recalls >= cfg.rules.recall_limit) {
              return refuse(ErrorCode::kRecallLimit,
                            fmt::format("{} 已重呼 {} 次（上限 {}），可按过号", number_of(*t), t->recalls,
                                        cfg.rules.recall_limit));
            }
            emit(TicketRecalled{t->id, w}, now, out);
            return {};
          },
          [&](const StartService& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            const Ticket* t;
            if (Status st = current_in(w, TicketState::kCalled, t); !st) return st;
            emit(ServiceStarted{t->id, w}, now, out);
            return {};
          },
          [&](const SkipTicket& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            const Ticket* t;
            if (Status st = current_in(w, TicketState::kCalled, t); !st) return st;
            emit(TicketSkipped{t->id, w}, now, out);
            return {};
          },
          [&](const Reactivate& c) -> Status {
            const Ticket* t;
            if (Status st = find_by_number(c.number, t); !st) return st;
            if (t->state != TicketState::kNoShow) return wrong_state(*t, "回呼");
            if (now - t->ended_at > cfg.rules.reactivate_min * kUsPerMinute) {
              return refuse(
                  ErrorCode::kReactivateExpired,
                  fmt::format("{} 过号已超过 {} 分钟，请重新取号", number_of(*t), cfg.rules.reactivate_min));
            }
            // Rejoin behind `reactivate_behind` of those waiting in its class.
            const auto& line = index_.queues[t->service].line(queue_class_of(t->priority));
            TimeUs key = now;
            if (line.size() > static_cast<std::size_t>(cfg.rules.reactivate_behind) &&
                cfg.rules.reactivate_behind > 0) {
              key = std::next(line.begin(), cfg.rules.reactivate_behind - 1)->key;
            } else if (cfg.rules.reactivate_behind == 0) {
              // Just ahead of the head: with an equal key the later enqueue order sorts behind it.
              key = line.empty() ? now : std::min(now, line.begin()->key - 1);
            }
            emit(TicketRequeued{t->id, key, false}, now, out);
            return {};
          },
          [&](const HoldTicket& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            const Ticket* t;
            if (Status st = current_in(w, TicketState::kServing, t); !st) return st;
            emit(TicketHeld{t->id, w}, now, out);
            return {};
          },
          [&](const UnholdTicket& c) -> Status {
            const Ticket* t;
            if (Status st = find_by_number(c.number, t); !st) return st;
            if (t->state != TicketState::kHeld) return wrong_state(*t, "恢复排队");
            emit(TicketRequeued{t->id, now, true}, now, out);
            return {};
          },
          [&](const Transfer& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            auto s = cfg.find_service(c.service);
            if (!s) return refuse(ErrorCode::kUnknownService, fmt::format("没有事项“{}”", c.service));
            const Ticket* t;
            if (Status st = current_in(w, TicketState::kServing, t); !st) return st;
            if (t->service == *s) {
              return refuse(ErrorCode::kSameService,
                            fmt::format("{} 已是“{}”事项", number_of(*t), cfg.services[*s].name));
            }
            emit(TicketTransferred{t->id, w, *s}, now, out);
            return {};
          },
          [&](const Finish& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            const Ticket* t;
            if (Status st = current_in(w, TicketState::kServing, t); !st) return st;
            emit(TicketFinished{t->id, w}, now, out);
            return {};
          },
          [&](const Evaluate& c) -> Status {
            if (c.level < 0 || c.level > 5) {
              return refuse(ErrorCode::kBadArgument,
                            fmt::format("评价等级须为 1 至 5（5 非常满意 … 1 非常不满意；0 未评价），收到 {}",
                                        c.level));
            }
            const Ticket* t;
            if (Status st = find_by_number(c.number, t); !st) return st;
            if (t->state == TicketState::kRated) {
              return refuse(ErrorCode::kAlreadyRated, t->rating == 0
                                                          ? fmt::format("{} 已记为未评价", number_of(*t))
                                                          : fmt::format("{} 已评价过", number_of(*t)));
            }
            if (t->state != TicketState::kDone) return wrong_state(*t, "评价");
            if (!c.window.empty()) {
              WindowIdx w = 0;
              if (Status st = find_window(c.window, w); !st) return st;
              if (t->window != w) {
                return refuse(ErrorCode::kWrongWindow,
                              fmt::format("{} 不是在{}办理的", number_of(*t), window_label(w)));
              }
            }
            emit(TicketEvaluated{t->id, static_cast<std::uint8_t>(c.level)}, now, out);
            return {};
          },
          [&](const Cancel& c) -> Status {
            const Ticket* t;
            if (Status st = find_by_number(c.number, t); !st) return st;
            if (t->state != TicketState::kWaiting && !is_requeueable(t->state))
              return wrong_state(*t, "取消");
            emit(TicketLeft{t->id, c.reason}, now, out);
            return {};
          },
          [&](const Tick&) -> Status { return {}; },
          [&](const SetWindowSkills& c) -> Status {
            WindowIdx w = 0;
            if (Status st = find_window(c.window, w); !st) return st;
            if (c.serves.empty())
              return refuse(ErrorCode::kBadArgument, fmt::format("{}至少要办理一项事项", window_label(w)));
            std::vector<Skill> skills;
            for (const auto& [id, level] : c.serves) {
              auto s = cfg.find_service(id);
              if (!s) return refuse(ErrorCode::kUnknownService, fmt::format("没有事项“{}”", id));
              if (level < 1 || level > 9)
                return refuse(ErrorCode::kBadArgument,
                              fmt::format("事项 {} 的级别须为 1 至 9，收到 {}", id, level));
              for (const Skill& k : skills)
                if (k.service == *s) return refuse(ErrorCode::kBadArgument, fmt::format("事项 {} 重复", id));
              skills.push_back({*s, static_cast<std::uint8_t>(level)});
            }
            sort_skills(skills);
            const auto& now_skills = state_.windows[w].skills;
            if (std::equal(skills.begin(), skills.end(), now_skills.begin(), now_skills.end(),
                           [](const Skill& a, const Skill& b) {
                             return a.service == b.service && a.level == b.level;
                           }))
              return refuse(ErrorCode::kBadArgument, fmt::format("{}已是这样办理", window_label(w)));
            emit(WindowSkillsChanged{w, std::move(skills), 0}, now, out);
            return {};
          },
          [&](const Advise& c) -> Status {
            if (c.service >= cfg.services.size() || c.window >= cfg.windows.size() || c.skills.empty())
              return refuse(ErrorCode::kBadArgument, "建议无效");
            for (const Skill& k : c.skills)
              if (k.service >= cfg.services.size() || k.level < 1 || k.level > 9)
                return refuse(ErrorCode::kBadArgument, "建议的事项无效");
            std::vector<Skill> skills = c.skills;
            sort_skills(skills);
            emit(AdvisoryIssued{state_.next_advisory, c.service, c.window, c.action, std::move(skills),
                                c.wait_before_s, c.wait_after_s},
                 now, out);
            return {};
          },
          [&](const AcceptAdvisory& c) -> Status {
            const Advisory* a = nullptr;
            for (const Advisory& x : state_.advisories)
              if (x.id == c.advisory) a = &x;
            if (a == nullptr)
              return refuse(ErrorCode::kUnknownAdvisory, fmt::format("没有待处理的建议 #{}", c.advisory));
            if (now - a->issued_at > kAdvisoryLifetime)
              return refuse(ErrorCode::kUnknownAdvisory,
                            fmt::format("建议 #{} 已过期，请等待新的建议", c.advisory));
            const WindowIdx w = a->window;
            const bool closed = state_.windows[w].state == WindowState::kClosed;
            if (closed && a->action == AdvisoryAction::kLend)
              return refuse(ErrorCode::kWindowClosed,
                            fmt::format("{}已关闭，建议 #{} 不再适用", window_label(w), c.advisory));
            if (closed) {
              if (Status st = check_staff(w, c.staff); !st) return st;
            }
            std::vector<Skill> skills = a->skills;
            const std::uint32_t id = a->id;
            if (closed) emit(WindowOpened{w, std::string(c.staff)}, now, out);
            emit(WindowSkillsChanged{w, std::move(skills), id}, now, out);
            return {};
          },
          [&](const SetNotice& c) -> Status {
            if (c.text.size() > kMaxNoticeBytes) {
              return refuse(ErrorCode::kBadArgument,
                            fmt::format("通知过长：{} 字节，最多 {} 字节（约 {} 个汉字）", c.text.size(),
                                        kMaxNoticeBytes, kMaxNoticeBytes / 3));
            }
            if (!printable_utf8(c.text))
              return refuse(ErrorCode::kBadArgument, "通知须为 UTF-8 文字，不含控制字符");
            if (c.text == state_.notice) return refuse(ErrorCode::kBadArgument, "通知内容与当前相同");
            emit(NoticeChanged{std::string(c.text)}, now, out);
            return {};
          },
      },
      body);
}

// ---------------------------------------------------------------- events

StaffIdx Hall::intern_staff(const std::string& staff_id) {
  if (staff_id.empty()) return kNoStaff;
  for (std::size_t i = 0; i < state_.staff_names.size(); ++i)
    if (state_.staff_names[i] == staff_id) return static_cast<StaffIdx>(i);
  state_.staff_names.push_back(staff_id);
  return static_cast<StaffIdx>(state_.staff_names.size() - 1);
}

void Hall::enqueue(Ticket& t) {
  t.queue_order = state_.next_queue_order++;
  index_.queues[t.service].push(t.queue_class, {t.queue_key, t.queue_order, t.id});
}

void Hall::dequeue(Ticket& t) {
  const bool erased = index_.queues[t.service].erase(t.queue_class, {t.queue_key, t.queue_order, t.id});
  assert(erased);
  (void)erased;
}

void Hall::apply_event(const Event& e) {
  if (e.seq != state_.seq + 1) {
    throw CorruptionError(
        fmt::format("hall {}: event {} where {} was expected", config_->id, e.seq, state_.seq + 1));
  }
  auto fail = [&](std::string_view what) {
    throw CorruptionError(
        fmt::format("hall {}: event {} ({}) does not fit: {}", config_->id, e.seq, event_name(e.body), what));
  };
  auto window_at = [&](WindowIdx w) -> Window& {
    if (w >= state_.windows.size()) fail("unknown window");
    return state_.windows[w];
  };
  auto ticket_at = [&](TicketId id) -> Ticket& {
    Ticket* t = ticket_mut(id);
    if (t == nullptr) fail("unknown ticket");
    return *t;
  };
  // The window's current ticket, which must be `id` in state `s`.
  auto current_at = [&](WindowIdx w, TicketId id, TicketState s) -> std::pair<Window&, Ticket&> {
    Window& win = window_at(w);
    Ticket& t = ticket_at(id);
    if (win.current != id || t.state != s) fail("not the window's current ticket in that state");
    return {win, t};
  };
  auto free_window = [&](Window& win) {
    win.current = 0;
    win.idle_since = e.time;
  };

  std::visit(
      Overloaded{
          [&](const TicketIssued& ev) {
            if (ev.service >= index_.queues.size()) fail("unknown service");
            if (ev.ticket != state_.next_ticket) fail("ticket id out of order");
            if (ev.number != state_.last_number[ev.service] + 1) fail("ticket number out of order");
            if (!state_.tickets.empty() && state_.tickets.back().id + 1 != ev.ticket)
              fail("ticket ids not contiguous");
            Ticket t;
            t.id = ev.ticket;
            t.number = ev.number;
            t.issued_service = t.service = ev.service;
            t.priority = ev.priority;
            t.queue_class = queue_class_of(ev.priority);
            t.ahead_at_issue = ev.ahead;
            t.predicted_wait_s = ev.predicted_wait_s;
            t.issued_at = t.queue_key = e.time;
            state_.tickets.push_back(t);
            enqueue(state_.tickets.back());
            index_.by_number[ev.service].push_back(ev.ticket);
            state_.last_number[ev.service] = ev.number;
            state_.next_ticket = ev.ticket + 1;
            state_.stats[ev.service].add_arrival(e.time);
          },
          [&](const WindowOpened& ev) {
            Window& win = window_at(ev.window);
            if (win.state != WindowState::kClosed) fail("window already open");
            win.state = WindowState::kOpen;
            win.staff = intern_staff(ev.staff);
            win.state_since = win.idle_since = e.time;
            win.consecutive_priority = 0;
          },
          [&](const StaffChanged& ev) {
            Window& win = window_at(ev.window);
            if (win.state == WindowState::kClosed) fail("window closed");
            win.staff = intern_staff(ev.staff);
          },
          [&](const WindowClosed& ev) {
            Window& win = window_at(ev.window);
            if (win.state == WindowState::kClosed || win.current != 0) fail("window closed or busy");
            win.state = WindowState::kClosed;
            win.staff = kNoStaff;
            win.state_since = e.time;
          },
          [&](const WindowPaused& ev) {
            Window& win = window_at(ev.window);
            if (win.state != WindowState::kOpen) fail("window not open");
            win.state = WindowState::kPaused;
            win.state_since = e.time;
          },
          [&](const WindowResumed& ev) {
            Window& win = window_at(ev.window);
            if (win.state != WindowState::kPaused) fail("window not paused");
            ++state_.pauses;
            state_.pause_seconds +=
                std::max<double>(0, static_cast<double>(e.time - win.state_since) / kUsPerSecond);
            win.state = WindowState::kOpen;
            win.state_since = e.time;
          },
          [&](const TicketCalled& ev) {
            Window& win = window_at(ev.window);
            Ticket& t = ticket_at(ev.ticket);
            if (win.state == WindowState::kClosed || win.current != 0) fail("window cannot call");
            if (t.state == TicketState::kWaiting) {
              dequeue(t);
            } else if (t.state != TicketState::kHeld) {
              fail("ticket not waiting");
            }
            t.state = TicketState::kCalled;
            t.window = ev.window;
            t.recalls = 0;
            t.called_at = e.time;
            if (t.first_called_at == 0) t.first_called_at = e.time;
            win.current = t.id;
            if (t.queue_class == QueueClass::kNormal) {
              win.consecutive_priority = 0;
            } else if (win.consecutive_priority < 255) {
              ++win.consecutive_priority;
            }
          },
          [&](const TicketRecalled& ev) {
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kCalled);
            if (t.recalls < 255) ++t.recalls;
          },
          [&](const ServiceStarted& ev) {
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kCalled);
            t.state = TicketState::kServing;
            t.started_at = e.time;
          },
          [&](const TicketSkipped& ev) {
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kCalled);
            t.state = TicketState::kNoShow;
            t.ended_at = e.time;
            free_window(win);
          },
          [&](const TicketRequeued& ev) {
            Ticket& t = ticket_at(ev.ticket);
            if (!is_requeueable(t.state)) fail("ticket neither held nor a no-show");
            t.state = TicketState::kWaiting;
            t.queue_class = ev.returning ? QueueClass::kReturning : queue_class_of(t.priority);
            t.queue_key = ev.queue_key;
            t.ended_at = 0;
            enqueue(t);
          },
          [&](const TicketHeld& ev) {
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kServing);
            t.state = TicketState::kHeld;
            free_window(win);
          },
          [&](const TicketTransferred& ev) {
            if (ev.service >= index_.queues.size()) fail("unknown service");
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kServing);
            t.service = ev.service;
            if (t.transfers < 255) ++t.transfers;
            t.state = TicketState::kWaiting;
            t.queue_class = QueueClass::kReturning;
            t.queue_key = e.time;
            enqueue(t);
            free_window(win);
          },
          [&](const TicketFinished& ev) {
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kServing);
            t.state = TicketState::kDone;
            t.finished_at = e.time;
            t.staff = win.staff;
            ++win.served;
            state_.stats[t.service].add(static_cast<double>(e.time - t.started_at) / kUsPerSecond);
            free_window(win);
          },
          [&](const TicketEvaluated& ev) {
            Ticket& t = ticket_at(ev.ticket);
            if (t.state != TicketState::kDone || ev.level > 5) fail("not ratable");
            t.state = TicketState::kRated;
            t.rating = ev.level;
          },
          [&](const TicketLeft& ev) {
            Ticket& t = ticket_at(ev.ticket);
            if (t.state == TicketState::kWaiting) {
              dequeue(t);
            } else if (!is_requeueable(t.state)) {
              fail("ticket cannot leave");
            }
            t.state = TicketState::kLeft;
            t.ended_at = e.time;
          },
          [&](const WindowSkillsChanged& ev) {
            Window& win = window_at(ev.window);
            if (ev.skills.empty()) fail("no skills");
            for (const Skill& k : ev.skills)
              if (k.service >= index_.queues.size() || k.level < 1 || k.level > 9) fail("bad skill");
            win.skills = ev.skills;
            std::erase_if(state_.advisories, [&](const Advisory& a) { return a.id == ev.advisory; });
          },
          [&](const NoticeChanged& ev) {
            if (ev.text.size() > kMaxNoticeBytes) fail("notice too long");
            state_.notice = ev.text;
          },
          [&](const AdvisoryIssued& ev) {
            if (ev.advisory != state_.next_advisory) fail("advisory id out of order");
            if (ev.service >= index_.queues.size() || ev.window >= state_.windows.size() || ev.skills.empty())
              fail("bad advisory");
            for (const Skill& k : ev.skills)
              if (k.service >= index_.queues.size() || k.level < 1 || k.level > 9) fail("bad skill");
            // One open advisory per service: the newest replaces the older.
            std::erase_if(state_.advisories, [&](const Advisory& a) { return a.service == ev.service; });
            state_.advisories.push_back({ev.advisory, ev.service, ev.window, ev.action, ev.skills,
                                         ev.wait_before_s, ev.wait_after_s, e.time});
            state_.next_advisory = ev.advisory + 1;
          },
          [&](const DayRolled& ev) {
            if (ev.day <= state_.day) fail("day does not advance");
            for (Ticket& t : state_.tickets) {
              if (t.state == TicketState::kWaiting || is_requeueable(t.state)) {
                t.state = TicketState::kExpired;
                t.ended_at = e.time;
              }
            }
            for (ServiceQueue& q : index_.queues) q.clear();
            std::fill(state_.last_number.begin(), state_.last_number.end(), 0);
            state_.advisories.clear();
            for (auto& v : index_.by_number) v.clear();
            for (Window& w : state_.windows) {
              w.served = 0;
              w.consecutive_priority = 0;
            }
            // Keep only tickets still at a window (called or serving across midnight)
            // and everything after the first of them, so ids stay contiguous.
            auto first_active =
                std::find_if(state_.tickets.begin(), state_.tickets.end(), [](const Ticket& t) {
                  return t.state == TicketState::kCalled || t.state == TicketState::kServing;
                });
            state_.tickets.erase(state_.tickets.begin(), first_active);
          },
      },
      e.body);

  state_.clock = std::max(state_.clock, e.time);
  if (std::holds_alternative<WindowOpened>(e.body) || std::holds_alternative<WindowClosed>(e.body) ||
      std::holds_alternative<WindowPaused>(e.body) || std::holds_alternative<WindowResumed>(e.body) ||
      std::holds_alternative<WindowSkillsChanged>(e.body)) {
    count_open_windows();
  }
  if (std::holds_alternative<DayRolled>(e.body)) {
    state_.day = std::get<DayRolled>(e.body).day;
  } else if (state_.day == 0) {
    state_.day = config_->local_day(e.time);
  }
  state_.seq = e.seq;
}

// ---------------------------------------------------------------- snapshots

HallState Hall::export_state(bool with_requests) const {
  HallState s = state_;
  if (with_requests) {
    s.requests.reserve(requests_.size());
    requests_.for_each([&](std::string_view id, const RequestRecord& r) { s.requests.emplace_back(id, r); });
  }
  return s;
}

void Hall::import_state(HallState s) {
  // Every check comes before the first assignment: a refused state leaves the hall as it was.
  const std::size_t n_services = config_->services.size();
  auto fail = [&](std::string_view what) {
    throw CorruptionError(fmt::format("hall {}: snapshot does not fit: {}", config_->id, what));
  };
  if (s.windows.size() != config_->windows.size()) fail("window count");
  if (s.last_number.size() != n_services || s.stats.size() != n_services) fail("service count");
  for (std::size_t i = 1; i < s.tickets.size(); ++i)
    if (s.tickets[i].id != s.tickets[i - 1].id + 1) fail("ticket ids not contiguous");
  // Tickets are only ever dropped from the front (day roll), so the next id
  // follows the last one; a gap would make the next issue fail (fuzz/regressions/snapshot).
  if (!s.tickets.empty() && s.tickets.back().id + 1 != s.next_ticket)
    fail("next ticket id does not follow the last");
  for (const Ticket& t : s.tickets) {
    if (t.service >= n_services || t.issued_service >= n_services) fail("ticket service");
    if (t.window != kNoWindow && t.window >= s.windows.size()) fail("ticket window");
  }
  for (const Advisory& a : s.advisories) {
    if (a.service >= n_services || a.window >= s.windows.size() || a.id >= s.next_advisory) fail("advisory");
    for (const Skill& k : a.skills)
      if (k.service >= n_services || k.level < 1 || k.level > 9) fail("advisory skill");
  }
  for (std::size_t wi = 0; wi < s.windows.size(); ++wi) {
    const Window& w = s.windows[wi];
    if (w.staff != kNoStaff && w.staff >= s.staff_names.size()) fail("window staff");
    // Levels index index_.open_at_level (1..9), as apply_event checks for skill events.
    for (const Skill& k : w.skills)
      if (k.service >= n_services || k.level < 1 || k.level > 9) fail("window skill");
    // Ids are contiguous, so the current ticket is present iff its id is in range.
    if (w.current != 0 &&
        (s.tickets.empty() || w.current < s.tickets.front().id || w.current > s.tickets.back().id))
      fail("window's current ticket missing");
    // ... and called or served there: a day roll keeps only such tickets, so
    // any other would be dropped under the window (fuzz/regressions/snapshot/current-*).
    if (w.current != 0) {
      const Ticket& t = s.tickets[w.current - s.tickets.front().id];
      if ((t.state != TicketState::kCalled && t.state != TicketState::kServing) || t.window != wi)
        fail("window's current ticket is not called or served there");
    }
  }

  requests_.clear();
  for (const auto& [id, rec] : s.requests) requests_.remember(id, rec);
  s.requests.clear();
  state_ = std::move(s);
  rebuild_indexes();
}

void Hall::rebuild_indexes() {
  const std::size_t n_services = config_->services.size();
  index_.queues.assign(n_services, ServiceQueue());
  index_.by_number.assign(n_services, {});
  for (const Ticket& t : state_.tickets) {
    if (t.state == TicketState::kWaiting)
      index_.queues[t.service].push(t.queue_class, {t.queue_key, t.queue_order, t.id});
    // Today's numbers: tickets carried over from an earlier day are not indexed.
    if (config_->local_day(t.issued_at) == state_.day &&
        t.number == index_.by_number[t.issued_service].size() + 1)
      index_.by_number[t.issued_service].push_back(t.id);
  }
  count_open_windows();
}

}  // namespace hallq::core
