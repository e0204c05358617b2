// The engine's HTTP API for managers and IT staff, free of any HTTP library:
// a request (method, target, body) in, a response (status, type, body) out.
// http_server.h carries it over Boost.Beast on the engine's io_context.
//
//   GET  /api/halls                               every hall at a glance
//   GET  /api/halls/{hall}                        summary (services, windows, advisories, notice) + live
//   GET  /api/halls/{hall}/tickets[?state=S]      today's tickets (S: waiting | all), predicted waits
//   GET  /api/halls/{hall}/staff                  the hall's staff and where each is logged in
//   GET  /api/halls/{hall}/history?from=D&to=D    daily figures from the event history (HistorySource)
//   GET  /api/halls/{hall}/history?date=D&by=hour one day by hour
//   GET  /api/halls/{hall}/evaluation-records?after=SEQ&limit=N   好差评 records after an event
//                                                 (the uploader's outbox: http_evaluations.h)
//   POST /api/halls/{hall}/windows/{w}/{open|close|pause|resume|finish}   {"staff": "..."} for open,
//        {"case": "办件编号"} (optional) for finish
//   POST /api/halls/{hall}/windows/{w}/skills     {"serves": {"social": 1, "civil": 2}}
//   POST /api/halls/{hall}/advisories/{id}/accept {"staff": "..."}
//   POST /api/halls/{hall}/staff/{staff}/move     {"window": "w3"}: one MoveStaff command (closes its
//                                                 window and opens the other together, or neither)
//   POST /api/halls/{hall}/notice                 {"text": "..."} ("" withdraws it)
//   GET|POST /api/halls/{hall}/appointments, GET|DELETE .../appointments/{code},
//   POST .../appointments/{code}/check-in         bookings (预约): http_booking.h
//   GET  /api/halls/{hall}/work-orders, POST .../work-orders/{ticket}/{callback|rectification}
//                                                 差评工单: http_work_orders.h
//   POST /api/login {"user", "password"}   GET /api/session   POST /api/logout
//   GET  /api/audit?from=N&limit=M                the audit log (admins)
//   GET  /metrics                                 Prometheus text format
//   GET  /, /static/{file}, /vendor/chart.umd.js  the dashboard page and its library
//
// Where each part lives: http_routing.cc (this class: the dispatcher),
// http_auth (logins, roles, CSRF, audit records), http_views (the reads,
// glue to engine/view), http_actions (POST -> core command, the reply
// mapping), http_booking (appointments), http_work_orders (差评工单),
// http_metrics (/metrics), http_static (the dashboard's files), http_reply
// (answers and the error model).
//
// Answers are JSON. Errors: {"error": code, "message": text} with 400 (bad
// JSON, missing field, bad argument), 404 (unknown route, hall, window,
// ticket, advisory), 405 (wrong method), 409 (the engine refused: wrong state;
// "not_owner": with --replicate, a hall this engine neither serves nor
// follows, whose every route, live view too, is refused naming who serves it,
// and which /api/halls and /metrics' per-hall figures leave out), 503
// (storage). A refused or malformed request changes nothing. Manager actions
// go through the engine's group commit like any command (answered after they
// are durable); an "Idempotency-Key" header makes a retry safe.
//
// Logins (with HttpApiOptions::accounts): every /api route but /api/login
// needs a session cookie (401 login_required); a manager sees only the halls
// of the account (403 forbidden, the same for a hall that does not exist, so
// hall ids cannot be probed); actions need the admin role and the session's
// CSRF token in X-CSRF-Token (403 forbidden / csrf). With or without
// accounts, an action, a login and a logout need a same-host Origin if the
// browser sends one (403 csrf) and a body declared as application/json
// (415 unsupported_media_type): what a page on another site can send without
// a preflight is refused. Without accounts the API is open (the server then
// listens on loopback only). Every action, login, failed login and logout is
// written to the store's audit log before it is answered: an action's record
// with its outcome in the same transaction as its events, the others in the
// next group commit; an action whose record cannot be written is refused
// (503 storage).
//
// Thread: the io_context's thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "engine/server/http_message.h"
#include "engine/server/http_sessions.h"
#include "engine/time/system_clock.h"

namespace hallq::keys {
class PersonSalt;
}

namespace hallq::server {

class Engine;
class Server;
class HttpAuth;
class HttpViews;
class HttpActions;
class HttpBooking;
class HttpWorkOrders;
class ResendGate;
struct Caller;

// Daily or hourly figures of a hall between two local dates: the JSON, or
// why the query cannot be answered (bad dates, unknown parameters: answered
// 400), or why it could not be read (the store failed: 500; too many reads
// waiting: 503). The source answers later, through `done`, on the engine's
// thread (the read itself runs elsewhere: http_store.h). Null: the route
// answers 501.
struct HistoryAnswer {
  std::string json;
  std::string bad_query;  // non-empty: the query is wrong, for people
  std::string failure;    // non-empty: not read, for people
  int failure_status = 500;
};
using HistorySource =
    std::function<void(std::string_view hall, const std::map<std::string, std::string>& query,
                       std::function<void(HistoryAnswer)> done)>;

struct HttpApiOptions {
  std::string web_root;  // the dashboard's files (index.html ...); empty: none served
  std::string chart_js;  // Chart.js UMD file served as /vendor/chart.umd.js
  HistorySource history;
  // Logins: null for none (open API, loopback only).
  const Accounts* accounts = nullptr;
  // Runs a function on the engine's thread (the password checker answers through it).
  PasswordChecker::Post post;
  // The store's audit log (null: none): write a record with the next group
  // commit, `done` getting "" once it is durable or why it is not
  // (Server::audit); read from a record number on. With it, an action's
  // record goes into the commit that carries the action
  // (Server::submit_audited).
  std::function<void(std::string record, std::function<void(const std::string& failure)> done)> audit;
  std::function<void(std::uint64_t, const std::function<bool(std::uint64_t, std::string_view)>&)> read_audit;
  // Who may read /metrics: anyone (the default; meant for loopback), or a
  // logged-in manager (who sees the halls of the account) or a scraper
  // sending "Authorization: Bearer <metrics_token>" (which sees every hall).
  bool metrics_need_login = false;
  std::string metrics_token;  // empty: none
  // The installation's salt for booking by ID number (http_booking.h); null:
  // bookings are refused (503 no_salt). Not owned; outlives the API.
  const keys::PersonSalt* person_salt = nullptr;
  // More /metrics lines (Prometheus text) from outside the engine, e.g. the
  // replicator's (hallqd --replicate); called on the io_context's thread.
  std::function<std::string()> extra_metrics;
  // The wall clock of audit records and request ids (not owned).
  const time::Clock* wall_clock = &time::system_clock();
  // 好差评 records after an event (http_evaluations.h), answered like
  // history; null: the route answers 501.
  HistorySource evaluation_records;
  // Records the 好差评 platform refused, of the hall's last days
  // (http_upload_rejections.h), answered like history; null: 501.
  HistorySource upload_rejections;
  // What the log says of one record before a re-send is asked for
  // (http_upload_rejections.h, make_resend_checker); null: the route answers 501.
  HistorySource upload_resend_check;
};

class HttpApi {
 public:
  // Throws std::invalid_argument if options.accounts comes without options.post.
  HttpApi(Engine& engine, Server& server, HttpApiOptions options);
  ~HttpApi();
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Answers `request`; `reply` is called exactly once, at once for reads
  // (a history read: once the history worker has read it), after the commit
  // for manager actions. Never after the HttpApi is destroyed.
  void handle(const HttpRequest& request, std::function<void(HttpResponse)> reply);

  // The JSON a browser's live view gets for `hall`: {"type": "summary", ...}
  // with the summary and today's statistics; empty for an unknown hall.
  std::string live_message(std::string_view hall) const;

  // Whether `request` (a WebSocket upgrade) may watch `hall` live: 0 if it
  // may, else the HTTP status that refuses it (401 no session, 403 a hall the
  // session may not see or a foreign Origin, 404 an unknown hall for a caller
  // who sees every hall: hall ids cannot be probed without seeing them; 409
  // a hall this engine neither serves nor follows, Server::stale_reason).
  int live_status(const HttpRequest& request, std::string_view hall);

  // The session a WebSocket upgrade belongs to ("" without logins), whether
  // it is still live (logged out or expired: no), and `f` is called with the
  // id of each session that logs out (to close its sockets).
  std::string session_id(const HttpRequest& request);
  bool session_alive(const std::string& id) const;
  void on_logout(std::function<void(const std::string& id)> f);

  // Counters of HTTP use, for /metrics.
  struct Counters {
    std::uint64_t requests = 0, errors = 0, actions = 0, websocket_messages = 0;
    // Refusals of callers without a session, by reason (login_required,
    // locked, busy, csrf, ...): counted here, sampled into the audit log.
    std::map<std::string, std::uint64_t, std::less<>> anonymous_refusals;
    std::uint64_t audit_failures = 0;  // audit records the store refused
    // Connections closed at once with a 503, by cap (total, per_address,
    // descriptors), and times accept ran out of descriptors and paused.
    std::map<std::string, std::uint64_t, std::less<>> connections_refused;
    std::uint64_t accept_backoffs = 0;
  };
  Counters& counters() { return counters_; }

 private:
  // Answers a read of a known caller, auditing a refusal of a logged-in one.
  void reply_read(const Caller& caller, const HttpRequest& req, std::string_view hall, HttpResponse r,
                  const std::function<void(HttpResponse)>& done);
  // Answers `r` once its audit record (result: its error code) is written.
  void reply_audited(const std::string& user, const HttpRequest& req, std::string_view hall, HttpResponse r,
                     const std::function<void(HttpResponse)>& done);

  Engine& engine_;
  Server& server_;
  HttpApiOptions options_;
  Counters counters_;
  std::unique_ptr<HttpAuth> auth_;
  std::unique_ptr<HttpViews> views_;
  std::unique_ptr<HttpActions> actions_;
  std::unique_ptr<HttpBooking> booking_;
  std::unique_ptr<HttpWorkOrders> work_orders_;
  // 重新上报 requests of one record, one at a time (resend_gate.h).
  std::unique_ptr<ResendGate> resend_gate_;
  // Answers that arrive later (history reads) check it is still there.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace hallq::server
