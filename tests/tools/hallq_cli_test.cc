// The hallq command line against a real hallqd: the verbs, --json output and
// the exit codes of DESIGN.md's contract (0 done, 1 refused, 2 usage, 3
// unreachable).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tools/process/engine_process.h"

namespace hallq::testing {
namespace {

using proc::EngineProcess;
using proc::run_program;
using proc::RunResult;
using proc::TempDir;

using json = nlohmann::json;
const std::string kSource = HALLQ_SOURCE_DIR;
const std::string kTown = kSource + "/conf/town.toml";

class HallqCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    engine_ = new EngineProcess({kTown}, dir_->path() + "/data");
  }
  static void TearDownTestSuite() {
    delete engine_;
    delete dir_;
  }

  RunResult hallq(std::vector<std::string> args) {
    std::vector<std::string> all = {"--engine", engine_->cmd(), "--pub", engine_->pub()};
    all.insert(all.end(), args.begin(), args.end());
    return run_program(HALLQ_PATH, all);
  }
  json hallq_json(std::vector<std::string> args, int expect_exit = 0) {
    args.insert(args.begin(), "--json");
    const RunResult r = hallq(args);
    EXPECT_EQ(r.exit_code, expect_exit) << r.out << r.err;
    return json::parse(r.out.substr(0, r.out.find('\n')));
  }

  static TempDir* dir_;
  static EngineProcess* engine_;
};
TempDir* HallqCliTest::dir_ = nullptr;
EngineProcess* HallqCliTest::engine_ = nullptr;

TEST_F(HallqCliTest, IssueGivesNumberAheadAndPredictedWait) {
  json first = hallq_json({"issue", "town", "estate"});
  json second = hallq_json({"issue", "town", "estate", "--priority", "priority"});
  EXPECT_EQ(first["number"], "B001");
  EXPECT_EQ(first["ahead"], 0);
  EXPECT_TRUE(first["predicted_wait_s"].is_number_integer());
  EXPECT_EQ(second["number"], "B002");
  EXPECT_EQ(second["priority"], "priority");
  EXPECT_EQ(second["ahead"], 0);  // priority goes ahead of the normal ticket
  const RunResult human = hallq({"issue", "town", "estate"});
  EXPECT_EQ(human.exit_code, 0);
  EXPECT_NE(human.out.find("取号：B003"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("前面还有 2 人"), std::string::npos) << human.out;
}

TEST_F(HallqCliTest, RefusalExitsOneWithTheEnginesReason) {
  json j = hallq_json({"call", "town", "w5"}, 1);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error"], "window_closed");
  EXPECT_NE(j["message"].get<std::string>().find("5号窗口"), std::string::npos);
  const RunResult human = hallq({"evaluate", "town", "Z999", "5"});
  EXPECT_EQ(human.exit_code, 1);
  EXPECT_NE(human.err.find("unknown_ticket"), std::string::npos) << human.err;
}

TEST_F(HallqCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(hallq({}).exit_code, 2);
  EXPECT_EQ(hallq({"issue", "town"}).exit_code, 2);
  EXPECT_EQ(hallq({"evaluate", "town", "A001", "great"}).exit_code, 2);
  EXPECT_EQ(hallq({"issue", "town", "social", "--priority", "vip"}).exit_code, 2);
  EXPECT_EQ(hallq({"fly", "town"}).exit_code, 2);
}

TEST_F(HallqCliTest, UnreachableEngineExitsThree) {
  const RunResult r = run_program(HALLQ_PATH, {"--engine", "tcp://127.0.0.1:9", "--timeout", "300", "--json",
                                               "issue", "town", "social"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(json::parse(r.out)["error"], "unreachable");
}

TEST_F(HallqCliTest, AWindowsWholeDay) {
  ASSERT_EQ(hallq({"open", "town", "w9", "--staff", "s9"}).exit_code, 0);
  hallq_json({"issue", "town", "civil"});
  json call = hallq_json({"call", "town", "w9"});
  const std::string number = call["number"];
  EXPECT_EQ(call["window_number"], 9);
  EXPECT_EQ(hallq({"recall", "town", "w9"}).exit_code, 0);
  EXPECT_EQ(hallq({"start", "town", "w9"}).exit_code, 0);
  EXPECT_EQ(hallq({"transfer", "town", "w9", "social"}).exit_code, 0);
  json again = hallq_json({"call", "town", "w9", "--ticket", number});
  EXPECT_EQ(again["number"], number);
  EXPECT_EQ(hallq({"start", "town", "w9"}).exit_code, 0);
  EXPECT_EQ(hallq({"hold", "town", "w9"}).exit_code, 0);
  EXPECT_EQ(hallq({"unhold", "town", number}).exit_code, 0);
  hallq_json({"call", "town", "w9"});
  EXPECT_EQ(hallq({"open", "town", "w9", "--staff", "s10"}).exit_code, 0);  // B post takes over
  EXPECT_EQ(hallq({"start", "town", "w9"}).exit_code, 0);
  EXPECT_EQ(hallq({"finish", "town", "w9"}).exit_code, 0);
  json rated = hallq_json({"evaluate", "town", number, "5", "--window", "w9"});
  EXPECT_EQ(rated["events"][0]["level"], 5);
  EXPECT_EQ(hallq_json({"evaluate", "town", number, "4"}, 1)["error"], "already_rated");
  EXPECT_EQ(hallq({"pause", "town", "w9"}).exit_code, 0);
  EXPECT_EQ(hallq({"resume", "town", "w9"}).exit_code, 0);
  EXPECT_EQ(hallq({"close", "town", "w9"}).exit_code, 0);
}

TEST_F(HallqCliTest, StatusListsServicesAndWindows) {
  hallq_json({"issue", "town", "tax"});
  json s = hallq_json({"status", "town"});
  EXPECT_EQ(s["hall"], "town");
  ASSERT_EQ(s["services"].size(), 7u);
  ASSERT_EQ(s["windows"].size(), 12u);
  bool tax_seen = false;
  for (const json& sv : s["services"]) {
    EXPECT_TRUE(sv.contains("id") && sv.contains("waiting") && sv.contains("predicted_wait_s"));
    if (sv["id"] == "tax") tax_seen = sv["waiting"].get<int>() >= 1;
  }
  EXPECT_TRUE(tax_seen);
  for (const json& w : s["windows"]) EXPECT_TRUE(w.contains("id") && w.contains("state") && w.contains("current"));
  const RunResult human = hallq({"status", "town"});
  EXPECT_NE(human.out.find("商家镇便民服务中心"), std::string::npos);
  EXPECT_NE(human.out.find("税务（G）"), std::string::npos);
}

TEST_F(HallqCliTest, ReplayWritesTheResultsOfFormatMd) {
  const std::string out = dir_->path() + "/results.csv";
  const RunResult r = hallq({"replay", "--conf", kTown, "--trace", kSource + "/tools/traces/town-week.csv", "--out",
                             out, "--policy", "dedicated"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("mean_wait=7.04min"), std::string::npos) << r.out;  // REFERENCE.md
  std::ifstream in(out);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("ticket,service,priority,arrive_s,predicted_wait_s,called_s,window,left_s", 0), 0u);
  EXPECT_EQ(hallq({"replay", "--conf", kTown, "--trace", kSource + "/tools/traces/town-week.csv", "--out", out,
                   "--policy", "fastest"})
                .exit_code,
            2);
  const std::string bad = dir_->path() + "/bad.csv";
  std::ofstream(bad) << "time_s,event,ticket,service,priority,handle_s,patience_s,absent,window\n"
                        "10,arrive,c1,socail,normal,60,,0,\n";
  const RunResult broken = hallq({"replay", "--conf", kTown, "--trace", bad, "--out", out});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("bad.csv:2"), std::string::npos) << broken.err;
}

TEST_F(HallqCliTest, WatchPrintsEventsAsTheyHappen) {
  // The watcher exits after two events; keep making events until it has.
  std::atomic<bool> done{false};
  RunResult w;
  std::thread watcher([&] {
    w = hallq({"--json", "watch", "town", "--count", "2", "--seconds", "20"});
    done = true;
  });
  for (int i = 0; i < 200 && !done; ++i) hallq({"issue", "town", "consult"});
  watcher.join();
  EXPECT_EQ(w.exit_code, 0);
  EXPECT_NE(w.out.find("\"kind\":\"synced\""), std::string::npos) << w.out;
  EXPECT_NE(w.out.find("\"kind\":\"ticket_issued\""), std::string::npos) << w.out;
}

TEST_F(HallqCliTest, SimulateDrivesTheLiveEngine) {
  const RunResult r = hallq({"simulate", "town", "--trace", kSource + "/tools/traces/town-week.csv", "--day", "1",
                             "--speed", "3000", "--seconds", "3"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("模拟结束"), std::string::npos) << r.out;
  const RunResult board = hallq({"board", "town", "--plain", "--seconds", "1"});
  EXPECT_EQ(board.exit_code, 0);
  EXPECT_NE(board.out.find("商家镇便民服务中心"), std::string::npos) << board.out;
}

TEST_F(HallqCliTest, BackupOfTheLiveStoreRestoresTheSameHall) {
  hallq_json({"issue", "town", "police"});
  const std::string copy = dir_->path() + "/backup";
  json b = hallq_json({"backup", dir_->path() + "/data", copy});
  EXPECT_GT(b["events"].get<int>(), 0);
  EXPECT_NE(hallq({"backup", dir_->path() + "/data", copy}).exit_code, 0);  // never over an existing store
  // The copy, started as a store of its own, holds the same hall.
  const json live = hallq_json({"status", "town"});
  EngineProcess restored({kTown}, copy);
  const RunResult r = run_program(HALLQ_PATH, {"--engine", restored.cmd(), "--json", "status", "town"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json from_copy = json::parse(r.out);
  json live_services = live["services"];
  for (json* services : {&from_copy["services"], &live_services})
    for (json& sv : *services) sv.erase("longest_wait_s");  // depends on the moment asked
  EXPECT_EQ(from_copy["seq"], live["seq"]);
  EXPECT_EQ(from_copy["services"], live_services);
  EXPECT_EQ(from_copy["windows"], live["windows"]);
}

}  // namespace
}  // namespace hallq::testing
