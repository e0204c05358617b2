// Events and heartbeats: what the engine stores in its log and publishes on
// its PUB socket. An encoded event is self-describing for displays (hall,
// ticket number as printed, window number) and decodable into a core::Event
// against the hall's config for replicas and recovery.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/core/error.h"
#include "engine/core/event.h"
#include "engine/core/hall.h"
#include "engine/protocol/message.h"

namespace hallq::protocol {

// Encodes `e`, which `hall` has just applied (the encoder reads the ticket's
// number and the window ids from the hall's current state and config).
std::string encode_event(const core::Hall& hall, const core::Event& e, std::string_view request_id);

struct DecodedEvent {
  std::string hall;
  std::string request_id;
  std::string number;     // ticket events: "A012"
  int window_number = 0;  // events naming a window
  core::Event event;
};

// The hall and sequence of an inspected event, without decoding the rest.
struct EventHeader {
  std::string_view hall;
  core::Seq seq = 0;
};
EventHeader peek_event(Bytes bytes);

// Decodes an inspected event against `config` (the config of the hall the
// event belongs to). Unknown window or service ids, out-of-range values or a
// body that does not match the event are refused with kMalformed.
core::Status decode_event(Bytes bytes, const core::HallConfig& config, DecodedEvent& out);

// A flat, config-free description of an inspected event, for people and
// tools (hallq's output, watch): names as on the wire.
struct EventSummary {
  std::string hall;
  core::Seq seq = 0;
  core::TimeUs time = 0;
  std::string kind;  // "ticket_called" ...
  std::string request_id;
  core::TicketId ticket = 0;
  std::string number;  // "A012"
  std::string window;  // window id
  int window_number = 0;
  std::string service;  // issued or transferred-to service id
  std::string staff;
  std::string priority;               // issued: normal | priority | appointment
  std::uint32_t ahead = 0;            // issued
  std::int32_t predicted_wait_s = 0;  // issued
  int level = 0;                      // evaluated
  std::vector<std::string> reasons;   // evaluated: 差评 reason codes
  std::string channel;                // evaluated: keypad | phone | tablet | terminal
  bool supplementary = false;         // evaluated: 补充评价
  std::string case_number;            // finished: 办件编号
  std::string reason;                 // left: cancelled | gave_up
  std::string text;      // notice_changed: the notice (empty: withdrawn); device_reported: detail;
                         // evaluated: the comment; work_order_called_back, work_order_rectified: the note
  std::int64_t day = 0;  // day_rolled; booking_made: the slot's local day; work_order_opened: due day
  // booking_*: the booking code; booking_made: the slot's start (local minute of day).
  // The person's hash and phone stay out of summaries (they are logged and shown).
  std::uint32_t booking = 0;
  int slot_min = 0;
  // window_skills_changed, advisory_issued:
  std::vector<std::pair<std::string, int>> serves;  // service id, level
  std::uint32_t advisory = 0;
  std::string action;  // open | lend
  std::int32_t wait_before_s = 0, wait_after_s = 0;
  // device_reported:
  std::string device, device_kind, device_state;  // id, "printer", "paper_out" ...
  // work_order_called_back: the citizen was reached; work_order_*: who recorded the step.
  bool reached = false;
  std::string by;
  // upload_rejected: the record and the platform's HTTP status (the reason is `text`);
  // upload_resend_requested: the record; upload_resend_accepted: the record and
  // which of its re-sends the platform accepted (`resend`, 1..).
  std::string record_id;
  int status = 0;
  int resend = 0;
};
EventSummary describe_event(Bytes bytes);

// Whether an inspected event is an upload_rejected one, without describing
// it (a reader looking for the few among many).
bool is_upload_rejection(Bytes bytes);
// Likewise for an upload_resend_requested one.
bool is_upload_resend_request(Bytes bytes);
// Likewise for an upload_resend_accepted one.
bool is_upload_resend_acceptance(Bytes bytes);

struct Heartbeat {
  std::string hall;
  core::Seq seq = 0;        // the hall's last published event
  std::uint64_t epoch = 0;  // changes when the engine restarts
  core::TimeUs time = 0;
};
std::string encode_heartbeat(const Heartbeat& hb);
// Decodes an inspected heartbeat.
Heartbeat decode_heartbeat(Bytes bytes);

// The PUB topic of a hall: subscribers subscribe to it; prefix matching cannot
// confuse hall "a" with hall "ab".
std::string topic_of(std::string_view hall);

}  // namespace hallq::protocol
