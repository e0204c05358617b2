// A real NATS JetStream cluster for tests and benchmarks: three (or n)
// nats-server processes on free loopback ports, each with its own JetStream
// store in a temporary directory, joined by cluster routes, with one account
// and two users:
//   engine  may publish hallq.events.> and use the JetStream API (streams,
//           key-value buckets): what hallqd --replicate needs;
//   reader  may read (consumers, message gets) but not publish events nor
//           create, change or delete streams;
//   city    the city view's role (displays/city): its durable consumer on
//           HALLQ_EVENTS (create, fetch, ack), gets and watches of the
//           hallq_halls bucket; publishes nothing else;
//   feed    the upward feed's role (adapters/feed): its durable consumers on
//           HALLQ_EVENTS (create, inspect, delete, fetch, ack); publishes
//           nothing else.
// Their credentials are in files (engine_credentials(), reader_credentials()).
//
// The constructor returns once every node runs and JetStream has a meta
// leader (bounded by a deadline; throws std::runtime_error otherwise). Nodes
// can be killed (SIGKILL) and started again on the same ports and store.
// Everything is killed and removed on destruction.
//
// Thread: one owner thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {

class NatsCluster {
 public:
  explicit NatsCluster(int nodes = 3);
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  int size() const { return static_cast<int>(nodes_.size()); }
  // "nats://127.0.0.1:PORT" of node i, and all of them joined by commas.
  std::string url(int node) const;
  std::string urls() const;
  std::string engine_credentials() const { return dir_.sub("engine.creds"); }
  std::string reader_credentials() const { return dir_.sub("reader.creds"); }
  std::string city_credentials() const { return dir_.sub("city.creds"); }
  std::string feed_credentials() const { return dir_.sub("feed.creds"); }
  const std::string& dir() const { return dir_.path(); }
  std::string log_path(int node) const;
  // "127.0.0.1:PORT" of node i's monitoring endpoint (/varz, /connz, /jsz).
  std::string monitor(int node) const;

  void kill(int node);  // SIGKILL; its store stays
  // A planned stop: SIGTERM (nats-server hands its Raft leaderships over as
  // it shuts down), waiting up to `limit` for it to exit (then SIGKILL);
  // its store stays.
  void stop(int node, std::chrono::milliseconds limit = std::chrono::seconds(30));
  void start(int node);  // again, on the same ports and store
  void kill_all();
  void start_all();
  bool running(int node) const;

  // When node i last logged that it became the leader of `stream` (account
  // HALLQ), from its log file (nats-server's line "... [INF] JetStream cluster
  // new stream leader for 'HALLQ > STREAM'", local time, microseconds);
  // nullopt if it never did. The Raft election as the server saw it.
  std::optional<std::chrono::system_clock::time_point> leader_logged(int node,
                                                                     const std::string& stream) const;

  // True once every running node answers its monitoring port and sees a
  // JetStream meta leader; false at the deadline.
  bool wait_ready(std::chrono::milliseconds limit = std::chrono::seconds(30));

 private:
  struct Node {
    int client_port = 0, cluster_port = 0, http_port = 0;
    std::string config;
    std::unique_ptr<ChildProcess> process;
  };
  TempDir dir_;
  std::vector<Node> nodes_;
};

}  // namespace hallq::testing
