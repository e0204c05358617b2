// hallq-feed: the upward feed (实时汇入) of the chosen halls' queue and
// evaluation events to the provincial platform's HTTP endpoint, read from the
// NATS JetStream events stream with durable consumers (hall_consumer.h),
// posted in order per hall, each with its idempotency key (feeder.h).
//   hallq-feed --config conf/devices/feed.toml
// stdout, one line each: "hallq-feed ready halls=... platform=...",
// "repositioned HALL from stream seq N", "fed HALL:SEQ ...", "refused ...",
// "retry ...", "gap ...", messages refused as not fit to feed, "hallq-feed
// stopped fed=N ...". stderr: the wait for the stream, fatal errors.
// Exit codes: 0 stopped by SIGTERM/SIGINT, 1 the cluster, the credentials or
// the stream cannot be used, 2 usage or configuration error (Chinese,
// file:line: key).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

#include "adapters/feed/feed_config.h"
#include "adapters/feed/feeder.h"
#include "adapters/feed/hall_consumer.h"
#include "engine/config/config_error.h"
#include "engine/replicate/nats_connection.h"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop = true; }

// A start-up error that only means "not made yet": no engine has replicated
// into the cluster yet, so the stream does not exist.
bool missing(const std::string& what) {
  return what.find("Not Found") != std::string::npos || what.find("not found") != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hallq;
  CLI::App app("hallq-feed：实时汇入，把选定大厅的排队和评价事件按顺序推送到省级平台");
  std::string config_path;
  app.add_option("--config", config_path, "汇入程序的配置（conf/devices/feed.toml）")->required();
  CLI11_PARSE(app, argc, argv);

  feed::FeedConfig config;
  try {
    config = feed::load_feed_config(config_path);
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << std::endl;
    return 2;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  auto out = [](const std::string& line) { std::cout << line << std::endl; };
  try {
    replicate::NatsConnection::Options co;
    co.urls = config.nats_urls;
    co.credentials_file = config.credentials_file;
    co.name = "hallq-feed " + config.durable;
    replicate::NatsConnection conn(co);
    std::vector<std::unique_ptr<feed::HallConsumer>> consumers;
    for (const std::string& hall : config.halls) {
      feed::HallConsumer::Options o{
          .durable = config.durable, .hall = hall, .ack_wait = std::chrono::seconds(config.ack_wait_s)};
      for (bool logged = false;;) {
        try {
          consumers.push_back(std::make_unique<feed::HallConsumer>(conn, o));
          break;
        } catch (const replicate::ReplicateError& e) {
          if (!missing(e.what()) && !e.transient()) throw;
          if (!logged)
            std::cerr << "hallq-feed: waiting for the stream " << o.stream << ": " << e.what() << std::endl;
          logged = true;
          for (int i = 0; i < 20 && !g_stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
          if (g_stop) return 0;
        }
      }
      if (consumers.back()->repositioned_from() != 0)
        out(fmt::format(
            "repositioned {} from stream seq {} (messages of a stopped feed were awaiting their ack)", hall,
            consumers.back()->repositioned_from()));
    }
    std::string halls;
    for (const std::string& h : config.halls) halls += (halls.empty() ? "" : ",") + h;
    out(fmt::format("hallq-feed ready halls={} durable={} platform={}:{}{}", halls, config.durable,
                    config.platform.host, config.platform.port, config.platform.target));
    feed::Feeder feeder(config, std::move(consumers), out, [] { return g_stop.load(); });
    feeder.run();
    // The last acknowledgements are on their way out: let them reach the server.
    natsConnection_FlushTimeout(conn.raw(), 2000);
    const feed::Feeder::Counts& n = feeder.counts();
    out(fmt::format("hallq-feed stopped fed={} refused={} passed={} skipped={} retries={} gaps={}", n.fed,
                    n.refused, n.passed, n.skipped, n.retries, n.gaps));
  } catch (const std::exception& e) {
    std::cerr << "hallq-feed: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
