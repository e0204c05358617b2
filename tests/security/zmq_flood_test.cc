// A ZeroMQ client floods the real hallqd on loopback (issue 16): garbage and
// valid requests whose replies it never reads, as fast as its socket lets
// it, while another client's commands keep their latency and hallqd's
// memory stays bounded; with a display key (subscribe-only) as well, whose
// requests are refused. The flood lasts kFloodSeconds (30 s in CI; the env
// HALLQ_FLOOD_SECONDS shortens it for local runs).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/protocol/request_codec.h"
#include "tests/support/engine_process.h"
#include "tests/support/secure_engine.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

// The bounds asserted (SECURITY.md, "Limits"; measured on the 2-core CI
// machine with other builds running: see README's reliability table).
constexpr double kP99BoundMs = 200;
constexpr long kRssBoundKib = 150 * 1024;

int flood_seconds(int ci) {
  const char* env = std::getenv("HALLQ_FLOOD_SECONDS");
  return env != nullptr && std::atoi(env) > 0 ? std::atoi(env) : ci;
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

struct FloodResult {
  std::size_t commands = 0, answered = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  long rss_before = 0, rss_peak = 0, rss_after = 0;
  std::uint64_t flood_sent = 0;
};

// Floods `engine` for `seconds` from a DEALER with `flood_curve` while a
// client with `curve` opens w1 and then issues and calls in a closed loop.
FloodResult flood(EngineProcess& engine, int seconds, const client::CurveOptions& flood_curve,
                  const client::CurveOptions& issue_curve, const client::CurveOptions& call_curve) {
  FloodResult r;
  zmq::context_t ctx(1);
  r.rss_before = rss_kib(engine.pid());
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> sent{0};
  std::thread flooder([&] {
    zmq::socket_t s(ctx, zmq::socket_type::dealer);
    s.set(zmq::sockopt::linger, 0);
    client::apply_curve(s, flood_curve);
    s.connect(engine.cmd());
    const std::string garbage(200, '\x7f');
    const std::string snapshot = protocol::encode_snapshot_request("", "town");
    const std::string issue = protocol::encode_request("", "town", core::IssueTicket{"social"});
    const std::string* mix[] = {&garbage, &snapshot, &issue, &garbage};
    for (std::uint64_t i = 0; !stop; ++i) {
      // As fast as the engine takes them: when it holds the flooder back
      // (its queue full), a short wait.
      if (s.send(zmq::buffer(*mix[i % 4]), zmq::send_flags::dontwait))
        ++sent;
      else
        std::this_thread::sleep_for(1ms);
    }
  });
  std::atomic<long> peak{r.rss_before};
  std::thread sampler([&] {
    while (!stop) {
      peak = std::max(peak.load(), rss_kib(engine.pid()));
      std::this_thread::sleep_for(200ms);
    }
  });
  client::Client issuer(ctx, engine.cmd(), {.timeout = 5000ms, .attempts = 1, .curve = issue_curve});
  client::Client caller(ctx, engine.cmd(), {.timeout = 5000ms, .attempts = 1, .curve = call_curve});
  std::vector<double> ms;
  auto timed = [&](client::Client& c, const core::CommandBody& cmd) {
    const auto t0 = Clock::now();
    const auto reply = c.command("town", cmd);
    ++r.commands;
    if (!reply) return;
    ++r.answered;
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  };
  timed(caller, core::OpenWindow{"w1", ""});
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < end) {
    timed(issuer, core::IssueTicket{"social"});
    timed(caller, core::CallNext{"w1"});
    std::this_thread::sleep_for(5ms);  // a busy hall's pace, not a second flood
  }
  stop = true;
  flooder.join();  // its socket closes: the peer leaves
  sampler.join();
  r.flood_sent = sent;
  r.rss_peak = peak;
  std::this_thread::sleep_for(2s);
  r.rss_after = rss_kib(engine.pid());
  std::sort(ms.begin(), ms.end());
  if (!ms.empty()) {
    r.p50_ms = ms[ms.size() / 2];
    r.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
    r.max_ms = ms.back();
  }
  // The engine still answers after the flood.
  EXPECT_TRUE(caller.ping().has_value());
  std::cout << fmt::format(
                   "{} s flood ({} messages sent): {} of {} commands answered, latency p50 {:.1f} ms p99 "
                   "{:.1f} ms max {:.1f} ms; hallqd RSS {} KiB before, peak {} KiB, {} KiB 2 s after\n",
                   seconds, r.flood_sent, r.answered, r.commands, r.p50_ms, r.p99_ms, r.max_ms, r.rss_before,
                   r.rss_peak, r.rss_after)
            << std::flush;
  return r;
}

void expect_bounded(const FloodResult& r) {
  EXPECT_EQ(r.answered, r.commands);
  EXPECT_LT(r.p99_ms, kP99BoundMs);
  EXPECT_LT(r.rss_peak, kRssBoundKib);
  EXPECT_LE(r.rss_after, r.rss_peak);
}

TEST(ZmqFloodTest, GarbageAndUnreadRepliesNeitherBloatNorStallTheEngine) {
  TempDir dir;
  EngineProcess engine({kTown}, dir.path() + "/data", {"--http", "off"});
  const FloodResult r = flood(engine, flood_seconds(30), {}, {}, {});
  expect_bounded(r);
}

TEST(ZmqFloodTest, ADisplayKeysRefusedRequestsQueueNoRepliesWithoutBound) {
  SecureEngine sec("hallq-flood");
  sec.add_device("d1", "display", "town");
  sec.add_device("k1", "kiosk", "town");
  sec.add_device("c1", "caller", "town", "w1");
  sec.start({kTown});
  const FloodResult r =
      flood(sec.engine(), flood_seconds(10), sec.curve("d1"), sec.curve("k1"), sec.curve("c1"));
  expect_bounded(r);
}

}  // namespace
}  // namespace hallq::testing
