#include "bench/load_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

namespace hallq::bench {

Machine read_machine() {
  Machine m;
  m.nproc = std::thread::hardware_concurrency();
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      m.model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return m;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double percentile_us(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return static_cast<double>(sorted[std::min(i, sorted.size() - 1)]) / 1000.0;
}

void set_latencies(Summary& s, std::vector<std::int64_t> lat) {
  std::sort(lat.begin(), lat.end());
  double total_ns = 0;
  for (std::int64_t v : lat) total_ns += static_cast<double>(v);
  s.mean_us = lat.empty() ? 0 : total_ns / static_cast<double>(lat.size()) / 1000.0;
  s.p50_us = percentile_us(lat, 50);
  s.p90_us = percentile_us(lat, 90);
  s.p99_us = percentile_us(lat, 99);
  s.p999_us = percentile_us(lat, 99.9);
  s.max_us = percentile_us(lat, 100);
}

bool requests_and_batches(const std::string& out, Summary& s) {
  const auto at = out.find("hallqd stopped:");
  if (at == std::string::npos) return false;
  unsigned long long requests = 0, accepted = 0, refused = 0, malformed = 0, batches = 0;
  if (std::sscanf(out.c_str() + at,
                  "hallqd stopped: %llu requests, %llu accepted, %llu refused, %llu malformed, %llu batches",
                  &requests, &accepted, &refused, &malformed, &batches) != 5)
    return false;
  s.engine_requests = requests;
  s.engine_batches = batches;
  return true;
}

std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i) s += ' ';
    s += argv[i];
  }
  return s;
}

nlohmann::json to_json(const Summary& s) {
  nlohmann::json j;
  j["requests"] = s.measured;
  j["measured_s"] = s.seconds;
  j["throughput_per_s"] = s.throughput;
  j["latency_us"] = {{"mean", s.mean_us}, {"p50", s.p50_us},   {"p90", s.p90_us},
                     {"p99", s.p99_us},   {"p999", s.p999_us}, {"max", s.max_us}};
  j["sent"] = s.sent;
  j["replies"] = s.replies;
  j["ok"] = s.ok;
  j["expected_refusals"] = s.expected;
  j["errors"] = s.errors;
  j["timeouts"] = s.timeouts;
  j["refusals_by_code"] = s.codes;
  if (!s.first_error.empty()) j["first_error"] = s.first_error;
  if (s.floor) {
    j["floor_us"] = {{"ping_round_trip", s.floor->ping_us},
                     {"store_commit", s.floor->commit_us},
                     {"sum", s.floor->ping_us + s.floor->commit_us}};
  }
  j["cpu_cores_busy"] = {{"load_gen", s.cpu_load_gen}};
  if (s.cpu_engine >= 0) j["cpu_cores_busy"]["hallqd"] = s.cpu_engine;
  if (s.engine_batches > 0) {
    j["hallqd"] = {
        {"requests", s.engine_requests},
        {"batches", s.engine_batches},
        {"mean_batch", static_cast<double>(s.engine_requests) / static_cast<double>(s.engine_batches)},
        {"exit", s.engine_exit}};
  }
  if (s.store_events > 0) {
    j["store"] = {
        {"data_mdb_bytes", s.store_bytes},
        {"events", s.store_events},
        {"snapshots", s.store_snapshots},
        {"latest_snapshots_bytes", s.latest_snapshot_bytes},
        {"bytes_per_event", static_cast<double>(s.store_bytes) / static_cast<double>(s.store_events)}};
  }
  return j;
}

void print_header(const ReportHeader& header) {
  fmt::print("command: {}\nmachine: nproc {}, {}\n", header.command, header.machine.nproc,
             header.machine.model);
}

void print_summary(const Summary& s, const ReportHeader& header) {
  fmt::print("measured: {} requests in {:.2f} s after {:.1f} s warm-up ({} sent, {} replies in all)\n",
             s.measured, s.seconds, header.warmup_s, s.sent, s.replies);
  fmt::print("replies:  {} ok, {} expected refusals, {} errors, {} timeouts\n", s.ok, s.expected, s.errors,
             s.timeouts);
  if (!s.codes.empty()) {
    std::string codes;
    for (const auto& [code, n] : s.codes) codes += fmt::format(" {}={}", code, n);
    fmt::print("refusals:{}\n", codes);
  }
  if (!s.first_error.empty()) fmt::print("first error: {}\n", s.first_error);
  fmt::print("throughput: {:.0f} acknowledged commands/s\n", s.throughput);
  fmt::print("latency (us): mean {:.1f}  p50 {:.1f}  p90 {:.1f}  p99 {:.1f}  p99.9 {:.1f}  max {:.1f}\n",
             s.mean_us, s.p50_us, s.p90_us, s.p99_us, s.p999_us, s.max_us);
  if (s.floor) {
    // The floor bounds a lone request; with more in flight, queueing behind a batch is expected.
    const double sum = s.floor->ping_us + s.floor->commit_us;
    const bool lone = header.clients == 1 && header.inflight == 1;
    fmt::print("floor (us): ping round trip {:.1f} + store commit {:.1f} = {:.1f}{}\n", s.floor->ping_us,
               s.floor->commit_us, sum,
               lone && sum > 0 ? fmt::format("; p50 is {:.2f}x that", s.p50_us / sum) : std::string());
  }
  fmt::print("cpu (cores busy): load generator {:.2f}{}\n", s.cpu_load_gen,
             s.cpu_engine >= 0 ? fmt::format(", hallqd {:.2f}", s.cpu_engine) : std::string());
  if (s.engine_batches > 0) {
    fmt::print("hallqd exit {}: {} requests in {} group commits, {:.1f} per commit (whole run)\n",
               s.engine_exit, s.engine_requests, s.engine_batches,
               static_cast<double>(s.engine_requests) / static_cast<double>(s.engine_batches));
  }
  if (s.store_events > 0) {
    fmt::print(
        "store after the run: data.mdb {:.1f} MB, {} events: {:.0f} bytes per event ({} snapshots; the "
        "latest of each hall {:.1f} MB together)\n",
        static_cast<double>(s.store_bytes) / 1e6, s.store_events,
        static_cast<double>(s.store_bytes) / static_cast<double>(s.store_events), s.store_snapshots,
        static_cast<double>(s.latest_snapshot_bytes) / 1e6);
  }
}

std::uint64_t report_runs(const std::vector<Summary>& runs, const ReportHeader& header, bool json) {
  auto med = [&](auto field) {
    std::vector<double> v;
    for (const Summary& s : runs) v.push_back(static_cast<double>(field(s)));
    return median(std::move(v));
  };
  const double m_throughput = med([](const Summary& s) { return s.throughput; });
  const double m_p50 = med([](const Summary& s) { return s.p50_us; });
  const double m_p90 = med([](const Summary& s) { return s.p90_us; });
  const double m_p99 = med([](const Summary& s) { return s.p99_us; });
  const double m_max = med([](const Summary& s) { return s.max_us; });
  const double m_floor =
      med([](const Summary& s) { return s.floor ? s.floor->ping_us + s.floor->commit_us : 0; });
  const double m_store = med([](const Summary& s) {
    return s.store_events > 0 ? static_cast<double>(s.store_bytes) / static_cast<double>(s.store_events) : 0;
  });
  std::uint64_t errors = 0;
  for (const Summary& s : runs) errors += s.errors + s.timeouts;

  if (json) {
    nlohmann::json j;
    j["command"] = header.command;
    j["machine"] = {{"nproc", header.machine.nproc}, {"model", header.machine.model}};
    j["engine"] = runs.front().engine_line;
    j["hall"] = runs.front().hall;
    j["halls"] = runs.front().halls;
    j["mix"] = header.mix;
    j["clients"] = header.clients;
    j["inflight"] = header.inflight;
    j["warmup_s"] = header.warmup_s;
    j["runs"] = nlohmann::json::array();
    for (const Summary& s : runs) j["runs"].push_back(to_json(s));
    j["median"] = {{"throughput_per_s", m_throughput},
                   {"latency_us", {{"p50", m_p50}, {"p90", m_p90}, {"p99", m_p99}, {"max", m_max}}},
                   {"floor_us", m_floor},
                   {"store_bytes_per_event", m_store}};
    j["errors"] = errors;
    std::cout << j.dump() << std::endl;
  } else if (runs.size() > 1) {
    fmt::print(
        "--- median of {} runs: {:.0f} acknowledged commands/s; latency (us) p50 {:.1f}  p90 {:.1f}  "
        "p99 {:.1f}  max {:.1f}; floor {:.1f}{}\n",
        runs.size(), m_throughput, m_p50, m_p90, m_p99, m_max, m_floor,
        m_store > 0 ? fmt::format("; store {:.0f} bytes per event", m_store) : std::string());
  }
  return errors;
}

}  // namespace hallq::bench
