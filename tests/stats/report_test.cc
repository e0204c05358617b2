// `hallq report` on a stored history: a week of the town trace replayed
// through the real core into a real LMDB store, the report's figures checked
// against those computed independently from the replay's per-ticket results;
// the store reader's range search; bad input; and a live hallqd's store.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/config/config_loader.h"
#include "engine/core/calendar.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/stats/history.h"
#include "engine/stats/period.h"
#include "engine/store/event_store.h"
#include "tests/stats/csv_cells.h"
#include "tests/support/engine_process.h"
#include "tests/support/program_output.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tools/replay/replay_store.h"
#include "tools/replay/trace.h"

namespace hallq::stats {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using hallq::testing::EngineProcess;
using hallq::testing::run_program;
using hallq::testing::RunResult;
using hallq::testing::slurp;
using hallq::testing::TempDir;

const std::string kSource = HALLQ_SOURCE_DIR;
const std::string kTown = kSource + "/conf/town.toml";

// Rows of a CSV without quoted commas (the town's names have none), by the header's column names.
std::vector<std::map<std::string, std::string>> read_csv(const std::string& path) {
  std::istringstream in(slurp(path));
  std::string line;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  const auto split = stats::test::csv_cells;
  while (std::getline(in, line)) {
    if (header.empty()) {
      header = split(line);
      continue;
    }
    const auto cells = split(line);
    EXPECT_EQ(cells.size(), header.size()) << line;
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(row);
  }
  return rows;
}

// Wait figures computed from the replay's results alone (trace seconds).
struct Waits {
  std::vector<double> s;
  std::size_t tickets = 0, left = 0;
  double mean_min() const {
    double sum = 0;
    for (double w : s) sum += w;
    return sum / static_cast<double>(s.size()) / 60;
  }
  double p90_min() const {
    std::vector<double> v = s;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(0.9 * static_cast<double>(v.size())))] / 60;
  }
  std::size_t over(double target_min) const {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [&](double w) { return w > target_min * 60; }));
  }
};

class ReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("hallq-report");
    config_ = config::load_hall_config(kTown);
    const replay::Trace trace = replay::load_trace(kSource + "/tools/traces/town-week.csv", *config_);
    result_ = new replay::ReplayResult(replay::replay_into_store(config_, trace, store_dir()));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete dir_;
    config_.reset();
  }
  static std::string store_dir() { return dir_->path() + "/store"; }

  RunResult report(std::vector<std::string> args) {
    std::vector<std::string> all = {"--json", "report"};
    all.insert(all.end(), args.begin(), args.end());
    return run_program(HALLQ_PATH, all);
  }

  static TempDir* dir_;
  static std::shared_ptr<core::HallConfig> config_;
  static replay::ReplayResult* result_;
};
TempDir* ReportTest::dir_ = nullptr;
std::shared_ptr<core::HallConfig> ReportTest::config_;
replay::ReplayResult* ReportTest::result_ = nullptr;

TEST_F(ReportTest, FiguresMatchTheReplaysTickets) {
  const std::string out = dir_->path() + "/week";
  const RunResult r = report({"town", "--data", store_dir(), "--conf", kTown, "--from", "2026-01-05", "--to",
                              "2026-01-09", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);

  // Independently: per service, per window of the first call, per day of the first call.
  Waits all;
  std::map<std::string, Waits> by_service, by_window;
  std::map<int, Waits> by_day;
  for (const replay::TicketResult& t : result_->tickets) {
    ++all.tickets;
    ++by_service[t.service].tickets;
    if (t.left_s) {
      ++all.left;
      ++by_service[t.service].left;
    }
    if (!t.called_s) continue;
    const double w = *t.called_s - t.arrive_s;
    all.s.push_back(w);
    by_service[t.service].s.push_back(w);
    by_window[t.window].s.push_back(w);
    by_day[static_cast<int>(std::floor(*t.called_s / 86400))].s.push_back(w);
  }
  const double target = config_->wait_target_min;
  ASSERT_GT(all.s.size(), 2000u);
  const json& total = j["total"];
  EXPECT_EQ(total["issued"], all.tickets);
  EXPECT_EQ(total["called"], all.s.size());
  EXPECT_EQ(total["gave_up"], all.left);
  EXPECT_NEAR(total["wait_mean_min"].get<double>(), all.mean_min(), 1e-9);
  EXPECT_NEAR(total["wait_p90_min"].get<double>(), all.p90_min(), 1e-9);
  EXPECT_EQ(total["over_target"], all.over(target));
  // The replay's own summary agrees too.
  const replay::WaitSummary summary = replay::summarize(*result_, target);
  EXPECT_NEAR(total["wait_mean_min"].get<double>(), summary.mean_min, 1e-9);
  EXPECT_NEAR(total["over_target_share"].get<double>(), summary.over_target, 1e-12);

  for (const json& s : j["services"]) {
    const Waits& w = by_service[s["id"].get<std::string>()];
    SCOPED_TRACE(s["id"].get<std::string>());
    EXPECT_EQ(s["issued"], w.tickets);
    EXPECT_EQ(s["called"], w.s.size());
    EXPECT_EQ(s["gave_up"], w.left);
    if (w.s.empty()) {
      EXPECT_TRUE(s["wait_mean_min"].is_null());
      continue;
    }
    EXPECT_NEAR(s["wait_mean_min"].get<double>(), w.mean_min(), 1e-9);
    EXPECT_NEAR(s["wait_p90_min"].get<double>(), w.p90_min(), 1e-9);
    EXPECT_EQ(s["over_target"], w.over(target));
  }
  for (const json& win : j["windows"]) {
    const Waits& w = by_window[win["id"].get<std::string>()];
    SCOPED_TRACE(win["id"].get<std::string>());
    EXPECT_EQ(win["called"], w.s.size());
    if (!w.s.empty()) {
      EXPECT_NEAR(win["wait_mean_min"].get<double>(), w.mean_min(), 1e-9);
    }
    // Every served ticket took window time.
    if (win["served"].get<int>() > 0) {
      EXPECT_GT(win["busy_s"].get<double>(), 0);
      EXPECT_LE(win["busy_s"].get<double>(), win["open_s"].get<double>());
    }
  }
  ASSERT_EQ(j["periods"].size(), 5u);
  for (int d = 0; d < 5; ++d) {
    const json& p = j["periods"][d];
    EXPECT_EQ(p["period"], core::format_date(*core::parse_day("2026-01-05") + d));
    EXPECT_EQ(p["called"], by_day[d].s.size());
    EXPECT_NEAR(p["wait_mean_min"].get<double>(), by_day[d].mean_min(), 1e-9);
  }

  // The CSV tables say the same, in plain numbers.
  const auto services = read_csv(out + "/by_service.csv");
  ASSERT_EQ(services.size(), config_->services.size());
  for (const auto& row : services) {
    const Waits& w = by_service[row.at("service")];
    SCOPED_TRACE(row.at("service"));
    EXPECT_EQ(row.at("issued"), std::to_string(w.tickets));
    EXPECT_EQ(row.at("called"), std::to_string(w.s.size()));
    EXPECT_EQ(row.at("wait_mean_min"), w.s.empty() ? "" : fmt::format("{:.2f}", w.mean_min()));
    EXPECT_EQ(row.at("wait_p90_min"), w.s.empty() ? "" : fmt::format("{:.2f}", w.p90_min()));
  }
  const auto days = read_csv(out + "/by_day.csv");
  ASSERT_EQ(days.size(), 5u);
  EXPECT_EQ(days[0].at("period"), "2026-01-05");
  EXPECT_EQ(days[2].at("wait_mean_min"), fmt::format("{:.2f}", by_day[2].mean_min()));
  EXPECT_EQ(read_csv(out + "/by_window.csv").size(), config_->windows.size());
  const auto staff = read_csv(out + "/by_staff.csv");
  EXPECT_FALSE(staff.empty());
  std::size_t served_by_staff = 0;
  for (const auto& row : staff) served_by_staff += std::stoul(row.at("served"));
  EXPECT_EQ(served_by_staff, total["served"].get<std::size_t>());

  // The HTML is self-contained, in Chinese, with the chart library inline.
  const std::string html = slurp(out + "/report.html");
  EXPECT_NE(html.find("服务大厅运行报告"), std::string::npos);
  for (const char* heading : {"按事项", "按窗口", "按工作人员", "取号", "办结", "平均等待", "90%等待",
                              "超时比例", "满意率", "过号", "@page"})
    EXPECT_NE(html.find(heading), std::string::npos) << heading;
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org"));  // no fetched resources
  EXPECT_GT(html.size(), 100'000u);                                 // Chart.js is in it
  EXPECT_NE(html.find("new Chart("), std::string::npos);
}

TEST_F(ReportTest, OneDayAndByMonth) {
  const std::string out = dir_->path() + "/day";
  RunResult r = report({"town", "--data", store_dir(), "--conf", kTown, "--from", "2026-01-07", "--to",
                        "2026-01-07", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  std::size_t issued = 0;
  const core::TimeUs day_s = 2 * 86400;
  for (const auto& t : result_->tickets) issued += t.arrive_s >= day_s && t.arrive_s < day_s + 86400;
  EXPECT_EQ(j["total"]["issued"], issued);
  EXPECT_NE(slurp(out + "/report.html").find("服务大厅运行日报"), std::string::npos);

  const std::string month = dir_->path() + "/month";
  r = report({"town", "--data", store_dir(), "--conf", kTown, "--from", "2026-01-01", "--to", "2026-01-31",
              "--by", "month", "--out", month});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = json::parse(r.out);
  EXPECT_EQ(j["total"]["issued"], result_->tickets.size());
  ASSERT_EQ(j["periods"].size(), 1u);
  EXPECT_EQ(j["periods"][0]["period"], "2026-01");
  EXPECT_NE(slurp(month + "/report.html").find("服务大厅运行月报"), std::string::npos);
  EXPECT_EQ(read_csv(month + "/by_day.csv").size(), 1u);
}

TEST_F(ReportTest, FirstSeqAtFindsTheDayByBinarySearch) {
  store::EventStore store({.dir = store_dir(), .read_only = true});
  const std::int64_t day = *core::parse_day("2026-01-07");
  const std::uint64_t seq = first_seq_at(store, *config_, config_->day_start(day));
  ASSERT_GT(seq, 1u);
  ASSERT_LE(seq, store.last_seq("town"));
  // It is the first event of that day: the one before belongs to the day before.
  protocol::DecodedEvent at, before;
  const auto a = store.read_event("town", seq), b = store.read_event("town", seq - 1);
  ASSERT_TRUE(protocol::decode_event(protocol::as_bytes(*a), *config_, at).ok());
  ASSERT_TRUE(protocol::decode_event(protocol::as_bytes(*b), *config_, before).ok());
  EXPECT_EQ(config_->local_day(at.event.time), day);
  EXPECT_LT(config_->local_day(before.event.time), day);
  EXPECT_EQ(first_seq_at(store, *config_, 0), 1u);
  EXPECT_EQ(first_seq_at(store, *config_, config_->day_start(day + 365)), store.last_seq("town") + 1);
}

TEST_F(ReportTest, BadInputIsRefusedAndWritesNothing) {
  const std::string out = dir_->path() + "/never";
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"town", "--data", store_dir(), "--conf", kTown, "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    return report(args);
  };
  struct Case {
    std::vector<std::string> args;
    int exit;
    std::string says;
  };
  const std::string empty_dir = dir_->path() + "/empty";
  fs::create_directories(empty_dir);
  const std::vector<Case> cases = {
      {{"--from", "2026-01-32", "--to", "2026-02-01"}, 2, "YYYY-MM-DD"},
      {{"--from", "2026/01/05", "--to", "2026-02-01"}, 2, "YYYY-MM-DD"},
      {{"--from", "2026-01-05", "--to", "2026-2-1"}, 2, "YYYY-MM-DD"},
      {{"--from", "2026-01-09", "--to", "2026-01-05"}, 2, "晚于"},
      {{"--from", "2026-01-01", "--to", "2027-01-02"}, 2, "366"},
      {{"--from", "2026-01-05", "--to", "2026-01-09", "--by", "week"}, 2, "--by"},
  };
  for (const Case& c : cases) {
    const RunResult r = run(c.args);
    EXPECT_EQ(r.exit_code, c.exit) << fmt::format("{}", fmt::join(c.args, " ")) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  // Unknown hall; a directory that holds no store; a config of another hall.
  RunResult r =
      report({"nowhere", "--data", store_dir(), "--from", "2026-01-05", "--to", "2026-01-05", "--out", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("没有大厅 nowhere"), std::string::npos) << r.err;
  r = report({"town", "--data", empty_dir, "--from", "2026-01-05", "--to", "2026-01-05", "--out", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("不是可读的 hallq 数据目录"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_empty(empty_dir));  // read-only: nothing created in it
  r = report({"town", "--data", store_dir(), "--conf", kSource + "/conf/district.toml", "--from",
              "2026-01-05", "--to", "2026-01-05", "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  // The replayed store has no snapshot: the config must be given.
  r = report({"town", "--data", store_dir(), "--from", "2026-01-05", "--to", "2026-01-05", "--out", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--conf"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

// The real engine: a few commands, then the report from its store while it runs.
TEST(ReportLiveTest, ReportsALiveStore) {
  TempDir dir("hallq-report-live");
  const std::string data = dir.path() + "/data";
  EngineProcess engine({kTown}, data);
  auto hallq = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--engine", engine.cmd()});
    const RunResult r = run_program(HALLQ_PATH, args);
    EXPECT_EQ(r.exit_code, 0) << fmt::format("{}", fmt::join(args, " ")) << r.err;
    return r;
  };
  hallq({"open", "town", "w1", "--staff", "s01"});
  hallq({"issue", "town", "social"});
  hallq({"issue", "town", "social"});
  hallq({"call", "town", "w1"});
  hallq({"start", "town", "w1"});
  hallq({"open", "town", "w1", "--staff", "s02"});  // B post takes over
  hallq({"finish", "town", "w1"});
  hallq({"evaluate", "town", "A001", "5"});
  hallq({"call", "town", "w1"});
  hallq({"skip", "town", "w1"});

  const auto config = config::load_hall_config(kTown);
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::string today = core::format_date(config->local_day(now));
  const std::string out = dir.path() + "/out";
  const RunResult r = run_program(HALLQ_PATH, {"--json", "report", "town", "--data", data, "--conf", kTown,
                                               "--from", today, "--to", today, "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["total"]["issued"], 2);
  EXPECT_EQ(j["total"]["called"], 2);
  EXPECT_EQ(j["total"]["served"], 1);
  EXPECT_EQ(j["total"]["no_shows"], 1);
  EXPECT_EQ(j["total"]["ratings"][5], 1);
  EXPECT_EQ(j["total"]["satisfaction"], 1.0);
  std::map<std::string, json> staff;
  for (const json& s : j["staff"]) staff[s["id"]] = s;
  EXPECT_EQ(staff.at("s01")["called"], 1);
  EXPECT_EQ(staff.at("s01")["served"], 0);
  EXPECT_EQ(staff.at("s02")["served"], 1);  // the B post finished it
  EXPECT_EQ(staff.at("s02")["ratings"][5], 1);
  EXPECT_EQ(staff.at("s02")["no_shows"], 1);
  EXPECT_TRUE(fs::exists(out + "/report.html"));
  EXPECT_TRUE(engine.running());

  // Stopped cleanly, the engine leaves a snapshot: its config serves without --conf.
  EXPECT_EQ(engine.terminate(), 0);
  const RunResult again = run_program(HALLQ_PATH, {"--json", "report", "town", "--data", data, "--from",
                                                   today, "--to", today, "--out", dir.path() + "/again"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["total"], j["total"]);
}

}  // namespace
}  // namespace hallq::stats
