// Running hallqd out of descriptors (issue 16): connections held up to the
// HTTP caps (total, per source address, the descriptor limit less the
// reserve) get the next one a fast 503, and with no descriptor left at all
// accept backs off instead of spinning; meanwhile the engine's CPU stays low
// and a ZeroMQ client's commands still succeed. The child's RLIMIT_NOFILE is
// lowered after start (prlimit(2)), as an operator's ulimit would be.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::tcp;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

int open_descriptors(pid_t pid) {
  DIR* d = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (::readdir(d) != nullptr) ++n;
  ::closedir(d);
  return n - 2;  // . and ..
}

void limit_descriptors(pid_t pid, rlim_t n) {
  const rlimit lim{n, n};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &lim, nullptr), 0) << "prlimit";
}

// Holds idle connections to hallqd's HTTP port.
class Connections {
 public:
  explicit Connections(const std::string& host_port) {
    const auto colon = host_port.rfind(':');
    endpoint_ = {boost::asio::ip::make_address(host_port.substr(0, colon)),
                 static_cast<unsigned short>(std::stoi(host_port.substr(colon + 1)))};
  }
  // A new connection from `source`; the socket stays open until close_all().
  tcp::socket& open(const std::string& source = "127.0.0.1") {
    auto& s = *sockets_.emplace_back(std::make_unique<tcp::socket>(io_));
    s.open(tcp::v4());
    s.bind({boost::asio::ip::make_address(source), 0});
    s.connect(endpoint_);
    const timeval tv{3, 0};  // a read that hangs fails the test instead
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
  }
  // What hallqd sends on a fresh connection without a request within the
  // read timeout: its 503 (or nothing, "" on EOF or timeout).
  static std::string greeting(tcp::socket& s) {
    char buf[512];
    boost::system::error_code ec;
    const std::size_t n = s.read_some(boost::asio::buffer(buf), ec);
    return std::string(buf, ec ? 0 : n);
  }
  void close_all() { sockets_.clear(); }

 private:
  boost::asio::io_context io_;
  tcp::endpoint endpoint_;
  std::vector<std::unique_ptr<tcp::socket>> sockets_;
};

bool refused_fast(tcp::socket& s) {
  const auto t0 = Clock::now();
  const std::string g = Connections::greeting(s);
  const auto took = Clock::now() - t0;
  EXPECT_LT(took, 1s);
  return g.rfind("HTTP/1.1 503", 0) == 0;
}

// hallqd's CPU share over one second.
double cpu_share(const EngineProcess& engine) {
  const double before = engine.cpu_seconds();
  std::this_thread::sleep_for(1s);
  return engine.cpu_seconds() - before;
}

void expect_command_works(zmq::context_t& ctx, const EngineProcess& engine) {
  client::Client c(ctx, engine.cmd(), {.timeout = 3000ms, .attempts = 1});
  const auto reply = c.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(reply.has_value()) << "a new ZeroMQ client got no answer";
}

int get_status(const std::string& http, const std::string& target) {
  for (int i = 0;; ++i) {
    try {
      return http_request(http, http::verb::get, target).status;
    } catch (const boost::system::system_error&) {
      if (i == 50) throw;
      std::this_thread::sleep_for(100ms);  // the accept loop's back-off
    }
  }
}

TEST(DescriptorTest, ConnectionsBeyondTheCapsGetAFast503) {
  TempDir dir;
  EngineProcess engine({kTown}, dir.path() + "/data",
                       {"--http-max-connections", "30", "--http-max-per-address", "20"});
  Connections held(engine.http());
  for (int i = 0; i < 20; ++i) held.open();
  EXPECT_TRUE(refused_fast(held.open())) << "the 21st from one address";
  for (int i = 0; i < 10; ++i) held.open("127.0.0.2");
  EXPECT_TRUE(refused_fast(held.open("127.0.0.3"))) << "the 31st in all";
  zmq::context_t ctx(1);
  expect_command_works(ctx, engine);
  const double cpu = cpu_share(engine);
  std::cout << "30 connections held: hallqd CPU " << cpu * 100 << " % over 1 s\n";
  EXPECT_LT(cpu, 0.5);
  held.close_all();
  EXPECT_EQ(get_status(engine.http(), "/api/halls/town"), 200);
  const HttpAnswer m = http_request(engine.http(), http::verb::get, "/metrics");
  EXPECT_NE(m.body.find("hallq_http_connections_refused_total{cap=\"per_address\"} 1"), std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("hallq_http_connections_refused_total{cap=\"total\"} 1"), std::string::npos);
}

TEST(DescriptorTest, TheReserveKeepsDescriptorsForZeroMq) {
  TempDir dir;
  EngineProcess engine({kTown}, dir.path() + "/data", {"--fd-reserve", "100"});
  const int base = open_descriptors(engine.pid());
  ASSERT_GT(base, 0);
  // HTTP may hold (limit - reserve) connections: base + 20 here.
  limit_descriptors(engine.pid(), static_cast<rlim_t>(base + 120));
  Connections held(engine.http());
  int refused = 0;
  for (int i = 0; i < base + 40; ++i) {
    tcp::socket& s = held.open();
    if (i >= base + 20) refused += refused_fast(s);
  }
  EXPECT_EQ(refused, 20);
  zmq::context_t ctx(1);
  expect_command_works(ctx, engine);
  const double cpu = cpu_share(engine);
  std::cout << base + 20 << " connections held (" << base << " descriptors before): hallqd CPU " << cpu * 100
            << " % over 1 s\n";
  EXPECT_LT(cpu, 0.5);
}

TEST(DescriptorTest, AcceptBacksOffWhenNoDescriptorIsLeft) {
  TempDir dir;
  EngineProcess engine({kTown}, dir.path() + "/data", {"--fd-reserve", "0"});
  zmq::context_t ctx(1);
  client::Client before(ctx, engine.cmd(), {.timeout = 3000ms, .attempts = 1});
  ASSERT_TRUE(before.ping().has_value());
  const int base = open_descriptors(engine.pid());
  limit_descriptors(engine.pid(), static_cast<rlim_t>(base + 20));
  Connections held(engine.http());
  for (int i = 0; i < 60; ++i) held.open();  // 20 accepted, the rest wait in the backlog
  std::this_thread::sleep_for(300ms);
  const double cpu = cpu_share(engine);
  std::cout << "no descriptor left: hallqd CPU " << cpu * 100 << " % over 1 s\n";
  EXPECT_LT(cpu, 0.5);
  // A client connected before still acts (the store needs no new descriptor).
  const auto reply = before.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(reply.has_value());
  held.close_all();
  EXPECT_EQ(get_status(engine.http(), "/api/halls/town"), 200);
  const HttpAnswer m = http_request(engine.http(), http::verb::get, "/metrics");
  EXPECT_EQ(m.body.find("hallq_http_accept_backoffs_total 0"), std::string::npos) << m.body;
}

}  // namespace
}  // namespace hallq::testing
