// Appointments (预约) over the managers' HTTP API: the provincial platform
// pushes bookings in, managers look them up, cancel them and check citizens
// in (issue 20). Each write is one core command (Book, CancelBooking,
// CheckIn) submitted through HttpActions (group commit, audit record,
// Idempotency-Key), each read a view of the hall's bookings.
//
//   POST   /api/halls/{hall}/appointments          {"service", "day": "2026-12-04", "slot": "09:30",
//                                                   "id_number": "...", "phone": "138..." (optional)}
//          -> 201 {"ok", "code", "service", "day", "slot", "duplicate"}
//   GET    /api/halls/{hall}/appointments[?day=D]  the day's bookings (default today) and its
//                                                  figures per slot (view/appointment_figures.h)
//   GET    /api/halls/{hall}/appointments/{code}   one booking
//   DELETE /api/halls/{hall}/appointments/{code}   cancels it (not once checked in)
//   POST   /api/halls/{hall}/appointments/{code}/check-in
//          -> 200 {"ok", "code", "number", "ticket", "service", "events"}: the appointment ticket
//
// Personal data: the ID number is checked (GB 11643, core/resident_id.h),
// hashed with the installation's salt (keys/person_hash.h) and dropped; only
// the hash reaches the engine, and reads show the admin role its first
// kPersonPrefix hex digits and the phone number masked (138****5678); a
// viewer's reads carry neither field. Without a salt
// (hallqd without --person-salt) a booking is refused 503 no_salt.
//
// Every field is hostile: a wrong one is answered 400 with the ErrorCode name
// and a Chinese message before any command exists (the core checks again);
// the engine's refusals keep their codes (409 slot_full, already_booked ...).
//
// Thread: the io_context's thread only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/hall.h"
#include "engine/keys/person_hash.h"
#include "engine/server/http_actions.h"
#include "engine/server/http_views.h"

namespace hallq::server {

// Hex digits of a person's hash shown in reads.
inline constexpr std::size_t kPersonPrefix = 8;

class HttpBooking {
 public:
  // `salt`: null when hallqd has none (bookings refused). Not owned.
  HttpBooking(HttpActions& actions, const keys::PersonSalt* salt) : actions_(actions), salt_(salt) {}

  // Whether the parts of a path under /api/halls/{hall}/ are an appointments route.
  static bool is_booking(const std::vector<std::string>& parts);

  // GET: the list or one booking. `personal` (the admin role): each with
  // its person's hash prefix and masked phone; otherwise (viewer) without
  // either (SECURITY.md, "Who sees what").
  HttpOutcome read(const core::Hall& hall, const std::vector<std::string>& parts, const HttpQuery& query,
                   core::TimeUs now, bool personal) const;

  // POST or DELETE (an allowed caller: HttpAuth::may_act): `reply` once, as for HttpActions::act.
  void act(const core::Hall& hall, std::string_view path, const std::vector<std::string>& parts,
           const HttpRequest& req, const HttpActions::Record& record, HttpReply reply, core::TimeUs now);

 private:
  HttpActions& actions_;
  const keys::PersonSalt* salt_;
};

}  // namespace hallq::server
