// The kiosk's conversation with a citizen, as a pure state machine: what a tap,
// a priority choice, an ID number or an appointment code leads to, and what
// the screen shows. It decides before anything is sent:
//   - a service no open window serves is refused with a reason;
//   - the elderly priority path reads an 18-digit ID number, checks it
//     (GB 11643) and grants priority when the age on the hall's local date
//     reaches the threshold; the number is never kept (only its mask);
//   - an appointment (预约) code is checked for its form only (six digits):
//     the booking, its slot and check-in margins are the engine's, which
//     answers the CheckIn with the appointment ticket or a refusal.
// What it asks to send is an IssueRequest; the caller (the kiosk program)
// sends it, retrying with the same request id, and reports the outcome back
// with issued() / refused(). While a request is pending, new ones are refused
// ("正在出票，请稍候"), so a second tap never makes a second ticket.
//
// Thread: one owner thread. No clock: `today` and `minute` are passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/kiosk/kiosk_config.h"
#include "engine/core/calendar.h"
#include "engine/core/hall.h"
#include "engine/core/types.h"

namespace hallq::kiosk {

// One service button.
struct ServiceTile {
  std::string id, name, prefix;
  std::uint32_t waiting = 0;
  std::int32_t predicted_wait_s = -1;  // for a newcomer; < 0 unknown
  std::uint32_t open_windows = 0;      // open (or paused) windows serving it
};
// Tiles for `services` (all of the hall's when empty), from a replica.
std::vector<ServiceTile> service_tiles(const core::Hall& hall, core::TimeUs now,
                                       const std::vector<std::string>& services);
// "前面 3 人 预计 12 分钟" / "暂无窗口办理".
std::string tile_caption(const ServiceTile& t);

struct IssueRequest {
  std::string service;  // service id
  std::string service_name;
  core::Priority priority = core::Priority::kNormal;
  std::string label;       // printed under the number; empty for normal tickets
  std::string request_id;  // empty: the sender picks a fresh one
  // Not 0: an appointment check-in (core::CheckIn of this booking code)
  // instead of an IssueTicket; `service` is then known from the answer only.
  std::uint32_t booking = 0;
};

enum class Screen { kHome, kPriorityChosen, kPending, kIssued, kRefused };
std::string_view to_string(Screen s);

struct Issued {
  std::string number, service_name, label;
  std::uint32_t ahead = 0;
  std::int32_t predicted_wait_s = 0;
  bool on_screen = false;  // the printer is out: the number and QR are shown instead
  std::string qr;          // the ticket's QR payload (empty: none)
};

class KioskSession {
 public:
  explicit KioskSession(const KioskConfig& config);

  // The citizen taps a service. `tiles` null: the kiosk has no replica yet
  // (offline since start); the engine then decides.
  std::optional<IssueRequest> tap(std::string_view service, const std::vector<ServiceTile>* tiles);
  // A priority category without an ID (残疾人, 军人 ...: the clerk checks the certificate).
  void choose_priority(std::string_view category);
  // The elderly path: an ID number read on the digit pad.
  void enter_id(std::string_view id, core::CivilDate today);
  // Appointment check-in: the booking code typed on the pad. Anything but a
  // booking code (six digits, not starting with 0) is refused here; the
  // engine judges the rest (unknown, too early or late, already checked in).
  std::optional<IssueRequest> enter_appointment(std::string_view code);
  void cancel();  // back to the home screen

  // Outcome of the pending request.
  void issued(Issued t);
  void refused(std::string reason);
  // The print of `number` failed / was made late (the printer came back).
  void print_delayed(std::string_view number);
  void reprinted(std::string_view number);

  Screen screen() const { return screen_; }
  bool pending() const { return screen_ == Screen::kPending; }
  const std::string& message() const { return message_; }
  const std::string& priority_label() const { return priority_label_; }
  const std::optional<Issued>& last_issued() const { return last_; }

 private:
  std::optional<IssueRequest> begin(IssueRequest r);
  void refuse(std::string reason);

  const KioskConfig& config_;
  Screen screen_ = Screen::kHome;
  std::string message_;
  core::Priority priority_ = core::Priority::kNormal;
  std::string priority_label_;
  std::optional<Issued> last_;
};

}  // namespace hallq::kiosk
