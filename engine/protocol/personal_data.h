// Personal data on the wire (issue 20): a booking's or remote ticket's
// person (the salted hash of the citizen's ID number) and phone, and the
// free-text comment of a 好差评 rating (issue 21: citizens write names and
// phone numbers into it), the notes of a 差评 work order's callback and
// rectification (what the citizen said, whom the manager reached), and the
// 好差评 platform's reason for refusing a record (UploadRejected: it may
// quote the record, comment included). Only what
// needs them receives them: the engine's store and its replication stream,
// and the keys of roles manager and notifier (engine/server/event_scope.h,
// SECURITY.md "Who sees what"). Every other receiver gets them withheld:
// both fields empty (not masked: "138****5678" still narrows a citizen down,
// and no display needs any of it).
//
// Events: one that carries personal data is published twice, verbatim under
// private_topic_of(hall), then withheld under topic_of(hall) with the same
// sequence, so a subscriber of both applies the full copy and drops the
// other as already seen (engine/client/subscriber.h). Snapshots: the
// PersonalData option of encode_snapshot (snapshot_codec.h). core folds
// both forms (core::valid_held_person).
//
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include "engine/protocol/message.h"

namespace hallq::protocol {

enum class PersonalData { kInclude, kWithhold };

// Topics under this prefix carry events in full; a prefix matching neither
// it nor any hall topic's start, so "hall/" never reaches them.
inline constexpr std::string_view kPrivateTopicPrefix = "pii/";
// "pii/hall/town/": where `hall`'s events that carry personal data go out in full.
std::string private_topic_of(std::string_view hall);

// Whether an inspected event is of a kind that carries personal data
// (booking_made, remote_ticket_issued, filled or withheld; ticket_evaluated
// with a comment, and work_order_opened with the comment it copies;
// work_order_called_back and work_order_rectified with a note;
// upload_rejected with a reason).
bool carries_personal_data(Bytes event);

// The inspected event with person, phone, comment, note, rejection reason and request id emptied (a client
// may build its request id from the person) and every other field as it
// was; empty if it is not of a kind that carries personal data.
std::string withhold_personal_data(Bytes event);

}  // namespace hallq::protocol
