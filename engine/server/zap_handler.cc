// ZAP request frames: version "1.0", request id, domain, address, identity,
// mechanism, then the credentials (for CURVE: the client's 32-byte public
// key). Reply frames: version, request id, status code, status text,
// user id, metadata. Stopping: an inproc PAIR the destructor writes to, so
// the thread never blocks forever in recv.
#include "engine/server/zap_handler.h"

#include <fmt/format.h>
#include <zmq.h>

#include <iostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace hallq::server {
namespace {

constexpr std::size_t kMaxLoggedPeers = 4096;

std::string z85(const zmq::message_t& raw) {
  if (raw.size() != 32) return {};
  char out[41];
  if (zmq_z85_encode(out, static_cast<const std::uint8_t*>(raw.data()), 32) == nullptr) return {};
  return out;
}

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& ctx, std::shared_ptr<const keys::KeyRegistry> keys)
    : keys_(std::move(keys)), stop_send_(ctx, zmq::socket_type::pair) {
  zmq::socket_t handler(ctx, zmq::socket_type::rep);
  handler.set(zmq::sockopt::linger, 0);
  handler.bind("inproc://zeromq.zap.01");
  const std::string stop_ep = fmt::format("inproc://hallq-zap-stop-{}", static_cast<const void*>(this));
  zmq::socket_t stop_recv(ctx, zmq::socket_type::pair);
  stop_recv.set(zmq::sockopt::linger, 0);
  stop_recv.bind(stop_ep);
  stop_send_.set(zmq::sockopt::linger, 0);
  stop_send_.connect(stop_ep);
  // Sockets may move to another thread: std::thread's start is a full barrier.
  thread_ = std::thread([this, h = std::move(handler), s = std::move(stop_recv)]() mutable {
    run(std::move(h), std::move(s));
  });
}

ZapHandler::~ZapHandler() {
  stop_send_.send(zmq::str_buffer("stop"), zmq::send_flags::none);
  thread_.join();
}

void ZapHandler::run(zmq::socket_t handler, zmq::socket_t stop) {
  std::set<std::string> logged;
  std::vector<zmq::message_t> frames;
  while (true) {
    zmq::pollitem_t items[] = {{handler.handle(), 0, ZMQ_POLLIN, 0}, {stop.handle(), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(-1));
    } catch (const zmq::error_t&) {
      return;  // context terminated
    }
    if (items[1].revents & ZMQ_POLLIN) return;
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    frames.clear();
    do {
      zmq::message_t m;
      if (!handler.recv(m, zmq::recv_flags::none)) break;
      frames.push_back(std::move(m));
    } while (frames.back().more());
    // libzmq always sends at least 6 frames; anything shorter is refused
    // (REP must still answer to stay usable).
    const bool complete = frames.size() >= 6;
    const std::string request_id = frames.size() > 1 ? frames[1].to_string() : std::string();
    const std::string address = complete ? frames[3].to_string() : std::string("?");
    const std::string mechanism = complete ? frames[5].to_string() : std::string("?");
    const keys::KeyEntry* key = nullptr;
    std::string public_key;
    if (complete && mechanism == "CURVE" && frames.size() >= 7) {
      public_key = z85(frames[6]);
      key = keys_->by_public_key(public_key);
    }
    const bool ok = key != nullptr;
    if (ok) {
      accepted_.fetch_add(1, std::memory_order_relaxed);
    } else {
      refused_.fetch_add(1, std::memory_order_relaxed);
      const std::string peer = fmt::format("{} {} {}", address, mechanism, public_key);
      if (logged.size() < kMaxLoggedPeers && logged.insert(peer).second)
        std::cerr << fmt::format("hallqd: refused connection from {}: {} key {} is not enrolled in {}",
                                 address, mechanism, public_key.empty() ? "(none)" : public_key,
                                 keys_->source())
                  << std::endl;
    }
    handler.send(zmq::str_buffer("1.0"), zmq::send_flags::sndmore);
    handler.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
    handler.send(ok ? zmq::str_buffer("200") : zmq::str_buffer("400"), zmq::send_flags::sndmore);
    handler.send(ok ? zmq::str_buffer("OK") : zmq::str_buffer("key not enrolled"), zmq::send_flags::sndmore);
    handler.send(ok ? zmq::buffer(key->name) : zmq::const_buffer(), zmq::send_flags::sndmore);
    handler.send(zmq::const_buffer(), zmq::send_flags::none);
  }
}

}  // namespace hallq::server
