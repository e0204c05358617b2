// The fold property: a hall's state is exactly the fold of its events. A long
// seeded random session (all commands, many refusals, several days) is
// replayed event by event into a fresh hall, and a snapshot taken midway is
// imported into another hall that must then behave identically. Events that do
// not fit are corruption.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

// ------------------------------------------------------------ random sessions

// Generates commands against a live hall, biased towards commands that can be
// accepted, with a share of wrong ids, wrong states and odd times.
class SessionGenerator {
 public:
  SessionGenerator(std::uint32_t seed, const HallConfig& cfg, TimeUs start)
      : rng_(seed), cfg_(cfg), now_(start) {}

  // The strings the body points into live until the next call.
  Command next(const Hall& hall, TimeUs& now) {
    advance_time();
    now = now_;
    request_id_.clear();
    const int r = pick(0, 99);
    if (r < 25) {
      request_id_ = fmt::format("req-{}", counter_++);
    } else if (r == 99) {
      request_id_ = std::string(kMaxRequestIdLength + 1, 'x');
    }
    return Command{request_id_, body(hall)};
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return pick(0, 99) < percent; }

  void advance_time() {
    const int r = pick(0, 999);
    if (r < 3) {
      // Next day (or the one after), somewhere in the morning.
      const std::int64_t day = cfg_.local_day(now_) + (r == 0 ? 2 : 1);
      now_ = cfg_.day_start(day) + minutes(8 * 60) + pick(0, 3'600) * kUsPerSecond;
    } else if (r < 5) {
      now_ = cfg_.day_start(cfg_.local_day(now_) + 1) - (r == 3 ? 1 : 0);  // around midnight
    } else if (r < 15) {
      now_ -= pick(1, 600) * kUsPerSecond;  // a stepped-back clock
    } else if (r < 100) {
      // same instant
    } else {
      now_ += pick(1, 180) * kUsPerSecond + pick(0, 999'999);
    }
  }

  std::string_view window() {
    static constexpr std::array<std::string_view, 4> kWindows = {"w1", "w2", "w3", "w9"};
    return kWindows[chance(3) ? 3 : pick(0, 2)];
  }
  std::string_view service() {
    static constexpr std::array<std::string_view, 4> kServices = {"social", "civil", "tax", "nope"};
    return kServices[chance(3) ? 3 : pick(0, 2)];
  }
  std::string_view staff() {
    static constexpr std::array<std::string_view, 6> kStaff = {"s1", "s2", "s3", "s4", "s5", ""};
    return kStaff[pick(0, 5)];
  }
  // A number: mostly one of today's tickets (often one in `wanted` state, the
  // one the command needs), sometimes made up.
  std::string_view number(const Hall& hall, TicketState wanted = TicketState::kWaiting) {
    if (chance(60)) {
      std::vector<const Ticket*> fit;
      for (const Ticket& t : hall.tickets())
        if (t.state == wanted && hall.find_number(hall.number_of(t)) == &t) fit.push_back(&t);
      if (!fit.empty()) {
        number_ = hall.number_of(*fit[static_cast<std::size_t>(pick(0, static_cast<int>(fit.size()) - 1))]);
        return number_;
      }
    }
    if (!hall.tickets().empty() && chance(85)) {
      const auto& ts = hall.tickets();
      // Prefer recent tickets: the open ones are near the end.
      const std::size_t n = ts.size();
      const std::size_t i =
          chance(60)
              ? n - 1 - static_cast<std::size_t>(pick(0, static_cast<int>(std::min<std::size_t>(n, 12)) - 1))
              : static_cast<std::size_t>(pick(0, static_cast<int>(n) - 1));
      number_ = hall.number_of(ts[i]);
    } else {
      static constexpr std::array<const char*, 3> kPrefixes = {"A", "B", "Z"};
      number_ = fmt::format("{}{:03}", kPrefixes[pick(0, 2)], pick(0, 40));
    }
    return number_;
  }
  Priority priority() {
    const int r = pick(0, 9);
    return r < 7 ? Priority::kNormal : r < 9 ? Priority::kPriority : Priority::kAppointment;
  }

  CommandBody body(const Hall& hall) {
    const int r = pick(0, 109);
    if (r < 18) return IssueTicket{service(), priority()};
    if (r < 22) return OpenWindow{window(), staff()};
    if (r < 24) return CloseWindow{window()};
    if (r < 26) return PauseWindow{window()};
    if (r < 28) return ResumeWindow{window()};
    if (r < 42) return CallNext{window()};
    if (r < 45) return CallTicket{window(), number(hall)};
    if (r < 49) return Recall{window()};
    if (r < 58) return StartService{window()};
    if (r < 63) return SkipTicket{window()};
    if (r < 66) return Reactivate{number(hall, TicketState::kNoShow)};
    if (r < 69) return HoldTicket{window()};
    if (r < 72) return UnholdTicket{number(hall, TicketState::kHeld)};
    if (r < 75) return Transfer{window(), service()};
    if (r < 86) return Finish{window()};
    if (r < 93) {
      return Evaluate{number(hall, TicketState::kDone), pick(0, 6),
                      chance(50) ? std::string_view() : window()};
    }
    if (r < 97) return Cancel{number(hall), chance(50) ? LeaveReason::kCancelled : LeaveReason::kGaveUp};
    if (r < 100) return Tick{};
    if (r < 102) {
      SetWindowSkills c{window(), {{service(), pick(0, 3)}}};
      if (chance(50)) c.serves.emplace_back(service(), pick(1, 3));
      return c;
    }
    if (r < 104) {
      const auto s = static_cast<ServiceIdx>(pick(0, 3));  // 3: no such service
      std::vector<Skill> skills = {{s, 1}};
      if (chance(50)) skills.push_back({static_cast<ServiceIdx>((s + 1) % 3), 2});
      return Advise{s,
                    static_cast<WindowIdx>(pick(0, 2)),
                    chance(50) ? AdvisoryAction::kOpen : AdvisoryAction::kLend,
                    skills,
                    pick(0, 3000),
                    pick(0, 3000)};
    }
    if (r < 106) {
      static constexpr std::string_view kNotices[] = {"", "今日下午 3 点后暂停不动产登记",
                                                      "首问负责 一次性告知", "bad\x01control", "\xE5\x8A"};
      return SetNotice{kNotices[pick(0, 4)]};
    }
    if (r >= 108) return MoveStaff{staff(), window()};
    // Mostly an advisory that is open, sometimes one that is not.
    const auto& open = hall.advisories();
    const std::uint32_t id = !open.empty() && chance(80) ? open[pick(0, static_cast<int>(open.size()) - 1)].id
                                                         : static_cast<std::uint32_t>(pick(0, 50));
    return AcceptAdvisory{id, staff()};
  }

  std::mt19937 rng_;
  const HallConfig& cfg_;
  TimeUs now_;
  std::uint64_t counter_ = 0;
  std::string request_id_;
  std::string number_;
};

// Checks the hall's own invariants (beyond what the fold compares).
::testing::AssertionResult consistent(const Hall& hall) {
  std::size_t waiting = 0;
  for (const Ticket& t : hall.tickets()) {
    if (t.state == TicketState::kWaiting) ++waiting;
    if (t.state == TicketState::kCalled || t.state == TicketState::kServing) {
      if (t.window >= hall.windows().size() || hall.window(t.window).current != t.id)
        return ::testing::AssertionFailure() << "ticket " << t.id << " at a window that does not hold it";
    }
  }
  if (waiting != hall.waiting_total())
    return ::testing::AssertionFailure()
           << waiting << " waiting tickets, " << hall.waiting_total() << " queued";
  for (std::size_t w = 0; w < hall.windows().size(); ++w) {
    const Window& win = hall.windows()[w];
    if (win.current == 0) continue;
    const Ticket* t = hall.find_ticket(win.current);
    if (t == nullptr || (t->state != TicketState::kCalled && t->state != TicketState::kServing))
      return ::testing::AssertionFailure() << "window " << w << " holds a ticket that is not at a window";
    if (win.state == WindowState::kClosed)
      return ::testing::AssertionFailure() << "closed window " << w << " is busy";
  }
  return ::testing::AssertionSuccess();
}

struct SessionParam {
  const char* policy;
  std::uint32_t seed;
  bool staff_list;
};

void PrintTo(const SessionParam& p, std::ostream* os) {
  *os << p.policy << " seed " << p.seed << (p.staff_list ? " with staff list" : "");
}

class FoldTest : public ::testing::TestWithParam<SessionParam> {};

TEST_P(FoldTest, RandomSessionFoldsAndRestores) {
  const SessionParam param = GetParam();
  constexpr int kCommands = 10000;
  constexpr int kSnapshotAt = 4000;
  constexpr int kCompareEvery = 50;

  auto cfg = make_config([&](HallConfig& c) {
    if (param.staff_list) c.staff = {{"s1", "一"}, {"s2", "二"}, {"s3", "三"}, {"s4", "四"}};
    c.rules.reactivate_behind = static_cast<int>(param.seed % 4);
  });
  const CallPolicy* policy = policy::find_policy(param.policy);
  ASSERT_NE(policy, nullptr);
  const WaitPredictor* predictor = &predict::default_predictor();

  Hall live(cfg, policy, predictor);
  Hall replica(cfg, policy, predictor);  // fed the live hall's events one by one
  std::unique_ptr<Hall> restored;        // imported from a snapshot, then driven by the same commands

  SessionGenerator gen(param.seed, *cfg, cfg->day_start(kDay) + minutes(8 * 60));
  std::vector<Event> log;
  std::map<std::string, std::array<int, 2>> outcomes;  // verb -> {accepted, refused}
  std::vector<Event> out;
  std::vector<Event> restored_out;
  int days = 0;

  for (int i = 0; i < kCommands; ++i) {
    TimeUs now = 0;
    const Command cmd = gen.next(live, now);
    out.clear();
    const Status st = live.apply(cmd, now, out);
    ++outcomes[std::string(verb(cmd.body))][st.ok() ? 0 : 1];

    // Events: gap-free, ordered; a refusal emits at most the day roll.
    ASSERT_TRUE(well_ordered(out, log.size() + 1)) << "command " << i;
    if (!out.empty() && !log.empty()) {
      ASSERT_GE(out.front().time, log.back().time);
    }
    if (!st.ok()) {
      ASSERT_LE(out.size(), 1u);
      if (!out.empty()) {
        ASSERT_TRUE(std::holds_alternative<DayRolled>(out[0].body));
      }
    }
    for (const Event& e : out) {
      if (std::holds_alternative<DayRolled>(e.body)) ++days;
      replica.apply_event(e);
      log.push_back(e);
    }
    if (st.ok() && !cmd.request_id.empty()) {
      if (const RequestRecord* rec = live.find_request(cmd.request_id))
        replica.remember_request(cmd.request_id, *rec);
    }
    ASSERT_TRUE(consistent(live)) << "command " << i << " " << verb(cmd.body);

    if (restored) {
      restored_out.clear();
      const Status rst = restored->apply(cmd, now, restored_out);
      ASSERT_EQ(rst.code(), st.code()) << "command " << i;
      ASSERT_EQ(rst.message(), st.message()) << "command " << i;
      ASSERT_TRUE(same_events(out, restored_out)) << "command " << i;
    }
    if (i == kSnapshotAt) {
      restored = std::make_unique<Hall>(cfg, policy, predictor);
      restored->import_state(live.export_state());
      ASSERT_TRUE(same_state(live.export_state(), restored->export_state())) << "import/export round trip";
    }
    if (i % kCompareEvery == 0 || i == kCommands - 1) {
      ASSERT_TRUE(same_state(live.export_state(), replica.export_state()))
          << "fold differs after command " << i;
      if (restored) {
        ASSERT_TRUE(same_state(live.export_state(), restored->export_state())) << "after command " << i;
      }
    }
  }

  // From scratch, in one go.
  Hall fresh(cfg, policy, predictor);
  for (const Event& e : log) fresh.apply_event(e);
  EXPECT_TRUE(same_state(live.export_state(), fresh.export_state(), /*with_requests=*/false));
  EXPECT_TRUE(fresh.export_state().requests.empty()) << "events do not carry request ids";

  // The session was not vacuous: every verb was accepted and refused, over several days.
  for (const char* v : {"issue",  "open",     "close",  "pause",      "resume", "call",   "call_ticket",
                        "recall", "start",    "skip",   "reactivate", "hold",   "unhold", "transfer",
                        "finish", "evaluate", "cancel", "skills",     "advise", "accept", "move"}) {
    EXPECT_GT(outcomes[v][0], 0) << v << " never accepted";
    EXPECT_GT(outcomes[v][1], 0) << v << " never refused";
  }
  EXPECT_GE(days, 5);
  EXPECT_GT(log.size(), 2000u);
}

INSTANTIATE_TEST_SUITE_P(Sessions, FoldTest,
                         ::testing::Values(SessionParam{"balanced", 1, false},
                                           SessionParam{"balanced", 2, true},
                                           SessionParam{"dedicated", 3, false},
                                           SessionParam{"oldest", 4, true}, SessionParam{"oldest", 5, false}),
                         [](const auto& info) {
                           return fmt::format("{}_{}{}", info.param.policy, info.param.seed,
                                              info.param.staff_list ? "_staff" : "");
                         });

// ------------------------------------------------------------ corruption

// A small hall: w1 open with A001 serving, A002 waiting, w2 open and idle.
class CorruptionTest : public HallFixture {
 protected:
  void SetUp() override {
    HallFixture::SetUp();
    ok(OpenWindow{"w1", "s1"}, at(0));
    ok(OpenWindow{"w2", "s2"}, at(0));
    ok(IssueTicket{"social"}, at(1));
    ok(IssueTicket{"social"}, at(1));
    call_next("w1", at(2));
    ok(StartService{"w1"}, at(2));
  }

  // apply_event throws CorruptionError and leaves the state as it was.
  ::testing::AssertionResult corrupt(const EventBody& body, Seq seq = 0) {
    const HallState before = hall_->export_state();
    const Event e{seq == 0 ? hall_->seq() + 1 : seq, at(3), body};
    try {
      hall_->apply_event(e);
    } catch (const CorruptionError& err) {
      if (std::string(err.what()).empty()) return ::testing::AssertionFailure() << "no message";
      return same_state(before, hall_->export_state()) << " after " << describe(e);
    }
    return ::testing::AssertionFailure() << describe(e) << " was applied";
  }
};

TEST_F(CorruptionTest, WrongSequenceNumbers) {
  const Seq s = hall_->seq();
  EXPECT_TRUE(corrupt(WindowPaused{kW2}, s + 2));
  EXPECT_TRUE(corrupt(WindowPaused{kW2}, s));
  EXPECT_TRUE(corrupt(WindowPaused{kW2}, 1));
  // The right one fits.
  hall_->apply_event(Event{s + 1, at(3), WindowPaused{kW2}});
  EXPECT_EQ(hall_->window(kW2).state, WindowState::kPaused);
  check_log_on_teardown_ = false;
}

TEST_F(CorruptionTest, FreshHallNeedsSeqOne) {
  Hall fresh(config_, policy_, predictor_);
  EXPECT_THROW(fresh.apply_event(Event{2, at(0), WindowOpened{kW1, ""}}), CorruptionError);
  EXPECT_THROW(fresh.apply_event(Event{0, at(0), WindowOpened{kW1, ""}}), CorruptionError);
  EXPECT_EQ(fresh.seq(), 0u);
  fresh.apply_event(Event{1, at(0), WindowOpened{kW1, ""}});
  EXPECT_EQ(fresh.seq(), 1u);
}

TEST_F(CorruptionTest, UnknownTicketsWindowsAndServices) {
  EXPECT_TRUE(corrupt(TicketCalled{99, kW2}));
  EXPECT_TRUE(corrupt(TicketLeft{99, LeaveReason::kCancelled}));
  EXPECT_TRUE(corrupt(TicketEvaluated{99, 5}));
  EXPECT_TRUE(corrupt(TicketRequeued{99, at(0), true}));
  EXPECT_TRUE(corrupt(TicketCalled{2, 9}));
  EXPECT_TRUE(corrupt(WindowOpened{9, "x"}));
  EXPECT_TRUE(corrupt(TicketIssued{3, 7, 1, Priority::kNormal, 0, 0}));
  EXPECT_TRUE(corrupt(TicketTransferred{1, kW1, 7}));
}

TEST_F(CorruptionTest, EventsThatDoNotFitTheState) {
  EXPECT_TRUE(corrupt(TicketFinished{2, kW1})) << "A002 is waiting";
  EXPECT_TRUE(corrupt(TicketFinished{1, kW2})) << "A001 is at w1";
  EXPECT_TRUE(corrupt(ServiceStarted{1, kW1})) << "already serving";
  EXPECT_TRUE(corrupt(TicketRecalled{1, kW1})) << "serving, not called";
  EXPECT_TRUE(corrupt(TicketSkipped{1, kW1}));
  EXPECT_TRUE(corrupt(TicketHeld{2, kW1}));
  EXPECT_TRUE(corrupt(TicketCalled{2, kW1})) << "w1 is busy";
  EXPECT_TRUE(corrupt(TicketCalled{1, kW2})) << "A001 is not waiting";
  EXPECT_TRUE(corrupt(TicketCalled{2, kW3})) << "w3 is closed";
  EXPECT_TRUE(corrupt(TicketEvaluated{1, 5})) << "not done";
  EXPECT_TRUE(corrupt(TicketRequeued{2, at(0), true})) << "waiting";
  EXPECT_TRUE(corrupt(TicketLeft{1, LeaveReason::kCancelled})) << "serving";
  EXPECT_TRUE(corrupt(WindowOpened{kW1, "s9"})) << "already open";
  EXPECT_TRUE(corrupt(WindowClosed{kW1})) << "busy";
  EXPECT_TRUE(corrupt(WindowClosed{kW3})) << "closed";
  EXPECT_TRUE(corrupt(WindowResumed{kW1})) << "not paused";
  EXPECT_TRUE(corrupt(WindowPaused{kW3})) << "closed";
  EXPECT_TRUE(corrupt(StaffChanged{kW3, "s9"})) << "closed";
  EXPECT_TRUE(corrupt(TicketIssued{4, kSocial, 3, Priority::kNormal, 0, 0})) << "id out of order";
  EXPECT_TRUE(corrupt(TicketIssued{3, kSocial, 5, Priority::kNormal, 0, 0})) << "number out of order";
  EXPECT_TRUE(corrupt(DayRolled{kDay})) << "day does not advance";
  EXPECT_TRUE(corrupt(DayRolled{kDay - 1}));
  ok(Finish{"w1"}, at(3));
  EXPECT_TRUE(corrupt(TicketEvaluated{1, 6})) << "level 6";
}

// A work order keeps its rating's reasons and comment, which managers' pages
// show: an event or a snapshot whose words no rating could carry is refused.
TEST_F(CorruptionTest, AWorkOrdersReasonsAndCommentMustBeARatingsWords) {
  ok(Finish{"w1"}, at(3));
  hall_->apply_event(Event{hall_->seq() + 1, at(3), TicketEvaluated{1, 2}});
  check_log_on_teardown_ = false;  // the events above are not in the fixture's log
  auto opened = [](std::vector<std::string> reasons, std::string comment) {
    WorkOrderOpened o{1, kDay + 7};
    o.reasons = std::move(reasons);
    o.comment = std::move(comment);
    return o;
  };
  EXPECT_TRUE(corrupt(opened({}, "bad\x01"))) << "control character";
  EXPECT_TRUE(corrupt(opened({}, "\xff\xfe"))) << "not UTF-8";
  EXPECT_TRUE(corrupt(opened({}, std::string(201, 'x')))) << "201 characters";
  EXPECT_TRUE(corrupt(opened({""}, ""))) << "empty reason";
  EXPECT_TRUE(corrupt(opened({std::string(17, 'x')}, ""))) << "reason of 17 bytes";
  EXPECT_TRUE(corrupt(opened(std::vector<std::string>(33, "01"), ""))) << "33 reasons";
  hall_->apply_event(Event{hall_->seq() + 1, at(3), opened({"01"}, std::string(200, 'x'))});
  ASSERT_NE(hall_->find_work_order(1), nullptr);
  EXPECT_EQ(hall_->find_work_order(1)->reasons, std::vector<std::string>{"01"});

  HallState s = hall_->export_state();
  s.work_orders.at(0).comment = "\xc3";
  Hall h(config_, policy_, predictor_);
  EXPECT_THROW(h.import_state(std::move(s)), CorruptionError);
}

TEST_F(CorruptionTest, ImportStateThatDoesNotFitTheConfig) {
  HallState good = hall_->export_state();
  {
    Hall h(config_, policy_, predictor_);
    HallState s = good;
    s.windows.pop_back();
    EXPECT_THROW(h.import_state(std::move(s)), CorruptionError);
  }
  {
    Hall h(config_, policy_, predictor_);
    HallState s = good;
    s.last_number.push_back(0);
    EXPECT_THROW(h.import_state(std::move(s)), CorruptionError);
  }
  {
    Hall h(config_, policy_, predictor_);
    HallState s = good;
    s.tickets[0].service = 9;
    EXPECT_THROW(h.import_state(std::move(s)), CorruptionError);
  }
  {
    Hall h(config_, policy_, predictor_);
    HallState s = good;
    s.tickets[1].id = 7;
    EXPECT_THROW(h.import_state(std::move(s)), CorruptionError);
  }
  {
    Hall h(config_, policy_, predictor_);
    HallState s = good;
    s.next_ticket = 2;
    EXPECT_THROW(h.import_state(std::move(s)), CorruptionError);
  }
  {
    Hall h(config_, policy_, predictor_);
    HallState s = good;
    s.windows[kW2].staff = 5;
    EXPECT_THROW(h.import_state(std::move(s)), CorruptionError);
  }
  Hall h(config_, policy_, predictor_);
  h.import_state(std::move(good));
  EXPECT_TRUE(same_state(hall_->export_state(), h.export_state()));
}

// A snapshot carries today's numbers: the restored hall finds and continues them.
TEST_F(CorruptionTest, ImportedHallFindsTodaysNumbers) {
  Hall h(config_, policy_, predictor_);
  h.import_state(hall_->export_state());
  ASSERT_NE(h.find_number("A002"), nullptr);
  EXPECT_EQ(h.find_number("A002")->id, 2u);
  EXPECT_EQ(h.waiting(kSocial), 1u);
  std::vector<Event> out;
  ASSERT_TRUE(h.apply(Command{"", IssueTicket{"social"}}, at(4), out).ok());
  EXPECT_EQ(h.number_of(*h.find_ticket(3)), "A003");
}

}  // namespace
}  // namespace hallq::test
