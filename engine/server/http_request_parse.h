// Reading one HTTP/1.x request from the bytes a client sent: Boost.Beast's
// request parser with the server's limits (a body of at most `max_body`
// bytes, chunked or not; a header of at most kMaxHeaderBytes), turned into
// the library-free HttpRequest of http_api.h. http_server.cc feeds it what
// each read from a connection brings; the fuzz target (fuzz/http_fuzz.cc)
// and tests feed it bytes directly: both run exactly this code.
//
// A request that cannot be read gets a refusal to send before the connection
// closes: 413 too_large (body over the limit), 431 header_too_large (the
// header, or a chunked body's chunk headers and trailers together, over
// kMaxHeaderBytes: Beast bounds only the header, and without this a client
// could make a connection buffer grow for as long as it sends), 400
// bad_request (anything else that is not HTTP/1.x), each with a JSON body
// {"error", "message"}. The outcome does not depend on how the bytes are
// split into reads, except which of two faults is reported first.
//
// Bytes after a complete request (pipelining) are not consumed: feed them to
// the reader again after reset(). Ownership: the reader copies what it keeps.
// Thread: one reader per connection, used from one thread. Never throws for
// bad input; std::bad_alloc only.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "engine/server/http_message.h"

namespace hallq::server {

struct ParsedHttpRequest {
  HttpRequest request;    // every field but `peer` (the connection knows it)
  unsigned version = 11;  // 10 or 11
  bool keep_alive = true;
  bool head = false;  // HEAD: answer without a body
  bool websocket_upgrade = false;
  std::string raw_header;  // the request line and fields as received (a WebSocket upgrade replays them)
};

class HttpRequestReader {
 public:
  static constexpr std::size_t kMaxHeaderBytes = 8 * 1024;

  enum class State {
    kNeedMore,  // feed more bytes (nothing was refused yet)
    kDone,      // take() the request
    kRefused,   // send refusal(), then close the connection
  };

  explicit HttpRequestReader(std::size_t max_body);
  ~HttpRequestReader();
  HttpRequestReader(const HttpRequestReader&) = delete;
  HttpRequestReader& operator=(const HttpRequestReader&) = delete;

  // Parses from the front of `bytes`: everything received and not consumed
  // yet (present the unconsumed rest again, with what arrives next). Returns
  // how many bytes it consumed. Call only in state kNeedMore.
  std::size_t feed(std::string_view bytes);

  State state() const { return state_; }
  // True once any byte of a request was consumed (an end of stream before
  // that is a clean close, after it a truncated request).
  bool started() const;
  // kDone: the request (moved out; call once).
  ParsedHttpRequest take();
  // kRefused: the response to send before closing.
  const HttpResponse& refusal() const { return refusal_; }

  // Ready for the next request on the same connection.
  void reset();

 private:
  struct Parser;  // Beast's request_parser, kept out of this header
  std::unique_ptr<Parser> parser_;
  std::size_t max_body_;
  State state_ = State::kNeedMore;
  HttpResponse refusal_;
  std::string raw_header_;
  std::size_t consumed_ = 0;  // bytes of the current request consumed
};

}  // namespace hallq::server
