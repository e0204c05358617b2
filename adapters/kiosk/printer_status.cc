#include "adapters/kiosk/printer_status.h"

#include <fmt/format.h>

#include <vector>

namespace hallq::kiosk {
namespace {

// Epson ESC/POS, DLE EOT n, "Transmit real-time status":
//   n = 1 printer status:  bit 0 fixed 0, bit 1 fixed 1, bit 2 drawer kick-out connector pin 3,
//                          bit 3 0 online / 1 offline, bit 4 fixed 1, bit 5 1 waiting for online
//                          recovery, bit 6 1 paper feed button pressed, bit 7 fixed 0.
//   n = 2 offline cause:   bit 2 1 cover open, bit 3 1 paper being fed by the FEED button,
//                          bit 5 1 printing stopped by paper end, bit 6 1 error occurred
//                          (bits 0, 1, 4, 7 fixed as above).
//   n = 4 roll paper:      bits 2-3 11 paper near end (00 adequate), bits 5-6 11 paper end
//                          (00 present) (bits 0, 1, 4, 7 fixed as above).
constexpr std::uint8_t kFixedMask = 0x93;  // bits 0, 1, 4, 7
constexpr std::uint8_t kFixedBits = 0x12;  // bit 1 and bit 4 set
constexpr std::uint8_t kOfflineBit = 0x08;
constexpr std::uint8_t kCoverOpenBit = 0x04;
constexpr std::uint8_t kPaperEndStopBit = 0x20;
constexpr std::uint8_t kErrorBit = 0x40;
constexpr std::uint8_t kNearEndBits = 0x0C;
constexpr std::uint8_t kPaperEndBits = 0x60;

}  // namespace

std::string_view to_string(PrinterState s) {
  switch (s) {
    case PrinterState::kOk:
      return "ok";
    case PrinterState::kPaperLow:
      return "paper_low";
    case PrinterState::kPaperOut:
      return "paper_out";
    case PrinterState::kCoverOpen:
      return "cover_open";
    case PrinterState::kOffline:
      return "offline";
    case PrinterState::kUnreachable:
      return "unreachable";
  }
  return "unknown";
}

bool is_status_byte(std::uint8_t b) { return (b & kFixedMask) == kFixedBits; }

PrinterHealth decode_status(const StatusBytes& a) {
  auto valid = [](const std::optional<std::uint8_t>& b) { return b && is_status_byte(*b); };
  PrinterHealth h;
  h.answered = valid(a.printer) || valid(a.offline) || valid(a.paper);
  const bool offline = valid(a.printer) && (*a.printer & kOfflineBit) != 0;
  const bool cover_open = valid(a.offline) && (*a.offline & kCoverOpenBit) != 0;
  const bool paper_end_stop = valid(a.offline) && (*a.offline & kPaperEndStopBit) != 0;
  const bool error = valid(a.offline) && (*a.offline & kErrorBit) != 0;
  // Both bits of a sensor pair are set together; one of the two is taken as the state too.
  const bool paper_end = valid(a.paper) && (*a.paper & kPaperEndBits) != 0;
  const bool near_end = valid(a.paper) && (*a.paper & kNearEndBits) != 0;
  std::vector<std::string> bits;
  if (offline) bits.push_back("offline");
  if (cover_open) bits.push_back("cover open");
  if (paper_end_stop) bits.push_back("stopped at paper end");
  if (error) bits.push_back("error");
  if (paper_end) bits.push_back("paper end");
  if (near_end) bits.push_back("paper near end");
  h.detail = fmt::format("{}", fmt::join(bits, ", "));
  if (cover_open)
    h.state = PrinterState::kCoverOpen;
  else if (paper_end || paper_end_stop)
    h.state = PrinterState::kPaperOut;
  else if (offline || error)
    h.state = PrinterState::kOffline;
  else if (near_end)
    h.state = PrinterState::kPaperLow;
  return h;
}

std::string printer_status_line(PrinterState s) {
  switch (s) {
    case PrinterState::kOk:
      return "";
    case PrinterState::kPaperLow:
      return "打印纸将尽";
    case PrinterState::kPaperOut:
      return "打印机缺纸";
    case PrinterState::kCoverOpen:
      return "打印机盖未关";
    case PrinterState::kOffline:
    case PrinterState::kUnreachable:
      return "打印机故障";
  }
  return "打印机故障";
}

std::string printer_out_message(PrinterState s, bool on_screen) {
  if (on_screen) return fmt::format("{}，号码将显示在屏幕上，请拍照或记下您的号码", printer_status_line(s));
  return fmt::format("{}，暂停取号。请到咨询台取号或稍候", printer_status_line(s));
}

}  // namespace hallq::kiosk
