// hallq-citizen's HTTP/1.1 server (Asio on the gateway's one thread): each
// connection reads requests with the engine's own reader and limits
// (engine/server/http_request_parse.h: 8 KiB of header, `max_body` of body),
// answers them through CitizenApi, and keeps the ones that asked for
// /events open as server-sent-event streams of one ticket.
//
// Streams: at most max_streams at once and max_streams_per_address from one
// client address (503 beyond, in Chinese); each gets the ticket's JSON at
// once and again whenever it changes (hall_changed + flush; once the hall's
// day has rolled past the ticket's, only CitizenApi::lapsed_json), a comment line
// every keepalive so proxies keep it open, and the JSON again then (the
// predicted wait moves with time). A stream whose client lets more than
// 256 KiB pile up is closed (slow reader). Connections: at most
// max_connections (503 and close beyond), 30 s idle timeout between requests.
//
// Every answer carries Cache-Control: no-store, Referrer-Policy: no-referrer
// (the token is in the page's URL), nosniff and a Content-Security-Policy
// allowing the page's own files only.
//
// Thread: the io_context's thread only (the owner's loop runs it).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hallq::citizen {

class CitizenApi;

struct CitizenServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8090;  // 0: any free port (port())
  std::size_t max_connections = 12000;
  std::size_t max_streams = 10000;
  std::size_t max_streams_per_address = 20;
  std::size_t max_body = 1024;
  std::chrono::milliseconds keepalive{15000};
  std::chrono::milliseconds idle_timeout{30000};
};

class CitizenServer {
 public:
  // Binds and listens; throws std::runtime_error if the address cannot be bound.
  CitizenServer(boost::asio::io_context& io, CitizenApi& api, CitizenServerOptions options);
  ~CitizenServer();
  CitizenServer(const CitizenServer&) = delete;
  CitizenServer& operator=(const CitizenServer&) = delete;

  void start();
  void stop();  // closes the listener and every connection
  std::uint16_t port() const;

  // The hall changed (an event, a new snapshot): its streams are looked at
  // on the next flush().
  void hall_changed(std::string_view hall);
  // Sends every stream of a changed hall its ticket's JSON if it differs
  // from what it last got.
  void flush();

  struct Counters {
    std::uint64_t requests = 0, streams_opened = 0, streams_refused = 0, connections_refused = 0, pushes = 0,
                  slow_closed = 0;
    std::size_t streams = 0, connections = 0;
  };
  const Counters& counters() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace hallq::citizen
