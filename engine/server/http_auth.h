// Logins over the HTTP API and who may do what (http_api.h, "Logins"), and
// the audit log's records: sessions in a cookie, the Argon2id check off the
// engine's thread, roles (viewer reads, admin acts, uploader reads the
// evaluation records and reports upload rejections only), halls per account, the
// CSRF token and same-host Origin of every action. Every action, login,
// failed login, logout and denial is written to the audit log before it is
// answered (a refused WebSocket upgrade: with the next commit, not waited
// for), through the engine's group commit (HttpApiOptions::audit; an action's
// record goes with the action's own commit, HttpActions).
//
// Without accounts the API is open: every caller is "(loopback)" with the
// admin role (hallqd then listens on loopback only).
//
// Errors: refusals are HttpError values (http_reply.h); the constructor
// throws std::invalid_argument (start-up) for accounts without a way to post
// back to the engine's thread.
// Thread: the io_context's thread only.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/core/types.h"
#include "engine/server/http_reply.h"
#include "engine/server/http_sessions.h"
#include "engine/server/login_throttle.h"

namespace hallq::server {

// Who sent an /api request.
struct Caller {
  const Session* session = nullptr;  // null: no logins (the open API)
  std::string user;                  // the account's name, or "(loopback)"
  bool admin = true;
  bool uploader = false;  // hallq-upload's account: confined (HttpAuth::confine)
  // Whether the caller may read `hall` (any hall without logins).
  bool may_see(std::string_view hall) const { return session == nullptr || session->account->may_see(hall); }
};

class HttpAuth {
 public:
  using WallClock = std::function<core::TimeUs()>;  // the audit records' time

  HttpAuth(const HttpApiOptions& options, WallClock wall_clock, HttpApi::Counters& counters);
  HttpAuth(const HttpAuth&) = delete;
  HttpAuth& operator=(const HttpAuth&) = delete;

  bool enabled() const { return accounts_ != nullptr; }

  // POST /api/login, POST /api/logout and GET /api/session; `route` is
  // "login", "logout" or "session". `reply` is called once (for a login,
  // after the password check).
  void handle(const HttpRequest& req, std::string_view route, HttpReply reply);

  // The caller of an /api request; 401 login_required without a live
  // session when logins are on.
  std::variant<Caller, HttpError> identify(const HttpRequest& req);

  // What refuses an uploader's request other than GET
  // /api/halls/H/evaluation-records, POST /api/halls/H/upload-rejections
  // and POST /api/halls/H/upload-rejections/ID/accepted (`parts` the path's
  // parts): 403 forbidden; nothing for other roles.
  static std::optional<HttpError> confine(const Caller& caller, const std::vector<std::string>& parts,
                                          std::string_view method);

  // Whether `caller` may act: the admin role (the uploader for the two
  // actions confine() leaves it), a same-host Origin
  // if the browser sent one and a JSON body (cross_site, with or without
  // logins), and the session's CSRF token. The caller audits a denial.
  std::optional<HttpError> may_act(const Caller& caller, const HttpRequest& req);

  // What refuses a state-changing request a browser could send from another
  // site: an Origin other than this host (403 csrf), a body not declared as
  // application/json (415 unsupported_media_type). Login and logout too.
  static std::optional<HttpError> cross_site(const HttpRequest& req);

  // The live session's id of `req` ("" if none), whether a session id is
  // still live, and who is told when one logs out (HttpApi::session_ended).
  std::string session_id(const HttpRequest& req);
  bool session_alive(const std::string& id) const;
  std::function<void(const std::string& id)> on_logout;

  // HttpApi::live_status; `known`: whether the hall exists.
  int live_status(const HttpRequest& req, std::string_view hall, bool known);

  // Whether `req` carries the /metrics scrape token (HttpApiOptions::metrics_token).
  bool scrape_token_ok(const HttpRequest& req) const;

  // Writes one record to the audit log with the next group commit, then
  // calls `then` (if set): the answer waits for its record. A record is
  // bounded (about 3 KiB): the request's JSON body only, passwords masked,
  // strings cut at 256 bytes, at most 8 members; of any other body only its
  // size. A record the store refused is counted and logged once until the
  // log works again (never the record); `then` is called anyway.
  void audit(const std::string& user, const HttpRequest& req, std::string_view hall, int status,
             std::string_view result, std::function<void()> then = nullptr);
  // An action's record, bounded as above, made once its outcome (HTTP
  // status, result) is known, for the commit that carries the action
  // (HttpActions); null without an audit log.
  std::function<std::string(int status, std::string_view result)> action_record(const std::string& user,
                                                                                const HttpRequest& req,
                                                                                std::string_view hall) const;
  // Notes whether a record was written: "" yes, else why not (counted,
  // logged once until the log works again); returns whether it was.
  bool written(const std::string& failure);

  // A refusal of a caller without a session (401, 429, 503 busy, a
  // cross-site login): counted by reason, and at most one record per reason
  // and minute goes to the audit log (the count of the minute before, written
  // at the first such refusal after it), so a flood cannot fill the disk.
  void refused_anonymously(const HttpRequest& req, std::string_view reason);

 private:
  const Session* session_of(const HttpRequest& req);
  void login(const HttpRequest& req, HttpReply reply);

  std::string record(const std::string& user, const HttpRequest& req, std::string_view hall, int status,
                     std::string_view result) const;

  const Accounts* accounts_;
  std::function<void(std::string, std::function<void(const std::string&)>)> audit_;
  HttpApi::Counters& counters_;
  bool audit_failing_ = false;
  struct Sample {
    core::TimeUs since = 0;  // the minute being counted began
    std::uint64_t count = 0;
    std::string peer, user;  // the last one's
  };
  std::map<std::string, Sample, std::less<>> samples_;
  WallClock wall_clock_;
  SessionTable sessions_;
  LoginThrottle throttle_;
  std::unique_ptr<PasswordChecker> checker_;
  std::string dummy_hash_;
  std::string metrics_token_;  // checked for unknown users, so that they take as long as known ones
};

}  // namespace hallq::server
