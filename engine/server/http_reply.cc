#include "engine/server/http_reply.h"

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace hallq::server {

using core::ErrorCode;
using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

HttpResponse json_response(int status, const json& body) {
  return {status, "application/json; charset=utf-8", dump(body)};
}

HttpResponse error_response(const HttpError& e) {
  return json_response(e.status, json{{"error", e.code}, {"message", e.message}});
}

HttpResponse to_response(HttpOutcome outcome) {
  if (HttpError* e = std::get_if<HttpError>(&outcome)) return error_response(*e);
  return std::get<HttpResponse>(std::move(outcome));
}

std::optional<std::uint64_t> parse_number(const std::string& text, bool whole) {
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (end == text.c_str() || errno == ERANGE || (whole && end != text.c_str() + text.size()))
    return std::nullopt;
  return v;
}

int status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kUnknownHall:
    case ErrorCode::kUnknownWindow:
    case ErrorCode::kUnknownTicket:
    case ErrorCode::kUnknownService:
    case ErrorCode::kUnknownAdvisory:
    case ErrorCode::kUnknownBooking:
      return 404;
    case ErrorCode::kBadArgument:
    case ErrorCode::kMalformed:
    case ErrorCode::kTooLarge:
      return 400;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kStorage:
    case ErrorCode::kReplicationUnavailable:
      return 503;
    default:
      return 409;
  }
}

HttpError refusal(const protocol::DecodedReply& reply) {
  return {status_of(reply.code), std::string(core::to_string(reply.code)), reply.message};
}

}  // namespace hallq::server
