// The load of a chaos run: client threads that drive the real engine as a
// hall does, every command with a fresh request id recorded in the Ledger
// before it is sent and its answer recorded when it comes:
//   - a kiosk issues tickets for random services of its hall (some priority,
//     some appointment) and now and then cancels one it issued;
//   - a clerk opens its window and cycles call → start → finish → evaluate,
//     sometimes recalling, skipping a no-show or pausing and resuming.
// Refusals (an empty queue, a ticket already gone) are normal answers.
// A client waits for each answer until the checker sets `stop` (it killed the
// engine); a request then still unanswered stays so in the ledger, for the
// checker to retry with its id.
//
// Thread: each Actor runs on its own thread (run()); it owns its socket.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "tests/chaos/ledger.h"

namespace hallq::chaos {

struct ActorSpec {
  enum class Kind { kKiosk, kClerk } kind = Kind::kKiosk;
  std::string hall;
  std::vector<std::string> services;  // kiosk: what it issues
  std::string window, staff;          // clerk
};

class Actor {
 public:
  Actor(ActorSpec spec, std::uint64_t seed) : spec_(std::move(spec)), rng_(seed) {}

  // Sends commands to `endpoint` until `stop` is set (then returns within
  // `timeout`); counts each answer in `answers`.
  void run(zmq::context_t& ctx, const std::string& endpoint, Ledger& ledger,
           std::atomic<std::uint64_t>& answers, const std::atomic<bool>& stop,
           std::chrono::milliseconds timeout);

 private:
  enum class Step { kOpen, kCall, kStart, kFinish, kEvaluate, kPause, kResume };
  core::CommandBody next_command(std::string& scratch);
  void after(bool ok, const protocol::DecodedReply& reply);

  ActorSpec spec_;
  std::mt19937_64 rng_;
  Step step_ = Step::kOpen;
  std::string last_number_;          // clerk: the ticket it served; kiosk: one it issued
  std::vector<std::string> issued_;  // kiosk: numbers it issued
};

}  // namespace hallq::chaos
