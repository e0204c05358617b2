// hallq-notify: reminders to citizens' phones through the hall's SMS or
// message gateway. A device like any other to the engine
// (engine/device/device_program.h): a subscriber keeping a replica of its
// hall (snapshot first, then the events by sequence); it sends no commands.
//   hallq-notify --config conf/devices/notify.toml [--engine EP] [--events EP]
//                [--key FILE --server-key FILE|Z85]
// For each checked-in booking with a phone: `near` when the people ahead (or
// the predicted wait) drop to the threshold, `called` with the window
// (reminder_planner.h); delivered with retries, never twice
// (dispatcher.h, sent_log.h).
// stdout, one line each: "hallq-notify ready ...", "synced HALL seq=N",
// "online HALL"/"offline HALL", the dispatcher's lines (sent, retry,
// refused, gave_up), "hallq-notify stopped ...". Phones are masked.
// Exit codes: 0 stopped by SIGTERM/SIGINT, 1 runtime failure, 2 usage or
// configuration error.
#include <fmt/format.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <iostream>
#include <random>
#include <vector>
#include <zmq.hpp>

#include "adapters/notify/dispatcher.h"
#include "adapters/notify/notify_config.h"
#include "adapters/notify/reminder_planner.h"
#include "adapters/notify/sent_log.h"
#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/device/device_program.h"
#include "engine/device/signals.h"

namespace {

using namespace hallq;

void print(const std::string& line) { std::cout << line << std::endl; }

// What the replica's changes mean to the planner: something changed, and
// the calls seen since the last plan.
class HallWatch final : public client::Subscriber::Listener {
 public:
  void on_reset(const core::Hall& hall) override {
    dirty = true;
    print(fmt::format("synced {} seq={}", hall.config().id, hall.seq()));
  }
  void on_event(const core::Hall&, const protocol::DecodedEvent& e, protocol::Bytes) override {
    dirty = true;
    if (const auto* c = std::get_if<core::TicketCalled>(&e.event.body))
      calls.push_back({c->ticket, c->window});
    if (const auto* c = std::get_if<core::TicketRecalled>(&e.event.body))
      calls.push_back({c->ticket, c->window});
  }
  void on_connection(std::string_view hall, bool online) override {
    print(fmt::format("{} {}", online ? "online" : "offline", hall));
  }

  bool dirty = false;
  std::vector<notify::CallSeen> calls;
};

}  // namespace

int main(int argc, char** argv) {
  device::DeviceProgram program(
      {.name = "hallq-notify",
       .description = "短信提醒：叫号临近和叫到时，通过大厅的短信/消息网关通知预约群众的手机",
       .config_help = "提醒程序的配置（conf/devices/notify.toml）"});
  return program.run(argc, argv, [&] {
    notify::NotifyConfig config = notify::load_notify_config(program.options().config);
    const device::LoadedCurve keys = program.apply_overrides({config.engine, config.events, config.security});
    notify::SentLog log(config.sent_log);

    zmq::context_t ctx;
    {
      // An unknown hall is a configuration error, reported once the engine
      // answers (an engine that does not answer yet is waited for below).
      client::ClientOptions co;
      co.timeout = std::chrono::milliseconds(1500);
      co.attempts = 1;
      co.curve = keys.curve;
      client::Client probe(ctx, config.engine, co);
      const auto r = probe.snapshot(config.hall);
      if (r && r->code == core::ErrorCode::kUnknownHall)
        throw device::UsageError(
            fmt::format("notify.hall：引擎上没有大厅 \"{}\"（{}）", config.hall, r->message));
    }
    HallWatch watch;
    client::SubscriberOptions so;
    so.curve = keys.curve;
    // The phones are only in the full copies (a notifier key's, or no key on loopback).
    so.personal_data = true;
    client::Subscriber subscriber(ctx, config.engine, config.events, {config.hall}, &watch, so);
    boost::asio::io_context io;
    // Kept busy: an io_context that runs out of work stops, and poll() would
    // then do nothing until restarted.
    auto work = boost::asio::make_work_guard(io);
    notify::Dispatcher dispatcher(io, config, log, print, std::random_device{}());
    const notify::ReminderRules rules{config.near_rule, config.near_threshold, &config.near_text,
                                      &config.called_text, config.turn ? &config.turn_text : nullptr};
    print(fmt::format("hallq-notify ready hall={} gateway={} near={}<={} sent_log={} logged={}", config.hall,
                      config.url, config.near_rule == notify::NearRule::kPeople ? "people" : "minutes",
                      config.near_threshold, config.sent_log, log.size()));

    // One thread: the gateway's exchanges and retry timers, then the engine's
    // messages, then a plan when the hall changed (or every 2 s: predicted
    // waits shrink with time alone).
    using Clock = std::chrono::steady_clock;
    Clock::time_point last_plan{};
    while (!device::stop_requested()) {
      io.poll();
      subscriber.poll(std::chrono::milliseconds(5));
      const core::Hall* hall = subscriber.hall(config.hall);
      if (hall == nullptr || !subscriber.synced(config.hall)) continue;
      if (!watch.dirty && Clock::now() - last_plan < std::chrono::seconds(2)) continue;
      const auto reminders =
          notify::plan_reminders(*hall, subscriber.engine_clock().now_us(), rules, watch.calls,
                                 [&](std::string_view key) { return dispatcher.known(key); });
      for (const notify::Reminder& r : reminders) dispatcher.submit(r, hall->config().name);
      watch.dirty = false;
      watch.calls.clear();
      last_plan = Clock::now();
    }
    // Deliveries under way finish (at most 5 s more); one still retrying
    // is not logged, so the next start sends it again, with the same key.
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (dispatcher.in_flight() > 0 && Clock::now() < deadline)
      io.run_one_for(std::chrono::milliseconds(50));
    const auto& c = dispatcher.counters();
    print(fmt::format("hallq-notify stopped sent={} refused={} gave_up={} retries={} unfinished={}", c.sent,
                      c.refused, c.gave_up, c.retries, dispatcher.in_flight()));
    return device::kExitOk;
  });
}
