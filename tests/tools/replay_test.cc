// The replay rules of tools/traces/FORMAT.md, one small handcrafted trace each,
// run through the real core (test hall: w1, w2 serve a; w3 serves b, and a at
// level 2).
#include "tools/replay/replay.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "engine/core/hall.h"
#include "engine/policy/policy_registry.h"
#include "tests/tools/test_hall.h"
#include "tools/replay/trace.h"

namespace hallq::replay {
namespace {

using testing::kHeader;
using testing::make_test_hall;

const core::CallPolicy* dedicated() { return policy::find_policy("dedicated"); }

ReplayResult run(const std::string& body, ReplayOptions options = {},
                 std::shared_ptr<core::HallConfig> config = make_test_hall()) {
  const Trace trace = parse_trace(std::string(kHeader) + body, "t.csv", *config);
  return replay(config, trace, options);
}

const TicketResult& ticket(const ReplayResult& r, std::string_view id) {
  for (const TicketResult& t : r.tickets)
    if (t.ticket == id) return t;
  throw std::logic_error("no ticket " + std::string(id));
}

// --------------------------------------------------------------- basic life

TEST(ReplayTest, IdleWindowCallsAtOnceAndServesForHandleS) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "10,arrive,c1,a,normal,100,,0,\n"
          "20,arrive,c2,a,appointment,50,,0,\n");
  ASSERT_EQ(r.tickets.size(), 2u);
  const TicketResult& c1 = r.tickets[0];
  EXPECT_EQ(c1.ticket, "c1");
  EXPECT_EQ(c1.service, "a");
  EXPECT_EQ(c1.arrive_s, 10);
  EXPECT_EQ(c1.called_s, 10.0);
  EXPECT_EQ(c1.window, "w1");
  EXPECT_FALSE(c1.left_s);
  EXPECT_EQ(c1.number, "A001");
  EXPECT_EQ(c1.ahead, 0u);
  EXPECT_EQ(c1.predicted_wait_s, 0);  // a free window
  const TicketResult& c2 = r.tickets[1];
  EXPECT_EQ(c2.priority, core::Priority::kAppointment);
  EXPECT_EQ(c2.called_s, 110.0);  // when c1's 100 s are over
  EXPECT_EQ(c2.number, "A002");
  // Recorded from the core's TicketIssued: nobody waiting, the only window
  // 10 s into a service of 5 minutes (the prior): 290 s to go.
  EXPECT_EQ(c2.ahead, 0u);
  EXPECT_EQ(c2.predicted_wait_s, 290);
}

TEST(ReplayTest, AbsentTicketIsCalledTwiceThenSkippedAfter60s) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "10,arrive,c1,a,normal,100,,1,\n"
          "20,arrive,c2,a,normal,50,,0,\n");
  EXPECT_EQ(ticket(r, "c1").called_s, 10.0);  // the wait ends at the first call
  EXPECT_FALSE(ticket(r, "c1").left_s);       // a no-show is not a citizen who gave up
  EXPECT_EQ(ticket(r, "c2").called_s, 70.0);  // window busy 60 s with the no-show
  // opened, issued c1, called, issued c2, recalled, skipped, called c2, started, finished
  EXPECT_EQ(r.events, 9u);
}

TEST(ReplayTest, ServiceOfZeroSecondsFreesTheWindowAtOnce) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "5,arrive,c1,a,normal,0,,0,\n"
          "5,arrive,c2,a,normal,10,,0,\n");
  EXPECT_EQ(ticket(r, "c1").called_s, 5.0);
  EXPECT_EQ(ticket(r, "c2").called_s, 5.0);
}

// --------------------------------------------------------------- pause and close

TEST(ReplayTest, PauseWaitsForTheCurrentTicket) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,arrive,c1,a,normal,100,,0,\n"
          "50,pause,,,,,,,w1\n"
          "60,arrive,c2,a,normal,10,,0,\n"
          "500,resume,,,,,,,w1\n");
  EXPECT_EQ(ticket(r, "c1").called_s, 0.0);
  EXPECT_EQ(ticket(r, "c2").called_s, 500.0);  // paused from 100 (c1 done) to 500
}

TEST(ReplayTest, PauseWaitsForANoShowToBeSkipped) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,arrive,c1,a,normal,100,,1,\n"
          "10,pause,,,,,,,w1\n"
          "20,arrive,c2,a,normal,10,,0,\n"
          "500,resume,,,,,,,w1\n");
  EXPECT_EQ(ticket(r, "c2").called_s, 500.0);
}

TEST(ReplayTest, ResumeBeforeTheDeferredPauseCancelsIt) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,arrive,c1,a,normal,100,,0,\n"
          "50,pause,,,,,,,w1\n"
          "60,arrive,c2,a,normal,10,,0,\n"
          "80,resume,,,,,,,w1\n");
  EXPECT_EQ(ticket(r, "c2").called_s, 100.0);
  EXPECT_EQ(r.ignored_rows, 0u);
}

TEST(ReplayTest, CloseWaitsForTheCurrentTicket) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,arrive,c1,a,normal,100,,0,\n"
          "50,close,,,,,,,w1\n"
          "60,arrive,c2,a,normal,10,,0,\n"
          "1000,open,,,,,,,w1\n");
  EXPECT_EQ(ticket(r, "c1").called_s, 0.0);
  EXPECT_EQ(ticket(r, "c2").called_s, 1000.0);  // closed at 100, opened at 1000
}

TEST(ReplayTest, OpenBeforeTheDeferredCloseCancelsIt) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,arrive,c1,a,normal,100,,0,\n"
          "50,close,,,,,,,w1\n"
          "60,open,,,,,,,w1\n"
          "70,arrive,c2,a,normal,10,,0,\n");
  EXPECT_EQ(ticket(r, "c2").called_s, 100.0);
}

TEST(ReplayTest, ClosedOrPausedWindowCallsNothing) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "1,pause,,,,,,,w1\n"
          "2,open,,,,,,,w2\n"
          "3,close,,,,,,,w2\n"
          "10,arrive,c1,a,normal,10,,0,\n");
  EXPECT_FALSE(ticket(r, "c1").called_s);
}

TEST(ReplayTest, RowsThatChangeNothingAreCountedNotRefused) {
  const ReplayResult r =
      run("0,close,,,,,,,w1\n"  // already closed
          "1,open,,,,,,,w1\n"
          "2,open,,,,,,,w1\n"    // already open
          "3,resume,,,,,,,w1\n"  // not paused
          "4,pause,,,,,,,w1\n"
          "5,pause,,,,,,,w1\n"  // already paused
          "6,arrive,c1,a,normal,10,,0,\n"
          "7,resume,,,,,,,w1\n");
  EXPECT_EQ(r.ignored_rows, 4u);
  EXPECT_EQ(ticket(r, "c1").called_s, 7.0);
}

// --------------------------------------------------------------- patience and midnight

TEST(ReplayTest, PatienceRunningOutCancelsTheTicket) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,arrive,c1,a,normal,1000,,0,\n"
          "10,arrive,c2,a,normal,60,300,0,\n"    // gives up at 310
          "500,arrive,c3,a,normal,60,500,0,\n"   // patience ends at 1000, when c1 is done
          "2000,arrive,c4,a,normal,10,0,0,\n");  // no patience at all, but w1 is free
  EXPECT_FALSE(ticket(r, "c2").called_s);
  EXPECT_EQ(ticket(r, "c2").left_s, 310.0);
  // The service ends first at 1000 and the freed window calls at once, before
  // patience runs out at that same instant.
  EXPECT_EQ(ticket(r, "c3").called_s, 1000.0);
  EXPECT_FALSE(ticket(r, "c3").left_s);
  EXPECT_EQ(ticket(r, "c4").called_s, 2000.0);
  EXPECT_FALSE(ticket(r, "c4").left_s);
}

TEST(ReplayTest, TicketsStillWaitingExpireAtMidnight) {
  const ReplayResult r =
      run("100,arrive,c1,a,normal,60,,0,\n"
          "200,arrive,c2,a,normal,60,90000,0,\n"  // patience would end after midnight
          "86500,open,,,,,,,w1\n"
          "86600,arrive,c3,a,normal,60,,0,\n");
  EXPECT_FALSE(ticket(r, "c1").called_s);
  EXPECT_FALSE(ticket(r, "c2").called_s);
  EXPECT_FALSE(ticket(r, "c2").left_s);  // expired, not gave up
  EXPECT_EQ(ticket(r, "c3").called_s, 86600.0);
  EXPECT_EQ(ticket(r, "c2").number, "A002");
  EXPECT_EQ(ticket(r, "c3").number, "A001");  // daily numbers restart
}

TEST(ReplayTest, TicketsStillWaitingAreSentHomeWhenTheLastWindowCloses) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,open,,,,,,,w3\n"
          "10,arrive,c1,a,normal,1000,,0,\n"
          "20,arrive,c2,a,normal,60,,0,\n"  // waits behind c1
          "30,arrive,c3,b,normal,60,,0,\n"
          "500,close,,,,,,,w3\n"              // w1 is still open: not yet
          "600,close,,,,,,,w1\n"              // deferred until c1 is done at 1010
          "2000,arrive,c4,a,normal,60,,0,\n"  // the hall is closed
          "86500,open,,,,,,,w1\n"
          "86600,arrive,c5,a,normal,60,,0,\n"
          "86700,arrive,c6,b,normal,60,,0,\n",  // w1 stays open: the trace's end
          {.policy = dedicated()});             // w3 does not help with a
  EXPECT_FALSE(ticket(r, "c1").sent_home_s);    // called
  EXPECT_EQ(ticket(r, "c2").sent_home_s, 1010.0);
  EXPECT_EQ(ticket(r, "c4").sent_home_s, 2000.0);  // never before the arrival
  EXPECT_FALSE(ticket(r, "c5").sent_home_s);
  EXPECT_EQ(ticket(r, "c6").sent_home_s, 86700.0);  // the last instant replayed
  EXPECT_FALSE(ticket(r, "c2").left_s);             // not a results column: FORMAT.md's left_s stays empty

  const WaitSummary s = summarize(r, 5);
  EXPECT_EQ(s.called, 3u);  // c1, c3, c5
  EXPECT_EQ(s.left, 0u);
  EXPECT_EQ(s.unserved, 3u);  // c2, c4, c6
  // Over everyone, as score.py counts it: the unserved wait until their day's
  // last close row (day 0: 600), or the day's end if it has none (day 1).
  // waits: c1 0, c2 580, c3 0, c4 0 (came after the close), c5 0, c6 86100 seconds
  EXPECT_EQ(r.day_closing_s.size(), 1u);
  EXPECT_EQ(r.day_closing_s.at(0), 600.0);
  EXPECT_DOUBLE_EQ(s.waited_all_min, (580.0 + 86100) / 6 / 60);
  EXPECT_DOUBLE_EQ(s.served_in_target, 3.0 / 6);  // c1, c3, c5 called at once; over everyone
}

TEST(ReplayTest, RowsBeforeTimeZeroBelongToTheDayBefore) {
  const ReplayResult r =
      run("-1,open,,,,,,,w1\n"
          "-1,arrive,c1,a,normal,100,,0,\n"
          "5,arrive,c2,a,normal,10,,0,\n");
  EXPECT_EQ(ticket(r, "c1").called_s, -1.0);
  EXPECT_EQ(ticket(r, "c1").number, "A001");
  // c1 is served across midnight; c2 is the first ticket of the new day.
  EXPECT_EQ(ticket(r, "c2").number, "A001");
  EXPECT_EQ(ticket(r, "c2").called_s, 99.0);
}

// --------------------------------------------------------------- equal times

TEST(ReplayTest, FreedWindowCallsTheQueueBeforeReadingTheInstantsRows) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,arrive,c1,a,normal,100,,0,\n"
          "10,arrive,c2,a,normal,50,,0,\n"
          "100,arrive,c3,a,priority,50,,0,\n");
  // At 100 c1's service ends first; the freed window calls c2 at once, before
  // the priority citizen c3 of the same second has arrived.
  EXPECT_EQ(ticket(r, "c2").called_s, 100.0);
  EXPECT_EQ(ticket(r, "c3").called_s, 150.0);
}

TEST(ReplayTest, FreedWindowTakesAnArrivalOfTheSameSecond) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,arrive,c1,a,normal,100,,0,\n"
          "100,arrive,c2,a,normal,50,,0,\n");
  EXPECT_EQ(ticket(r, "c2").called_s, 100.0);
  EXPECT_EQ(ticket(r, "c2").window, "w1");
}

TEST(ReplayTest, RowsOfOneSecondAreReadInFileOrder) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "5,arrive,c1,a,normal,100,,0,\n"
          "5,arrive,c2,a,priority,100,,0,\n");
  EXPECT_EQ(ticket(r, "c1").called_s, 5.0);  // called as soon as its row is read
  EXPECT_EQ(ticket(r, "c2").called_s, 105.0);
}

TEST(ReplayTest, OpenAfterAnArrivalOfTheSameSecondCallsIt) {
  const ReplayResult r =
      run("0,arrive,c1,a,normal,100,,0,\n"
          "0,open,,,,,,,w1\n");
  EXPECT_EQ(ticket(r, "c1").called_s, 0.0);
}

TEST(ReplayTest, PauseAtTheSecondAServiceEndsComesAfterTheNextCall) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,arrive,c1,a,normal,100,,0,\n"
          "10,arrive,c2,a,normal,50,,0,\n"
          "100,pause,,,,,,,w1\n"
          "120,arrive,c3,a,normal,10,,0,\n"
          "1000,resume,,,,,,,w1\n");
  EXPECT_EQ(ticket(r, "c2").called_s, 100.0);   // the service ended before the row
  EXPECT_EQ(ticket(r, "c3").called_s, 1000.0);  // paused once c2 was done at 150
}

TEST(ReplayTest, PatienceEndingAtAnArrivalIsReadAfterTheRow) {
  // Rows before patience: c2's arrival at 310 is issued before c1 gives up.
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,arrive,c0,a,normal,1000,,0,\n"
          "10,arrive,c1,a,normal,60,300,0,\n"
          "310,arrive,c2,a,normal,60,,0,\n");
  EXPECT_EQ(ticket(r, "c1").left_s, 310.0);
  EXPECT_EQ(ticket(r, "c2").ahead, 1u);  // c1 was still waiting
}

// --------------------------------------------------------------- idle order and policy

TEST(ReplayTest, IdleWindowsTryInConfigOrderByDefault) {
  const std::string body =
      "0,open,,,,,,,w2\n"
      "10,open,,,,,,,w1\n"
      "20,arrive,c1,a,normal,100,,0,\n";
  EXPECT_EQ(ticket(run(body), "c1").window, "w1");
  ReplayOptions longest;
  longest.idle_order = IdleOrder::kLongestIdle;
  EXPECT_EQ(ticket(run(body, longest), "c1").window, "w2");  // idle since 0
}

TEST(ReplayTest, LongestIdleCountsFromTheLastResume) {
  ReplayOptions longest;
  longest.idle_order = IdleOrder::kLongestIdle;
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "1,pause,,,,,,,w1\n"
          "5,open,,,,,,,w2\n"
          "9,resume,,,,,,,w1\n"
          "20,arrive,c1,a,normal,100,,0,\n",
          longest);
  EXPECT_EQ(ticket(r, "c1").window, "w2");
}

TEST(ReplayTest, PolicyDefaultsToTheConfigsRule) {
  const std::string body =
      "0,open,,,,,,,w3\n"
      "5,arrive,c1,a,normal,60,,0,\n";
  EXPECT_EQ(ticket(run(body), "c1").window, "w3");  // config: oldest, any level
  ReplayOptions ded;
  ded.policy = dedicated();
  EXPECT_FALSE(ticket(run(body, ded), "c1").called_s);  // a is level 2 at w3

  auto config = make_test_hall();
  config->rules.policy = "no-such-policy";
  EXPECT_THROW(run(body, {}, config), ReplayError);
}

class FixedPredictor final : public core::WaitPredictor {
 public:
  std::string_view name() const override { return "fixed"; }
  core::Prediction predict_new(const core::Hall&, core::ServiceIdx, core::Priority,
                               core::TimeUs) const override {
    return {7, 123};
  }
  core::Prediction predict(const core::Hall&, core::TicketId, core::TimeUs) const override {
    return {7, 123};
  }
};

TEST(ReplayTest, RecordsThePredictorsFigures) {
  const FixedPredictor fixed;
  ReplayOptions options;
  options.predictor = &fixed;
  const ReplayResult r = run("5,arrive,c1,a,normal,60,,0,\n", options);
  EXPECT_EQ(ticket(r, "c1").predicted_wait_s, 123);
  EXPECT_EQ(ticket(r, "c1").ahead, 7u);
}

TEST(ReplayTest, OpensWithAFreeStaffIdWhenTheHallListsStaff) {
  auto config = make_test_hall();
  config->staff = {{"s1", "张三"}, {"s2", "李四"}};
  ASSERT_FALSE(config->validate_and_index());
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "0,open,,,,,,,w2\n"
          "5,arrive,c1,a,normal,60,,0,\n"
          "5,arrive,c2,a,normal,60,,0,\n",
          {}, config);
  EXPECT_EQ(ticket(r, "c1").window, "w1");
  EXPECT_EQ(ticket(r, "c2").window, "w2");
}

// --------------------------------------------------------------- errors

TEST(ReplayTest, CoreRefusalIsThrownWithTheLineAndTime) {
  auto config = make_test_hall();
  config->rules.recall_limit = 0;  // FORMAT.md's recall is then impossible
  try {
    run("0,open,,,,,,,w1\n"
        "10,arrive,c1,a,normal,100,,1,\n",
        {}, config);
    FAIL() << "no error";
  } catch (const ReplayError& e) {
    const std::string m = e.what();
    EXPECT_NE(
        m.find(
            "t.csv: t=40 s: recall at window w1 (ticket c1, line 3): the core refused recall: recall_limit"),
        std::string::npos)
        << m;
  }
}

TEST(ReplayTest, TraceOfAnotherHallIsRefused) {
  auto config = make_test_hall();
  const Trace trace = parse_trace(std::string(kHeader) + "0,open,,,,,,,w1\n", "t.csv", *config);
  auto other = make_test_hall();
  other->id = "other";
  EXPECT_THROW(replay(other, trace), ReplayError);
}

// --------------------------------------------------------------- output

TEST(ReplayTest, WritesFormatColumnsFirst) {
  const ReplayResult r =
      run("0,open,,,,,,,w1\n"
          "10,arrive,c1,a,normal,100,,0,\n"
          "20.5,arrive,c2,a,priority,50,30,0,\n"
          "21,arrive,c3,b,normal,50,,0,\n");
  std::ostringstream out;
  write_results_csv(out, r);
  EXPECT_EQ(out.str(),
            "ticket,service,priority,arrive_s,predicted_wait_s,called_s,window,left_s,number,ahead\n"
            "c1,a,normal,10,0,10,w1,,A001,0\n"
            "c2,a,priority,20.5,289,,,50.5,A002,0\n"  // 10.5 s into c1's 5-minute service
            "c3,b,normal,21,28779,,,,B001,0\n");      // no window for b: until the 08:00 opening
}

TEST(ReplayTest, SummaryFollowsScorePy) {
  ReplayResult r;
  for (int i = 0; i < 10; ++i) {
    TicketResult t;
    t.arrive_s = 1000;
    t.called_s = 1000 + 60.0 * i;  // waits 0..9 minutes
    r.tickets.push_back(t);
  }
  TicketResult gone;
  gone.arrive_s = 50;
  gone.left_s = 50 + 60 * 12;
  r.tickets.push_back(gone);
  TicketResult sent_home;
  sent_home.arrive_s = 100;
  sent_home.sent_home_s = 100 + 60 * 30;
  r.tickets.push_back(sent_home);
  r.day_closing_s[0] = 100 + 60 * 30;  // the day's last close row
  const WaitSummary s = summarize(r, 5);
  EXPECT_EQ(s.tickets, 12u);
  EXPECT_EQ(s.called, 10u);
  EXPECT_EQ(s.left, 1u);
  EXPECT_EQ(s.unserved, 2u);
  EXPECT_DOUBLE_EQ(s.waited_all_min, (45.0 + 12 + 30) / 12);  // everyone, until called, gone or sent home
  EXPECT_DOUBLE_EQ(s.mean_min, 4.5);
  EXPECT_DOUBLE_EQ(s.p90_min, 9);  // waits[min(9, int(0.9 * 10))]
  EXPECT_DOUBLE_EQ(s.max_min, 9);
  EXPECT_DOUBLE_EQ(s.over_target, 0.4);            // 6, 7, 8, 9 > 5
  EXPECT_DOUBLE_EQ(s.served_in_target, 6.0 / 12);  // 0..5 minutes within 5, over all 12 who came

  const WaitSummary none = summarize(ReplayResult{}, 5);
  EXPECT_EQ(none.called, 0u);
  EXPECT_TRUE(std::isnan(none.mean_min));
  EXPECT_TRUE(std::isnan(none.waited_all_min));
  EXPECT_TRUE(std::isnan(none.served_in_target));
}

}  // namespace
}  // namespace hallq::replay
