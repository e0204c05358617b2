// The ZAP handler (ZeroMQ RFC 27) that decides who may complete a CURVE
// handshake with the engine's sockets: it answers 200 with User-Id = the
// key's enrolled name for enrolled public keys and 400 for any other, so an
// unknown key never gets a connection (no reply, no events).
//
// It binds inproc://zeromq.zap.01 in the given context at construction (so
// it must exist before any CURVE socket of that context accepts peers) and
// answers on a thread of its own over the immutable registry (no locks).
// A refused key is logged to stderr once per (peer address, key), not once
// per reconnect attempt; the set of logged peers is bounded.
//
// Thread: constructed and destroyed on one thread; refused() from any
// thread. The context must outlive the handler. Destruction stops and joins
// the thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <zmq.hpp>

#include "engine/keys/key_registry.h"

namespace hallq::server {

class ZapHandler {
 public:
  ZapHandler(zmq::context_t& ctx, std::shared_ptr<const keys::KeyRegistry> keys);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  // Handshakes refused so far (every attempt, logged or not).
  std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }
  std::uint64_t accepted() const { return accepted_.load(std::memory_order_relaxed); }

 private:
  void run(zmq::socket_t handler, zmq::socket_t stop);

  std::shared_ptr<const keys::KeyRegistry> keys_;
  zmq::socket_t stop_send_;
  std::atomic<std::uint64_t> refused_{0}, accepted_{0};
  std::thread thread_;
};

}  // namespace hallq::server
