// What a hall knows of one of its devices (a kiosk's printer ...): the last
// state it reported (ReportDevice -> DeviceReported). Owned by HallState,
// keyed by device id; derived from events, so every replica has it.
#pragma once

#include <string>

#include "engine/core/types.h"

namespace hallq::core {

struct DeviceStatus {
  std::string kind;  // "printer" ...
  DeviceState state = DeviceState::kOk;
  std::string detail;  // the device's own words (OS reason, decoded status bits)
  TimeUs since = 0;    // when it entered `state` (the reporting event's time)
  bool operator==(const DeviceStatus&) const = default;
};

}  // namespace hallq::core
