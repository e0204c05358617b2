// The managers' actions over HTTP: a POST becomes one core command that goes
// through the engine's group commit like any other (answered after it is
// durable), and the engine's reply becomes the HTTP answer.
//
//   POST /api/halls/{hall}/notice                     {"text": "..."}  ("" withdraws it)
//   POST /api/halls/{hall}/windows/{w}/open           {"staff": "..."}
//   POST /api/halls/{hall}/windows/{w}/{close|pause|resume}
//   POST /api/halls/{hall}/windows/{w}/skills         {"serves": {"social": 1, "civil": 2}}
//   POST /api/halls/{hall}/advisories/{id}/accept     {"staff": "..."}
//   POST /api/halls/{hall}/staff/{staff}/move         {"window": "w3"}: leaves its window, opens the other
//
// Answers: 200 {"ok": true, "duplicate": bool, "events": [...]} or an error
// (http_reply.h): a malformed body 400, an unknown route 404, a refusal with
// the status of its code.
//
// The audit log: an action's record, with its outcome, is written in the
// same transaction as the action's events (Server::submit_audited; a request
// that never becomes a command: with the next commit, Server::audit), and
// the answer leaves only after that commit. If the record was not written
// (the commit failed), the action is answered 503 storage and nothing of it
// is acknowledged. Request ids: "http:" + the Idempotency-Key header
// (a retry is answered with the first outcome), else "<boot>-<n>", unique
// across restarts since the engine remembers ids in its store.
//
// Thread: the io_context's thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/hall.h"
#include "engine/protocol/reply_codec.h"
#include "engine/server/http_reply.h"

namespace hallq::server {

class Server;

class HttpActions {
 public:
  // An action's audit record made from its outcome (HTTP status, result).
  using Record = std::function<std::string(int status, std::string_view result)>;
  // Hears whether a record was written ("" or why not); returns whether it was.
  using Written = std::function<bool(const std::string& failure)>;

  // `boot`: this run's prefix of request ids; `actions`: counts the actions submitted.
  HttpActions(Server& server, std::string boot, std::uint64_t& actions, Written written)
      : server_(server), boot_(std::move(boot)), actions_(actions), written_(std::move(written)) {}

  // Whether the parts of a path under /api/halls/{hall}/ name an action (so
  // that another method is answered 405 rather than 404).
  static bool is_action(const std::vector<std::string>& parts);

  // Acts on `hall` as the POST to `path` (split into `parts`) asks, with
  // its audit record (null: no audit log); `reply` is called once, after the
  // commit that writes the record (without a record: at once for a request
  // that cannot become a command).
  void act(const core::Hall& hall, std::string_view path, const std::vector<std::string>& parts,
           const HttpRequest& req, const Record& record, HttpReply reply);

  // How an accepted command is answered (the default: 200 with its events);
  // a refusal is always the engine's error (refusal()).
  using Answer = std::function<HttpResponse(const protocol::DecodedReply& accepted)>;
  // Submits `command` for `hall` and answers with the engine's reply
  // (other routes' actions: http_booking.h).
  void submit(const std::string& hall, const core::CommandBody& command, const std::string& idempotency_key,
              const Record& record, HttpReply reply, Answer answer = nullptr);
  // Answers `e` (no command), after its record is written.
  void refuse(const Record& record, HttpError e, HttpReply reply);

 private:
  Server& server_;
  std::string boot_;
  std::uint64_t& actions_;
  Written written_;
  std::uint64_t next_request_ = 1;
};

}  // namespace hallq::server
