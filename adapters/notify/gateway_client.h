// One HTTP exchange with the hall's gateway, asynchronous on the caller's
// io_context (Boost.Beast): resolve, connect, send the request, read the
// answer, bounded together by one timeout (the name lookup is not: a numeric
// host, the usual case, resolves at once). A fresh
// connection per exchange (reminders are few; a broken keep-alive connection
// would only complicate the retry).
//
// Thread: the io_context's thread; `done` runs there, exactly once. The
// io_context must outlive the exchanges it runs.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "adapters/notify/notify_config.h"

namespace hallq::notify {

struct GatewayAnswer {
  int status = 0;     // HTTP status; 0: no answer
  std::string error;  // why there was no answer ("timeout", "Connection refused")
  std::string body;   // the answer's body, cut to 200 bytes (for the log)
};

void exchange(boost::asio::io_context& io, const GatewayUrl& url,
              boost::beast::http::request<boost::beast::http::string_body> request,
              std::chrono::milliseconds timeout, std::function<void(GatewayAnswer)> done);

}  // namespace hallq::notify
