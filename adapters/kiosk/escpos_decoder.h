// Reads an ESC/POS byte stream back into what the printer would print: text
// lines (UTF-8, from GB18030) with their alignment, size and weight, QR codes
// with their payload, feeds and cuts. It understands the commands EscPos
// writes (see escpos.h) and refuses anything else, so tests check the bytes
// the kiosk really sends, and `hallq-kiosk --decode FILE` shows a spool file.
//
// Pure. Errors: a truncated or unknown command is reported with its byte
// offset in DecodedPrint::error; what was decoded before it is kept.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapters/kiosk/escpos.h"

namespace hallq::kiosk {

struct PrintedLine {
  std::string text;  // UTF-8
  Align align = Align::kLeft;
  int width = 1, height = 1;  // character size multipliers
  bool bold = false;
};
struct PrintedQr {
  std::string data;
  int module_size = 3;
  QrEcc ecc = QrEcc::kL;
  int model = 2;
};
struct PrintedFeed {
  int lines = 0;
};
struct PrintedCut {};

using PrintedItem = std::variant<PrintedLine, PrintedQr, PrintedFeed, PrintedCut>;

struct DecodedPrint {
  std::vector<PrintedItem> items;
  int inits = 0;      // ESC @ seen
  std::string error;  // empty if the whole stream decoded

  // Convenience for tests: the text lines, the QR payloads, the cuts.
  std::vector<const PrintedLine*> lines() const;
  std::vector<const PrintedQr*> qrs() const;
  int cuts() const;
  // The tickets in a spool holding several: split after each cut.
  std::vector<DecodedPrint> split_at_cuts() const;
};

DecodedPrint decode_escpos(std::string_view bytes);

// A plain-text rendering of a decoded print (one line per item, size and
// alignment noted), for `--decode` and test failure messages.
std::string describe(const DecodedPrint& print);

}  // namespace hallq::kiosk
