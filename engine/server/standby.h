// hallqd --standby (issue 19): a warm replica of halls another engine serves.
// For each hall it follows the hall's subject in the events stream
// (replicate::HallReader: every message verified, in sequence, or refused
// with a logged reason and never applied) and hands each event to the
// engine's thread, which adds it to the open batch as if committed here
// (Engine::follow): written to the local store in order, folded into the
// hall, published to the engine's subscribers (screens connected to the
// standby see the events). The store stays a valid hallqd data dir.
//
// Taking over (Replicator::stand_by): once the Replicator holds a hall's
// lease it calls take_over(hall, last), which waits until the engine holds
// the stream's last sequence `last`, stops following the hall and gives it
// back to the engine (Engine::set_following(false): it ticks, and the last
// command followed is remembered for retries); false, with the reason, if
// the follower cannot get there within the limit (a refused message, a hole).
//
// At start check_store() refuses a store that is not a prefix of the stream
// (ahead of it, or another history at its last sequence). A hall this engine
// served and lost to another is followed from then on (follow()).
//
// metrics_text(): Prometheus lines per hall (hallq_standby_*): followed or
// not, the last sequence applied, the stream's last sequence (asked once a
// second by the follower), the lag between them, following stopped.
//
// Thread: the constructor, check_store() and start() on the main thread
// before the engine serves; take_over() from the Replicator's lease thread;
// metrics_text() from any thread; the follower has a thread of its own and
// touches the engine only through `post` (the engine's thread). Errors:
// check_store() throws ReplicateError.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/replicate/nats_connection.h"

namespace hallq::store {
class EventStore;
}

namespace hallq::server {

class Engine;
class Server;

struct StandbyOptions {
  std::string stream = "HALLQ_EVENTS";
  // Longest take_over() waits for the follower to reach the stream's tail.
  std::chrono::milliseconds catch_up_limit{5000};
};

class Standby {
 public:
  // `post` runs a function on the engine's thread. Every hall is marked
  // followed in `engine` (call before the server starts).
  Standby(replicate::NatsConnection& conn, Engine& engine, Server& server,
          std::function<void(std::function<void()>)> post, const store::EventStore& store,
          std::vector<std::string> halls, StandbyOptions options = {});
  ~Standby();  // stops the follower
  Standby(const Standby&) = delete;
  Standby& operator=(const Standby&) = delete;

  // Throws ReplicateError if `store` holds a hall beyond the stream's tail or
  // its last event differs from the stream's at that sequence.
  void check_store(const store::EventStore& store, std::chrono::milliseconds limit);
  void start();

  // Follows `hall` (from now on, or again after take_over()) from the
  // stream sequence after `applied`, the last the engine holds of it; the
  // caller has made sure the store is a prefix of the stream and the engine
  // follows the hall (Engine::set_following). From the Replicator's lease
  // thread, after this engine lost the hall (issue 19: followed back).
  void follow(const std::string& hall, std::uint64_t applied);

  // Replicator::TakeOver: `snapshot` gets the hall's encoded snapshot (config
  // and state, without the request-id memory) as the engine takes it back.
  bool take_over(const std::string& hall, std::uint64_t last_seq, std::string* why, std::string* snapshot);

  std::string metrics_text() const;

 private:
  struct Hall {
    std::string id;
    std::uint64_t applied = 0;      // the last sequence the engine holds (its thread updates it)
    bool stopped = false;           // taken over: no longer followed
    std::string broken;             // why following stopped (a refused message)
    std::uint64_t stream_last = 0;  // the stream's last sequence of the hall, when last asked
    bool stream_known = false;      // asked successfully at least once
  };
  void run();
  // Asks the stream for each followed hall's last sequence (the follower's thread).
  void check_tails();
  void apply(const std::string& hall, std::vector<std::pair<std::uint64_t, std::string>> events);

  replicate::NatsConnection& conn_;
  Engine& engine_;
  Server& server_;
  std::function<void(std::function<void()>)> post_;
  StandbyOptions options_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Hall> halls_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hallq::server
