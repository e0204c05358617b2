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
//   GET  /r/HALL                         the remote-ticket page (网上取号): service, ID number, phone
//   POST /api/remote                     takes a remote ticket: JSON {"hall", "service",
//                                        "id_number", "phone"} -> 201 {"number", "link"} (the
//                                        ticket page with its token), or a refusal
//   POST /api/evaluate?hall=&date=&number=&k=   好差评 from the page: JSON {"level": 1..5,
//                                        "reasons": [codes], "comment": "..."} -> 200 the
//                                        ticket's JSON (now rated), or a refusal
//   GET  /c/HALL?k=CHECKIN_TOKEN         the check-in page (签到), opened by scanning the hall
//                                        screen's rotating QR code (keys/checkin_token.h)
//   POST /api/checkin                    checks in a remote ticket: JSON {"hall", "date",
//                                        "number", "k" (ticket token), "c" (check-in token)}
//                                        -> 200 the ticket's JSON (now waiting), or a refusal
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
// The HTML error pages name the hall (its Chinese name, as the ticket page
// does) where the gateway knows it: from the link's hall part when that is a
// hall it serves (429, 400; hall ids are public: /r/HALL answers anyone), from
// the token once checked (410, 404 of a number not issued today), from the
// check-in page's hall (429, 403), and on the 503s (no replica of the hall
// yet: the engine not reached, or not knowing the hall; the engine not
// answering a command) from the replica or, before there is one, the
// config's [hall_names] (the JSON 503s carry it as "hall_name"; a hall with
// neither is not named). The 404 of a token that does not match
// (or a hall not served) names none and reads the same for every link, so it
// tells neither whether such a ticket exists nor which hall's it would be.
// An earlier day's link says 号码已失效 and, under it, what its open page
// said (当日未办理的号码已作废…), or past the hall's supplement_days that
// 补充评价 is over too ("12月2日 的号已过补充评价期限（办理后 7 天内）").
//
// The ticket page, /api/ticket and /api/evaluate also accept a link of an
// earlier day within the hall's evaluation.supplement_days (补充评价): the
// page and /api/ticket while the engine keeps the ticket open to it
// (Hall::rateable(): finished and not rated 1..5 by the end of its day, or
// rated later, which the page then shows), else 410 as for any other day;
// /events stays for today's tickets only. An evaluation (补充评价 or today's)
// is checked in this order: same origin and a JSON content type (403, 415),
// the lookup (400, 404, 503, 410 for a day in the future, 404 for a number
// not issued today; an earlier day's number goes to the engine, which
// refuses one it no longer keeps in its own words), the body (400 with what
// is wrong: a JSON object of "level" 1..5, "reasons" codes of the hall's
// list, "comment" of at most 200 characters, reasons and comment for 1..2
// only; counts against the address like a bad link); then Evaluate with
// channel phone (and `day` for an earlier day) goes to the engine: 409
// "already_rated" or "refused" with the engine's Chinese words, 503 if it
// does not answer.
//
// A remote ticket is checked in this order: same origin and a JSON content
// type (403, 415), the address's remote budget (429; every try counts,
// taken or refused: remote_burst at once, then remote_per_hour), the body (a
// JSON object of short strings, 400), the hall served (404) and synced (503),
// the person salt configured (503), the service id, the ID number (GB 11643:
// length, characters, birth date, check character) and the phone (400, each
// with its own Chinese message); then the engine decides (hours, the daily
// quota, one active ticket per person: 409 with its message; 503 if it does
// not answer). The ID number is hashed with the salt at once and never kept,
// logged or sent.
//
// A check-in is checked in this order: same origin and a JSON content type
// (403, 415), the address's check-in budget (429; every try counts:
// checkin_burst at once, then checkin_per_hour), the body (a JSON object of short strings, 400),
// the ticket lookup as above (400, 404, 503, 410, 404), the check-in token
// (the hall's current or previous ten-minute slot, else 403 "签到二维码已过期，
// 请扫描大厅屏幕上的最新二维码"; counts against the address like a bad
// ticket token), the ticket a remote one (409) still not arrived (409:
// already checked in, dropped, cancelled, each in its own words); then
// CheckIn with its code goes to the engine (409 with the engine's message,
// 503 if it does not answer). The check-in page itself (GET /c/HALL) answers
// 404 for a hall not served and 403 for a stale or forged token, in HTML.
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
#include "engine/keys/person_hash.h"
#include "engine/predict/forecast.h"
#include "engine/server/http_message.h"
#include "engine/view/wait_range.h"

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
    std::string number;  // issue_remote accepted: the ticket's number ("B012")
  };
  virtual std::optional<Outcome> cancel(std::string_view hall, std::string_view number) = 0;
  // Sends IssueRemote to the engine: its answer, or nullopt if it did not
  // answer. Accepted, the replica has the ticket when this returns (or soon).
  virtual std::optional<Outcome> issue_remote(std::string_view hall, const core::IssueRemote& command) = 0;
  // Sends CheckIn{code} (a remote ticket's check-in code) to the engine: its
  // answer, or nullopt if it did not answer. Accepted, the replica has the
  // ticket in its line when this returns (or soon).
  virtual std::optional<Outcome> check_in(std::string_view hall, std::uint32_t code) = 0;
  // Sends Evaluate (channel phone) to the engine: its answer, or nullopt if
  // it did not answer. Accepted, the replica has the rating when this
  // returns (or soon).
  virtual std::optional<Outcome> evaluate(std::string_view hall, const core::Evaluate& command) = 0;
};

struct CitizenAnswer {
  server::HttpResponse response;
  // GET /events accepted: open a stream of this ticket (the response is not sent).
  bool stream = false;
  std::string hall, number, date;  // date: the ticket's day (today's, when the stream opens)
  std::string client;              // the client's address (throttling, stream caps)
};

class CitizenApi {
 public:
  // `secret`: the raw ticket secret (ticket_token.h).
  CitizenApi(const CitizenConfig& config, std::string secret, HallSource& source);

  // The installation's person salt (keys/person_hash.h): remote tickets are
  // taken only once it is set.
  void set_person_salt(const keys::PersonSalt& salt) { salt_ = salt; }

  // `steady_us`: a steady clock in microseconds (throttling).
  CitizenAnswer handle(const server::HttpRequest& request, std::int64_t steady_us);

  // The 503 of a stream of `hall` refused by the gateway's caps (too many
  // open), naming the hall as the other 503s do.
  server::HttpResponse streams_busy(std::string_view hall) const;

  // The ticket's JSON now (ticket_view.h), "" if the hall is not synced or
  // has no such ticket today. Forecasts are cached per hall until its
  // sequence changes or 10 s pass.
  std::string ticket_json(std::string_view hall, std::string_view number);

  // For a live page of `number`, a ticket of `date`, whose ticket_json() is
  // "" and which was last sent `last`: once the hall's day has rolled past
  // `date`, the JSON of the number lapsed (lapsed_ticket_view, 号码已失效)
  // if `last` showed it still open (not final); "" otherwise (nothing to
  // send: the hall resyncing, or a page already final, finished or left).
  std::string lapsed_json(std::string_view hall, std::string_view date, std::string_view number,
                          std::string_view last);
  // True when `hall`'s replica is there and its day is `date` (YYYY-MM-DD):
  // a live page's number names its ticket only then (numbers restart at 001
  // each day, so the next day's A001 is someone else's).
  bool is_today(std::string_view hall, std::string_view date) const;

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
    // The play without remote tickets not checked in, made only while there
    // are some: the low end of a waiting ticket's range (ticket_view.h).
    std::map<core::TicketId, predict::TicketForecast> without_remotes;
    view::RangeCalibration calibration;  // the hall's own 80% range (wait_range.h), learned with the play
  };
  // The ticket's forecast (`without_remotes`: in the play leaving remote
  // tickets not checked in out; null when there are none), or null.
  const predict::TicketForecast* forecast_of(const core::Hall& hall, core::TicketId id,
                                             bool without_remotes = false);
  // The hall's range calibration as of its last forecast_of() (call that first).
  const view::RangeCalibration* calibration_of(const core::Hall& hall);
  // Which days a lookup accepts: today's only; also earlier days' tickets
  // the engine keeps open to 补充评价; any earlier day (the engine decides).
  enum class Days : std::uint8_t { kToday, kRateable, kAnyPast };
  Lookup lookup(std::string_view hall, std::string_view date, std::string_view number, std::string_view token,
                const std::string& client, std::int64_t steady_us, bool page, Days days = Days::kToday);
  server::HttpResponse evaluate(const server::HttpRequest& request, std::string_view query,
                                const std::string& client, std::int64_t steady_us);
  server::HttpResponse remote_page(std::string_view hall);
  server::HttpResponse checkin_page(std::string_view hall, std::string_view query, const std::string& client,
                                    std::int64_t steady_us);
  server::HttpResponse check_in(const server::HttpRequest& request, const std::string& client,
                                std::int64_t steady_us);
  server::HttpResponse take_remote(const server::HttpRequest& request, const std::string& client,
                                   std::int64_t steady_us);

  const CitizenConfig& config_;
  std::string secret_;
  HallSource& source_;
  TokenThrottle throttle_;
  TokenThrottle remote_budget_;   // remote-ticket tries per address
  TokenThrottle checkin_budget_;  // check-in tries per address
  std::optional<keys::PersonSalt> salt_;
  std::string public_origin_;
  std::map<std::string, ForecastCache, std::less<>> forecasts_;
};

}  // namespace hallq::citizen
