#include "engine/server/http_request_parse.h"

#include <fmt/format.h>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <nlohmann/json.hpp>
#include <optional>

namespace hallq::server {

namespace http = boost::beast::http;

struct HttpRequestReader::Parser {
  std::optional<http::request_parser<http::string_body>> p;
};

namespace {

HttpResponse refuse(int status, std::string_view code, const std::string& message) {
  return {status, "application/json; charset=utf-8",
          nlohmann::json{{"error", code}, {"message", message}}.dump()};
}

}  // namespace

HttpRequestReader::HttpRequestReader(std::size_t max_body)
    : parser_(std::make_unique<Parser>()), max_body_(max_body) {
  reset();
}

HttpRequestReader::~HttpRequestReader() = default;

void HttpRequestReader::reset() {
  auto& p = parser_->p.emplace();
  p.body_limit(max_body_);
  // Beast's own header limit depends on how the bytes are split (a header of
  // just under the limit is accepted in one read and refused in small ones):
  // it only backs up the reader's own check below, which counts the header's
  // bytes the same way however they arrive.
  p.header_limit(static_cast<std::uint32_t>(2 * kMaxHeaderBytes));
  p.eager(false);  // one step per put(): the header alone first (raw_header)
  state_ = State::kNeedMore;
  refusal_ = {};
  raw_header_.clear();
  consumed_ = 0;
}

bool HttpRequestReader::started() const { return parser_->p->got_some(); }

std::size_t HttpRequestReader::feed(std::string_view bytes) {
  auto& p = *parser_->p;
  std::size_t used = 0;
  boost::beast::error_code ec;
  auto refuse_framing = [&] {
    state_ = State::kRefused;
    refusal_ = refuse(431, "header_too_large", "分块头或尾部字段过大");
  };
  while (state_ == State::kNeedMore && used < bytes.size()) {
    const bool header_before = p.is_header_done();
    const std::size_t n = p.put(boost::asio::const_buffer(bytes.data() + used, bytes.size() - used), ec);
    if (!header_before)
      raw_header_.append(bytes.substr(used, n));  // eager(false): no body bytes in this step
    used += n;
    consumed_ += n;
    // Beast bounds the header, not chunk headers (their extensions) or the
    // trailers: bound those bytes, consumed or waiting, or a client could
    // make the connection's buffer grow for as long as it keeps sending.
    // Counted the same way however the bytes arrive.
    const std::size_t framing =
        p.is_header_done() ? consumed_ - raw_header_.size() - p.get().body().size() : 0;
    // The header (through its blank line) is at most kMaxHeaderBytes: refused
    // once it is complete and longer, or once more bytes than that wait
    // without completing it (a syntax error found first stays a 400).
    const bool header_too_large =
        p.is_header_done()
            ? !header_before && raw_header_.size() > kMaxHeaderBytes
            : ec == http::error::need_more && raw_header_.size() + (bytes.size() - used) > kMaxHeaderBytes;
    if (header_too_large) {
      state_ = State::kRefused;
      refusal_ = refuse(431, "header_too_large", "请求头过大");
      break;
    }
    if (ec == http::error::header_limit) {
      // Within the reader's own bound, Beast's header_limit can only be its
      // cap on one folded field (obs-fold, 4 KiB): a malformed header, which
      // Beast may see before the header completes (on a first read) or only
      // once it does, like any other syntax error.
      state_ = State::kRefused;
      refusal_ = refuse(400, "bad_request", "无法解析的 HTTP 请求：折行的请求头字段过长");
      break;
    }
    if (ec == http::error::need_more) {
      if (p.is_header_done() && framing + (bytes.size() - used) > kMaxHeaderBytes) refuse_framing();
      break;
    }
    if (ec == http::error::body_limit) {
      state_ = State::kRefused;
      refusal_ = refuse(413, "too_large", "请求内容过大");
    } else if (ec) {
      state_ = State::kRefused;
      refusal_ = refuse(400, "bad_request", fmt::format("无法解析的 HTTP 请求：{}", ec.message()));
    } else if (framing > kMaxHeaderBytes) {
      refuse_framing();
    } else if (p.is_done()) {
      state_ = State::kDone;
    } else if (n == 0) {
      break;  // no progress without an error: wait for more
    }
  }
  return used;
}

ParsedHttpRequest HttpRequestReader::take() {
  auto& p = *parser_->p;
  http::request<http::string_body> req = p.release();
  ParsedHttpRequest out;
  HttpRequest& r = out.request;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.idempotency_key = std::string(req["Idempotency-Key"]);
  r.cookie = std::string(req[http::field::cookie]);
  r.csrf_token = std::string(req["X-CSRF-Token"]);
  r.origin = std::string(req[http::field::origin]);
  r.host = std::string(req[http::field::host]);
  r.content_type = std::string(req[http::field::content_type]);
  r.authorization = std::string(req[http::field::authorization]);
  r.forwarded_for = std::string(req["X-Forwarded-For"]);
  out.version = req.version();
  out.keep_alive = req.keep_alive();
  out.head = req.method() == http::verb::head;
  out.websocket_upgrade = boost::beast::websocket::is_upgrade(req);
  r.body = std::move(req.body());
  out.raw_header = std::move(raw_header_);
  return out;
}

}  // namespace hallq::server
