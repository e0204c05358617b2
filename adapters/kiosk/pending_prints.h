// The tickets a kiosk got from the engine but has not printed yet, kept in a
// small file so that a restart (or kill -9) does not forget them: each is
// printed when the printer returns within `[printer] reprint_within`, or
// cancelled in the engine as not printed (kiosk_app.h).
//
// File: one JSON object {"version":1,"tickets":[{"number":"A014",
// "issued_at_us":..., "escpos_hex":"1b40..."}]}, replaced whole (written to
// FILE.tmp, fsynced, renamed); removed when no ticket is left.
// Errors: load() throws std::runtime_error for a file it cannot read or parse;
// save() returns false with the OS reason. Thread: one owner.
#pragma once

#include <string>
#include <vector>

#include "engine/core/types.h"

namespace hallq::kiosk {

struct PendingPrint {
  std::string number;             // "A014"
  core::TimeUs issued_at_us = 0;  // wall clock of the engine's acknowledgement
  std::string bytes;              // the ticket's ESC/POS bytes
};

class PendingPrints {
 public:
  explicit PendingPrints(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  std::vector<PendingPrint> load() const;  // a missing file: none
  bool save(const std::vector<PendingPrint>& tickets, std::string& error) const;

 private:
  std::string path_;
};

}  // namespace hallq::kiosk
