// The HTTP API's reads, thin glue to engine/view: GET /api/halls (the halls
// the caller may see), /api/halls/{hall} (summary + live figures),
// .../tickets[?state=waiting|all], .../staff, .../history (the outcome of
// a HistorySource's answer), GET /api/audit?from=N&limit=M (admins), and the
// WebSocket's summary message. The JSON shapes themselves are engine/view's.
//
// Errors: HttpError values (http_reply.h).
// Thread: the io_context's thread only (it reads the engine's halls).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "engine/core/hall.h"
#include "engine/server/http_auth.h"
#include "engine/server/http_reply.h"

namespace hallq::server {

class Engine;

using HttpQuery = std::map<std::string, std::string>;

class HttpViews {
 public:
  HttpViews(const Engine& engine, const HttpApiOptions& options) : engine_(engine), options_(options) {}

  // The halls the caller may see, but not those `stale` says this engine
  // must not show (ReplicationGate::stale).
  HttpOutcome halls(const Caller& caller, core::TimeUs now,
                    const std::function<bool(std::string_view)>& stale = {}) const;
  HttpOutcome hall(const core::Hall& hall, core::TimeUs now) const;
  HttpOutcome tickets(const core::Hall& hall, const HttpQuery& query, core::TimeUs now) const;
  HttpOutcome staff(const core::Hall& hall) const;
  // What a history read answered, as the API's outcome.
  static HttpOutcome history(HistoryAnswer answer);
  HttpOutcome audit_log(const Caller& caller, const HttpQuery& query) const;

  // {"type": "summary", "data": the hall's JSON}; empty for an unknown hall.
  std::string live_message(std::string_view hall, core::TimeUs now) const;

 private:
  const Engine& engine_;
  const HttpApiOptions& options_;
};

}  // namespace hallq::server
