// The gateway's HTTP routes, free of sockets: a request in, an answer out
// (Beast's handle_request habit). citizen_server.h carries it over Asio; the
// fuzz target (fuzz/citizen_fuzz.cc) and the unit tests call it directly.
//
//   GET  /t/HALL/DATE/NUMBER?k=TOKEN     the ticket page (HTML; also /t/HALL/DATE/NUMBER/TOKEN)
//   GET  /static/ticket.js, ticket.css   the page's script and style (embedded)
//   GET  /api/ticket?hall=&date=&number=&k=   the ticket now (JSON, ticket_view.h)
//   GET  /events?hall=&date=&number=&k=       the same as a live stream (server-sent events)
//   POST /api/cancel?hall=&date=&number=&k=   "我不等了": cancels the ticket (JSON body {} )
//   GET  /healthz                        {"ok": true, "halls": {"town": true}} (synced or not)
//
// Every lookup is checked in this order: the client's address is not
// throttled (429), the link is well formed (400), the hall is served and the
// token is that ticket's (404, the same answer for both, so halls cannot be
// probed), the hall has a replica (503 before its first snapshot), the date is the hall's today
// (410), the number exists today (404). A failed lookup counts against the
// address (token_throttle.h). A cancel also needs a same-origin Origin header
// (the public URL's, or the request's own Host) and a JSON content type, so a
// page on another site cannot send it (403, 415). Errors are JSON
// {"error": code, "message": 中文} (HTML for the page route); nothing is
// changed by a refused request.
//
// Thread: one owner thread (the gateway's loop); the HallSource is called
// from it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "adapters/citizen/citizen_config.h"
#include "adapters/citizen/token_throttle.h"
#include "engine/core/error.h"
#include "engine/core/hall.h"
#include "engine/predict/forecast.h"
#include "engine/server/http_message.h"

namespace hallq::citizen {

// Where the gateway's halls come from: the subscriber's replicas and a
// command client in the program, a local hall in tests and the fuzz target.
class HallSource {
 public:
  virtual ~HallSource() = default;
  // The replica of a served hall (a moment behind while it resyncs); null
  // before its first snapshot.
  virtual const core::Hall* hall(std::string_view id) const = 0;
  // The engine's time (microseconds since the epoch).
  virtual core::TimeUs now() const = 0;
  // Cancels today's ticket `number` in `hall`: the engine's answer (code and
  // message), or nullopt if it did not answer.
  struct Outcome {
    core::ErrorCode code = core::ErrorCode::kOk;
    std::string message;
  };
  virtual std::optional<Outcome> cancel(std::string_view hall, std::string_view number) = 0;
};

struct CitizenAnswer {
  server::HttpResponse response;
  // GET /events accepted: open a stream of this ticket (the response is not sent).
  bool stream = false;
  std::string hall, number;
  std::string client;  // the client's address (throttling, stream caps)
};

class CitizenApi {
 public:
  // `secret`: the raw ticket secret (ticket_token.h).
  CitizenApi(const CitizenConfig& config, std::string secret, HallSource& source);

  // `steady_us`: a steady clock in microseconds (throttling).
  CitizenAnswer handle(const server::HttpRequest& request, std::int64_t steady_us);

  // The ticket's JSON now (ticket_view.h), "" if the hall is not synced or
  // has no such ticket today. Forecasts are cached per hall until its
  // sequence changes or 10 s pass.
  std::string ticket_json(std::string_view hall, std::string_view number);

  // The address a request comes from: the peer, or the last address of
  // X-Forwarded-For when the peer is a trusted proxy.
  std::string client_address(const server::HttpRequest& request) const;

  const TokenThrottle& throttle() const { return throttle_; }

 private:
  struct Lookup;
  struct ForecastCache {
    core::Seq seq = 0;
    core::TimeUs at = 0;
    std::map<core::TicketId, predict::TicketForecast> by_ticket;
  };
  const predict::TicketForecast* forecast_of(const core::Hall& hall, core::TicketId id);

  const CitizenConfig& config_;
  std::string secret_;
  HallSource& source_;
  TokenThrottle throttle_;
  std::string public_origin_;
  std::map<std::string, ForecastCache, std::less<>> forecasts_;
};

}  // namespace hallq::citizen
