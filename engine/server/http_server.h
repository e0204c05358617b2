// HTTP and WebSocket for the engine (Boost.Beast on the engine's io_context):
// every request goes to HttpApi; `GET /ws?hall=ID` upgrades to a WebSocket
// that gets the hall's summary with today's statistics at once, each event
// as it is published ({"type": "event", "data": {...}}), and a fresh summary
// at most every `push_interval` while the hall changes.
//
// Without managers' logins the server only binds to loopback addresses
// (anything else is refused at construction); with them, allow_remote.
//
// Descriptors (issue 16): at most max_connections connections (HTTP and
// WebSocket together) and max_per_address from one source address, and
// never more than the process's descriptor limit (RLIMIT_NOFILE, read at
// each accept) less fd_reserve, kept for ZeroMQ peers and the store. A
// connection beyond a cap is answered 503 and closed at once. When accept
// fails for want of descriptors (EMFILE, ENFILE) the server stops accepting
// for accept_backoff instead of retrying at once. Refusals and back-offs are
// counted in HttpApi::Counters.
//
// Thread: the io_context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace hallq::server {

class HttpApi;
class Server;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see port())
  std::chrono::milliseconds push_interval{250};
  std::size_t max_body = 64 * 1024;
  bool allow_remote = false;  // other than loopback: only with managers' logins (HttpApiOptions::accounts)
  std::size_t max_connections = 1000;
  std::size_t max_per_address = 100;
  std::size_t fd_reserve = 128;
  std::chrono::milliseconds accept_backoff{100};
};

class HttpServer {
 public:
  // Binds and listens; throws std::invalid_argument for a host that is not a
  // loopback IP address, std::runtime_error for an address that cannot be bound.
  HttpServer(boost::asio::io_context& io, HttpApi& api, Server& server, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  void stop();  // closes the listener and every connection
  std::uint16_t port() const;

  class Impl;  // public only so that the sessions in http_server.cc can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace hallq::server
