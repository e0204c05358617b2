// `hallq report`'s 好差评 figures from a stored log: a month of the town hall
// made by the real core from commands (ratings, 差评 work orders, callbacks,
// rectifications) at chosen instants, each event encoded as hallqd encodes it
// into a real LMDB store; then the `hallq report` program on it. The CSV
// columns and values, the JSON and the 月报's 好差评 section are checked
// against the figures counted by hand from the commands below. Fixed dates:
// nothing depends on the time of day.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "engine/config/config_loader.h"
#include "engine/core/calendar.h"
#include "engine/core/hall.h"
#include "engine/core/ticket.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/store/event_store.h"
#include "tests/stats/csv_cells.h"
#include "tests/support/program_output.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::stats {
namespace {

using json = nlohmann::json;
using hallq::testing::run_program;
using hallq::testing::RunResult;
using hallq::testing::slurp;
using hallq::testing::TempDir;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

using Row = std::map<std::string, std::string>;

// A CSV's header and rows (the town's names hold no commas or quotes).
struct Csv {
  std::vector<std::string> header;
  std::vector<Row> rows;
  const Row& row(const std::string& column, const std::string& value) const {
    for (const Row& r : rows)
      if (r.at(column) == value) return r;
    ADD_FAILURE() << "no row with " << column << " = " << value;
    return rows.front();
  }
};

Csv read_csv(const std::string& path) {
  std::istringstream in(slurp(path));
  const auto split = stats::test::csv_cells;
  Csv csv;
  std::string line;
  while (std::getline(in, line)) {
    if (csv.header.empty()) {
      csv.header = split(line);
      continue;
    }
    const auto cells = split(line);
    EXPECT_EQ(cells.size(), csv.header.size()) << line;
    Row row;
    for (std::size_t i = 0; i < csv.header.size() && i < cells.size(); ++i) row[csv.header[i]] = cells[i];
    csv.rows.push_back(row);
  }
  return csv;
}

// The 好差评 columns of a row: good,bad,good_rate,bad_rate,work_orders,called_back,
// callback_rate,reached,rectified,rectify_rate,overdue.
std::string verdicts(const Row& r) {
  std::string out;
  for (const char* c : {"rated", "good", "bad", "good_rate", "bad_rate", "work_orders", "called_back",
                        "callback_rate", "reached", "rectified", "rectify_rate", "overdue"})
    out += (out.empty() ? "" : ",") + r.at(c);
  return out;
}

// Drives the real core with commands at given local instants and stores
// every event it makes, as hallqd would (replica-encoded, real LMDB).
class StoredHall {
 public:
  StoredHall(std::shared_ptr<const core::HallConfig> config, const std::string& dir)
      : config_(config),
        hall_(config, policy::find_policy(config->rules.policy), &predict::default_predictor()),
        mirror_(config, policy::find_policy(config->rules.policy), &predict::default_predictor()),
        store_({.dir = dir, .durable = false}) {}

  // `date` "2026-03-02", local h:m.
  core::TimeUs at(const std::string& date, int h, int m) const {
    return config_->day_start(*core::parse_day(date)) + (h * 60 + m) * 60 * core::kUsPerSecond;
  }
  std::vector<core::Event> run(core::TimeUs now, core::CommandBody body) {
    std::vector<core::Event> out;
    const core::Status st = hall_.apply(core::Command{"", std::move(body)}, now, out);
    EXPECT_TRUE(st.ok()) << st.message();
    store::EventStore::Batch batch;
    for (const core::Event& e : out) {
      mirror_.apply_event(e);
      batch.add_event(config_->id, e.seq, protocol::encode_event(mirror_, e, ""));
    }
    store_.commit(batch);
    return out;
  }
  // Issues a social ticket, serves it at `window` and rates it: the work order's id, or 0.
  core::TicketId serve_and_rate(core::TimeUs t, std::string_view window, int level,
                                std::string_view comment = "") {
    std::uint32_t n = 0;
    for (const core::Event& ev : run(t, core::IssueTicket{"social"}))
      if (const auto* issued = std::get_if<core::TicketIssued>(&ev.body)) n = issued->number;
    run(t, core::CallNext{window});
    run(t, core::StartService{window});
    run(t + 5 * core::kUsPerMinute, core::Finish{window, ""});
    const std::string number = core::format_number("A", n, config_->rules.number_digits);
    core::Evaluate e{.number = number, .level = level, .window = window, .comment = comment};
    for (const core::Event& ev : run(t + 6 * core::kUsPerMinute, e))
      if (const auto* o = std::get_if<core::WorkOrderOpened>(&ev.body)) return o->ticket;
    return 0;
  }

 private:
  std::shared_ptr<const core::HallConfig> config_;
  core::Hall hall_, mirror_;
  store::EventStore store_;
};

class ReportVerdictsTest : public ::testing::Test {
 protected:
  // The hall's March 2026 (no holidays configured; 5 working days to follow up):
  //   X0  02-26 Thu  w1 s01  1 (with a comment)  due 03-05  never called back: overdue 03-06
  //   X1  03-02 Mon  w1 s01  2  due 03-09  reached 03-03, rectified 03-04 (on time)
  //       03-02      w2 s02  5
  //   X3  03-02      w2 s02  1  due 03-09  not reached 03-03: overdue 03-10
  //       03-02      w1 s01  4
  //       03-02      w1 s01  0 (未评价)
  //   X4  03-31 Tue  w2 s03  2  due 04-07  reached 04-01 (after the month)
  static void SetUpTestSuite() {
    dir_ = new TempDir("hallq-report-verdicts");
    auto config = config::load_hall_config(kTown);
    StoredHall h(config, dir_->path() + "/store");
    h.run(h.at("2026-02-26", 9, 0), core::OpenWindow{"w1", "s01"});
    h.serve_and_rate(h.at("2026-02-26", 10, 0), "w1", 1, "态度差，电话13800000000");
    h.run(h.at("2026-02-26", 17, 30), core::CloseWindow{"w1"});

    h.run(h.at("2026-03-02", 9, 0), core::OpenWindow{"w1", "s01"});
    h.run(h.at("2026-03-02", 9, 0), core::OpenWindow{"w2", "s02"});
    const core::TicketId x1 = h.serve_and_rate(h.at("2026-03-02", 10, 0), "w1", 2);
    h.serve_and_rate(h.at("2026-03-02", 10, 10), "w2", 5);
    const core::TicketId x3 = h.serve_and_rate(h.at("2026-03-02", 10, 20), "w2", 1);
    h.serve_and_rate(h.at("2026-03-02", 10, 30), "w1", 4);
    h.serve_and_rate(h.at("2026-03-02", 10, 40), "w1", 0);
    h.run(h.at("2026-03-02", 17, 30), core::CloseWindow{"w1"});
    h.run(h.at("2026-03-02", 17, 30), core::CloseWindow{"w2"});
    h.run(h.at("2026-03-03", 9, 0), core::RecordCallback{x1, true, "电话里道歉了", "zhang"});
    h.run(h.at("2026-03-03", 9, 5), core::RecordCallback{x3, false, "打了三次没人接", "zhang"});
    h.run(h.at("2026-03-04", 9, 0), core::RecordRectification{x1, "窗口人员参加培训", "zhang"});

    h.run(h.at("2026-03-31", 9, 0), core::OpenWindow{"w2", "s03"});
    const core::TicketId x4 = h.serve_and_rate(h.at("2026-03-31", 10, 0), "w2", 2);
    h.run(h.at("2026-03-31", 17, 30), core::CloseWindow{"w2"});
    h.run(h.at("2026-04-01", 9, 0), core::RecordCallback{x4, true, "四月才回访", "li"});
    ASSERT_NE(x1 * x3 * x4, 0u);
  }
  static void TearDownTestSuite() { delete dir_; }

  RunResult report(const std::string& from, const std::string& to, const std::string& out) {
    return run_program(HALLQ_PATH, {"--json", "report", "town", "--data", dir_->path() + "/store", "--conf",
                                    kTown, "--from", from, "--to", to, "--out", out});
  }

  static inline TempDir* dir_ = nullptr;
};

TEST_F(ReportVerdictsTest, TheMonthsCsvColumnsAndJson) {
  const std::string out = dir_->path() + "/march";
  const RunResult r = report("2026-03-01", "2026-03-31", out);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::string columns =
      "good,bad,good_rate,bad_rate,work_orders,called_back,callback_rate,reached,rectified,rectify_rate,"
      "overdue";
  for (const char* file : {"by_service.csv", "by_window.csv", "by_staff.csv", "by_day.csv"}) {
    const std::string text = slurp(out + "/" + file);
    const std::string header = text.substr(0, text.find('\n'));
    EXPECT_EQ(header.substr(header.size() - columns.size()), columns) << file;
  }
  // rated,good,bad,good_rate,bad_rate,work_orders,called_back,callback_rate,reached,rectified,
  // rectify_rate,overdue. Hall (all social): rated 2 5 1 4 and 03-31's 2; orders X1 X3 X4; called
  // back X1 X3; reached and rectified X1; overdue X0 (03-06) and X3 (03-10).
  const Csv services = read_csv(out + "/by_service.csv");
  EXPECT_EQ(verdicts(services.row("service", "social")), "5,2,3,0.4000,0.6000,3,2,0.6667,1,1,0.3333,2");
  EXPECT_EQ(verdicts(services.row("service", "tax")), "0,0,0,,,0,0,,0,0,,0");
  const Csv windows = read_csv(out + "/by_window.csv");
  // w1: X1's 2 and the 4 (and 未评价); X0 falls overdue in March.
  EXPECT_EQ(verdicts(windows.row("window", "w1")), "2,1,1,0.5000,0.5000,1,1,1.0000,1,1,1.0000,1");
  EXPECT_EQ(verdicts(windows.row("window", "w2")), "3,1,2,0.3333,0.6667,2,1,0.5000,0,0,0.0000,1");
  EXPECT_EQ(verdicts(windows.row("window", "w3")), "0,0,0,,,0,0,,0,0,,0");
  const Csv staff = read_csv(out + "/by_staff.csv");
  EXPECT_EQ(verdicts(staff.row("staff", "s01")), "2,1,1,0.5000,0.5000,1,1,1.0000,1,1,1.0000,1");
  EXPECT_EQ(verdicts(staff.row("staff", "s02")), "2,1,1,0.5000,0.5000,1,1,1.0000,0,0,0.0000,1");
  EXPECT_EQ(verdicts(staff.row("staff", "s03")), "1,0,1,0.0000,1.0000,1,0,0.0000,0,0,0.0000,0");
  const Csv days = read_csv(out + "/by_day.csv");
  ASSERT_EQ(days.rows.size(), 31u);
  EXPECT_EQ(verdicts(days.row("period", "2026-03-02")), "4,2,2,0.5000,0.5000,2,2,1.0000,1,1,0.5000,0");
  EXPECT_EQ(verdicts(days.row("period", "2026-03-06")), "0,0,0,,,0,0,,0,0,,1");
  EXPECT_EQ(verdicts(days.row("period", "2026-03-10")), "0,0,0,,,0,0,,0,0,,1");
  EXPECT_EQ(verdicts(days.row("period", "2026-03-31")), "1,0,1,0.0000,1.0000,1,0,0.0000,0,0,0.0000,0");
  EXPECT_EQ(days.row("period", "2026-03-02").at("not_rated"), "1");

  const json total = json::parse(r.out)["total"];
  EXPECT_EQ(total["good"], 2);
  EXPECT_EQ(total["bad"], 3);
  EXPECT_EQ(total["work_orders"], 3);
  EXPECT_EQ(total["called_back"], 2);
  EXPECT_EQ(total["reached"], 1);
  EXPECT_EQ(total["rectified"], 1);
  EXPECT_EQ(total["overdue"], 2);
  EXPECT_DOUBLE_EQ(total["good_rate"].get<double>(), 2.0 / 5);
  EXPECT_DOUBLE_EQ(total["bad_rate"].get<double>(), 3.0 / 5);
  EXPECT_DOUBLE_EQ(total["callback_rate"].get<double>(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(total["rectify_rate"].get<double>(), 1.0 / 3);

  // The 月报: the 好差评 section with its tables, counts only, no personal data.
  const std::string html = slurp(out + "/report.html");
  EXPECT_NE(html.find("服务大厅运行月报"), std::string::npos);
  for (const char* s : {"五、好差评", "好评率", "差评率", "回访率", "整改率", "逾期", "好差评（按事项）",
                        "好差评（按窗口）", "好差评（按工作人员）", "<td>40.0%</td>", "<td>66.7%</td>"})
    EXPECT_NE(html.find(s), std::string::npos) << s;
  for (const char* s : {"态度差", "13800000000", "电话里道歉了", "打了三次没人接", "窗口人员参加培训"})
    EXPECT_EQ(html.find(s), std::string::npos) << s;
}

// February's report has X0 rated and open; its deadline is March's. A report of
// 03-06 alone (the store goes on after it) counts X0 overdue.
TEST_F(ReportVerdictsTest, AnOrderCountsWhereItOpensAndFallsOverdueOnTheDayAfterItsDueDay) {
  RunResult r = report("2026-02-01", "2026-02-28", dir_->path() + "/february");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json total = json::parse(r.out)["total"];
  EXPECT_EQ(total["bad"], 1);
  EXPECT_EQ(total["work_orders"], 1);
  EXPECT_EQ(total["called_back"], 0);
  EXPECT_EQ(total["overdue"], 0);

  r = report("2026-03-06", "2026-03-06", dir_->path() + "/day");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  total = json::parse(r.out)["total"];
  EXPECT_EQ(total["work_orders"], 0);
  EXPECT_EQ(total["overdue"], 1);  // X0, opened eight days before the range
  EXPECT_TRUE(total["callback_rate"].is_null());

  // Without --json, the summary line says it in Chinese.
  r = run_program(HALLQ_PATH, {"report", "town", "--data", dir_->path() + "/store", "--conf", kTown, "--from",
                               "2026-03-01", "--to", "2026-03-31", "--out", dir_->path() + "/text"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("服务大厅运行月报"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("满意率 40.0%，差评 3，回访率 66.7%，整改率 33.3%，逾期工单 2"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace hallq::stats
