// hallq_core_bench: how many commands per second the pure core applies, per
// call policy and hall size, in the steady state of a busy day (DESIGN.md's
// target: at least 1,000,000 commands/s on this machine), plus the pieces a
// command is made of: issuing alone, call-next alone at a queue of 500, and
// the wait prediction every issue makes. No I/O, no clock: time is simulated.
//
// Names read   steady/<hall>/<policy>/waiting:<n>/<ids|no-ids>
//              issue/<hall>, call_next/<hall>/<policy>, predict_new/<hall>, summarize/<hall> ...
// items_per_second is commands (or predictions) per second.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "bench/bench_halls.h"
#include "engine/policy/policy_registry.h"
#include "engine/policy/tidal_advisor.h"
#include "engine/predict/forecast.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/view/hall_summary.h"

namespace hallq::bench {
namespace {

const core::CallPolicy* policy_named(std::string_view name) {
  const core::CallPolicy* p = policy::find_policy(name);
  if (p == nullptr) throw std::logic_error(fmt::format("no policy {}", name));
  return p;
}

void report(benchmark::State& state, const HallDriver& driver, std::uint64_t commands) {
  state.SetItemsProcessed(static_cast<std::int64_t>(commands));
  state.counters["refused"] = static_cast<double>(driver.refused());
  state.counters["days"] = static_cast<double>(driver.days());
  state.counters["waiting_end"] = static_cast<double>(driver.hall().waiting_total());
}

// The whole workload: call-next + newcomer, start, finish, over every window,
// with the daily reset and the morning queue when a day ends.
void BM_Steady(benchmark::State& state, HallSize size, std::string_view policy, std::size_t waiting,
               bool request_ids) {
  HallDriver driver(hall_config(size), policy_named(policy), request_ids);
  driver.open_all();
  driver.fill(waiting);
  // Warm up past the start, so every window is somewhere in its cycle.
  for (int i = 0; i < 4000; ++i) driver.step();
  const std::uint64_t start = driver.commands();
  for (auto _ : state) driver.step();
  report(state, driver, driver.commands() - start);
}

// Issuing alone, at a queue growing from 500 to 1,500; between batches (not
// timed) the day rolls and the queue is filled again.
void BM_Issue(benchmark::State& state, HallSize size) {
  constexpr std::size_t kBatch = 1000;
  HallDriver driver(hall_config(size), policy_named("balanced"));
  driver.open_all();
  driver.fill(500);
  const auto& services = driver.config().services;
  std::size_t s = 0, in_batch = 0;
  std::uint64_t issued = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(driver.apply(core::IssueTicket{services[s].id}).ok());
    if (++s == services.size()) s = 0;
    ++issued;
    if (++in_batch == kBatch) {
      state.PauseTiming();
      driver.next_day();
      in_batch = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(issued));
  state.counters["refused"] = static_cast<double>(driver.refused());
}

// Call-next alone at 500 waiting: every window calls once (timed); then,
// untimed, the called tickets are skipped and replaced by newcomers of the
// same services. A round starts at 500 + windows / 2 waiting and ends at
// 500 - windows / 2, so the calls meet 500 on average.
void BM_CallNext(benchmark::State& state, HallSize size, std::string_view policy) {
  HallDriver driver(hall_config(size), policy_named(policy));
  const auto& cfg = driver.config();
  driver.open_all();
  driver.fill(500 + cfg.windows.size() / 2);
  core::Hall& hall = driver.hall();
  std::vector<core::ServiceIdx> called;
  called.reserve(cfg.windows.size());
  std::size_t w = 0;
  std::uint64_t calls = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(driver.apply(core::CallNext{cfg.windows[w].id}).ok());
    ++calls;
    if (++w == cfg.windows.size()) {
      state.PauseTiming();
      for (std::size_t i = 0; i < cfg.windows.size(); ++i) {
        const core::TicketId t = hall.window(static_cast<core::WindowIdx>(i)).current;
        if (t == 0) continue;
        called.push_back(hall.find_ticket(t)->service);
        (void)driver.apply(core::SkipTicket{cfg.windows[i].id});
      }
      for (core::ServiceIdx s : called) (void)driver.apply(core::IssueTicket{cfg.services[s].id});
      called.clear();
      // Stay clear of the daily ticket limit; the day roll refills to 500.
      if (hall.tickets().size() > 2000) driver.next_day();
      w = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(calls));
  state.counters["refused"] = static_cast<double>(driver.refused());
}

// The prediction each issue makes for the newcomer (pure, const).
void BM_PredictNew(benchmark::State& state, HallSize size) {
  HallDriver driver(hall_config(size), policy_named("balanced"));
  driver.open_all();
  driver.fill(500);
  for (int i = 0; i < 2000; ++i) driver.step();
  const auto& predictor = predict::default_predictor();
  const auto n = static_cast<core::ServiceIdx>(driver.config().services.size());
  core::ServiceIdx s = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(predictor.predict_new(driver.hall(), s, core::Priority::kNormal, driver.now()));
    if (++s == n) s = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// The remaining wait of a ticket in the middle of its queue (what a status
// query or a display asks), which walks the queue up to the ticket.
void BM_PredictTicket(benchmark::State& state, HallSize size) {
  HallDriver driver(hall_config(size), policy_named("balanced"));
  driver.open_all();
  driver.fill(500);
  std::vector<core::TicketId> middle;
  for (const core::Ticket& t : driver.hall().tickets()) {
    if (t.state != core::TicketState::kWaiting) continue;
    const auto& line = driver.hall().queue(t.service).line(t.queue_class);
    if (line.size() > 1 && std::next(line.begin(), static_cast<long>(line.size() / 2))->ticket == t.id)
      middle.push_back(t.id);
  }
  const auto& predictor = predict::default_predictor();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(predictor.predict(driver.hall(), middle[i], driver.now()));
    if (++i == middle.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// Every waiting ticket's prediction at once (what a screen or the dashboard
// recomputes after an event): one forecast of the whole hall, uncapped.
void BM_ForecastAll(benchmark::State& state, HallSize size) {
  HallDriver driver(hall_config(size), policy_named("balanced"));
  driver.open_all();
  driver.fill(500);
  for (int i = 0; i < 2000; ++i) driver.step();
  std::size_t waiting = 0;
  for (const core::Ticket& t : driver.hall().tickets()) waiting += t.state == core::TicketState::kWaiting;
  for (auto _ : state) benchmark::DoNotOptimize(predict::forecast(driver.hall(), driver.now()));
  state.SetItemsProcessed(state.iterations());
  state.counters["waiting"] = static_cast<double>(waiting);
  state.counters["windows"] = static_cast<double>(driver.config().windows.size());
}

// What a screen, `hallq status` or the city view computes of a hall
// (engine/view/hall_summary.h): per service the waiting, the longest wait and
// a newcomer's predicted wait, per window its state, the advisories. The
// predictions are most of it.
void BM_Summarize(benchmark::State& state, HallSize size, std::size_t waiting) {
  HallDriver driver(hall_config(size), policy_named("balanced"));
  driver.open_all();
  driver.fill(waiting);
  for (int i = 0; i < 2000; ++i) driver.step();
  for (auto _ : state) benchmark::DoNotOptimize(view::summarize(driver.hall(), driver.now()));
  state.SetItemsProcessed(state.iterations());
  state.counters["services"] = static_cast<double>(driver.config().services.size());
}

// The tidal-window advisor's minute for a hall with a long queue: what-if
// forecasts of every candidate window (engine/policy/tidal_advisor.h).
void BM_Advise(benchmark::State& state, HallSize size) {
  HallDriver driver(hall_config(size), policy_named("balanced"));
  driver.open_all();
  driver.fill(500);
  for (int i = 0; i < 2000; ++i) driver.step();
  for (auto _ : state) benchmark::DoNotOptimize(policy::advise(driver.hall(), driver.now()));
  state.SetItemsProcessed(state.iterations());
}

// The hall's request-id memory (the engine's retry protection): every
// command from a client carries a fresh id, which the engine looks up
// (find_request, a miss) and the hall then remembers, forgetting the oldest
// of its 65,536. Measured alone, with the memory full.
void BM_RequestMemory(benchmark::State& state) {
  HallDriver driver(hall_config(HallSize::kTown), policy_named("balanced"));
  core::Hall& hall = driver.hall();
  std::string id = "5f3a9c0e7b1d2468-000000000000";
  auto next_id = [&id] {
    for (std::size_t i = id.size() - 1; id[i] != '-'; --i) {
      if (id[i] != '9') {
        ++id[i];
        return;
      }
      id[i] = '0';
    }
  };
  core::Seq seq = 1;
  for (std::size_t i = 0; i < core::Hall::kRequestMemory + 1000; ++i, next_id())
    hall.remember_request(id, {seq++, 1});
  for (auto _ : state) {
    next_id();
    benchmark::DoNotOptimize(hall.find_request(id));
    hall.remember_request(id, {seq++, 1});
  }
  state.SetItemsProcessed(state.iterations());
}

void register_all() {
  for (HallSize size : kHallSizes) {
    for (std::string_view policy : policy::policy_names()) {
      for (std::size_t waiting : {50, 500}) {
        for (bool ids : {false, true}) {
          benchmark::RegisterBenchmark(fmt::format("steady/{}/{}/waiting:{}/{}", to_string(size), policy,
                                                   waiting, ids ? "ids" : "no-ids")
                                           .c_str(),
                                       BM_Steady, size, policy, waiting, ids);
        }
      }
    }
  }
  for (HallSize size : kHallSizes)
    benchmark::RegisterBenchmark(fmt::format("issue/{}/waiting:500+", to_string(size)).c_str(), BM_Issue,
                                 size);
  for (HallSize size : kHallSizes) {
    for (std::string_view policy : policy::policy_names()) {
      benchmark::RegisterBenchmark(
          fmt::format("call_next/{}/{}/waiting:500", to_string(size), policy).c_str(), BM_CallNext, size,
          policy);
    }
  }
  benchmark::RegisterBenchmark("request_memory/find_miss+remember/full", BM_RequestMemory);
  for (HallSize size : kHallSizes) {
    benchmark::RegisterBenchmark(fmt::format("predict_new/{}/waiting:500", to_string(size)).c_str(),
                                 BM_PredictNew, size);
    benchmark::RegisterBenchmark(fmt::format("predict_ticket/{}/waiting:500", to_string(size)).c_str(),
                                 BM_PredictTicket, size);
    benchmark::RegisterBenchmark(fmt::format("forecast_all/{}/waiting:500", to_string(size)).c_str(),
                                 BM_ForecastAll, size);
    benchmark::RegisterBenchmark(fmt::format("advise/{}/waiting:500", to_string(size)).c_str(), BM_Advise,
                                 size);
    for (std::size_t waiting : {50, 500})
      benchmark::RegisterBenchmark(fmt::format("summarize/{}/waiting:{}", to_string(size), waiting).c_str(),
                                   BM_Summarize, size, waiting);
  }
}

}  // namespace
}  // namespace hallq::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  hallq::bench::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
