// Who may do what: the role and scope check of an authenticated device's
// request, before the request enters the engine's batch (pure: no I/O).
//
//   kiosk            issue tickets, cancel a ticket as not printed, report
//                    its devices' state (ReportDevice), check in a booking
//                    by its code (CheckIn), in its hall; never book or
//                    cancel a booking
//   caller           window commands on its own window (open, close, pause,
//                    resume, call, recall, start, skip, hold, transfer,
//                    finish), and reactivate / unhold of a ticket last at
//                    that window, in its hall
//   keypad           evaluate, naming its own window, in its hall (channel
//                    keypad, today's tickets: no `day`)
//   display, speaker no commands (subscribe only)
//   notifier         no commands (subscribe only): the reminder sender
//                    (hallq-notify), in its halls; with manager, the only
//                    role whose events and snapshots carry citizens' phones
//                    and ID hashes (event_scope.h, protocol/personal_data.h)
//   manager          everything, in its halls (among it, moving staff
//                    between windows: no other role may; booking, cancelling
//                    a booking and checking in: also the managers' HTTP API,
//                    for the admin role, http_booking.h)
//   citizen          the public gateway (hallq-citizen), in its halls: take
//                    remote tickets (IssueRemote), book, cancel a booking,
//                    check in (Book, CancelBooking, CheckIn), cancel a
//                    ticket as the citizen (reason cancelled: 我不等了) and
//                    evaluate (channel phone only: the page's 好差评 and
//                    补充评价); never a walk-in IssueTicket (the kiosk's),
//                    nothing that acts on a window, the staff, the notices
//                    or the devices. Which ticket is the citizen's own is
//                    the gateway's check (the link's token, keys/ticket_token.h):
//                    the engine holds no ticket secret and cannot tell.
// Every role may ping the engine and ask for snapshots of its halls (the
// Subscriber's resync); the snapshot withholds personal data unless the role
// sees it (keys::role_sees_personal_data).
//
// A refusal is core::ErrorCode::kForbidden with "无权执行此操作：" and the
// reason in English for the hall's IT staff (e.g. "kiosk k1 may only issue
// tickets in town"). Any thread; stateless.
#pragma once

#include <functional>
#include <string_view>

#include "engine/core/error.h"
#include "engine/keys/key_registry.h"
#include "engine/protocol/request_codec.h"

namespace hallq::server {

// The window id a ticket is at or was last served at in `hall` ("" if none
// or unknown). Used for the caller's ticket-number commands.
using TicketWindowLookup = std::function<std::string_view(std::string_view hall, std::string_view number)>;

core::Status authorize(const keys::KeyEntry& key, const protocol::DecodedRequest& request,
                       const TicketWindowLookup& lookup);

// What no peer of the devices' command socket may send, with keys or without
// (a loopback install trusts every peer otherwise): the 好差评 upload's
// bookkeeping (RecordUploadRejection, RequestUploadResend,
// RecordUploadAcceptance). The managers' HTTP API is their only way in: it
// keys a rejection by its record id, checks a re-send and an acceptance
// against the event log and runs one record's requests one at a time
// (http_upload_rejections.h); the core cannot check them (it keeps no state
// of them). kForbidden naming the command and the route, else Ok.
core::Status socket_may_send(const protocol::DecodedRequest& request);

}  // namespace hallq::server
