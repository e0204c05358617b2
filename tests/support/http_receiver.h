// A local HTTP receiver for tests of programs that call out over HTTP (the
// notifier's SMS gateway): a Boost.Beast server on a loopback port of its
// own choosing, on a thread of its own, that records every request (method,
// target, headers, body) and answers as the test tells it: 200 (or another
// status), the next N requests with a failure status, or not at all (the
// connection is held open unanswered, as a hung gateway would) until told to
// recover. Tests wait for requests with a deadline (a signal, not a sleep).
// Like a platform that honours idempotency keys, it keeps the first request
// it accepted (2xx) per "Idempotency-Key" (accepted(): what it holds, each
// key once, in order of acceptance); a request for a key given to refuse()
// is answered with that status and body (e.g. 422 with a reason).
//
// Thread: the public methods may be called from any thread; the server runs
// on its own. The destructor stops it and closes every connection.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hallq::testing {

struct ReceivedRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // names in lowercase
  int answered = 0;                            // the status sent back; 0: left unanswered
  std::string header(const std::string& lowercase_name) const {
    const auto it = headers.find(lowercase_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpReceiver {
 public:
  // On a free loopback port, or on `port` (a receiver started again where a
  // stopped one was: the endpoint back after an outage). Throws
  // boost::system::system_error if the port is taken.
  explicit HttpReceiver(std::uint16_t port = 0);
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT" + path.
  std::string url(const std::string& path = "/") const;

  // How the next requests are answered: `status` from now on (200 by default).
  void answer(int status);
  // The next `count` requests get `status` (e.g. 500), then `answer`'s again.
  void fail_next(int count, int status = 500);
  // true: requests are read and recorded but never answered (the connection
  // stays open) until set back to false, which leaves the held ones unanswered.
  void hang(bool on);

  // Requests with this Idempotency-Key are answered `status` with `body`.
  void refuse(const std::string& key, int status, const std::string& body);

  std::vector<ReceivedRequest> requests() const;
  // The first accepted (2xx) request of each Idempotency-Key, in order.
  std::vector<ReceivedRequest> accepted() const;
  // Waits until at least `count` keys have been accepted; false at the deadline.
  bool wait_accepted(std::size_t count, std::chrono::milliseconds limit = std::chrono::seconds(20)) const;
  // Waits until at least `count` requests have arrived; false at the deadline.
  bool wait_for(std::size_t count, std::chrono::milliseconds limit = std::chrono::seconds(20)) const;

 private:
  struct Server;
  friend struct Server;
  // The status (0: hang) and body for the request just read.
  std::pair<int, std::string> decide(const ReceivedRequest& request);
  void record(ReceivedRequest request);

  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<ReceivedRequest> requests_, accepted_;
  std::map<std::string, std::pair<int, std::string>> refusals_;
  int status_ = 200;
  int fail_count_ = 0, fail_status_ = 500;
  bool hang_ = false;
};

}  // namespace hallq::testing
