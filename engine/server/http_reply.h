// How the HTTP API answers, in one place, and its one error model.
//
// Expected outcomes of a request (a body that is not JSON, an unknown route,
// hall or window, a command the engine refused, a forbidden action) are
// values: a handler returns an HttpError up the handler chain and the router
// answers it as {"error": code, "message": text}. Exceptions are kept for
// start-up (HttpApi's constructor) and for what nobody expects (a failing
// store), which the router answers 500 "internal".
//
// Stateless; any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "engine/core/error.h"
#include "engine/protocol/reply_codec.h"
#include "engine/server/http_api.h"

namespace hallq::server {

struct HttpError {
  int status = 400;
  std::string code;     // "bad_argument", "unknown_hall", ... (the core's names where they apply)
  std::string message;  // for people
};

// What a handler answers: the response, or the error that answers the request.
using HttpOutcome = std::variant<HttpResponse, HttpError>;

// How an answer reaches the client (exactly once).
using HttpReply = std::function<void(HttpResponse)>;

// JSON text of `j`; text from a request (a percent-decoded path, a body that
// is not JSON) may be any bytes: invalid UTF-8 is replaced (U+FFFD).
std::string dump(const nlohmann::json& j);

HttpResponse json_response(int status, const nlohmann::json& body);
HttpResponse error_response(const HttpError& e);
HttpResponse to_response(HttpOutcome outcome);

// A number in a request's text as std::stoull reads it (leading blanks and
// a sign allowed), without the exception: nullopt if `text` does not start
// with one, if it is out of range, or, with `whole`, if more text follows.
std::optional<std::uint64_t> parse_number(const std::string& text, bool whole);

// The HTTP status of a core error code (a refusal of the engine):
// 404 unknown_*, 400 bad_argument/malformed/too_large, 403 forbidden,
// 503 storage, 409 any other refusal.
int status_of(core::ErrorCode code);
// The error that answers a refused command.
HttpError refusal(const protocol::DecodedReply& reply);

}  // namespace hallq::server
