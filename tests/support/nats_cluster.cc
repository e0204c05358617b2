// The test cluster: configuration files, processes, readiness by polling the
// monitoring endpoint (/jsz) until a meta leader is known.
#include "tests/support/nats_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.h"

namespace hallq::testing {
namespace {

// A loopback TCP port free right now, below the kernel's ephemeral range: a
// port the kernel hands out itself could be taken by any outgoing
// connection (the engines', the clients') before nats-server binds it, or
// while a node is down between kill and restart on the same port.
bool bindable(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

int free_port() {
  int low = 32768;  // the default ip_local_port_range start
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low;
  const int first = 10000, last = std::max(first + 1000, low);
  static std::mt19937 pick(std::random_device{}());
  static std::set<int> given;  // not bound yet when the next is picked
  for (int tries = 0; tries < 1000; ++tries) {
    const int port = std::uniform_int_distribution<int>(first, last - 1)(pick);
    if (!given.count(port) && bindable(port)) {
      given.insert(port);
      return port;
    }
  }
  throw std::runtime_error("no free loopback port below the ephemeral range");
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

constexpr const char* kEnginePassword = "engine-secret-3f9a";
constexpr const char* kReaderPassword = "reader-secret-77c1";
constexpr const char* kCityPassword = "city-secret-5be0";
constexpr const char* kFeedPassword = "feed-secret-c41d";

}  // namespace

NatsCluster::NatsCluster(int nodes) : dir_("hallq-nats") {
  nodes_.resize(static_cast<std::size_t>(nodes));
  for (Node& n : nodes_) {
    n.client_port = free_port();
    n.cluster_port = free_port();
    n.http_port = free_port();
  }
  std::string routes;
  for (const Node& n : nodes_) {
    routes += (routes.empty() ? "" : ", ") + ("nats-route://127.0.0.1:" + std::to_string(n.cluster_port));
  }
  // Readers may use the JetStream API except what changes streams, and may not publish events; the
  // city view only its own consumer on the events and reads of the hall snapshots (displays/city);
  // the upward feed only its own consumers on the events (adapters/feed).
  const std::string accounts = std::string(R"(
accounts {
  HALLQ {
    jetstream: enabled
    users: [
      { user: engine, password: ")") +
                               kEnginePassword + R"(",
        permissions: {
          publish: ["hallq.events.>", "$JS.API.>", "$KV.hallq_owners.>", "$KV.hallq_halls.>", "$JS.ACK.>", "$JS.FC.>",
                    "_INBOX.>"]
          subscribe: ["_INBOX.>", "hallq.events.>", "$KV.hallq_owners.>"]
        } }
      { user: reader, password: ")" +
                               kReaderPassword + R"(",
        permissions: {
          publish: { allow: ["$JS.API.>", "$JS.ACK.>", "$JS.FC.>", "_INBOX.>"],
                     deny: ["$JS.API.STREAM.CREATE.>", "$JS.API.STREAM.UPDATE.>", "$JS.API.STREAM.DELETE.>",
                            "$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.MSG.DELETE.>"] }
          subscribe: ["_INBOX.>"]
        } }
      { user: city, password: ")" +
                               kCityPassword + R"(",
        permissions: {
          publish: ["$JS.API.INFO", "$JS.API.STREAM.NAMES", "$JS.API.STREAM.INFO.HALLQ_EVENTS", "$JS.API.STREAM.INFO.KV_hallq_halls",
                    "$JS.API.CONSUMER.CREATE.HALLQ_EVENTS", "$JS.API.CONSUMER.CREATE.HALLQ_EVENTS.>",
                    "$JS.API.CONSUMER.DURABLE.CREATE.HALLQ_EVENTS.>", "$JS.API.CONSUMER.INFO.HALLQ_EVENTS.>",
                    "$JS.API.CONSUMER.MSG.NEXT.HALLQ_EVENTS.>", "$JS.ACK.HALLQ_EVENTS.>",
                    "$JS.API.STREAM.MSG.GET.KV_hallq_halls", "$JS.API.CONSUMER.CREATE.KV_hallq_halls",
                    "$JS.API.CONSUMER.CREATE.KV_hallq_halls.>", "$JS.API.CONSUMER.DELETE.KV_hallq_halls.>",
                    "$JS.FC.>", "_INBOX.>"]
          subscribe: ["_INBOX.>"]
        } }
      { user: feed, password: ")" +
                               kFeedPassword + R"(",
        permissions: {
          publish: ["$JS.API.INFO", "$JS.API.STREAM.INFO.HALLQ_EVENTS", "$JS.API.CONSUMER.DURABLE.CREATE.HALLQ_EVENTS.>",
                    "$JS.API.CONSUMER.INFO.HALLQ_EVENTS.>", "$JS.API.CONSUMER.DELETE.HALLQ_EVENTS.>",
                    "$JS.API.CONSUMER.MSG.NEXT.HALLQ_EVENTS.>", "$JS.ACK.HALLQ_EVENTS.>", "_INBOX.>"]
          subscribe: ["_INBOX.>"]
        } }
    ]
  }
}
)";
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    const std::string name = "n" + std::to_string(i + 1);
    n.config = dir_.sub(name + ".conf");
    write_file(n.config, "server_name: " + name + "\nlisten: 127.0.0.1:" + std::to_string(n.client_port) +
                             "\nhttp: 127.0.0.1:" + std::to_string(n.http_port) +
                             "\njetstream { store_dir: \"" + dir_.sub(name) +
                             "\", max_memory_store: 64MB, max_file_store: 2GB }\n"
                             "cluster { name: hallq-test, listen: 127.0.0.1:" +
                             std::to_string(n.cluster_port) + ", routes: [" + routes + "] }\n" + accounts);
  }
  write_file(engine_credentials(), std::string("engine:") + kEnginePassword + "\n");
  write_file(reader_credentials(), std::string("reader:") + kReaderPassword + "\n");
  write_file(city_credentials(), std::string("city:") + kCityPassword + "\n");
  write_file(feed_credentials(), std::string("feed:") + kFeedPassword + "\n");
  start_all();
  if (!wait_ready())
    throw std::runtime_error("the NATS test cluster has no JetStream meta leader (logs in " + dir() + ")");
}

NatsCluster::~NatsCluster() { kill_all(); }

std::string NatsCluster::url(int node) const {
  return "nats://127.0.0.1:" + std::to_string(nodes_.at(static_cast<std::size_t>(node)).client_port);
}

std::string NatsCluster::urls() const {
  std::string out;
  for (int i = 0; i < size(); ++i) out += (out.empty() ? "" : ",") + url(i);
  return out;
}

std::string NatsCluster::monitor(int node) const {
  return "127.0.0.1:" + std::to_string(nodes_.at(static_cast<std::size_t>(node)).http_port);
}

std::string NatsCluster::log_path(int node) const {
  return dir_.sub("n" + std::to_string(node + 1) + ".log");
}

void NatsCluster::start(int node) {
  Node& n = nodes_.at(static_cast<std::size_t>(node));
  if (n.process && n.process->running()) return;
  ChildProcess::Options o;
  o.stderr_path = log_path(node) + ".stderr";
  n.process = std::make_unique<ChildProcess>(
      NATS_SERVER_PATH, std::vector<std::string>{"-c", n.config, "-l", log_path(node)}, o);
}

void NatsCluster::kill(int node) {
  Node& n = nodes_.at(static_cast<std::size_t>(node));
  if (n.process && n.process->running()) n.process->kill();
}

std::optional<std::chrono::system_clock::time_point> NatsCluster::leader_logged(
    int node, const std::string& stream) const {
  std::ifstream in(log_path(node));
  const std::string needle = "new stream leader for 'HALLQ > " + stream + "'";
  std::optional<std::chrono::system_clock::time_point> last;
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) == std::string::npos) continue;
    // "[pid] 2026/12/05 09:55:52.083521 [INF] ..."
    std::tm tm{};
    int us = 0;
    const std::size_t at = line.find("] ");
    if (at == std::string::npos ||
        std::sscanf(line.c_str() + at + 2, "%d/%d/%d %d:%d:%d.%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &us) != 7)
      continue;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    last = std::chrono::system_clock::from_time_t(std::mktime(&tm)) + std::chrono::microseconds(us);
  }
  return last;
}

void NatsCluster::stop(int node, std::chrono::milliseconds limit) {
  Node& n = nodes_.at(static_cast<std::size_t>(node));
  if (n.process && n.process->running()) n.process->stop(limit);
}

void NatsCluster::start_all() {
  for (int i = 0; i < size(); ++i) start(i);
}

void NatsCluster::kill_all() {
  for (int i = 0; i < size(); ++i) kill(i);
}

bool NatsCluster::running(int node) const {
  const Node& n = nodes_.at(static_cast<std::size_t>(node));
  return n.process && n.process->running();
}

bool NatsCluster::wait_ready(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (int i = 0; i < size() && all; ++i) {
      if (!running(i)) continue;
      try {
        const HttpAnswer a = http_request("127.0.0.1:" + std::to_string(nodes_[i].http_port),
                                          boost::beast::http::verb::get, "/jsz");
        const auto j = a.j();
        all = a.status == 200 && j.contains("meta_cluster") && j["meta_cluster"].value("leader", "") != "";
      } catch (const std::exception&) {
        all = false;
      }
    }
    if (all) return true;
    // Polling a condition, bounded by the deadline above.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace hallq::testing
