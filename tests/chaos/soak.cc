// The soak: a simulated week of a busy district hall through the real
// processes, run by hand (not in CI):
//
//   python3 tools/traces/tracegen.py conf/district.toml --days 7 --seed 7 > /tmp/district-week.csv
//   build/tests/chaos/hallq_soak --trace /tmp/district-week.csv [--days 7] [--speed 1000]
//
// It starts the real hallqd on the district (and town) hall, plays the
// trace's days one after the other with the real `hallq simulate` (citizens
// issue, clerks call, serve, recall, skip, rate) at `speed` simulated seconds
// per real second, while
//   - a probe client sends a durable command pair every 50 ms (issue and
//     cancel a ticket in the town hall) and records each round trip;
//   - a Subscriber keeps a replica of the district hall (a display's view).
// After each simulated day it prints hallqd's resident memory (VmRSS, and
// its anonymous part RssAnon: heap and stacks, without the store's pages
// that LMDB maps and the kernel may keep resident), CPU seconds, the store's
// size, the district's tickets when the day's play ended (0 if the play ran
// past midnight) and the probe's latency (median, p99, max) during that day. At the end the
// subscriber's replica must equal the engine's snapshot.
//
// Time: hallqd runs on simulated time (--time-scale SPEED, starting on
// Monday 2026-11-23 just before the trace's first row), so nights pass and
// the hall rolls its day at local midnight, dropping the day's tickets, as a
// real week does; each day's `hallq simulate` starts when the engine's clock
// reaches that day's first row. Memory should therefore stay flat from day
// to day; the last line compares the first and the last day.
//
// Exit 0 done; 1 a simulate run or the final check failed; 2 usage.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "tests/support/engine_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace hallq;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

long status_kb(pid_t pid, const char* field) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size() + 1));
  return -1;
}

long own_rss_kb() { return status_kb(getpid(), "VmRSS"); }

struct Latencies {
  std::mutex mu;
  std::vector<double> us;  // the current day's round trips
  std::uint64_t failures = 0;
};

// Round trips of issue + cancel in the town hall, every 50 ms, until `stop`.
void probe(zmq::context_t& ctx, const std::string& cmd, Latencies& lat, const std::atomic<bool>& stop) {
  client::Client c(ctx, cmd, {.timeout = 2s, .attempts = 3});
  auto next = Clock::now();
  while (!stop) {
    const auto t0 = Clock::now();
    auto issued = c.command("town", core::IssueTicket{"consult"});
    bool ok = issued && issued->ok();
    if (ok) {
      const auto number = protocol::describe_event(protocol::as_bytes(issued->events.back())).number;
      auto cancelled = c.command("town", core::Cancel{number});
      ok = cancelled && cancelled->ok();
    }
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / 2;
    {
      std::lock_guard lock(lat.mu);
      if (ok)
        lat.us.push_back(us);
      else
        ++lat.failures;
    }
    next += 50ms;
    // Pace without sleeping on a guess: wait on the socket (nothing arrives) until the next slot.
    zmq::pollitem_t item{static_cast<void*>(c.socket()), 0, ZMQ_POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
    if (left > 0ms) zmq::poll(&item, 1, left);
  }
}

double pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  std::string trace;
  int days = 7;
  double speed = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--trace")
      trace = argv[i + 1];
    else if (a == "--days")
      days = std::stoi(argv[i + 1]);
    else if (a == "--speed")
      speed = std::stod(argv[i + 1]);
  }
  if (trace.empty() || days < 1 || speed <= 0) {
    std::cerr << "usage: hallq_soak --trace DISTRICT_TRACE.csv [--days 7] [--speed 1000]\n";
    return 2;
  }
  // Each day's first row (seconds after day 0's midnight), as simulate picks them.
  std::vector<double> first_row(days, -1);
  {
    std::ifstream in(trace);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      const double t = std::atof(line.c_str());
      for (int d = 0; d < days; ++d)
        if (t >= d * 86400.0 - 3600 && t < (d + 1) * 86400.0 && (first_row[d] < 0 || t < first_row[d]))
          first_row[d] = t;
    }
    if (std::any_of(first_row.begin(), first_row.end(), [](double t) { return t < 0; })) {
      std::cerr << "hallq_soak: " << trace << " has no rows for some of the " << days << " days\n";
      return 2;
    }
  }
  // Day 0 is Monday 2026-11-23 in the district's local time; start a minute
  // before its first row.
  const int start_min = std::max(0, static_cast<int>(first_row[0] / 60) - 1);
  const double sim_start = start_min * 60.0;
  const std::string src = HALLQ_SOURCE_DIR;
  hallq::testing::TempDir dir("hallq-soak");
  const std::string data = dir.path() + "/data";
  hallq::testing::EngineProcess engine(
      {src + "/conf/district.toml", src + "/conf/town.toml"}, data,
      {"--time-scale", fmt::format("{}", speed), "--time-start",
       fmt::format("2026-11-23 {:02}:{:02}", start_min / 60, start_min % 60)});
  const auto engine_started = Clock::now();
  // The real instant the engine's clock shows `sim_s` seconds after day 0's midnight.
  auto real_at = [&](double sim_s) {
    return engine_started + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>((sim_s - sim_start) / speed));
  };
  zmq::context_t ctx;

  Latencies lat;
  std::atomic<bool> stop{false};
  std::thread prober(probe, std::ref(ctx), engine.cmd(), std::ref(lat), std::cref(stop));
  std::atomic<std::uint64_t> replica_events{0};
  std::mutex sub_mu;  // guards the subscriber between its thread and the final check
  client::Subscriber sub(ctx, engine.cmd(), engine.pub(), {"district"});
  std::thread watcher([&] {
    while (!stop) {
      std::lock_guard lock(sub_mu);
      sub.poll(20ms);
      replica_events = sub.stats().events;
    }
  });

  std::cout << fmt::format("soak: district hall, {} simulated days at {}x, hallqd pid {}\n", days, speed,
                           engine.pid());
  std::cout << "day  sim_s  real_s  rss_MB  anon_MB  cpu_s  store_MB  tickets  events_seen  probe_p50_us  "
               "p99_us  max_us  "
               "probe_fail  soak_rss_MB\n";
  client::Client c(ctx, engine.cmd());
  int status = 0;
  const long rss0 = status_kb(engine.pid(), "VmRSS");
  std::cout << fmt::format("{:>3}  {:>5}  {:>6}  {:>6.1f}  {:>7.1f}  {:>5.1f}\n", "-", "-", "-",
                           rss0 / 1024.0, status_kb(engine.pid(), "RssAnon") / 1024.0, engine.cpu_seconds());
  std::size_t tickets = 0;
  long rss_day0 = 0;
  for (int d = 0; d < days; ++d) {
    // Pacing a manual soak against the engine's simulated clock.
    std::this_thread::sleep_until(real_at(first_row[d] - 1));
    const auto t0 = Clock::now();
    const hallq::testing::RunResult r = hallq::testing::run_program(
        HALLQ_PATH, {"--engine", engine.cmd(), "simulate", "district", "--trace", trace, "--day",
                     std::to_string(d), "--speed", fmt::format("{}", speed)});
    const double real_s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (r.exit_code != 0) {
      std::cerr << fmt::format("day {}: hallq simulate exited {}: {}\n", d, r.exit_code, r.err);
      status = 1;
    }
    std::vector<double> day_us;
    std::uint64_t failures = 0;
    {
      std::lock_guard lock(lat.mu);
      day_us.swap(lat.us);
      failures = std::exchange(lat.failures, 0);
    }
    if (auto snap = c.snapshot("district"); snap && snap->ok()) {
      protocol::DecodedSnapshot s;
      if (protocol::decode_snapshot(protocol::as_bytes(snap->snapshot), s).ok())
        tickets = s.state.tickets.size();
    }
    std::error_code ec;
    const auto store_bytes = std::filesystem::file_size(data + "/data.mdb", ec);
    std::cout << fmt::format(
        "{:>3}  {:>5.0f}  {:>6.1f}  {:>6.1f}  {:>7.1f}  {:>5.1f}  {:>8.1f}  {:>7}  {:>11}  {:>12.0f}  "
        "{:>6.0f}  {:>6.0f}  "
        "{:>10}  {:>11.1f}\n",
        d, real_s * speed, real_s, status_kb(engine.pid(), "VmRSS") / 1024.0,
        status_kb(engine.pid(), "RssAnon") / 1024.0, engine.cpu_seconds(), store_bytes / 1e6, tickets,
        replica_events.load(), pct(day_us, 0.5), pct(day_us, 0.99), pct(day_us, 1.0), failures,
        own_rss_kb() / 1024.0);
    std::cout.flush();
    if (d == 0) rss_day0 = status_kb(engine.pid(), "RssAnon");
  }
  const long rss_end = status_kb(engine.pid(), "RssAnon");
  std::cout << fmt::format(
      "hallqd anonymous memory (heap and stacks, RssAnon) {:.1f} MB after day 0, {:.1f} MB after "
      "day {} ({:+.1f} MB); the rest of RSS is the mapped store and libraries (RssFile)\n",
      rss_day0 / 1024.0, rss_end / 1024.0, days - 1, (rss_end - rss_day0) / 1024.0);

  // The display's view equals the engine's at the end.
  stop = true;
  prober.join();
  watcher.join();
  const auto deadline = Clock::now() + 10s;
  bool same = false;
  while (!same && Clock::now() < deadline) {
    auto snap = c.snapshot("district");
    if (!snap || !snap->ok()) break;
    protocol::DecodedSnapshot s;
    if (!protocol::decode_snapshot(protocol::as_bytes(snap->snapshot), s).ok()) break;
    sub.poll(50ms);
    same = sub.hall("district") && sub.synced("district") &&
           protocol::encode_snapshot(*sub.hall("district"), s.epoch, false) == snap->snapshot;
  }
  std::cout << (same ? "subscriber replica equals the engine's snapshot\n"
                     : "FAILED: the subscriber's replica differs from the engine's snapshot\n");
  std::string closing;
  engine.stop(closing);
  std::cout << "hallqd: " << closing;
  return same ? status : 1;
}
