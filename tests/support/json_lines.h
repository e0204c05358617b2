// Programs under test that print one JSON object per line (hallq-kiosk
// --headless): waiting for a line by what it says, on a ChildProcess.
// Thread: the ChildProcess's owner.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace hallq::testing {

// The next line that satisfies `match` once parsed (a line that is not JSON
// is passed as a discarded value); null at the deadline or end of output.
nlohmann::json wait_json(ChildProcess& program, const std::function<bool(const nlohmann::json&)>& match,
                         std::chrono::milliseconds limit = std::chrono::seconds(15));

// The next {"event": `event`, ...} line.
nlohmann::json wait_json_event(ChildProcess& program, const std::string& event,
                               std::chrono::milliseconds limit = std::chrono::seconds(15));

// Every line read so far, parsed.
std::vector<nlohmann::json> json_lines(const ChildProcess& program);

}  // namespace hallq::testing
