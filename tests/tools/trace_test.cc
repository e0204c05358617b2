// The trace parser: good input in its variants, and for each kind of bad input
// an error that names the file and the line.
#include "tools/replay/trace.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/config/config_loader.h"
#include "tests/tools/test_hall.h"

namespace hallq::replay {
namespace {

using testing::kHeader;
using testing::make_test_hall;

Trace parse(const std::string& body) {
  return parse_trace(std::string(kHeader) + body, "t.csv", *make_test_hall());
}

// The message of the TraceError that parsing `body` throws ("" if none).
std::string error_of(const std::string& body) {
  try {
    parse(body);
  } catch (const TraceError& e) {
    return e.what();
  }
  return "";
}

TEST(TraceTest, ParsesEveryKindOfRow) {
  const Trace t = parse(
      "-1,open,,,,,,,w1\n"
      "10,arrive,c1,a,normal,120,,0,\n"
      "10,arrive,c2,b,priority,30.5,600,1,\n"
      "11,arrive,c3,a,appointment,0,0,,\n"
      "20,pause,,,,,,,w1\n"
      "30,resume,,,,,,,w1\n"
      "40,close,,,,,,,w3\n");
  EXPECT_EQ(t.source, "t.csv");
  EXPECT_EQ(t.hall, "test");
  ASSERT_EQ(t.rows.size(), 7u);
  EXPECT_EQ(t.arrivals, 3u);
  EXPECT_EQ(t.rows[0].time_s, -1);
  EXPECT_EQ(t.rows[0].event, TraceEvent::kOpen);
  EXPECT_EQ(t.rows[0].window, 0);
  EXPECT_EQ(t.rows[0].line, 2u);
  const TraceRow& c2 = t.rows[2];
  EXPECT_EQ(c2.ticket, "c2");
  EXPECT_EQ(c2.service, 1);
  EXPECT_EQ(c2.priority, core::Priority::kPriority);
  EXPECT_DOUBLE_EQ(c2.handle_s, 30.5);
  ASSERT_TRUE(c2.patience_s);
  EXPECT_EQ(*c2.patience_s, 600);
  EXPECT_TRUE(c2.absent);
  EXPECT_FALSE(t.rows[1].patience_s);
  EXPECT_FALSE(t.rows[1].absent);
  EXPECT_EQ(t.rows[3].priority, core::Priority::kAppointment);
  EXPECT_FALSE(t.rows[3].absent);  // empty absent means 0
  EXPECT_EQ(t.rows[4].event, TraceEvent::kPause);
  EXPECT_EQ(t.rows[5].event, TraceEvent::kResume);
  EXPECT_EQ(t.rows[6].event, TraceEvent::kClose);
  EXPECT_EQ(t.rows[6].window, 2);
  EXPECT_EQ(t.rows[6].line, 8u);
}

TEST(TraceTest, AcceptsCrLfBomAndBlankLines) {
  const std::string text = std::string("\xEF\xBB\xBF") +
                           "time_s,event,ticket,service,priority,handle_s,patience_s,absent,window\r\n"
                           "0,open,,,,,,,w1\r\n"
                           "\r\n"
                           "5,arrive,c1,a,normal,60,,0,\r\n"
                           "\n";
  const Trace t = parse_trace(text, "crlf.csv", *make_test_hall());
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[1].ticket, "c1");
  EXPECT_EQ(t.rows[1].line, 4u);
}

TEST(TraceTest, HeaderOnlyIsAnEmptyTrace) { EXPECT_TRUE(parse("").rows.empty()); }

struct BadCase {
  const char* body;   // rows after the header
  const char* error;  // the whole expected message
};

// Names the case in test listings by the error it expects.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.error; }

class TraceErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(TraceErrorTest, NamesTheLine) { EXPECT_EQ(error_of(GetParam().body), GetParam().error); }

INSTANTIATE_TEST_SUITE_P(
    BadRows, TraceErrorTest,
    ::testing::Values(
        BadCase{"0,open,,,,,,,w1\n1,opne,,,,,,,w1\n", "t.csv:3: unknown event \"opne\""},
        BadCase{"5,arrive,c1,socail,normal,60,,0,\n", "t.csv:2: service \"socail\" is not in hall test"},
        BadCase{"0,open,,,,,,,w99\n", "t.csv:2: window \"w99\" is not in hall test"},
        BadCase{"30,open,,,,,,,w1\n29,arrive,c1,a,normal,60,,0,\n",
                "t.csv:3: time goes backwards (29 after 30 on line 2)"},
        BadCase{"0,open,,,,,,w1\n", "t.csv:2: expected 9 fields, found 8"},
        BadCase{"0,open,,,,,,,w1,\n", "t.csv:2: expected 9 fields, found 10"},
        BadCase{"noon,open,,,,,,,w1\n", "t.csv:2: time_s: \"noon\" is not a number"},
        BadCase{",open,,,,,,,w1\n", "t.csv:2: time_s: missing"},
        BadCase{"5,arrive,c1,a,normal,1O,,0,\n", "t.csv:2: handle_s: \"1O\" is not a number"},
        BadCase{"5,arrive,c1,a,normal,nan,,0,\n", "t.csv:2: handle_s: \"nan\" is not a number"},
        BadCase{"5,arrive,c1,a,normal,-3,,0,\n", "t.csv:2: handle_s: -3 is negative"},
        BadCase{"5,arrive,c1,a,normal,,,0,\n", "t.csv:2: handle_s: missing"},
        BadCase{"5,arrive,c1,a,normal,60,-1,0,\n", "t.csv:2: patience_s: -1 is negative"},
        BadCase{"5,arrive,c1,a,normal,60,soon,0,\n", "t.csv:2: patience_s: \"soon\" is not a number"},
        BadCase{"5,arrive,c1,a,normal,60,,0,\n6,arrive,c1,a,normal,60,,0,\n",
                "t.csv:3: duplicate ticket \"c1\" (first on line 2)"},
        BadCase{"5,arrive,c1,a,vip,60,,0,\n",
                "t.csv:2: priority: \"vip\" is not normal, priority or appointment"},
        BadCase{"5,arrive,c1,a,normal,60,,yes,\n", "t.csv:2: absent: \"yes\" is not 0 or 1"},
        BadCase{"5,arrive,,a,normal,60,,0,\n", "t.csv:2: ticket: missing for an arrive row"},
        BadCase{"5,arrive,c1,,normal,60,,0,\n", "t.csv:2: service: missing for an arrive row"},
        BadCase{"5,arrive,c1,a,normal,60,,0,w1\n", "t.csv:2: window: not used by arrive rows"},
        BadCase{"5,open,,,,,,,\n", "t.csv:2: window: missing (open rows name a window)"},
        BadCase{"5,close,c1,,,,,,w1\n", "t.csv:2: ticket: not used by close rows"}));

TEST(TraceTest, BadHeaderIsLineOne) {
  try {
    parse_trace("time,event\n0,open,,,,,,,w1\n", "h.csv", *make_test_hall());
    FAIL() << "no error";
  } catch (const TraceError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("h.csv:1: expected the header")) << e.what();
  }
  EXPECT_THROW(parse_trace("", "empty.csv", *make_test_hall()), TraceError);
}

TEST(TraceTest, MissingFileIsATraceError) {
  try {
    load_trace("/nonexistent/x.csv", *make_test_hall());
    FAIL() << "no error";
  } catch (const TraceError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/x.csv: cannot open the trace");
  }
}

// The largest shared trace (770 KB) must parse in a few milliseconds.
TEST(TraceTest, ParsesTheBankTraceFast) {
  const auto config = config::load_hall_config(HALLQ_SOURCE_DIR "/conf/bank.toml");
  std::ifstream in(HALLQ_SOURCE_DIR "/tools/traces/bank-feb-01-14.csv", std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  ASSERT_GT(text.size(), 700'000u);
  double best_ms = 1e9;
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const Trace t = parse_trace(text, "bank.csv", *config);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    best_ms = std::min(best_ms, ms);
    EXPECT_EQ(t.arrivals, 17038u);
    EXPECT_EQ(t.rows.size(), 21460u);
  }
  std::cout << "[ timing ] bank trace parse: " << best_ms << " ms\n";
  EXPECT_LT(best_ms, 50);  // a few ms on this machine; generous for a loaded CI box
}

}  // namespace
}  // namespace hallq::replay
