// Vocabulary types of the hall domain: time, indices and the small enums every
// layer shares. Plain values only; no behaviour beyond naming.
#pragma once

#include <cstdint>
#include <string_view>

namespace hallq::core {

// Microseconds since the Unix epoch (UTC). The core never reads a clock: every
// command carries `now` as one of these.
using TimeUs = std::int64_t;
inline constexpr TimeUs kUsPerSecond = 1'000'000;
inline constexpr TimeUs kUsPerMinute = 60 * kUsPerSecond;
inline constexpr TimeUs kUsPerDay = 86'400 * kUsPerSecond;
// Times a hall can hold: from the epoch to the year 3000. Anything outside,
// read from the wire or the store, is refused as corrupt (which also keeps
// day arithmetic far from overflow).
inline constexpr TimeUs kLatestTime = 32'503'680'000LL * kUsPerSecond;
inline bool plausible_time(TimeUs t) { return t >= 0 && t <= kLatestTime; }

// Gap-free per-hall event sequence number; the first event of a hall is 1.
using Seq = std::uint64_t;

// Hall-wide ticket identity, never reused (ticket numbers like "A012" are reused
// every day; ids are not).
using TicketId = std::uint64_t;

// Positions in the hall config's service, window and staff lists.
using ServiceIdx = std::uint16_t;
using WindowIdx = std::uint16_t;
inline constexpr WindowIdx kNoWindow = 0xFFFF;  // no window (a ticket not yet called, a window gone)
using StaffIdx = std::uint32_t;
inline constexpr StaffIdx kNoStaff = 0xFFFF'FFFF;

enum class Priority : std::uint8_t { kNormal, kPriority, kAppointment };

enum class TicketState : std::uint8_t {
  kWaiting,     // in a queue
  kCalled,      // called to a window, citizen not yet at the counter
  kServing,     // at the counter
  kHeld,        // set aside (citizen fetching a document); resumes to waiting
  kDone,        // finished, not yet rated
  kRated,       // finished and rated
  kNoShow,      // skipped after calls; may be reactivated within the hall's limit
  kLeft,        // cancelled, or gave up waiting
  kExpired,     // still open at the daily number reset
  kNotArrived,  // a remote ticket not yet checked in: in no queue (remote_ticket.h)
};

enum class WindowState : std::uint8_t { kClosed, kOpen, kPaused };

enum class WindowKind : std::uint8_t { kClassified, kFallback, kAssist, kInstant, kPriority };

enum class ServiceKind : std::uint8_t { kInstant, kPromise };

// Why a ticket left the queue without being called. kNotPrinted: the kiosk
// that issued it could not print it (the citizen never received it).
enum class LeaveReason : std::uint8_t { kCancelled, kGaveUp, kNotPrinted };

// What a tidal-window advisory proposes: open a closed window, or lend an
// open one to a service (its skills change).
enum class AdvisoryAction : std::uint8_t { kOpen, kLend };

// What a hall device (a kiosk's printer ...) reports of itself (ReportDevice).
// kPaperLow still works; every state but kOk is shown to managers as a warning.
enum class DeviceState : std::uint8_t { kOk, kPaperLow, kPaperOut, kCoverOpen, kOffline, kUnreachable };

// Where a 好差评 rating was given: the window's keypad (评价器), the ticket's
// phone page (扫码), a window tablet (窗口平板) or another terminal.
enum class EvaluationChannel : std::uint8_t { kKeypad, kPhone, kTablet, kTerminal };

std::string_view to_string(Priority p);
std::string_view to_string(TicketState s);
std::string_view to_string(WindowState s);
std::string_view to_string(WindowKind k);
std::string_view to_string(ServiceKind k);
std::string_view to_string(LeaveReason r);
std::string_view to_string(AdvisoryAction a);
// "ok", "paper_low", "paper_out", "cover_open", "offline", "unreachable".
std::string_view to_string(DeviceState s);
// "keypad", "phone", "tablet", "terminal".
std::string_view to_string(EvaluationChannel c);

// Chinese names shown to people in the hall (e.g. "办理中").
std::string_view display_name(Priority p);
std::string_view display_name(TicketState s);
// "正常", "纸将尽", "缺纸", "盖未关", "故障", "无法连接".
std::string_view display_name(DeviceState s);
// "评价器", "扫码", "窗口平板", "其他终端".
std::string_view display_name(EvaluationChannel c);

// Parse the English names above; false if `text` names none.
bool parse(std::string_view text, Priority& out);
bool parse(std::string_view text, WindowKind& out);
bool parse(std::string_view text, ServiceKind& out);
bool parse(std::string_view text, DeviceState& out);
bool parse(std::string_view text, EvaluationChannel& out);

}  // namespace hallq::core
