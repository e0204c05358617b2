// The test hall, shared by the core, policy, predict and protocol tests: a
// small N+1 hall built in code, a fixture that drives it and keeps every event
// it emitted, and comparators for events and whole hall states (the core
// types have no operator==).
//
// The default hall has three services and three windows:
//   social "A" (6 min), civil "B" (10 min), tax "C" (4 min);
//   w1 (no. 1, classified) serves A@1, B@2; w2 (no. 2, classified) serves B@1;
//   w3 (no. 3, fallback) serves A@2, B@2, C@1.
// Time starts at 09:00 local on 2024-03-04 (UTC+8).
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/core/command.h"
#include "engine/core/error.h"
#include "engine/core/event.h"
#include "engine/core/hall.h"
#include "engine/core/hall_config.h"
#include "engine/core/ticket.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"

namespace hallq::test {

using namespace hallq::core;  // NOLINT: test support for the core's own vocabulary

// Index constants of the default hall.
inline constexpr ServiceIdx kSocial = 0;  // "A"
inline constexpr ServiceIdx kCivil = 1;   // "B"
inline constexpr ServiceIdx kTax = 2;     // "C"
inline constexpr WindowIdx kW1 = 0;
inline constexpr WindowIdx kW2 = 1;
inline constexpr WindowIdx kW3 = 2;

// 2024-03-04 as a day number (days since 1970-01-01).
inline constexpr std::int64_t kDay = 19786;

using ConfigTweak = std::function<void(HallConfig&)>;

// The default hall's config, changed by `tweak` before validation. Fails the
// test (and returns the unvalidated config) if validation finds a problem.
inline std::shared_ptr<HallConfig> make_config(const ConfigTweak& tweak = {}) {
  auto cfg = std::make_shared<HallConfig>();
  cfg->id = "test-hall";
  cfg->name = "测试便民服务中心";
  cfg->hours = {{8 * 60 + 30, 17 * 60 + 30}};
  cfg->wait_target_min = 20;
  cfg->utc_offset_min = 8 * 60;
  cfg->services = {
      {"social", "社保医保", "A", ServiceKind::kInstant, 6},
      {"civil", "民政", "B", ServiceKind::kInstant, 10},
      {"tax", "税务", "C", ServiceKind::kPromise, 4},
  };
  cfg->windows = {
      {"w1", 1, "社保窗口", WindowKind::kClassified, {{kSocial, 1}, {kCivil, 2}}},
      {"w2", 2, "民政窗口", WindowKind::kClassified, {{kCivil, 1}}},
      {"w3", 3, "综合窗口", WindowKind::kFallback, {{kSocial, 2}, {kCivil, 2}, {kTax, 1}}},
  };
  if (tweak) tweak(*cfg);
  if (auto problem = cfg->validate_and_index()) {
    ADD_FAILURE() << "test config invalid: " << problem->section << "[" << problem->index << "]."
                  << problem->key << ": " << problem->message;
  }
  return cfg;
}

// Adds a staff list (A/B posts) to the default hall.
inline void with_staff_list(HallConfig& cfg) {
  cfg.staff = {{"zhang", "张三"}, {"li", "李四"}, {"wang", "王五"}};
}

inline TimeUs minutes(double m) { return static_cast<TimeUs>(m * static_cast<double>(kUsPerMinute)); }

// ---------------------------------------------------------------- printing

template <class T>
std::string show(const T& v) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
    return fmt::format("\"{}\"", v);
  } else if constexpr (std::is_enum_v<T>) {
    return fmt::format("{}", static_cast<long long>(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    return fmt::format("{:.17g}", v);
  } else if constexpr (std::is_integral_v<T>) {
    return fmt::format("{}", static_cast<long long>(v));
  } else if constexpr (std::is_same_v<T, std::vector<Skill>>) {
    std::string s = "[";
    for (const Skill& k : v) s += fmt::format("{}@{} ", k.service, static_cast<int>(k.level));
    return s + "]";
  } else {
    return "?";
  }
}

// ---------------------------------------------------------------- events

inline auto tie_of(const TicketIssued& e) {
  return std::tie(e.ticket, e.service, e.number, e.priority, e.ahead, e.predicted_wait_s);
}
inline auto tie_of(const WindowOpened& e) { return std::tie(e.window, e.staff); }
inline auto tie_of(const StaffChanged& e) { return std::tie(e.window, e.staff); }
inline auto tie_of(const WindowClosed& e) { return std::tie(e.window); }
inline auto tie_of(const WindowPaused& e) { return std::tie(e.window); }
inline auto tie_of(const WindowResumed& e) { return std::tie(e.window); }
inline auto tie_of(const TicketCalled& e) { return std::tie(e.ticket, e.window); }
inline auto tie_of(const TicketRecalled& e) { return std::tie(e.ticket, e.window); }
inline auto tie_of(const ServiceStarted& e) { return std::tie(e.ticket, e.window); }
inline auto tie_of(const TicketSkipped& e) { return std::tie(e.ticket, e.window); }
inline auto tie_of(const TicketRequeued& e) { return std::tie(e.ticket, e.queue_key, e.returning); }
inline auto tie_of(const TicketHeld& e) { return std::tie(e.ticket, e.window); }
inline auto tie_of(const TicketTransferred& e) { return std::tie(e.ticket, e.window, e.service); }
inline auto tie_of(const TicketFinished& e) { return std::tie(e.ticket, e.window); }
inline auto tie_of(const TicketEvaluated& e) { return std::tie(e.ticket, e.level); }
inline auto tie_of(const TicketLeft& e) { return std::tie(e.ticket, e.reason); }
inline auto tie_of(const DayRolled& e) { return std::tie(e.day); }
inline auto tie_of(const NoticeChanged& e) { return std::tie(e.text); }
inline auto tie_of(const WindowSkillsChanged& e) { return std::tie(e.window, e.skills, e.advisory); }
inline auto tie_of(const AdvisoryIssued& e) {
  return std::tie(e.advisory, e.service, e.window, e.action, e.skills, e.wait_before_s, e.wait_after_s);
}

inline bool same_body(const EventBody& a, const EventBody& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return tie_of(x) == tie_of(std::get<T>(b));
      },
      a);
}

inline std::string describe(const EventBody& body) {
  return std::visit(
      [&](const auto& x) {
        std::string fields;
        std::apply([&](const auto&... f) { ((fields += show(f) + ","), ...); }, tie_of(x));
        if (!fields.empty()) fields.pop_back();
        return fmt::format("{}{{{}}}", event_name(body), fields);
      },
      body);
}

inline std::string describe(const Event& e) {
  return fmt::format("#{} @{} {}", e.seq, e.time, describe(e.body));
}

inline bool same_event(const Event& a, const Event& b) {
  return a.seq == b.seq && a.time == b.time && same_body(a.body, b.body);
}

// The bodies of `got` are exactly `want`, in order.
inline ::testing::AssertionResult bodies_are(const std::vector<Event>& got,
                                             const std::vector<EventBody>& want) {
  bool ok = got.size() == want.size();
  for (std::size_t i = 0; ok && i < got.size(); ++i) ok = same_body(got[i].body, want[i]);
  if (ok) return ::testing::AssertionSuccess();
  std::string msg = "got:\n";
  for (const Event& e : got) msg += "  " + describe(e) + "\n";
  msg += "want:\n";
  for (const EventBody& b : want) msg += "  " + describe(b) + "\n";
  return ::testing::AssertionFailure() << msg;
}

inline ::testing::AssertionResult same_events(const std::vector<Event>& a, const std::vector<Event>& b) {
  if (a.size() != b.size())
    return ::testing::AssertionFailure() << "event counts differ: " << a.size() << " vs " << b.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_event(a[i], b[i]))
      return ::testing::AssertionFailure()
             << "event " << i << ": " << describe(a[i]) << " vs " << describe(b[i]);
  }
  return ::testing::AssertionSuccess();
}

// Sequence numbers 1, 2, 3 ... and times that never go backwards.
inline ::testing::AssertionResult well_ordered(const std::vector<Event>& log, Seq first = 1) {
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i].seq != first + i)
      return ::testing::AssertionFailure()
             << "event " << i << " has seq " << log[i].seq << ", want " << first + i;
    if (i > 0 && log[i].time < log[i - 1].time)
      return ::testing::AssertionFailure() << "time goes back at " << describe(log[i]);
  }
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------- states

// If one of these fails, a field was added: compare it below too.
static_assert(sizeof(Ticket) == 104, "Ticket changed: update diff_ticket in test_hall_fixture.h");
static_assert(sizeof(Window) == 72, "Window changed: update diff_window in test_hall_fixture.h");
static_assert(sizeof(ServiceStats) == 40, "ServiceStats changed: update diff_stats in test_hall_fixture.h");
static_assert(sizeof(HallState) == 264, "HallState changed: update diff_states in test_hall_fixture.h");

#define HALLQ_DIFF(field)    \
  if (!(a.field == b.field)) \
  out.push_back(fmt::format("{}.{}: {} vs {}", where, #field, show(a.field), show(b.field)))

inline void diff_ticket(const Ticket& a, const Ticket& b, const std::string& where,
                        std::vector<std::string>& out) {
  HALLQ_DIFF(id);
  HALLQ_DIFF(number);
  HALLQ_DIFF(issued_service);
  HALLQ_DIFF(service);
  HALLQ_DIFF(priority);
  HALLQ_DIFF(state);
  HALLQ_DIFF(queue_class);
  HALLQ_DIFF(recalls);
  HALLQ_DIFF(transfers);
  HALLQ_DIFF(rating);
  HALLQ_DIFF(window);
  HALLQ_DIFF(staff);
  HALLQ_DIFF(ahead_at_issue);
  HALLQ_DIFF(predicted_wait_s);
  HALLQ_DIFF(issued_at);
  HALLQ_DIFF(queue_key);
  HALLQ_DIFF(queue_order);
  HALLQ_DIFF(first_called_at);
  HALLQ_DIFF(called_at);
  HALLQ_DIFF(started_at);
  HALLQ_DIFF(finished_at);
  HALLQ_DIFF(ended_at);
}

inline bool same_skills(const std::vector<Skill>& a, const std::vector<Skill>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].service != b[i].service || a[i].level != b[i].level) return false;
  return true;
}

inline void diff_window(const Window& a, const Window& b, const std::string& where,
                        std::vector<std::string>& out) {
  HALLQ_DIFF(state);
  HALLQ_DIFF(staff);
  HALLQ_DIFF(current);
  if (!same_skills(a.skills, b.skills))
    out.push_back(fmt::format("{}.skills: {} vs {}", where, show(a.skills), show(b.skills)));
  HALLQ_DIFF(consecutive_priority);
  HALLQ_DIFF(state_since);
  HALLQ_DIFF(idle_since);
  HALLQ_DIFF(served);
}

inline void diff_stats(const ServiceStats& a, const ServiceStats& b, const std::string& where,
                       std::vector<std::string>& out) {
  HALLQ_DIFF(finished);
  HALLQ_DIFF(sum_handle_s);
  HALLQ_DIFF(ewma_handle_s);
  HALLQ_DIFF(arrivals);
  HALLQ_DIFF(last_arrival);
}

// Every difference between two states, e.g. "tickets[3].state: 0 vs 1".
// `with_requests` false skips the remembered request ids (which events do not carry).
inline std::vector<std::string> diff_states(const HallState& a, const HallState& b,
                                            bool with_requests = true) {
  std::vector<std::string> out;
  const std::string where = "state";
  HALLQ_DIFF(seq);
  HALLQ_DIFF(clock);
  HALLQ_DIFF(day);
  HALLQ_DIFF(next_ticket);
  HALLQ_DIFF(next_queue_order);
  if (a.staff_names != b.staff_names) out.push_back("staff_names differ");
  if (a.windows.size() != b.windows.size()) {
    out.push_back(fmt::format("windows: {} vs {}", a.windows.size(), b.windows.size()));
  } else {
    for (std::size_t i = 0; i < a.windows.size(); ++i)
      diff_window(a.windows[i], b.windows[i], fmt::format("windows[{}]", i), out);
  }
  if (a.tickets.size() != b.tickets.size()) {
    out.push_back(fmt::format("tickets: {} vs {}", a.tickets.size(), b.tickets.size()));
  } else {
    for (std::size_t i = 0; i < a.tickets.size(); ++i)
      diff_ticket(a.tickets[i], b.tickets[i], fmt::format("tickets[{}]", i), out);
  }
  if (a.last_number != b.last_number) out.push_back("last_number differs");
  HALLQ_DIFF(pauses);
  HALLQ_DIFF(pause_seconds);
  HALLQ_DIFF(next_advisory);
  HALLQ_DIFF(notice);
  if (a.advisories.size() != b.advisories.size()) {
    out.push_back(fmt::format("advisories: {} vs {}", a.advisories.size(), b.advisories.size()));
  } else {
    for (std::size_t i = 0; i < a.advisories.size(); ++i) {
      const Advisory& x = a.advisories[i];
      const Advisory& y = b.advisories[i];
      const bool same_skills = std::equal(
          x.skills.begin(), x.skills.end(), y.skills.begin(), y.skills.end(),
          [](const Skill& p, const Skill& q) { return p.service == q.service && p.level == q.level; });
      if (x.id != y.id || x.service != y.service || x.window != y.window || x.action != y.action ||
          !same_skills || x.wait_before_s != y.wait_before_s || x.wait_after_s != y.wait_after_s ||
          x.issued_at != y.issued_at)
        out.push_back(fmt::format("advisories[{}] differ", i));
    }
  }
  if (a.stats.size() != b.stats.size()) {
    out.push_back("stats sizes differ");
  } else {
    for (std::size_t i = 0; i < a.stats.size(); ++i)
      diff_stats(a.stats[i], b.stats[i], fmt::format("stats[{}]", i), out);
  }
  if (with_requests) {
    if (a.requests.size() != b.requests.size()) {
      out.push_back(fmt::format("requests: {} vs {}", a.requests.size(), b.requests.size()));
    } else {
      for (std::size_t i = 0; i < a.requests.size(); ++i) {
        const auto& [ia, ra] = a.requests[i];
        const auto& [ib, rb] = b.requests[i];
        if (ia != ib || ra.first_seq != rb.first_seq || ra.count != rb.count)
          out.push_back(fmt::format("requests[{}]: {}@{}+{} vs {}@{}+{}", i, ia, ra.first_seq, ra.count, ib,
                                    rb.first_seq, rb.count));
      }
    }
  }
  return out;
}

#undef HALLQ_DIFF

inline ::testing::AssertionResult same_state(const HallState& a, const HallState& b,
                                             bool with_requests = true) {
  const std::vector<std::string> d = diff_states(a, b, with_requests);
  if (d.empty()) return ::testing::AssertionSuccess();
  auto r = ::testing::AssertionFailure() << d.size() << " differences:";
  for (std::size_t i = 0; i < d.size() && i < 30; ++i) r << "\n  " << d[i];
  return r;
}

// ---------------------------------------------------------------- fixture

// Drives one hall; keeps every event it emitted in `log_`. At the end of each
// test it checks the log is gap-free and ordered, and that folding the log into
// a fresh hall rebuilds exactly the live state.
class HallFixture : public ::testing::Test {
 public:  // helpers are public so free test functions can drive a fixture
  void SetUp() override { build(); }

  void TearDown() override {
    if (!hall_ || !check_log_on_teardown_) return;
    EXPECT_TRUE(well_ordered(log_));
    EXPECT_EQ(hall_->seq(), log_.size());
    Hall replica(config_, policy_, predictor_);
    for (const Event& e : log_) replica.apply_event(e);
    for (const auto& [id, rec] : remembered_) replica.remember_request(id, rec);
    EXPECT_TRUE(same_state(hall_->export_state(), replica.export_state())) << "fold of the log differs";
  }

  // (Re)builds the hall with the default config changed by `tweak`.
  void build(const ConfigTweak& tweak = {}, std::string_view policy = "balanced") {
    config_ = make_config(tweak);
    policy_ = policy::find_policy(policy);
    ASSERT_NE(policy_, nullptr) << policy;
    predictor_ = &predict::default_predictor();
    hall_ = std::make_unique<Hall>(config_, policy_, predictor_);
    log_.clear();
    remembered_.clear();
    t0_ = config_->day_start(kDay) + 9 * 60 * kUsPerMinute;
  }

  // 09:00 local on the test day plus `m` minutes.
  TimeUs at(double m) const { return t0_ + minutes(m); }

  // Applies a command; its events are in `last_` and appended to `log_`.
  Status apply(const CommandBody& body, TimeUs now, std::string_view request_id = {}) {
    last_.clear();
    Status st = hall_->apply(Command{request_id, body}, now, last_);
    log_.insert(log_.end(), last_.begin(), last_.end());
    if (st.ok() && !request_id.empty()) {
      if (const RequestRecord* r = hall_->find_request(request_id))
        remembered_.emplace_back(std::string(request_id), *r);
    }
    return st;
  }

  // Applies a command that must be accepted; returns its events.
  std::vector<Event> ok(const CommandBody& body, TimeUs now, std::string_view request_id = {}) {
    Status st = apply(body, now, request_id);
    if (!st.ok()) {
      ADD_FAILURE() << verb(body) << " refused: " << to_string(st.code()) << " " << st.message();
    }
    return last_;
  }

  // The command is refused with `code`, emits nothing and changes nothing.
  ::testing::AssertionResult refused(const CommandBody& body, ErrorCode code, TimeUs now,
                                     std::string_view request_id = {}) {
    const HallState before = hall_->export_state();
    const std::size_t log_size = log_.size();
    Status st = apply(body, now, request_id);
    if (st.ok()) return ::testing::AssertionFailure() << verb(body) << " was accepted";
    if (st.code() != code) {
      return ::testing::AssertionFailure() << verb(body) << " refused with " << to_string(st.code()) << " ("
                                           << st.message() << "), want " << to_string(code);
    }
    if (st.message().empty()) return ::testing::AssertionFailure() << "refusal without a message";
    if (!last_.empty() || log_.size() != log_size)
      return ::testing::AssertionFailure() << "refusal emitted " << last_.size() << " events";
    if (!request_id.empty() && hall_->find_request(request_id) != nullptr)
      return ::testing::AssertionFailure() << "refused request id was remembered";
    return same_state(before, hall_->export_state()) << " after refused " << verb(body);
  }

  // Today's ticket by printed number; fails the test if there is none.
  const Ticket& ticket(std::string_view number) {
    const Ticket* t = hall_->find_number(number);
    if (t == nullptr) {
      ADD_FAILURE() << "no ticket " << number;
      static const Ticket kNone;
      return kNone;
    }
    return *t;
  }

  // Ids of the waiting tickets of a service, in queue order (all classes).
  std::vector<std::string> queue_numbers(ServiceIdx s) const {
    std::vector<std::string> out;
    for (QueueClass c : {QueueClass::kReturning, QueueClass::kPriority, QueueClass::kNormal})
      for (const QueueEntry& e : hall_->queue(s).line(c))
        out.push_back(hall_->number_of(*hall_->find_ticket(e.ticket)));
    return out;
  }

  // Calls next at `window` and returns the called ticket's number ("" if refused).
  std::string call_next(std::string_view window, TimeUs now) {
    if (!apply(CallNext{window}, now).ok()) return "";
    const auto* called = std::get_if<TicketCalled>(&last_.back().body);
    return called ? hall_->number_of(*hall_->find_ticket(called->ticket)) : "";
  }

  // Calls next, starts and finishes at `window`; returns the number served.
  std::string serve_next(std::string_view window, TimeUs now) {
    std::string n = call_next(window, now);
    if (n.empty()) return n;
    ok(StartService{window}, now);
    ok(Finish{window}, now);
    return n;
  }

  std::shared_ptr<HallConfig> config_;
  const CallPolicy* policy_ = nullptr;
  const WaitPredictor* predictor_ = nullptr;
  std::unique_ptr<Hall> hall_;
  std::vector<Event> last_;
  std::vector<Event> log_;
  std::vector<std::pair<std::string, RequestRecord>> remembered_;
  TimeUs t0_ = 0;
  bool check_log_on_teardown_ = true;
};

}  // namespace hallq::test
