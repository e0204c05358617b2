// Where in the events stream a reader of one hall resumes: the stream
// sequence of the hall's first event after a hall sequence it already holds
// (a standby restarted on its store), found by a binary search over the
// stream's sequences with JetStream's "next message of this subject at or
// after stream sequence S" get ($JS.API.STREAM.MSG.GET, next_by_subj), each
// message's hall sequence read from its Nats-Msg-Id header ("<hall>:<seq>",
// publisher.h). About log2(stream length) requests; the messages themselves
// are not trusted here: the reader still verifies every one it delivers.
//
// Thread: any (blocking requests). Errors: nullopt with `error` set (the
// stream does not answer, a message without the publisher's id: a foreign
// writer); callers then read the subject from its start, as before.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/core/types.h"
#include "engine/replicate/nats_connection.h"

namespace hallq::replicate {

// The stream sequence to read `hall`'s subject from so that the first
// message is its event after + 1 (or, if the stream holds nothing after
// `after`, one past the subject's last message); nullopt if not found.
std::optional<std::uint64_t> resume_position(NatsConnection& conn, const std::string& stream,
                                             const std::string& hall, core::Seq after,
                                             std::string* error = nullptr);

}  // namespace hallq::replicate
