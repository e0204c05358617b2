// hallq_day: plays a day of many halls through running hallqd engines, as fast
// as they answer: issue 19's province-sized day (bench/province_day.sh starts
// the cluster, the engines and this program).
//
//   hallq_day --plan PLAN [--inflight K] [--rate R --paced-seconds S] [--json]
//
// PLAN has one line per hall: `ENDPOINT CONF TRACE`: the command endpoint of
// the engine serving the hall, its config and a trace of its day
// (tools/traces/FORMAT.md; its first day is played). Each hall's day is first
// replayed here through the engine's own core (tools/replay), which gives the
// commands a hall's devices send that day, in order: windows opened, paused
// and closed, tickets issued, call-next, recall and no-show, finish, citizens
// giving up. Every finished ticket is then rated at the window's keypad
// (a fixed share of levels, 1 in 100 a 差评 with the hall's first reason;
// 1 in 25 not rated), as the national 好差评 asks every window to.
//
// Then every hall plays its commands against its engine, in order, with at
// most K in flight per hall (1: each hall a closed loop, one command waiting
// for its answer at a time; the engine answers a connection's requests in
// order, so K > 1 keeps a hall's order too). One thread and one DEALER per
// engine. The engine runs on wall time, so the day is compressed and its
// call policy may choose another ticket than the replay did where waits
// decide; the refusals that follows from (a call finding no one, a citizen
// giving up after being called) are counted by code, not errors.
//
// --rate R --paced-seconds S: for the first S seconds the commands leave at
// R per second over all engines (a real day's pace, e.g. for the city view's
// event-to-page delay, which the compressed day would only bury under its
// backlog), then as fast as the engines answer.
//
// Reports halls, tickets, commands sent and accepted, refusals by code, wall
// time, commands/s overall and per engine, latency percentiles (send to
// reply), and the time spent preparing.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "bench/load_report.h"
#include "engine/config/config_loader.h"
#include "engine/core/ticket.h"
#include "engine/protocol/message.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "tools/replay/replay.h"
#include "tools/replay/trace.h"

namespace hallq::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct PlanLine {
  std::string endpoint, conf, trace;
};

// One hall's day: its requests, encoded with their request ids.
struct HallDay {
  std::string id;
  std::size_t engine = 0;
  std::vector<std::string> requests;
  std::size_t tickets = 0;
};

std::vector<PlanLine> read_plan(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<PlanLine> plan;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    PlanLine p;
    if (!(fields >> p.endpoint >> p.conf >> p.trace))
      throw std::runtime_error(fmt::format("{}:{}: expected ENDPOINT CONF TRACE", path, n));
    plan.push_back(std::move(p));
  }
  if (plan.empty()) throw std::runtime_error(path + ": no hall");
  return plan;
}

// A rating for ticket `id`, spread deterministically over the levels.
int level_of(core::TicketId id) {
  const std::uint64_t h = (id * 0x9E3779B97F4A7C15ULL) >> 56;  // 0..255
  if (h < 10) return 0;                                        // ~4 %: not rated
  if (h < 13) return 2;                                        // ~1 %: 差评
  if (h < 25) return 3;
  if (h < 60) return 4;
  return 5;
}

// Replays the trace's first day and encodes the commands it gave.
HallDay prepare(const PlanLine& p, std::size_t engine, const std::string& run_id) {
  const std::shared_ptr<core::HallConfig> cfg = config::load_hall_config(p.conf);
  replay::Trace trace = replay::load_trace(p.trace, *cfg);
  std::erase_if(trace.rows, [](const replay::TraceRow& r) { return r.time_s >= 86'400; });
  trace.arrivals =
      static_cast<std::size_t>(std::count_if(trace.rows.begin(), trace.rows.end(), [](const auto& r) {
        return r.event == replay::TraceEvent::kArrive;
      }));
  HallDay day{cfg->id, engine, {}, trace.arrivals};
  const std::string prefix = fmt::format("{}-{}-", run_id, cfg->id);
  auto add = [&](const core::CommandBody& body) {
    day.requests.push_back(
        protocol::encode_request(prefix + std::to_string(day.requests.size()), cfg->id, body));
  };
  struct Rating {
    std::string number;
    core::WindowIdx window = 0;
    int level = 0;
  };
  std::unordered_map<core::TicketId, std::string> numbers;
  std::vector<Rating> finished;  // rated once their finish is sent
  replay::ReplayOptions options;
  options.on_event = [&](const core::Event& e) {
    if (const auto* t = std::get_if<core::TicketIssued>(&e.body)) {
      numbers[t->ticket] =
          core::format_number(cfg->services[t->service].prefix, t->number, cfg->rules.number_digits);
    } else if (const auto* f = std::get_if<core::TicketFinished>(&e.body)) {
      if (const int level = level_of(f->ticket); level > 0)
        finished.push_back({numbers[f->ticket], f->window, level});
    }
  };
  const std::string_view reason = cfg->evaluation.reasons.empty() ? "" : cfg->evaluation.reasons.front().code;
  options.on_command = [&](const core::CommandBody& body) {
    add(body);
    for (const Rating& r : finished) {
      core::Evaluate ev{.number = r.number, .level = r.level, .window = cfg->windows[r.window].id};
      if (ev.level <= 2) {
        if (reason.empty())
          ev.level = 3;  // a hall without 差评 reasons: a plain rating
        else
          ev.reasons = {reason};
      }
      add(ev);
    }
    finished.clear();
  };
  replay::replay(cfg, trace, options);
  return day;
}

struct EngineResult {
  std::vector<std::int64_t> latency_ns;
  std::uint64_t sent = 0, ok = 0, timeouts = 0;
  std::map<std::string, std::uint64_t> refused;
  std::map<std::string, std::string> first_message;  // code -> one of its messages
  double seconds = 0;
  std::string error;
};

// Plays the halls of one engine over one DEALER.
struct Pace {
  double per_s = 0;  // this engine's share of --rate; 0: unpaced
  std::chrono::duration<double> seconds{0};
};

void play(zmq::context_t& ctx, const std::string& endpoint, const std::vector<HallDay*>& halls, int inflight,
          int timeout_ms, Pace pace, EngineResult& r) {
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.set(zmq::sockopt::rcvhwm, 0);
  dealer.set(zmq::sockopt::sndhwm, 0);
  dealer.set(zmq::sockopt::rcvtimeo, timeout_ms);
  dealer.connect(endpoint);
  struct Cursor {
    std::size_t next = 0, answered = 0;
    std::vector<Clock::time_point> sent;  // by request index mod inflight
  };
  std::vector<Cursor> cursors(halls.size());
  std::unordered_map<std::string, std::size_t> index_of;  // hall id -> index in `halls`
  for (std::size_t i = 0; i < halls.size(); ++i) {
    index_of[halls[i]->id] = i;
    cursors[i].sent.resize(static_cast<std::size_t>(inflight));
  }
  std::size_t outstanding = 0;
  Clock::time_point start;
  auto send = [&](std::size_t h) {
    if (pace.per_s > 0 && Clock::now() - start < pace.seconds) {
      const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(static_cast<double>(r.sent) / pace.per_s));
      std::this_thread::sleep_until(due);  // pacing: the replies wait in the socket meanwhile
    }
    Cursor& c = cursors[h];
    const std::string& bytes = halls[h]->requests[c.next];
    c.sent[c.next % c.sent.size()] = Clock::now();
    ++c.next;
    dealer.send(zmq::buffer(bytes), zmq::send_flags::none);
    ++outstanding;
    ++r.sent;
  };
  start = Clock::now();
  for (std::size_t h = 0; h < halls.size(); ++h)
    while (cursors[h].next < halls[h]->requests.size() &&
           cursors[h].next < static_cast<std::size_t>(inflight))
      send(h);
  zmq::message_t msg;
  while (outstanding > 0) {
    if (!dealer.recv(msg, zmq::recv_flags::none)) {
      r.timeouts = outstanding;
      r.error = fmt::format("{}: no reply within {} ms ({} outstanding)", endpoint, timeout_ms, outstanding);
      break;
    }
    const Clock::time_point now = Clock::now();
    --outstanding;
    const protocol::Bytes bytes{static_cast<const std::uint8_t*>(msg.data()), msg.size()};
    if (protocol::inspect(bytes) != protocol::MessageKind::kReply) {
      r.error = "a message that is not a verified reply";
      break;
    }
    const protocol::DecodedReply reply = protocol::decode_reply(bytes);
    // request id RUN-HALL-N
    const auto last = reply.request_id.rfind('-');
    const auto first = reply.request_id.find('-');
    const auto it = last == std::string::npos || first == last
                        ? index_of.end()
                        : index_of.find(reply.request_id.substr(first + 1, last - first - 1));
    if (it == index_of.end()) {
      r.error = fmt::format("a reply to an unknown request \"{}\"", reply.request_id);
      break;
    }
    const std::size_t h = it->second;
    Cursor& c = cursors[h];
    const std::size_t n = std::stoul(reply.request_id.substr(last + 1));
    r.latency_ns.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - c.sent[n % c.sent.size()]).count());
    ++c.answered;
    if (reply.ok()) {
      ++r.ok;
    } else {
      const std::string code(core::to_string(reply.code));
      ++r.refused[code];
      r.first_message.try_emplace(code, reply.message);
    }
    if (c.next < halls[h]->requests.size()) send(h);
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
}

int run(int argc, char** argv) {
  CLI::App app{"hallq_day: plays a day of many halls through running hallqd engines"};
  std::string plan_file;
  int inflight = 1, timeout_ms = 60'000;
  double rate = 0, paced_seconds = 0;
  bool json = false;
  app.add_option("--plan", plan_file, "one line per hall: ENDPOINT CONF TRACE")->required();
  app.add_option("--inflight", inflight, "commands in flight per hall (1: a closed loop)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--timeout-ms", timeout_ms, "give up when no reply came for this long")
      ->capture_default_str();
  app.add_option("--rate", rate, "commands per second over all engines while paced")
      ->check(CLI::PositiveNumber);
  app.add_option("--paced-seconds", paced_seconds, "how long the play is paced at --rate from its start")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--json", json, "print one JSON object");
  CLI11_PARSE(app, argc, argv);

  const std::vector<PlanLine> plan = read_plan(plan_file);
  std::vector<std::string> endpoints;
  std::vector<std::size_t> engine_of(plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    auto it = std::find(endpoints.begin(), endpoints.end(), plan[i].endpoint);
    if (it == endpoints.end()) it = endpoints.insert(endpoints.end(), plan[i].endpoint);
    engine_of[i] = static_cast<std::size_t>(it - endpoints.begin());
  }
  const std::string run_id = fmt::format("day{}", Clock::now().time_since_epoch().count() % 1'000'000'007);

  // Prepare: each hall's day replayed, on every core.
  const Clock::time_point prep_start = Clock::now();
  std::vector<HallDay> days(plan.size());
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::string prep_error;
  {
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < std::max(1U, std::thread::hardware_concurrency()); ++t) {
      workers.emplace_back([&] {
        for (std::size_t i; (i = next++) < plan.size();) {
          try {
            days[i] = prepare(plan[i], engine_of[i], run_id);
          } catch (const std::exception& e) {
            const std::lock_guard lock(error_mutex);
            if (prep_error.empty())
              prep_error = fmt::format("{} {}: {}", plan[i].conf, plan[i].trace, e.what());
          }
        }
      });
    }
  }
  if (!prep_error.empty()) throw std::runtime_error(prep_error);
  const double prep_s = std::chrono::duration<double>(Clock::now() - prep_start).count();
  std::size_t tickets = 0, commands = 0;
  for (const HallDay& d : days) {
    tickets += d.tickets;
    commands += d.requests.size();
  }
  std::cerr << fmt::format("prepared {} halls on {} engines: {} tickets, {} commands in {:.1f} s; playing\n",
                           days.size(), endpoints.size(), tickets, commands, prep_s);

  // Play: a thread per engine.
  zmq::context_t ctx(2);
  std::vector<EngineResult> results(endpoints.size());
  const Clock::time_point start = Clock::now();
  {
    std::vector<std::jthread> players;
    for (std::size_t e = 0; e < endpoints.size(); ++e) {
      std::vector<HallDay*> halls;
      for (HallDay& d : days)
        if (d.engine == e) halls.push_back(&d);
      const Pace pace{rate / static_cast<double>(endpoints.size()),
                      std::chrono::duration<double>(paced_seconds)};
      players.emplace_back(
          [&, e, halls, pace] { play(ctx, endpoints[e], halls, inflight, timeout_ms, pace, results[e]); });
    }
  }
  const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<std::int64_t> all;
  std::uint64_t ok = 0, sent = 0;
  std::map<std::string, std::uint64_t> refused;
  std::map<std::string, std::string> messages;
  std::string error;
  for (EngineResult& r : results) {
    all.insert(all.end(), r.latency_ns.begin(), r.latency_ns.end());
    ok += r.ok;
    sent += r.sent;
    for (const auto& [code, n] : r.refused) refused[code] += n;
    messages.insert(r.first_message.begin(), r.first_message.end());
    if (error.empty()) error = r.error;
  }
  std::sort(all.begin(), all.end());
  nlohmann::json out = {
      {"halls", days.size()},
      {"engines", endpoints.size()},
      {"tickets", tickets},
      {"commands", commands},
      {"sent", sent},
      {"answered", all.size()},
      {"accepted", ok},
      {"refused", refused},
      {"refusal_examples", messages},
      {"inflight_per_hall", inflight},
      {"rate", rate},
      {"paced_seconds", paced_seconds},
      {"prepare_s", prep_s},
      {"wall_s", wall_s},
      {"commands_per_s", static_cast<double>(all.size()) / wall_s},
      {"latency_us",
       {{"p50", percentile_us(all, 50)},
        {"p90", percentile_us(all, 90)},
        {"p99", percentile_us(all, 99)},
        {"max", all.empty() ? 0.0 : static_cast<double>(all.back()) / 1e3}}},
  };
  for (std::size_t e = 0; e < endpoints.size(); ++e)
    out["per_engine"].push_back({{"endpoint", endpoints[e]},
                                 {"answered", results[e].latency_ns.size()},
                                 {"seconds", results[e].seconds},
                                 {"commands_per_s", static_cast<double>(results[e].latency_ns.size()) /
                                                        std::max(1e-9, results[e].seconds)}});
  if (!error.empty()) out["error"] = error;
  if (json) {
    std::cout << out.dump() << "\n";
  } else {
    std::cout << fmt::format(
        "{} halls on {} engines, {} tickets: {} commands answered of {} ({} accepted) in {:.1f} s = "
        "{:.0f}/s; "
        "latency p50 {:.2f} ms, p99 {:.2f} ms, max {:.1f} ms (prepared in {:.1f} s)\n",
        days.size(), endpoints.size(), tickets, all.size(), commands, ok, wall_s,
        static_cast<double>(all.size()) / wall_s, percentile_us(all, 50) / 1e3, percentile_us(all, 99) / 1e3,
        all.empty() ? 0.0 : static_cast<double>(all.back()) / 1e6, prep_s);
    for (const auto& [code, n] : refused)
      std::cout << fmt::format("  refused {}: {} (e.g. {})\n", code, n, messages[code]);
    if (!error.empty()) std::cout << "  error: " << error << "\n";
  }
  return error.empty() && all.size() == commands ? 0 : 1;
}

}  // namespace
}  // namespace hallq::bench

int main(int argc, char** argv) {
  try {
    return hallq::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "hallq_day: " << e.what() << "\n";
    return 2;
  }
}
