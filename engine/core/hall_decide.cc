// Deciding: Hall::apply checks a command against the hall's state and turns it
// into events. It validates fully before emitting anything, so a refusal
// leaves no trace; each accepted event is folded (hall_fold.cc) as it is
// emitted.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "engine/core/appointment_slots.h"
#include "engine/core/calendar.h"
#include "engine/core/evaluation_rules.h"
#include "engine/core/hall.h"
#include "engine/core/overloaded.h"
#include "engine/core/rating.h"
#include "engine/core/upload_rejection.h"
#include "engine/core/utf8.h"
#include "engine/core/work_order.h"
#include "engine/core/working_days.h"

namespace hallq::core {
namespace {

Status refuse(ErrorCode code, std::string message) { return {code, std::move(message)}; }

}  // namespace

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
  // Bookings past their check-in margin are no-shows; their places are released.
  std::vector<std::uint32_t> missed;
  for (const Booking& b : state_.bookings) {
    if (b.state != BookingState::kBooked) continue;
    const AppointmentConfig* a = config_->appointments_of(b.service);
    const int after = a ? a->check_in_after_min : 0;
    if (now > slot_time(*config_, b.day, b.slot_min) + after * kUsPerMinute) missed.push_back(b.code);
  }
  for (std::uint32_t code : missed) emit(BookingMissed{code}, now, out);
  // Remote tickets whose turn came and whose grace ran out are dropped as not arrived.
  std::vector<TicketId> dropped;
  for (const RemoteTicket& r : state_.remotes)
    if (r.state == RemoteState::kAwaiting && r.grace_until != 0 && now > r.grace_until)
      dropped.push_back(r.ticket);
  for (TicketId id : dropped) emit(RemoteMissed{id}, now, out);
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
  // The window other than `except` at which `staff` is on duty, if any.
  auto on_duty_at = [&](std::string_view staff, WindowIdx except) -> std::optional<WindowIdx> {
    for (std::size_t i = 0; i < state_.windows.size(); ++i) {
      if (i != except && state_.windows[i].state != WindowState::kClosed &&
          staff_id(state_.windows[i].staff) == staff)
        return static_cast<WindowIdx>(i);
    }
    return std::nullopt;
  };
  // A staff id that can be shown and stored (it goes into events, screens and
  // reports) and is known when the hall lists staff; `w` is the window it is
  // for (named when the id is missing).
  auto check_staff_id = [&](WindowIdx w, std::string_view staff) -> Status {
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
    return {};
  };
  // The staff who would open window `w`: a valid id, not logged in at another window.
  auto check_staff = [&](WindowIdx w, std::string_view staff) -> Status {
    if (Status st = check_staff_id(w, staff); !st) return st;
    if (!staff.empty()) {
      if (auto at = on_duty_at(staff, w)) {
        return refuse(ErrorCode::kStaffOnDuty, fmt::format("工号 {} 已在{}登录", staff, window_label(*at)));
      }
    }
    return {};
  };
  // An open window that may close: no current ticket.
  auto check_can_close = [&](WindowIdx w) -> Status {
    const Window& win = state_.windows[w];
    if (win.current != 0) {
      const Ticket& t = *find_ticket(win.current);
      return refuse(ErrorCode::kWindowBusy,
                    fmt::format("{}还有 {}（{}），请先办结、过号或转出再关闭", window_label(w), number_of(t),
                                display_name(t.state)));
    }
    return {};
  };
  auto find_by_number = [&](std::string_view number, const Ticket*& t) -> Status {
    t = find_number(number);
    if (t == nullptr) return refuse(ErrorCode::kUnknownTicket, fmt::format("今天没有 {} 号", number));
    return {};
  };
  // An open 差评 work order for step `step` (回访, 整改).
  auto open_work_order = [&](TicketId id, std::string_view step, const WorkOrder*& o) -> Status {
    o = find_work_order(id);
    if (o == nullptr)
      return refuse(ErrorCode::kUnknownTicket, fmt::format("没有差评工单 {}（或已整改办结并归档）", id));
    if (o->closed())
      return refuse(ErrorCode::kWrongTicketState,
                    fmt::format("差评工单 {}（{}）已整改办结，不能再记录{}", o->ticket, o->number, step));
    return {};
  };
  // Who records a work-order step: the manager's account.
  auto check_by = [&](std::string_view by) -> Status {
    if (by.empty() || by.size() > kMaxStaffIdBytes || !printable_utf8(by))
      return refuse(ErrorCode::kBadArgument,
                    fmt::format("记录人须为 1 至 {} 字节、不含控制字符的 UTF-8 文字", kMaxStaffIdBytes));
    return {};
  };
  auto find_booking_code = [&](std::uint32_t code, const Booking*& b) -> Status {
    b = find_booking(code);
    if (b == nullptr)
      return refuse(ErrorCode::kUnknownBooking,
                    code == 0 ? std::string("预约码须为 6 位数字") : fmt::format("没有预约码 {}", code));
    return {};
  };
  auto clock_text = [](int minute) { return fmt::format("{:02}:{:02}", minute / 60, minute % 60); };
  auto slot_text = [&](const Booking& b) {
    const CivilDate d = civil_date(b.day);
    return fmt::format("{}月{}日 {}", d.month, d.day, clock_text(b.slot_min));
  };
  // A new ticket of service `s`, or why the service's numbers are exhausted.
  auto issue = [&](ServiceIdx s, Priority priority) -> Status {
    const std::uint32_t number = state_.last_number[s] + 1;
    if (number > static_cast<std::uint32_t>(cfg.rules.max_tickets_per_service)) {
      return refuse(ErrorCode::kLimitReached, fmt::format("{} 今日号码已发完（{} 个）", cfg.services[s].name,
                                                          cfg.rules.max_tickets_per_service));
    }
    const Prediction p = predictor_->predict_new(*this, s, priority, now);
    emit(TicketIssued{state_.next_ticket, s, number, priority, p.ahead, p.wait_s}, now, out);
    return {};
  };
  // A code for a new booking or remote ticket from the sender's nonce, moved
  // on past codes in use by either; 0 when every code is in use.
  auto free_code = [&](std::uint32_t nonce) -> std::uint32_t {
    if (state_.bookings.size() + state_.remotes.size() >= kBookingCodes) return 0;
    std::uint32_t code = kFirstBookingCode + nonce % kBookingCodes;
    while (find_booking(code) != nullptr || find_remote_code(code) != nullptr)
      code = code + 1 == kFirstBookingCode + kBookingCodes ? kFirstBookingCode : code + 1;
    return code;
  };
  // The remote-call share cap (HallRules::remote_call_share): when calling
  // remote ticket `id` would put remote tickets' share of today's first calls
  // above the cap, the first walk-in behind it in its line goes instead (if
  // there is none, the remote ticket is called). Policies stay unaware.
  auto capped = [&](TicketId id) -> TicketId {
    const double cap = cfg.rules.remote_call_share;
    const Ticket* t = find_ticket(id);
    if (cap >= 1 || t == nullptr || t->first_called_at != 0 || find_remote(id) == nullptr) return id;
    if (index_.remote_calls_today + 1 <= cap * (index_.calls_today + 1) + 1e-9) return id;
    for (const QueueEntry& e : index_.queues[t->service].line(t->queue_class))
      if (find_remote(e.ticket) == nullptr) return e.ticket;
    return id;
  };
  // After ticket `called` (of `service`, class `c`, queue key `key`) was
  // called: remote tickets of the service not checked in and taken before it
  // had their turn; their grace starts.
  auto turns_came = [&](ServiceIdx service, QueueClass c, TimeUs key) {
    if (c != QueueClass::kNormal) return;
    const RemoteConfig* rc = cfg.remote_of(service);
    std::vector<TicketId> came;
    for (const RemoteTicket& r : state_.remotes) {
      if (r.service != service || r.state != RemoteState::kAwaiting || r.grace_until != 0) continue;
      const Ticket* t = find_ticket(r.ticket);
      if (t != nullptr && t->issued_at < key) came.push_back(r.ticket);
    }
    const int grace = rc ? rc->grace_min : 15;
    for (TicketId id : came) emit(RemoteTurnCame{id, now + grace * kUsPerMinute}, now, out);
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
            return issue(*s, c.priority);
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
            if (Status st = check_can_close(w); !st) return st;
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
            const TicketId chosen = policy_->choose(*this, w, now);
            if (chosen == 0)
              return refuse(ErrorCode::kQueueEmpty, fmt::format("{}暂无可叫的号", window_label(w)));
            const Ticket* t = find_ticket(chosen);
            if (t == nullptr || t->state != TicketState::kWaiting) {
              return refuse(ErrorCode::kInternal,
                            fmt::format("叫号策略 {} 选了不在等候的票 {}", policy_->name(), chosen));
            }
            const TicketId id = capped(chosen);
            t = find_ticket(id);
            const ServiceIdx service = t->service;
            const QueueClass cls = t->queue_class;
            const TimeUs key = t->queue_key;
            emit(TicketCalled{id, w}, now, out);
            turns_came(service, cls, key);
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
            const bool waited = t->state == TicketState::kWaiting;
            const ServiceIdx service = t->service;
            const QueueClass cls = t->queue_class;
            const TimeUs key = t->queue_key;
            emit(TicketCalled{t->id, w}, now, out);
            if (waited) turns_came(service, cls, key);
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
            if (const RemoteTicket* r = find_remote(t->id); r && r->state == RemoteState::kDropped)
              return refuse(ErrorCode::kWrongTicketState,
                            fmt::format("{} 未按时签到，号码已作废，请重新取号", number_of(*t)));
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
            if (std::string problem = case_number_problem(c.case_number); !problem.empty())
              return refuse(ErrorCode::kBadArgument, std::move(problem));
            emit(TicketFinished{t->id, w, std::string(c.case_number)}, now, out);
            return {};
          },
          [&](const Evaluate& c) -> Status {
            if (c.level < 0 || c.level > kBestRating) {
              return refuse(ErrorCode::kBadArgument,
                            fmt::format("评价等级须为 1 至 5（5 非常满意 … 1 非常不满意；0 未评价），收到 {}",
                                        c.level));
            }
            if (Status st = check_evaluation_details(cfg, c); !st) return st;
            const std::int64_t today = state_.day != 0 ? state_.day : cfg.local_day(now);
            if (c.day != 0 && c.day != today) {
              const RateableTicket* r = nullptr;
              if (Status st = find_rateable(cfg, state_.rateable, c, today, r); !st) return st;
              const TicketId id = r->ticket;
              emit(evaluated(id, c, true), now, out);
              if (c.level == 1 || c.level == 2) {  // a later 差评 opens its work order too
                emit(work_order_opened(
                         id, c, add_working_days(cfg, cfg.local_day(now), follow_up_working_days(cfg))),
                     now, out);
              }
              return {};
            }
            const Ticket* t;
            if (Status st = find_by_number(c.number, t); !st) return st;
            // A keypad that timed out (未评价) leaves the ticket open to a later rating from
            // its phone page; a rating of 1..5 is never overwritten.
            if (t->state == TicketState::kRated && (t->rating != 0 || c.level == 0)) {
              return refuse(ErrorCode::kAlreadyRated, t->rating == 0
                                                          ? fmt::format("{} 已记为未评价", number_of(*t))
                                                          : fmt::format("{} 已评价过", number_of(*t)));
            }
            if (t->state != TicketState::kDone && t->state != TicketState::kRated)
              return wrong_state(*t, "评价");
            if (!c.window.empty()) {
              WindowIdx w = 0;
              if (Status st = find_window(c.window, w); !st) return st;
              if (t->window != w) {
                return refuse(ErrorCode::kWrongWindow,
                              fmt::format("{} 不是在{}办理的", number_of(*t), window_label(w)));
              }
            }
            const TicketId id = t->id;
            emit(evaluated(id, c, false), now, out);
            if (c.level == 1 || c.level == 2) {  // 差评: a work order, due in working days
              emit(work_order_opened(id, c,
                                     add_working_days(cfg, cfg.local_day(now), follow_up_working_days(cfg))),
                   now, out);
            }
            return {};
          },
          [&](const Cancel& c) -> Status {
            const Ticket* t;
            if (Status st = find_by_number(c.number, t); !st) return st;
            if (t->state != TicketState::kWaiting && !is_requeueable(t->state) &&
                t->state != TicketState::kNotArrived)
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
            if (skills == state_.windows[w].skills)
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
          [&](const ReportDevice& c) -> Status {
            if (c.device.empty() || c.device.size() > kMaxDeviceIdBytes || !printable_utf8(c.device))
              return refuse(ErrorCode::kBadArgument,
                            fmt::format("设备编号须为 1 至 {} 字节的 UTF-8 文字", kMaxDeviceIdBytes));
            if (c.kind.empty() || c.kind.size() > kMaxDeviceKindBytes || !printable_utf8(c.kind))
              return refuse(ErrorCode::kBadArgument,
                            fmt::format("设备类型须为 1 至 {} 字节的 UTF-8 文字", kMaxDeviceKindBytes));
            if (c.detail.size() > kMaxDeviceDetailBytes || !printable_utf8(c.detail))
              return refuse(ErrorCode::kBadArgument,
                            fmt::format("设备说明须为至多 {} 字节的 UTF-8 文字", kMaxDeviceDetailBytes));
            const DeviceStatus* known = find_device(c.device);
            if (known == nullptr && state_.devices.size() >= kMaxDevices)
              return refuse(ErrorCode::kLimitReached, fmt::format("本厅设备已达上限（{} 台）", kMaxDevices));
            if (known != nullptr && known->kind == c.kind && known->state == c.state &&
                known->detail == c.detail)
              return {};  // nothing changed (a device restarted, a resent report): no event
            emit(DeviceReported{std::string(c.device), std::string(c.kind), c.state, std::string(c.detail)},
                 now, out);
            return {};
          },
          [&](const Book& c) -> Status {
            auto s = cfg.find_service(c.service);
            if (!s) return refuse(ErrorCode::kUnknownService, fmt::format("没有事项“{}”", c.service));
            const AppointmentConfig* a = cfg.appointments_of(*s);
            if (a == nullptr)
              return refuse(ErrorCode::kBadArgument, fmt::format("{}不接受预约", cfg.services[*s].name));
            if (!valid_person_hash(c.person))
              return refuse(ErrorCode::kBadArgument,
                            fmt::format("预约人标识须为 {} 位小写十六进制（身份证号的散列，不是号码本身）",
                                        kPersonHexDigits));
            if (!valid_phone(c.phone))
              return refuse(ErrorCode::kBadArgument, "手机号须为 11 位数字，以 1 开头（可不填）");
            const std::int64_t today = cfg.local_day(now);
            if (c.day < today || c.day > today + a->book_ahead_days)
              return refuse(ErrorCode::kBadArgument,
                            a->book_ahead_days == 0
                                ? fmt::format("{}只能预约当天", cfg.services[*s].name)
                                : fmt::format("{}可预约今天起 {} 天内（至 {}）", cfg.services[*s].name,
                                              a->book_ahead_days, format_date(today + a->book_ahead_days)));
            if (c.slot_min < 0 || c.slot_min >= 24 * 60 || !is_slot(cfg, *a, c.day, c.slot_min)) {
              const std::vector<int> starts = slot_starts(cfg, *a, c.day);
              if (starts.empty())
                return refuse(ErrorCode::kBadArgument,
                              fmt::format("{} {}不办理预约", format_date(c.day), cfg.services[*s].name));
              return refuse(ErrorCode::kBadArgument,
                            fmt::format("{} {}没有 {} 开始的预约时段（时段 {} 分钟，首个 {}，末个 {}）",
                                        format_date(c.day), cfg.services[*s].name,
                                        clock_text(std::clamp(c.slot_min, 0, 24 * 60 - 1)), a->slot_min,
                                        clock_text(starts.front()), clock_text(starts.back())));
            }
            if (now > slot_time(cfg, c.day, c.slot_min) + a->check_in_after_min * kUsPerMinute)
              return refuse(ErrorCode::kBadArgument, fmt::format("{} 的时段已过", clock_text(c.slot_min)));
            int taken = 0;
            for (const Booking& b : state_.bookings) {
              if (b.service != *s || b.day != c.day) continue;
              if (b.person == c.person && b.state != BookingState::kNoShow)
                return refuse(ErrorCode::kAlreadyBooked,
                              fmt::format("此人已预约 {} {}（预约码 {}），同一事项每天限约一次",
                                          format_date(b.day), cfg.services[*s].name, b.code));
              if (b.slot_min == c.slot_min) ++taken;
            }
            if (taken >= a->capacity)
              return refuse(ErrorCode::kSlotFull,
                            fmt::format("{} {} 的时段已约满（{} 个名额）", format_date(c.day),
                                        clock_text(c.slot_min), a->capacity));
            const std::uint32_t code = free_code(c.nonce);
            if (code == 0) return refuse(ErrorCode::kLimitReached, "预约码已用尽");
            emit(BookingMade{code, *s, c.day, c.slot_min, std::string(c.person), std::string(c.phone)}, now,
                 out);
            return {};
          },
          [&](const CancelBooking& c) -> Status {
            const Booking* b;
            if (Status st = find_booking_code(c.code, b); !st) return st;
            if (b->state == BookingState::kCheckedIn)
              return refuse(ErrorCode::kWrongTicketState,
                            fmt::format("预约 {} 已签到取号，请取消所取的号", b->code));
            if (b->state == BookingState::kNoShow)
              return refuse(ErrorCode::kNotCheckInTime,
                            fmt::format("预约 {} 已过时未到，名额已释放", b->code));
            emit(BookingCancelled{b->code}, now, out);
            return {};
          },
          [&](const CheckIn& c) -> Status {
            if (const RemoteTicket* r = c.code != 0 ? find_remote_code(c.code) : nullptr) {
              const Ticket* t = find_ticket(r->ticket);
              if (t == nullptr)
                return refuse(ErrorCode::kUnknownTicket, fmt::format("签到码 {} 的号已过期", c.code));
              if (r->state == RemoteState::kDropped)
                return refuse(ErrorCode::kNotCheckInTime,
                              fmt::format("{} 未按时签到，号码已作废，请重新取号", number_of(*t)));
              if (r->state == RemoteState::kCheckedIn || t->state != TicketState::kNotArrived)
                return refuse(ErrorCode::kWrongTicketState,
                              fmt::format("{} 已签到（{}）", number_of(*t), display_name(t->state)));
              emit(RemoteCheckedIn{r->ticket}, now, out);
              return {};
            }
            const Booking* b;
            if (Status st = find_booking_code(c.code, b); !st) return st;
            if (b->state == BookingState::kCheckedIn) {
              const Ticket* t = find_ticket(b->ticket);
              return refuse(ErrorCode::kWrongTicketState,
                            t ? fmt::format("预约 {} 已签到，号码 {}", b->code, number_of(*t))
                              : fmt::format("预约 {} 已签到", b->code));
            }
            if (b->state == BookingState::kNoShow)
              return refuse(ErrorCode::kNotCheckInTime,
                            fmt::format("预约 {}（{}）已过签到时间，名额已释放，请重新预约或现场取号",
                                        b->code, slot_text(*b)));
            const AppointmentConfig* a = cfg.appointments_of(b->service);
            const int before = a ? a->check_in_before_min : 0;
            const TimeUs opens = slot_time(cfg, b->day, b->slot_min) - before * kUsPerMinute;
            if (now < opens) {
              const std::int64_t day = cfg.local_day(opens);
              const int minute = cfg.local_second_of_day(opens) / 60;
              const CivilDate d = civil_date(day);
              return refuse(ErrorCode::kNotCheckInTime,
                            fmt::format("预约时段为 {}，请于 {}{} 后签到", slot_text(*b),
                                        day == cfg.local_day(now) ? std::string()
                                                                  : fmt::format("{}月{}日 ", d.month, d.day),
                                        clock_text(minute)));
            }
            const std::uint32_t code = b->code;
            const ServiceIdx service = b->service;
            if (Status st = issue(service, Priority::kAppointment); !st) return st;
            emit(BookingCheckedIn{code, std::get<TicketIssued>(out.back().body).ticket}, now, out);
            return {};
          },
          [&](const IssueRemote& c) -> Status {
            auto s = cfg.find_service(c.service);
            if (!s) return refuse(ErrorCode::kUnknownService, fmt::format("没有事项“{}”", c.service));
            const RemoteConfig* r = cfg.remote_of(*s);
            const std::string& name = cfg.services[*s].name;
            if (r == nullptr) return refuse(ErrorCode::kBadArgument, fmt::format("{}不接受网上取号", name));
            if (!valid_person_hash(c.person))
              return refuse(ErrorCode::kBadArgument,
                            fmt::format("取号人标识须为 {} 位小写十六进制（身份证号的散列，不是号码本身）",
                                        kPersonHexDigits));
            if (!valid_phone(c.phone))
              return refuse(ErrorCode::kBadArgument, "手机号须为 11 位数字，以 1 开头（可不填）");
            const int minute = cfg.local_second_of_day(now) / 60;
            const bool in_hours = std::any_of(r->hours.begin(), r->hours.end(), [&](const TimeSpan& h) {
              return minute >= h.start_min && minute < h.end_min;
            });
            if (!cfg.open_on(cfg.local_day(now)) || !in_hours) {
              std::string hours;
              for (const TimeSpan& h : r->hours)
                hours += fmt::format("{}{}-{}", hours.empty() ? "" : "、", clock_text(h.start_min),
                                     clock_text(h.end_min));
              return refuse(ErrorCode::kNotCheckInTime,
                            fmt::format("{}网上取号时间为工作日 {}，现在不能取号", name, hours));
            }
            int taken = 0;
            for (const RemoteTicket& x : state_.remotes) {
              if (x.service == *s) ++taken;
              if (x.person != c.person || x.state == RemoteState::kDropped) continue;
              const Ticket* t = find_ticket(x.ticket);
              if (t != nullptr && (is_open(t->state) || t->state == TicketState::kNotArrived))
                return refuse(ErrorCode::kAlreadyBooked,
                              fmt::format("您已在本厅网上取号 {}（{}），办完或取消后才能再取", number_of(*t),
                                          display_name(t->state)));
            }
            if (taken >= r->daily_quota)
              return refuse(
                  ErrorCode::kLimitReached,
                  fmt::format("{}今日网上取号已满（{} 个），请到大厅现场取号", name, r->daily_quota));
            const std::uint32_t number = state_.last_number[*s] + 1;
            if (number > static_cast<std::uint32_t>(cfg.rules.max_tickets_per_service))
              return refuse(ErrorCode::kLimitReached, fmt::format("{} 今日号码已发完（{} 个）", name,
                                                                  cfg.rules.max_tickets_per_service));
            const std::uint32_t code = free_code(c.nonce);
            if (code == 0) return refuse(ErrorCode::kLimitReached, "签到码已用尽");
            const Prediction p = predictor_->predict_new(*this, *s, Priority::kNormal, now);
            emit(RemoteTicketIssued{state_.next_ticket, *s, number, code, std::string(c.person),
                                    std::string(c.phone), p.ahead, p.wait_s},
                 now, out);
            return {};
          },
          [&](const RecordCallback& c) -> Status {
            const WorkOrder* o;
            if (Status st = open_work_order(c.ticket, "回访", o); !st) return st;
            if (o->reached())
              return refuse(ErrorCode::kWrongTicketState,
                            fmt::format("差评工单 {}（{}）已回访联系上，请记录整改", o->ticket, o->number));
            if (std::string p = note_problem(c.note, "回访记录"); !p.empty())
              return refuse(ErrorCode::kBadArgument, p);
            if (Status st = check_by(c.by); !st) return st;
            emit(WorkOrderCalledBack{o->ticket, c.reached, std::string(c.note), std::string(c.by)}, now, out);
            return {};
          },
          [&](const RecordRectification& c) -> Status {
            const WorkOrder* o;
            if (Status st = open_work_order(c.ticket, "整改", o); !st) return st;
            if (o->callbacks.empty())
              return refuse(
                  ErrorCode::kWrongTicketState,
                  fmt::format("差评工单 {}（{}）尚未回访，须先记录回访再记录整改", o->ticket, o->number));
            if (std::string p = note_problem(c.note, "整改说明"); !p.empty())
              return refuse(ErrorCode::kBadArgument, p);
            if (Status st = check_by(c.by); !st) return st;
            emit(WorkOrderRectified{o->ticket, std::string(c.note), std::string(c.by)}, now, out);
            return {};
          },
          [&](const RecordUploadRejection& c) -> Status {
            if (std::string p = upload_rejection_problem(cfg.id, c.record_id, c.status, c.reason); !p.empty())
              return refuse(ErrorCode::kBadArgument, p);
            emit(UploadRejected{std::string(c.record_id), c.status, std::string(c.reason)}, now, out);
            return {};
          },
          [&](const RequestUploadResend& c) -> Status {
            if (std::string p = upload_resend_problem(cfg.id, c.record_id); !p.empty())
              return refuse(ErrorCode::kBadArgument, p);
            emit(UploadResendRequested{std::string(c.record_id)}, now, out);
            return {};
          },
          [&](const RecordUploadAcceptance& c) -> Status {
            if (std::string p = upload_acceptance_problem(cfg.id, c.record_id, c.resend); !p.empty())
              return refuse(ErrorCode::kBadArgument, p);
            emit(UploadResendAccepted{std::string(c.record_id), static_cast<int>(c.resend)}, now, out);
            return {};
          },
          [&](const MoveStaff& c) -> Status {
            WindowIdx to = 0;
            if (Status st = find_window(c.window, to); !st) return st;
            if (c.staff.empty()) return refuse(ErrorCode::kBadArgument, "调岗需要工号");
            if (Status st = check_staff_id(to, c.staff); !st) return st;
            const std::optional<WindowIdx> from = on_duty_at(c.staff, kNoWindow);
            if (from == to)
              return refuse(ErrorCode::kAlreadyThere, fmt::format("{} 已在{}", c.staff, window_label(to)));
            if (from) {
              if (Status st = check_can_close(*from); !st) return st;
            }
            // The events of CloseWindow(from) and OpenWindow(to, staff), checked as one.
            const bool closed = state_.windows[to].state == WindowState::kClosed;
            if (from) emit(WindowClosed{*from}, now, out);
            if (closed) {
              emit(WindowOpened{to, std::string(c.staff)}, now, out);
            } else {
              emit(StaffChanged{to, std::string(c.staff)}, now, out);
            }
            return {};
          },
      },
      body);
}

}  // namespace hallq::core
