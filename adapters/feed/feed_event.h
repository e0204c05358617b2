// What the upward feed sends for one event of a hall: the mapping from a
// verified hallq event (the FlatBuffers bytes of the stream, event_check.h)
// to the platform's JSON object, with stable field names (README.md, the
// field table). Queue and evaluation events are fed (ticket issued, called,
// recalled, started, skipped, held, requeued, transferred, finished, left,
// evaluated; remote tickets issued, checked in, missed; windows opened,
// closed, paused, resumed, staff changed); every other kind (bookings,
// notices, devices, advisories, skills, work orders, upload rejections, day
// rolls) is not, and the feed passes over it.
//
// No personal data: a booking's or remote ticket's person hash and phone, a
// remote ticket's check-in code, an evaluation's free-text comment and the
// work orders' notes never appear. Staff ids (the clerks' employee ids) do.
//
// Pure; thread: any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hallq::feed {

// "HALL:SEQ": the event's idempotency key, sent as the Idempotency-Key header
// and as the body's "key". The same event always has the same key (a hall's
// sequence numbers are never reused), so a repeat after a crash is one the
// platform can recognise.
std::string idempotency_key(std::string_view hall, std::uint64_t seq);

// The JSON object (one line) for an event that verified as a hallq event,
// with its times in ISO 8601 at `utc_offset_min` ("2026-12-05T09:31:05+08:00");
// nullopt for a kind that is not fed.
std::optional<std::string> feed_json(std::string_view event_bytes, int utc_offset_min);

}  // namespace hallq::feed
