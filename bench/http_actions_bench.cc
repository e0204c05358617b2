// hallq_http_bench: managers' actions over HTTP against a real hallqd, the
// throughput and latency of acknowledged (durable, audited) actions, and the
// LMDB write transactions they cost.
//
//   hallq_http_bench --clients 8 --seconds 10
//   hallq_http_bench --hallqd /path/to/an/older/hallqd --clients 8 --seconds 10
//
// It starts hallqd (tests/support) with conf/town.toml and an accounts file
// with one admin, in a fresh data directory under --data (default /tmp: on a
// real disk every commit is fsynced), logs in once, then each client (a
// thread) posts notices to the town hall one after another, each on a fresh
// connection as a browser or curl would, for --seconds. Each action is
// answered after its events and its audit record are durable. Reported:
// actions/s, latency percentiles, and from /metrics the store's write
// transactions per action (hallq_store_commits_total; "n/a" for an hallqd
// without it) and the engine's batches per action.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/load_report.h"
#include "engine/server/accounts.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"

namespace {

namespace http = boost::beast::http;
using hallq::testing::http_request;
using nlohmann::json;

// A counter of hallqd's /metrics, or nothing if it has none of that name.
std::optional<std::uint64_t> metric(const std::string& http, const std::string& name) {
  const std::string text = http_request(http, http::verb::get, "/metrics").body;
  const std::size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return std::nullopt;
  return std::stoull(text.substr(at + name.size() + 2));
}

std::string per_action(std::optional<std::uint64_t> before, std::optional<std::uint64_t> after,
                       std::uint64_t actions) {
  if (!before || !after || actions == 0) return "n/a";
  return fmt::format("{:.2f}", static_cast<double>(*after - *before) / static_cast<double>(actions));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hallq_http_bench: managers' actions over HTTP against a real hallqd"};
  std::string hallqd = hallq::testing::default_hallqd();
  std::string data = "/tmp";
  int clients = 8;
  double seconds = 10;
  app.add_option("--hallqd", hallqd, "the hallqd to start")->capture_default_str();
  app.add_option("--data", data, "where the fresh data directory goes")->capture_default_str();
  app.add_option("--clients", clients, "clients acting at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--seconds", seconds, "how long they act")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  const std::string dir = fmt::format("{}/hallq-http-bench-{}", data, ::getpid());
  std::filesystem::create_directories(dir);
  const std::string accounts = dir + "/managers.toml";
  std::ofstream(accounts) << "[[manager]]\nname = \"boss\"\nrole = \"admin\"\npassword_hash = \""
                          << hallq::server::hash_password("bench-pass-1") << "\"\n";
  int status = 0;
  {
    hallq::testing::EngineProcess engine({std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml"}, dir + "/data",
                                         {"--accounts", accounts}, hallqd);
    const std::string http = engine.http();
    const hallq::testing::HttpAnswer login = http_request(
        http, http::verb::post, "/api/login", json{{"user", "boss"}, {"password", "bench-pass-1"}}.dump());
    if (login.status != 200) {
      std::cerr << "login failed: " << login.status << " " << login.body << "\n";
      return 1;
    }
    hallq::testing::HttpRequestOptions as_admin;
    as_admin.headers = {{"Cookie", login.set_cookie.substr(0, login.set_cookie.find(';'))},
                        {"X-CSRF-Token", login.j()["csrf"].get<std::string>()}};

    const auto commits_before = metric(http, "hallq_store_commits_total");
    const auto batches_before = metric(http, "hallq_engine_batches_total");
    const double cpu_before = engine.cpu_seconds();
    std::vector<std::vector<std::int64_t>> latencies(clients);
    std::atomic<std::uint64_t> failed{0};
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
      threads.emplace_back([&, c] {
        for (std::uint64_t i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
          const auto t0 = std::chrono::steady_clock::now();
          const int s = http_request(http, http::verb::post, "/api/halls/town/notice",
                                     json{{"text", fmt::format("bench {}-{}", c, i)}}.dump(), as_admin)
                            .status;
          const auto t1 = std::chrono::steady_clock::now();
          if (s != 200) {
            ++failed;
            continue;
          }
          latencies[c].push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        }
      });
    for (std::thread& t : threads) t.join();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = engine.cpu_seconds() - cpu_before;
    std::vector<std::int64_t> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    const std::uint64_t actions = all.size();
    const auto commits_after = metric(http, "hallq_store_commits_total");
    const auto batches_after = metric(http, "hallq_engine_batches_total");

    const hallq::bench::Machine machine = hallq::bench::read_machine();
    std::cout << fmt::format("hallq_http_bench: {} clients, {:.0f} s, hallqd {}\n", clients, seconds, hallqd)
              << fmt::format("machine: {} cores, {}; data in {}\n", machine.nproc, machine.model, dir)
              << fmt::format("actions: {} acknowledged, {} failed, {:.0f} actions/s\n", actions,
                             failed.load(), static_cast<double>(actions) / elapsed)
              << fmt::format("latency: p50 {:.2f} ms, p90 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms\n",
                             hallq::bench::percentile_us(all, 50) / 1000,
                             hallq::bench::percentile_us(all, 90) / 1000,
                             hallq::bench::percentile_us(all, 99) / 1000,
                             hallq::bench::percentile_us(all, 100) / 1000)
              << fmt::format(
                     "per action: {} LMDB write transactions, {} engine batches; hallqd CPU {:.2f} cores\n",
                     per_action(commits_before, commits_after, actions),
                     per_action(batches_before, batches_after, actions), cpu / elapsed);
    status = failed.load() == 0 && actions > 0 ? 0 : 1;
    engine.terminate();
  }
  std::filesystem::remove_all(dir);
  return status;
}
