// What the kiosk knows of its printer, and the ESC/POS real-time status
// queries that tell it. A printer is asked DLE EOT n (0x10 0x04 n) for
// n = 1 (printer status), 2 (offline cause: cover open, paper end stop, error)
// and 4 (roll paper sensors); each answer is one byte, decoded here by the
// bit tables of Epson's ESC/POS command reference (DLE EOT, "Transmit
// real-time status"). A printer that does not answer (a spool file, a plain
// character device, a network printer without status support) is "online,
// status unknown": it may print.
//
// Pure (no I/O): the sinks (printer_sink.h) send the queries and read the
// answers. Thread: any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hallq::kiosk {

// The queries, in the order a sink sends them: DLE EOT 1, DLE EOT 2, DLE EOT 4.
inline constexpr std::string_view kStatusQueries{"\x10\x04\x01\x10\x04\x02\x10\x04\x04", 9};

// The answers a printer gave (none: it did not answer that query).
struct StatusBytes {
  std::optional<std::uint8_t> printer;  // DLE EOT 1
  std::optional<std::uint8_t> offline;  // DLE EOT 2
  std::optional<std::uint8_t> paper;    // DLE EOT 4
};

enum class PrinterState : std::uint8_t {
  kOk,           // online (answers say so, or it could be opened and does not answer)
  kPaperLow,     // paper near end: still prints
  kPaperOut,     // roll paper end
  kCoverOpen,    // cover open
  kOffline,      // offline for another cause, or an error the printer reports
  kUnreachable,  // cannot be opened / connected / written
};
// "ok", "paper_low", "paper_out", "cover_open", "offline", "unreachable".
std::string_view to_string(PrinterState s);

struct PrinterHealth {
  PrinterState state = PrinterState::kOk;
  bool answered = false;  // at least one status byte was valid
  std::string detail;     // the OS reason or the decoded bits, for staff and logs

  bool can_print() const { return state == PrinterState::kOk || state == PrinterState::kPaperLow; }
  bool operator==(const PrinterHealth& o) const { return state == o.state && detail == o.detail; }
};

// True when `b` has the fixed bits every DLE EOT answer has (bit 1 and 4 set,
// bit 0 and 7 clear): anything else is not a status byte.
bool is_status_byte(std::uint8_t b);

// The printer's state from its answers (invalid bytes are ignored).
// Precedence: cover open, paper out, offline/error, paper near end, ok.
PrinterHealth decode_status(const StatusBytes& answers);

// The header's status line: "打印机缺纸" / "打印机盖未关" / "打印机故障" /
// "打印纸将尽" / "" (printer ok).
std::string printer_status_line(PrinterState s);
// What the citizen is told while the kiosk cannot print; `on_screen`: the
// hall shows tickets on the screen instead of stopping.
std::string printer_out_message(PrinterState s, bool on_screen);

}  // namespace hallq::kiosk
