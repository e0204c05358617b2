// hallq_load: drives a hallqd over ZeroMQ with many concurrent clients and
// reports the throughput and latency of acknowledged (durable) commands.
//
//   hallq_load --engine tcp://127.0.0.1:5570 --hall town --clients 8 --inflight 16 --seconds 10
//   hallq_load --spawn --conf conf/town.toml --clients 1 --inflight 1 --seconds 10
//
// Each client has its own DEALER socket (its own connection) and keeps
// `inflight` requests in the pipe (1: a closed loop, one request at a time).
// By default each client is a thread of its own; `--threads T` runs them on
// T threads that poll their clients' sockets (the devices of a hall are
// machines of their own: on a 2-core machine a thread switch per device and
// reply is the load generator's cost, not the engine's). Latency is
// send -> reply on steady_clock, per request, kept in a vector allocated up
// front and sorted once at the end. Every reply is verified and decoded like
// a client would; a refusal that the mix expects (queue_empty in the cycle
// mix) is counted apart, anything else is an error.
//
// The mixes (`issue`: kiosks; `cycle`: clerks, after a setup that opens the
// windows and fills the queues) are bench/load_mix.h's, and `ping` sends
// pings, which the engine answers without core or store (the round trip
// alone: the ceiling of every mix on this machine); the figures and
// their text and JSON are bench/load_report.h's. This program does the rest:
// the engine, the sockets, the clock.
//
// With --spawn the tool starts hallqd itself in a fresh data directory (the
// engine is durable: every batch is fsynced) and stops it with SIGTERM at the
// end. The shipped halls allow 999 or 9999 tickets per service a day, which a
// load test uses up in a second, so --spawn runs a copy of each config with
// the ticket limit raised to the maximum (--keep-limits runs them as they are).
//
// Many halls: `--spawn --halls N` starts hallqd with N copies of the one
// config (ids <id>-1 ... <id>-N) and spreads the clients over them
// (load_mix.h). After a spawned run the store's size is read back (data.mdb
// bytes per event).
#include <fmt/format.h>
#include <sys/resource.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <latch>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "bench/load_mix.h"
#include "bench/load_report.h"
#include "engine/client/client.h"
#include "engine/config/toml_reader.h"
#include "engine/protocol/message.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/store/event_store.h"
#include "tests/support/engine_process.h"
#include "tests/support/temp_dir.h"

namespace hallq::bench {
namespace {

using testing::EngineProcess;
using testing::TempDir;

using Clock = std::chrono::steady_clock;
using core::ErrorCode;

struct Options {
  std::string engine;
  bool spawn = false;
  std::string hallqd = testing::default_hallqd();
  std::vector<std::string> confs;
  std::string data;
  std::vector<std::string> hallqd_args;
  bool keep_limits = false;
  int clients = 4;
  int inflight = 1;
  int threads = 0;  // load threads the clients share; 0: one per client
  double seconds = 0;
  std::uint64_t requests = 0;
  double warmup = 1.0;
  std::string hall;
  int halls = 0;  // --halls: copies of the one config; 0: the configs as given
  std::string mix = "cycle";
  std::size_t prefill = 200;
  int timeout_ms = 10'000;
  bool json = false;
  int repeat = 1;
  bool floor = true;
};

// ---------------------------------------------------------------- machine

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// ---------------------------------------------------------------- configs

void write_config(const toml::table& doc, const std::string& out) {
  std::ofstream file(out);
  file << doc << "\n";
  if (!file) throw std::runtime_error("cannot write " + out);
}

// Raises the ticket limit of a parsed config so that it allows a load test.
void raise_limits(toml::table& doc) {
  if (!doc.contains("rules")) doc.insert("rules", toml::table{});
  toml::table& rules = *doc["rules"].as_table();
  rules.insert_or_assign("max_tickets_per_service", 999'999);
  rules.insert_or_assign("number_digits", 6);
}

// A copy of `conf` in `dir` whose ticket limit allows a load test.
std::string raised_copy(const std::string& conf, const std::string& dir) {
  toml::table doc = config::read_toml_file(conf);
  raise_limits(doc);
  const std::string out = (std::filesystem::path(dir) / std::filesystem::path(conf).filename()).string();
  write_config(doc, out);
  return out;
}

// `n` copies of `conf` in `dir` (limits raised unless `keep_limits`), the
// hall ids <id>-1 ... <id>-n; their paths, and the ids in `ids`.
std::vector<std::string> hall_copies(const std::string& conf, int n, const std::string& dir, bool keep_limits,
                                     std::vector<std::string>& ids) {
  toml::table doc = config::read_toml_file(conf);
  if (!keep_limits) raise_limits(doc);
  const auto base = doc["hall"]["id"].value<std::string>();
  if (!base) throw std::runtime_error(conf + ": no [hall] id to number the copies after");
  const std::string stem = std::filesystem::path(conf).stem().string();
  std::vector<std::string> paths;
  ids.clear();
  for (int i = 1; i <= n; ++i) {
    ids.push_back(fmt::format("{}-{}", *base, i));
    doc["hall"].as_table()->insert_or_assign("id", ids.back());
    paths.push_back((std::filesystem::path(dir) / fmt::format("{}-{}.toml", stem, i)).string());
    write_config(doc, paths.back());
  }
  return paths;
}

HallInfo fetch_hall(client::Client& control, std::string hall) {
  if (hall.empty()) {
    auto pong = control.ping();
    if (!pong || !pong->engine || pong->engine->halls.empty())
      throw std::runtime_error("the engine did not answer a ping (or serves no hall)");
    hall = pong->engine->halls.front();
  }
  // The engine grants each connection a few snapshots a second (limit_reached
  // beyond): many halls are fetched at that pace.
  auto reply = control.snapshot(hall);
  for (int tries = 0; reply && reply->code == core::ErrorCode::kLimitReached && tries < 100; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    reply = control.snapshot(hall);
  }
  if (!reply) throw std::runtime_error("the engine did not answer a snapshot request");
  if (!reply->ok()) throw std::runtime_error(fmt::format("snapshot of {}: {}", hall, reply->message));
  const protocol::Bytes bytes = protocol::as_bytes(reply->snapshot);
  if (protocol::inspect(bytes) != protocol::MessageKind::kSnapshot)
    throw std::runtime_error("the snapshot reply holds no snapshot");
  protocol::DecodedSnapshot snap;
  if (core::Status st = protocol::decode_snapshot(bytes, snap); !st)
    throw std::runtime_error("undecodable snapshot: " + st.message());
  return {hall, snap.config, std::move(snap.state)};
}

// ---------------------------------------------------------------- clients

struct ClientResult {
  std::vector<std::int64_t> latency_ns;  // of measured requests
  std::uint64_t sent = 0, replies = 0, measured = 0, ok = 0, expected = 0, errors = 0, timeouts = 0;
  std::map<std::string, std::uint64_t> codes;  // refusals by code name
  std::string first_error;
  Clock::time_point last_reply{};
};

struct RunShared {
  Options opt;
  std::string endpoint;
  std::string run_id;
  Clock::time_point start, measure_from, send_until;  // send_until: --seconds only
};

// One device: its own DEALER (its own connection to the engine), keeping
// `inflight` requests in the pipe. The thread that owns it (run_clients)
// sends its first requests, then hands it each reply; a reply measured is
// answered at once by the next request while the run lasts.
class LoadClient {
 public:
  LoadClient(zmq::context_t& ctx, const RunShared& run, int index, CommandSource& source, std::uint64_t quota,
             ClientResult& r)
      : run_(run),
        source_(source),
        quota_(quota),
        r_(r),
        dealer_(ctx, zmq::socket_type::dealer),
        ring_(static_cast<std::size_t>(run.opt.inflight)),
        prefix_(fmt::format("{}-{}-", run.run_id, index)),
        pings_(run.opt.mix == "ping") {
    dealer_.set(zmq::sockopt::linger, 0);
    dealer_.set(zmq::sockopt::rcvhwm, 0);
    dealer_.set(zmq::sockopt::sndhwm, 0);
    dealer_.set(zmq::sockopt::rcvtimeo, run.opt.timeout_ms);
    dealer_.connect(run.endpoint);
  }

  zmq::socket_t& socket() { return dealer_; }
  std::uint64_t outstanding() const { return outstanding_; }

  void start() {
    for (std::size_t i = 0; i < ring_.size() && may_send(Clock::now()); ++i) send_one();
  }

  // A reply (or whatever came) received at `now`.
  void on_message(const zmq::message_t& msg, Clock::time_point now) {
    --outstanding_;
    ++r_.replies;
    const protocol::Bytes bytes{static_cast<const std::uint8_t*>(msg.data()), msg.size()};
    if (protocol::inspect(bytes) != protocol::MessageKind::kReply) {
      error("a message that is not a verified reply");
    } else {
      const protocol::DecodedReply reply = protocol::decode_reply(bytes);
      const auto dash = reply.request_id.rfind('-');
      const std::uint64_t seq =
          dash == std::string::npos ? 0 : std::strtoull(reply.request_id.c_str() + dash + 1, nullptr, 10);
      const Slot& slot = ring_[seq % ring_.size()];
      if (seq == 0 || reply.request_id.rfind(prefix_, 0) != 0 || slot.seq != seq) {
        error(fmt::format("reply to an unknown request \"{}\"", reply.request_id));
      } else {
        if (slot.sent >= run_.measure_from) {
          r_.latency_ns.push_back(
              std::chrono::duration_cast<std::chrono::nanoseconds>(now - slot.sent).count());
          ++r_.measured;
          r_.last_reply = now;
        }
        if (reply.ok()) {
          ++r_.ok;
        } else {
          ++r_.codes[std::string(core::to_string(reply.code))];
          if (source_.expected(reply.code)) {
            ++r_.expected;
          } else {
            error(fmt::format("{}: {}", core::to_string(reply.code), reply.message));
          }
        }
      }
    }
    if (may_send(now)) send_one();
  }

  // No reply within the timeout: what is outstanding is lost.
  void give_up() {
    r_.timeouts += outstanding_;
    outstanding_ = 0;
    if (r_.first_error.empty()) r_.first_error = fmt::format("no reply within {} ms", run_.opt.timeout_ms);
  }

 private:
  struct Slot {
    std::uint64_t seq = 0;
    Clock::time_point sent{};
  };

  bool may_send(Clock::time_point now) const {
    if (now < run_.measure_from) return true;  // warming up
    if (run_.opt.requests > 0) return measured_sent_ < quota_;
    return now < run_.send_until;
  }
  void send_one() {
    const std::uint64_t seq = ++next_seq_;
    rid_.assign(prefix_);
    fmt::format_to(std::back_inserter(rid_), "{}", seq);
    std::string bytes;
    if (pings_) {
      // --mix ping: the engine answers without its core or store, so the run
      // measures the round trip alone (the ceiling of any command mix).
      bytes = protocol::encode_ping(rid_);
    } else {
      const Command command = source_.next();
      bytes = protocol::encode_request(rid_, command.hall, command.body);
    }
    Slot& slot = ring_[seq % ring_.size()];
    slot.seq = seq;
    slot.sent = Clock::now();
    if (slot.sent >= run_.measure_from) ++measured_sent_;
    dealer_.send(zmq::buffer(bytes), zmq::send_flags::none);
    ++outstanding_;
    ++r_.sent;
  }
  void error(std::string what) {
    ++r_.errors;
    if (r_.first_error.empty()) r_.first_error = std::move(what);
  }

  const RunShared& run_;
  CommandSource& source_;
  const std::uint64_t quota_;
  ClientResult& r_;
  zmq::socket_t dealer_;
  std::vector<Slot> ring_;
  const std::string prefix_;
  const bool pings_;
  std::uint64_t next_seq_ = 0, outstanding_ = 0, measured_sent_ = 0;
  std::string rid_;
};

// One load thread: its clients until none has a request outstanding. A
// thread with one client blocks in its receive (no poll: a system call per
// reply that the engine would feel on a 2-core machine); a thread with many
// polls their sockets and takes every reply that is there per wake-up, as a
// machine with many devices behind one network card does not pay a thread
// switch per device.
void run_clients(const std::vector<LoadClient*>& clients, int timeout_ms, std::latch& ready, std::latch& go) {
  ready.count_down();
  go.wait();
  for (LoadClient* c : clients) c->start();
  zmq::message_t msg;
  if (clients.size() == 1) {
    LoadClient& c = *clients.front();
    while (c.outstanding() > 0) {
      if (!c.socket().recv(msg, zmq::recv_flags::none)) {
        c.give_up();
        break;
      }
      c.on_message(msg, Clock::now());
    }
    return;
  }
  std::vector<zmq::pollitem_t> items;
  for (LoadClient* c : clients) items.push_back({c->socket().handle(), 0, ZMQ_POLLIN, 0});
  auto busy = [&] {
    return std::any_of(clients.begin(), clients.end(),
                       [](const LoadClient* c) { return c->outstanding() > 0; });
  };
  while (busy()) {
    if (zmq::poll(items, std::chrono::milliseconds(timeout_ms)) == 0) {
      for (LoadClient* c : clients) c->give_up();
      break;
    }
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if ((items[i].revents & ZMQ_POLLIN) == 0) continue;
      while (clients[i]->socket().recv(msg, zmq::recv_flags::dontwait))
        clients[i]->on_message(msg, Clock::now());
    }
  }
}

// ---------------------------------------------------------------- setup

// Sends the setup commands over one DEALER, many in flight: the engine
// handles one connection's requests in order, so a window is opened before
// its ticket is finished, and the setup of 200 halls (some 40,000 commands)
// takes seconds instead of 40,000 durable round trips.
void run_setup(zmq::context_t& ctx, const RunShared& run, const std::vector<SetupCommand>& commands,
               bool quiet) {
  constexpr std::size_t kInflight = 256;
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.set(zmq::sockopt::rcvtimeo, run.opt.timeout_ms);
  dealer.connect(run.endpoint);
  const std::string prefix = run.run_id + "-setup-";
  std::size_t sent = 0, received = 0, problems = 0;
  zmq::message_t msg;
  while (received < commands.size()) {
    for (; sent < commands.size() && sent - received < kInflight; ++sent) {
      const std::string bytes =
          protocol::encode_request(prefix + std::to_string(sent), commands[sent].hall, commands[sent].body);
      dealer.send(zmq::buffer(bytes), zmq::send_flags::none);
    }
    if (!dealer.recv(msg, zmq::recv_flags::none))
      throw std::runtime_error("the engine stopped answering during setup");
    ++received;
    const protocol::Bytes bytes{static_cast<const std::uint8_t*>(msg.data()), msg.size()};
    if (protocol::inspect(bytes) != protocol::MessageKind::kReply)
      throw std::runtime_error("setup: a message that is not a verified reply");
    const protocol::DecodedReply reply = protocol::decode_reply(bytes);
    if (reply.ok() || reply.request_id.rfind(prefix, 0) != 0) continue;
    const std::size_t i = std::strtoull(reply.request_id.c_str() + prefix.size(), nullptr, 10);
    if (i >= commands.size() || !commands[i].must) continue;
    if (!quiet && ++problems <= 5) {
      std::cerr << "setup: " << commands[i].hall << ": " << core::verb(commands[i].body) << ": "
                << reply.message << "\n";
    }
  }
  if (problems > 0 && !quiet) std::cerr << "setup: " << problems << " commands refused\n";
}

// ---------------------------------------------------------------- floor

// The floor (load_report.h): the ping round trip and a one-event store
// commit, each the median of 100. The probe is a durable EventStore like
// hallqd's (its log segments are created and flushed before the timing
// starts), so a commit is what the engine's commit thread waits for.
Floor measure_floor(client::Client& control) {
  constexpr int kSamples = 100;
  Floor f;
  std::vector<double> t;
  for (int i = 0; i < kSamples; ++i) {
    const auto start = Clock::now();
    if (!control.ping()) throw std::runtime_error("the engine did not answer a ping");
    t.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  f.ping_us = median(t);
  t.clear();
  {
    const TempDir dir("hallq-load-probe");  // the system temp dir, where --spawn keeps hallqd's data
    store::EventStore probe({.dir = dir.path() + "/store", .map_size = std::size_t{1} << 30});
    store::EventStore::Batch batch;
    const std::string event(208, 'e');  // the size of an encoded ticket_issued
    // The first commits after the store (and, with --spawn, hallqd's) wrote
    // and flushed its log segments meet a disk still busy with them: not timed.
    constexpr int kWarmUp = 20;
    for (int i = 0; i < kWarmUp + kSamples; ++i) {
      batch.clear();
      batch.add_event("probe", static_cast<std::uint64_t>(i) + 1, event);
      const auto start = Clock::now();
      probe.commit(batch);
      if (i >= kWarmUp) t.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
  }
  f.commit_us = median(t);
  return f;
}

// ---------------------------------------------------------------- one run

// Reads back the store a spawned engine left in `data` (it has stopped).
void measure_store(const std::string& data, Summary& sum) {
  store::EventStore stored({.dir = data, .read_only = true});
  const store::EventStore::Stats stats = stored.stats();
  sum.store_events = stats.events;
  sum.store_snapshots = stats.snapshots;
  for (const std::string& hall : stored.halls()) {
    if (auto snapshot = stored.latest_snapshot(hall)) sum.latest_snapshot_bytes += snapshot->bytes.size();
  }
  sum.store_bytes = std::filesystem::file_size(std::filesystem::path(data) / "data.mdb");
}

Summary run_once(const Options& opt, bool quiet) {
  Summary sum;
  // The engine: given, or started here.
  std::optional<TempDir> temp;  // declared first: removed after hallqd has stopped
  std::optional<EngineProcess> spawned;
  RunShared run;
  run.opt = opt;
  std::vector<std::string> hall_ids;  // --halls: the copies' ids
  std::string data;
  if (opt.spawn) {
    const std::string& temp_dir = temp.emplace("hallq-load").path();
    std::vector<std::string> confs;
    if (opt.halls > 0) {
      confs = hall_copies(opt.confs.front(), opt.halls, temp_dir, opt.keep_limits, hall_ids);
    } else {
      for (const std::string& c : opt.confs) confs.push_back(opt.keep_limits ? c : raised_copy(c, temp_dir));
    }
    data = opt.data.empty() ? temp_dir + "/data" : opt.data;
    spawned.emplace(confs, data, opt.hallqd_args, opt.hallqd);  // its stderr: DATA.stderr
    run.endpoint = spawned->cmd();
    sum.engine_line = spawned->ready_line();
  } else {
    run.endpoint = opt.engine;
    sum.engine_line = opt.engine;
  }
  std::random_device rd;
  run.run_id = fmt::format("lg{:08x}", rd());

  zmq::context_t ctx(1);
  client::Client control(ctx, run.endpoint,
                         {.timeout = std::chrono::milliseconds(opt.timeout_ms), .attempts = 1});
  std::vector<HallInfo> halls;
  if (hall_ids.empty()) {
    halls.push_back(fetch_hall(control, opt.hall));
    sum.hall = halls.front().id;
  } else {
    for (const std::string& id : hall_ids) halls.push_back(fetch_hall(control, id));
    sum.hall = fmt::format("{} ... {}", hall_ids.front(), hall_ids.back());
  }
  sum.halls = halls.size();
  if (opt.floor) sum.floor = measure_floor(control);
  const core::HallConfig& cfg = *halls.front().config;

  const int n_clients = opt.clients;
  if (opt.mix == "cycle") {
    require_a_window_per_client(halls, n_clients);
    std::vector<SetupCommand> setup;
    for (const HallInfo& hall : halls) prepare_cycle(hall, opt.prefill, setup);
    run_setup(ctx, run, setup, quiet);
  }
  if (!quiet) {
    fmt::print(
        "engine:  {}\nhall:    {}{} ({} services, {} windows, {} staff); mix {}, {} clients x {} in "
        "flight{}\n",
        sum.engine_line, sum.hall, halls.size() > 1 ? fmt::format(", {} halls", halls.size()) : std::string(),
        cfg.services.size(), cfg.windows.size(), cfg.staff.size(), opt.mix, n_clients, opt.inflight,
        opt.mix == "cycle" ? fmt::format(", prefill {}{}", opt.prefill, halls.size() > 1 ? " per hall" : "")
                           : std::string());
  }

  // The ping mix sends no commands; its sources (issue's) are never asked.
  const std::vector<std::unique_ptr<CommandSource>> sources =
      make_sources(opt.mix == "ping" ? "issue" : opt.mix, halls, n_clients);

  std::vector<ClientResult> results(static_cast<std::size_t>(n_clients));
  // Room for every measured latency up front (400k replies/s is well above
  // what this machine does), so recording one never allocates.
  const std::uint64_t per_client_capacity =
      opt.requests > 0 ? opt.requests / static_cast<std::uint64_t>(n_clients) + 1
                       : static_cast<std::uint64_t>(opt.seconds * 400'000 / n_clients) + 1024;
  for (ClientResult& r : results) r.latency_ns.reserve(per_client_capacity);

  const int n_threads = opt.threads > 0 ? std::min(opt.threads, n_clients) : n_clients;
  std::vector<std::unique_ptr<LoadClient>> clients;
  for (int c = 0; c < n_clients; ++c) {
    std::uint64_t quota = 0;
    if (opt.requests > 0) {
      quota = opt.requests / static_cast<std::uint64_t>(n_clients) +
              (static_cast<std::uint64_t>(c) < opt.requests % static_cast<std::uint64_t>(n_clients) ? 1 : 0);
    }
    clients.push_back(std::make_unique<LoadClient>(ctx, run, c, *sources[static_cast<std::size_t>(c)], quota,
                                                   results[static_cast<std::size_t>(c)]));
  }
  // Client c runs on thread c % n_threads.
  std::vector<std::vector<LoadClient*>> per_thread(static_cast<std::size_t>(n_threads));
  for (int c = 0; c < n_clients; ++c)
    per_thread[static_cast<std::size_t>(c % n_threads)].push_back(clients[static_cast<std::size_t>(c)].get());
  std::latch ready(n_threads), go(1);
  std::vector<std::thread> threads;
  for (const auto& mine : per_thread)
    threads.emplace_back(run_clients, std::cref(mine), opt.timeout_ms, std::ref(ready), std::ref(go));
  ready.wait();
  run.start = Clock::now();
  auto secs = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  run.measure_from = run.start + secs(opt.warmup);
  run.send_until = run.measure_from + secs(opt.seconds);
  go.count_down();
  // CPU use over the measured part, sampled at its start and end.
  std::this_thread::sleep_until(run.measure_from);
  const double engine_cpu0 = spawned ? spawned->cpu_seconds() : 0;
  const double self_cpu0 = process_cpu_seconds();
  const Clock::time_point cpu_from = Clock::now();
  for (std::thread& t : threads) t.join();
  const double cpu_wall = std::chrono::duration<double>(Clock::now() - cpu_from).count();
  if (cpu_wall > 0) {
    sum.cpu_load_gen = (process_cpu_seconds() - self_cpu0) / cpu_wall;
    if (spawned) sum.cpu_engine = (spawned->cpu_seconds() - engine_cpu0) / cpu_wall;
  }

  std::vector<std::int64_t> lat;
  std::size_t total = 0;
  for (const ClientResult& r : results) total += r.latency_ns.size();
  lat.reserve(total);
  Clock::time_point last_reply{};
  for (ClientResult& r : results) {
    lat.insert(lat.end(), r.latency_ns.begin(), r.latency_ns.end());
    sum.sent += r.sent;
    sum.replies += r.replies;
    sum.measured += r.measured;
    sum.ok += r.ok;
    sum.expected += r.expected;
    sum.errors += r.errors;
    sum.timeouts += r.timeouts;
    for (const auto& [code, n] : r.codes) sum.codes[code] += n;
    if (sum.first_error.empty()) sum.first_error = r.first_error;
    last_reply = std::max(last_reply, r.last_reply);
  }
  sum.seconds = sum.measured > 0 ? std::chrono::duration<double>(last_reply - run.measure_from).count() : 0;
  sum.throughput = sum.seconds > 0 ? static_cast<double>(sum.measured) / sum.seconds : 0;
  set_latencies(sum, std::move(lat));

  if (spawned) {
    std::string out;
    sum.engine_exit = spawned->stop(out);
    requests_and_batches(out, sum);
    try {
      measure_store(data, sum);
    } catch (const std::exception& e) {
      std::cerr << "hallq_load: cannot read the engine's store back: " << e.what() << "\n";
    }
  }
  return sum;
}

// ---------------------------------------------------------------- main

int run(const Options& opt, int argc, char** argv) {
  const ReportHeader header{.command = command_line(argc, argv),
                            .machine = read_machine(),
                            .mix = opt.mix,
                            .clients = opt.clients,
                            .inflight = opt.inflight,
                            .warmup_s = opt.warmup};
  if (!opt.json) print_header(header);
  std::vector<Summary> runs;
  for (int i = 0; i < opt.repeat; ++i) {
    if (!opt.json && opt.repeat > 1) fmt::print("--- run {} of {}\n", i + 1, opt.repeat);
    runs.push_back(run_once(opt, opt.json || i > 0));
    if (!opt.json) print_summary(runs.back(), header);
  }
  return report_runs(runs, header, opt.json) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace hallq::bench

int main(int argc, char** argv) {
  hallq::bench::Options opt;
  CLI::App app{"hallq_load: load generator for hallqd (throughput and latency of acknowledged commands)"};
  auto* engine = app.add_option("--engine", opt.engine, "command endpoint of a running hallqd");
  auto* spawn =
      app.add_flag("--spawn", opt.spawn, "start hallqd here, in a fresh data dir, and stop it at the end");
  engine->excludes(spawn);
  app.add_option("--hallqd", opt.hallqd, "hallqd program for --spawn")->capture_default_str();
  app.add_option("--conf", opt.confs, "hall config(s) for --spawn")->check(CLI::ExistingFile);
  app.add_option("--data", opt.data, "data dir for --spawn (default: a fresh temporary one, removed after)");
  app.add_option("--hallqd-arg", opt.hallqd_args, "extra argument passed to the spawned hallqd (repeat)")
      ->allow_extra_args(false);
  app.add_flag("--keep-limits", opt.keep_limits, "--spawn: run the configs as they are (ticket limits too)");
  app.add_option("--clients", opt.clients, "clients (devices), each with its own DEALER")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app.add_option("--threads", opt.threads,
                 "load threads the clients share, each polling its clients' sockets (0: a thread per client)")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  app.add_option("--inflight", opt.inflight, "pipelined requests per client (1: closed loop)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  auto* seconds =
      app.add_option("--seconds", opt.seconds, "measure for this long")->check(CLI::PositiveNumber);
  auto* requests =
      app.add_option("--requests", opt.requests, "measure this many requests")->check(CLI::PositiveNumber);
  seconds->excludes(requests);
  app.add_option("--warmup", opt.warmup, "seconds of load before measuring")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  auto* hall = app.add_option("--hall", opt.hall, "hall id (default: the engine's first hall)");
  app.add_option("--halls", opt.halls,
                 "--spawn: run N copies of the one --conf (ids <id>-1 ... <id>-N), clients spread over them")
      ->check(CLI::Range(1, 100000))
      ->excludes(hall);
  app.add_option("--mix", opt.mix, "issue | cycle | ping (round trips alone: no core, no store)")
      ->capture_default_str()
      ->check(CLI::IsMember({"issue", "cycle", "ping"}));
  app.add_option("--prefill", opt.prefill,
                 "cycle mix: tickets issued before the run, so call-next meets a queue")
      ->capture_default_str();
  app.add_option("--timeout-ms", opt.timeout_ms, "give up on a reply after this long")->capture_default_str();
  app.add_option("--repeat", opt.repeat,
                 "measure this many times (a fresh hallqd each time with --spawn); medians")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_flag("!--no-floor", opt.floor,
               "skip measuring the ping round trip and store commit before each run");
  app.add_flag("--json", opt.json, "print one JSON object with the results");
  try {
    app.parse(argc, argv);
    if (!opt.spawn && opt.engine.empty())
      throw CLI::ValidationError("--engine or --spawn", "one is required");
    if (opt.spawn && opt.confs.empty())
      throw CLI::ValidationError("--conf", "--spawn needs at least one --conf");
    if (opt.halls > 0 && (!opt.spawn || opt.confs.size() != 1))
      throw CLI::ValidationError("--halls", "needs --spawn and exactly one --conf");
    if (opt.seconds <= 0 && opt.requests == 0) opt.seconds = 10;
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    return hallq::bench::run(opt, argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "hallq_load: " << e.what() << "\n";
    return 3;
  }
}
