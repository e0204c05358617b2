// The real thing for the gateway's tests: hallqd with CURVE keys (the
// gateway enrolled as role citizen in town, a manager key for the clerk's
// side), a ticket secret, and hallq-citizen started on a free loopback port
// with a config written like an operator's. Helpers issue and call through
// the engine, build the kiosk's ticket URL and read a live SSE stream.
// Thread: one owner thread.
#pragma once

#include <fmt/format.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/client/client.h"
#include "engine/core/calendar.h"
#include "engine/core/command.h"
#include "engine/keys/person_hash.h"
#include "engine/keys/ticket_token.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/time/system_clock.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/secure_engine.h"

namespace hallq::testing {

inline const std::string kSourceDir = HALLQ_SOURCE_DIR;

// conf/town.toml with its remote-ticket hours widened to the whole day, so
// that a test of remote tickets runs at any hour (CitizenWorld's edit_hall).
inline std::string all_day_remote(std::string town) {
  const std::string hours = "hours = [\"08:30-16:30\"]";
  const std::size_t at = town.find(hours);
  if (at == std::string::npos) throw std::runtime_error("conf/town.toml: remote hours not found");
  return town.replace(at, hours.size(), "hours = [\"00:00-24:00\"]");
}

class CitizenWorld {
 public:
  // `edit_hall`, if given, rewrites conf/town.toml's text before the engine
  // starts on it (a test's own hours, say).
  explicit CitizenWorld(std::string limits = "token_failures_burst = 5\ntoken_failures_per_minute = 1\n",
                        const std::function<std::string(std::string)>& edit_hall = {}) {
    engine_.add_device("gw", "citizen", "town");
    engine_.add_device("m1", "manager", "town");
    std::string hall_path = kSourceDir + "/conf/town.toml";
    if (edit_hall) {
      std::ifstream in(hall_path);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      hall_path = engine_.dir() + "/town.toml";
      std::ofstream(hall_path) << edit_hall(text);
    }
    engine_.start({hall_path});
    secret_path_ = engine_.dir() + "/ticket.secret";
    keys::write_ticket_secret_file(secret_path_);
    secret_ = keys::read_ticket_secret_file(secret_path_);
    keys::PersonSalt::generate().write_file(engine_.dir() + "/person.salt");
    config_path_ = engine_.dir() + "/citizen.toml";
    std::ofstream(config_path_) << "[citizen]\nengine = \"" << engine_.engine().cmd() << "\"\nevents = \""
                                << engine_.engine().pub()
                                << "\"\nhalls = [\"town\"]\nticket_secret = \"ticket.secret\"\n"
                                << "person_salt = \"person.salt\"\n"
                                << "public_url = \"https://q.example.gov.cn/\"\n\n[limits]\n"
                                << limits << "\n[security]\nkey_file = \"keys/gw.key\"\n"
                                << "engine_public_key_file = \"keys/engine.pub\"\n";
    client::ClientOptions o;
    o.curve = engine_.curve("m1");
    manager_ = std::make_unique<client::Client>(ctx_, engine_.engine().cmd(), o);
    start_gateway();
  }

  void start_gateway() {
    gateway_.emplace(HALLQ_CITIZEN_PATH,
                     std::vector<std::string>{"--config", config_path_, "--listen", "127.0.0.1:0"},
                     ChildProcess::Options{{}, engine_.dir() + "/citizen.stderr"});
    const auto ready = gateway_->wait_prefix("hallq-citizen ready");
    if (!ready) throw std::runtime_error("hallq-citizen did not start: " + gateway_->output());
    const std::size_t at = ready->find("http=") + 5;
    http_ = ready->substr(at, ready->find(' ', at) - at);
    // Ready once the hall's replica is synced.
    for (int i = 0; i < 200; ++i) {
      const HttpAnswer h = http_request(http_, boost::beast::http::verb::get, "/healthz");
      if (h.status == 200 && h.j()["halls"]["town"] == true) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));  // polling a condition, with a deadline
    }
    throw std::runtime_error("hallq-citizen never synced town");
  }

  // Today as the kiosk prints it.
  std::string today() const {
    return core::format_date(core::local_date(time::system_clock().now_us(), 8 * 60));
  }
  std::string token(const std::string& number) const {
    return keys::ticket_token(secret_, "town", today(), number);
  }
  std::string query(const std::string& number) const {
    return "hall=town&date=" + today() + "&number=" + number + "&k=" + token(number);
  }
  std::string page(const std::string& number) const {
    return "/t/town/" + today() + "/" + number + "?k=" + token(number);
  }

  protocol::DecodedReply command(const core::CommandBody& body) {
    auto r = manager_->command("town", body);
    if (!r) throw std::runtime_error("the engine did not answer");
    return *r;
  }
  // A social-security ticket (town's prefix A, numbered from 001 in a fresh engine).
  std::string issue() {
    const protocol::DecodedReply r = command(core::IssueTicket{"social"});
    if (!r.ok()) throw std::runtime_error("issue refused: " + r.message);
    return fmt::format("A{:03}", ++issued_);
  }
  // The engine's own state of town (as its manager sees it).
  protocol::DecodedSnapshot snapshot() {
    auto snap = manager_->snapshot("town");
    protocol::DecodedSnapshot d;
    if (!snap || !protocol::decode_snapshot(protocol::as_bytes(snap->snapshot), d).ok())
      throw std::runtime_error("no snapshot");
    return d;
  }
  core::Seq seq() { return snapshot().state.seq; }

  SecureEngine& engine() { return engine_; }
  const std::string& http() const { return http_; }
  const std::string& secret() const { return secret_; }
  ChildProcess& gateway() { return *gateway_; }
  zmq::context_t& ctx() { return ctx_; }

 private:
  SecureEngine engine_{"hallq-citizen"};
  std::string secret_path_, secret_, config_path_, http_;
  zmq::context_t ctx_;
  std::unique_ptr<client::Client> manager_;
  std::optional<ChildProcess> gateway_;
  int issued_ = 0;
};

// A live /events stream read off a plain socket.
class SseReader {
 public:
  SseReader(const std::string& host_port, const std::string& target) : socket_(io_) {
    connect_bounded(socket_, host_port, 1);
    const std::string req =
        "GET " + target + " HTTP/1.1\r\nHost: " + host_port + "\r\nAccept: text/event-stream\r\n\r\n";
    boost::asio::write(socket_, boost::asio::buffer(req));
  }
  // The status line and headers (read first).
  std::string head(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (buffer_.find("\r\n\r\n") == std::string::npos && std::chrono::steady_clock::now() < deadline)
      if (!read_some()) break;
    const std::size_t end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) return "";
    std::string h = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    return h;
  }
  // What follows the head until the server closes the connection (or `limit`).
  std::string rest(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline)
      if (!read_some()) break;
    return buffer_;
  }
  // The next "data:" payload, within `limit`.
  std::optional<std::string> next(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      for (std::size_t end; (end = buffer_.find("\n\n")) != std::string::npos;) {
        const std::string block = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        if (block.rfind("data: ", 0) == 0) return block.substr(6);
      }
      if (!read_some()) return std::nullopt;
    }
    return std::nullopt;
  }

 private:
  bool read_some() {
    char buf[4096];
    boost::system::error_code ec;
    const std::size_t n = socket_.read_some(boost::asio::buffer(buf), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) return true;  // timeout
    if (ec) return false;
    buffer_.append(buf, n);
    return true;
  }
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::string buffer_;
};

}  // namespace hallq::testing
