// Makes sure the cluster holds what replication needs before an engine
// publishes: the events stream (one subject per hall), the bucket of hall
// owners and the bucket of hall snapshots. Creates them when absent; an
// existing one configured otherwise (subjects, storage, replicas, history) is
// refused, naming the field and both values, rather than silently used or
// changed: an operator decides.
//
// Thread: any (calls block on JetStream API requests).
// Errors: ReplicateError (misconfiguration, missing permission, no cluster).
#pragma once

#include <chrono>
#include <string>

#include "engine/replicate/nats_connection.h"

namespace hallq::replicate {

inline constexpr const char* kEventsStream = "HALLQ_EVENTS";
inline constexpr const char* kOwnersBucket = "hallq_owners";
// Each hall's snapshot (hall_directory.h): what a reader of the stream folds from.
inline constexpr const char* kHallsBucket = "hallq_halls";

// The subject of a hall's events: "hallq.events.<hall>" (hall ids are [a-z0-9-]+).
std::string subject_of(const std::string& hall);

struct StreamSpec {
  std::string name = kEventsStream;
  std::string subjects = "hallq.events.>";
  int replicas = 3;
  // Publishes carrying a Msg-Id already stored within this window are
  // acknowledged as duplicates and not stored again.
  std::chrono::seconds duplicates{120};
};

struct OwnersSpec {
  std::string bucket = kOwnersBucket;
  int replicas = 3;
};

struct HallsSpec {
  std::string bucket = kHallsBucket;
  int replicas = 3;
};

void ensure_stream(NatsConnection& conn, const StreamSpec& spec = {});
void ensure_owners_bucket(NatsConnection& conn, const OwnersSpec& spec = {});
void ensure_halls_bucket(NatsConnection& conn, const HallsSpec& spec = {});

}  // namespace hallq::replicate
