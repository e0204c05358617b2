// Records the 好差评 platform refused for good (issue 21): hallq-upload
// reports each final 4xx back to the hall as RecordUploadRejection, which
// becomes an UploadRejected event, so the refusal is in the event log
// (durable, replicated, audited) and managers see it, not only the
// uploader's local file. The event changes no hall state.
//
// Once its cause is fixed (the service's 事项编码 in the hall config, or the
// platform), a manager asks for the record to be sent again:
// RequestUploadResend becomes an UploadResendRequested event, at which the
// records API yields the record again, rebuilt with the hall's current
// config (engine/stats/evaluation_record.h). No hall state either. When
// the platform accepts the Nth re-send, hallq-upload reports it as
// RecordUploadAcceptance, an UploadResendAccepted event (no state), so the
// list can say 已重新上报，平台已接受.
//
// A record id names this hall and a ticket, in one of the two forms the
// records carry (engine/stats/evaluation_record.h): "HALL-E-TICKET" for an
// evaluation, "HALL-W-TICKET-SEQ" for a work-order step; TICKET and SEQ are
// positive decimal numbers without leading zeros. Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/types.h"

namespace hallq::core {

inline constexpr std::size_t kMaxUploadRecordIdBytes = 80;
inline constexpr std::size_t kMaxUploadReasonChars = 500;  // code points
inline constexpr int kMaxUploadResend = 999999;            // re-sends of one record

struct UploadRecordRef {
  TicketId ticket = 0;
  std::uint64_t seq = 0;  // a work-order step's event; 0 for an evaluation
  bool operator==(const UploadRecordRef&) const = default;
};

// The ticket (and step) `record_id` names in hall `hall`; nullopt if it is
// not one of the two forms, names another hall or is longer than
// kMaxUploadRecordIdBytes.
std::optional<UploadRecordRef> parse_upload_record_id(std::string_view hall, std::string_view record_id);

// Why a rejection cannot be recorded (Chinese), or "" if it can: the record
// id as above, the status 400..499, the reason 1..kMaxUploadReasonChars
// characters of printable UTF-8 (no control characters, no line breaks).
std::string upload_rejection_problem(std::string_view hall, std::string_view record_id, int status,
                                     std::string_view reason);

// Why a re-send of `record_id` cannot be asked for (Chinese), or "" if it
// can as far as the id goes: it must be one of this hall's two forms.
std::string upload_resend_problem(std::string_view hall, std::string_view record_id);

// Why the platform's acceptance of re-send `resend` of `record_id` cannot be
// recorded (Chinese), or "" if it can as far as the values go: the id as
// above, `resend` 1..kMaxUploadResend.
std::string upload_acceptance_problem(std::string_view hall, std::string_view record_id, std::int64_t resend);

}  // namespace hallq::core
