// hallq-city's HTTP/1.1 server (Asio on one thread): the page (GET /, its
// script and style, compiled in), the city's JSON (GET /api/city) and a
// server-sent-event stream of it (GET /events: the JSON at once, then each
// time it changes, and a comment line every keepalive so proxies keep it
// open; the browser's EventSource reconnects by itself). Requests are read
// with the engine's reader and limits (engine/server/http_request_parse.h).
//
// Read-only and without logins: it shows counts and waits, no person's
// data. Bind it to loopback or a private network (or behind the city's
// proxy with its own authentication).
//
// Limits: max_connections (503 beyond); a stream whose client lets more
// than 1 MiB pile up is closed (slow reader); 30 s idle timeout between
// requests.
//
// Thread: the io_context's thread only; update() too (post to it).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace hallq::city {

struct CityServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8095;  // 0: any free port (port())
  std::size_t max_connections = 1000;
  std::chrono::milliseconds keepalive{15000};
  std::chrono::milliseconds idle_timeout{30000};
};

class CityServer {
 public:
  // Binds and listens; throws std::runtime_error if the address cannot be bound.
  CityServer(boost::asio::io_context& io, CityServerOptions options);
  ~CityServer();
  CityServer(const CityServer&) = delete;
  CityServer& operator=(const CityServer&) = delete;

  void start();
  void stop();  // closes the listener and every connection
  std::uint16_t port() const;

  // The city's JSON now: served by /api/city and pushed to every stream if it changed.
  void update(std::string json);

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace hallq::city
