// hallq_load's report (bench/load_gen.cc): what one measured run found,
// its latency percentiles, the run as text or JSON, and the medians of
// repeated runs.
// Pure but for read_machine (/proc/cpuinfo) and the printing; one thread.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hallq::bench {

struct Machine {
  unsigned nproc = 0;
  std::string model;
};

// The machine the run is on: cores and CPU model (/proc/cpuinfo).
Machine read_machine();

// The physical limit of a lone durable command at the moment of the run
// (DESIGN.md: one ZeroMQ round trip + one durable store commit): the engine
// answers a ping without touching the store, and a store of our own, next to
// the engine's data when we started it, times one-event commits through
// EventStore::commit, the engine's path: one append to the store's commit
// log and one fdatasync, with the store's applies to LMDB (two flushes each,
// every 15 ms or more) running meanwhile as they do in the engine. Both
// move a lot while other work runs on the machine, so every run measures them.
struct Floor {
  double ping_us = 0;
  double commit_us = 0;
};

// What one measured run found.
struct Summary {
  std::uint64_t measured = 0, sent = 0, replies = 0, ok = 0, expected = 0, errors = 0, timeouts = 0;
  std::map<std::string, std::uint64_t> codes;
  std::string first_error;
  double seconds = 0, throughput = 0;
  double mean_us = 0, p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  double cpu_load_gen = 0, cpu_engine = -1;  // cores busy; -1: not known (engine not spawned)
  std::uint64_t engine_requests = 0, engine_batches = 0;
  int engine_exit = 0;
  std::string engine_line;  // hallqd's ready line, or the endpoint given
  std::string hall;         // the hall's id, or the first and last of --halls
  std::size_t halls = 1;
  std::optional<Floor> floor;
  // The spawned engine's store after it stopped (0: not known).
  std::uint64_t store_bytes = 0, store_events = 0, store_snapshots = 0;
  std::uint64_t latest_snapshot_bytes = 0;  // the halls' latest snapshots together
};

// The median of `v` (0 for none).
double median(std::vector<double> v);
// The p-th percentile (0..100) of sorted nanoseconds, in microseconds
// (the sample at index p / 100 * (n - 1), rounded; 0 for none).
double percentile_us(const std::vector<std::int64_t>& sorted, double p);
// Sets the mean and percentiles of `s` from the measured latencies.
void set_latencies(Summary& s, std::vector<std::int64_t> latency_ns);
// hallqd's closing line: "hallqd stopped: N requests, N accepted, ... N batches".
bool requests_and_batches(const std::string& out, Summary& s);

// The command line as one string.
std::string command_line(int argc, char** argv);

nlohmann::json to_json(const Summary& s);

// What every report states besides the runs.
struct ReportHeader {
  std::string command;
  Machine machine;
  std::string mix;
  int clients = 0, inflight = 0;
  double warmup_s = 0;
};

void print_header(const ReportHeader& header);
void print_summary(const Summary& s, const ReportHeader& header);
// The medians of `runs` (JSON: everything, one object; text: a line if more
// than one run). Returns the errors and timeouts of all runs together.
std::uint64_t report_runs(const std::vector<Summary>& runs, const ReportHeader& header, bool json);

}  // namespace hallq::bench
