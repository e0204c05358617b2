// hallq_load's report: percentiles and medians on known samples, hallqd's
// closing counters, the JSON of a run.
#include "bench/load_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hallq::bench {
namespace {

TEST(LoadReport, PercentilesOfKnownLatencies) {
  std::vector<std::int64_t> ns;
  for (int i = 1000; i >= 1; --i) ns.push_back(i * 1000);  // 1 ... 1000 us, unsorted
  Summary s;
  set_latencies(s, ns);
  EXPECT_DOUBLE_EQ(s.mean_us, 500.5);
  EXPECT_DOUBLE_EQ(s.p50_us, 501);   // index 0.5 * 999, rounded
  EXPECT_DOUBLE_EQ(s.p90_us, 900);   // 899.1
  EXPECT_DOUBLE_EQ(s.p99_us, 990);   // 989.01
  EXPECT_DOUBLE_EQ(s.p999_us, 999);  // 998.001
  EXPECT_DOUBLE_EQ(s.max_us, 1000);
  Summary none;
  set_latencies(none, {});
  EXPECT_EQ(none.p99_us, 0);
  EXPECT_EQ(none.mean_us, 0);
}

TEST(LoadReport, MedianOfOddEvenAndNone) {
  EXPECT_EQ(median({3, 1, 2}), 2);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(median({}), 0);
}

TEST(LoadReport, HallqdsClosingCounters) {
  Summary s;
  EXPECT_TRUE(requests_and_batches(
      "snapshot written\nhallqd stopped: 120 requests, 100 accepted, 15 refused, 5 malformed, 40 batches\n",
      s));
  EXPECT_EQ(s.engine_requests, 120u);
  EXPECT_EQ(s.engine_batches, 40u);
  EXPECT_FALSE(requests_and_batches("killed\n", s));
}

TEST(LoadReport, ARunAsJson) {
  Summary s;
  s.measured = 10;
  s.seconds = 2;
  s.throughput = 5;
  s.ok = 9;
  s.expected = 1;
  s.codes = {{"queue_empty", 1}};
  s.engine_requests = 12;
  s.engine_batches = 4;
  const nlohmann::json j = to_json(s);
  EXPECT_EQ(j["requests"], 10);
  EXPECT_EQ(j["throughput_per_s"], 5.0);
  EXPECT_EQ(j["refusals_by_code"]["queue_empty"], 1);
  EXPECT_EQ(j["hallqd"]["mean_batch"], 3.0);
  EXPECT_FALSE(j.contains("floor_us"));                  // not measured
  EXPECT_FALSE(j.contains("store"));                     // not known
  EXPECT_FALSE(j["cpu_cores_busy"].contains("hallqd"));  // engine not spawned
}

}  // namespace
}  // namespace hallq::bench
