// A stand-in engine for the client's tests: a ROUTER on real loopback
// sockets, on a thread of its own, that answers every request not_owner
// naming an endpoint the test chooses, or (silent) never answers; it records
// the request ids it read.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "engine/protocol/message.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"

namespace hallq::client::test {

// A ROUTER on a thread of its own answering every request not_owner naming
// `owner_engine` at `owner_endpoint` (set after both are bound); it records
// the request ids it got. `silent`: it reads requests and never answers.
class NotOwnerEngine {
 public:
  NotOwnerEngine(zmq::context_t& ctx, bool silent = false)
      : router_(ctx, zmq::socket_type::router), silent_(silent) {
    router_.set(zmq::sockopt::linger, 0);
    router_.bind("tcp://127.0.0.1:*");
    endpoint_ = router_.get(zmq::sockopt::last_endpoint);
  }
  ~NotOwnerEngine() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  void start(std::string owner_engine, std::string owner_endpoint) {
    owner_engine_ = std::move(owner_engine);
    owner_endpoint_ = std::move(owner_endpoint);
    thread_ = std::thread([this] { run(); });
  }
  const std::string& endpoint() const { return endpoint_; }
  std::vector<std::string> ids() const {
    std::lock_guard lock(mu_);
    return ids_;
  }

 private:
  void run() {
    using namespace std::chrono_literals;
    while (!stop_) {
      zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, 20ms) == 0) continue;
      zmq::message_t id, body;
      (void)router_.recv(id);
      (void)router_.recv(body);
      const protocol::Bytes bytes{static_cast<const std::uint8_t*>(body.data()), body.size()};
      protocol::DecodedRequest request;
      if (protocol::inspect(bytes) != protocol::MessageKind::kRequest ||
          !protocol::decode_request(bytes, request).ok())
        continue;
      {
        std::lock_guard lock(mu_);
        ids_.emplace_back(request.request_id);
      }
      if (silent_) continue;
      protocol::ReplySpec spec;
      spec.request_id = request.request_id;
      spec.code = core::ErrorCode::kNotOwner;
      spec.message = "大厅 town 由引擎 " + owner_engine_ + " 服务";
      spec.owner_engine = owner_engine_;
      spec.owner_endpoint = owner_endpoint_;
      const std::string reply = protocol::encode_reply(spec);
      router_.send(id, zmq::send_flags::sndmore);
      router_.send(zmq::buffer(reply), zmq::send_flags::none);
    }
  }

  zmq::socket_t router_;
  bool silent_;
  std::string endpoint_, owner_engine_, owner_endpoint_;
  mutable std::mutex mu_;
  std::vector<std::string> ids_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace hallq::client::test
