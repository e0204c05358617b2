// What the replication tests share: one 3-node cluster for the whole suite
// (tests use hall ids of their own, so they do not disturb each other), a
// connection as the engine user, and events made as the engine encodes them.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/hall_state.h"
#include "engine/core/types.h"
#include "engine/protocol/reply_codec.h"
#include "engine/replicate/nats_connection.h"
#include "engine/replicate/publisher.h"
#include "tests/support/nats_cluster.h"

namespace hallq::replicate::test {

// An encoded event Message of `hall` at `seq` (a notice with `text`).
std::string event_bytes(const std::string& hall, core::Seq seq, const std::string& text = "通知");

// Connects to `cluster` with `credentials` (a file).
std::unique_ptr<NatsConnection> connect(const testing::NatsCluster& cluster, const std::string& credentials,
                                        std::chrono::milliseconds request_timeout = std::chrono::seconds(5));

// hallqd's arguments for an engine replicating to `cluster` as the engine
// user: --replicate, --nats-credentials, --engine-id `engine_id`, no
// advisories; --standby if `standby`; --ack replicated if `replicated` (else
// hallqd's default, local).
std::vector<std::string> engine_args(const testing::NatsCluster& cluster, const std::string& engine_id,
                                     bool standby, bool replicated);

// Publishes a message outside the publisher (no fencing, no id): a foreign
// writer or a corrupted message.
void raw_publish(NatsConnection& conn, const std::string& subject, const std::string& bytes);

// The number of messages the stream holds on `subject`, asked until the
// stream answers (deadline-bounded; -1 if it never does).
long subject_count(NatsConnection& conn, const std::string& subject,
                   std::chrono::milliseconds limit = std::chrono::seconds(20));

// What the file at `path` holds ("" if it cannot be read).
std::string read_file(const std::string& path);

// Waits until the file at `path` (an engine's stderr) holds `text`
// (deadline-bounded; a failure shows the file).
bool log_says(const std::string& path, const std::string& text,
              std::chrono::seconds limit = std::chrono::seconds(30));

// The state a snapshot reply carries.
core::HallState state_of(const protocol::DecodedReply& r);

// Reads `hall`'s subject from its start to its tail (set in *tail_seq): seq
// 1..tail in order (the verifying reader refuses a hole or a repeat), each
// of `acked` (seq -> the event a reply carried) byte for byte, no ticket
// number twice in a day. Fatal failures end it early.
void expect_stream_holds(NatsConnection& conn, const std::string& hall,
                         const std::map<core::Seq, std::string>& acked, core::Seq* tail_seq);

class ReplicateTest : public ::testing::Test {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

 protected:
  void SetUp() override;
  static testing::NatsCluster& cluster() { return *cluster_; }
  NatsConnection& engine() { return *engine_; }

 private:
  static std::unique_ptr<testing::NatsCluster> cluster_;
  std::unique_ptr<NatsConnection> engine_;
};

}  // namespace hallq::replicate::test
