// A hall trace (tools/traces/FORMAT.md): the recorded or generated life of one
// hall as rows of arrivals and window events, read from CSV and checked against
// the hall's configuration, ready for the replay.
//
// Errors are exceptions (a trace is input read at start-up, like a config):
// TraceError's message names the source, the 1-based line (the header is line
// 1) and what is wrong, e.g.
//   town-week.csv:17: unknown event "opne"
//   town-week.csv:20: service "socail" is not in hall town
// Nothing is skipped silently: an unknown service or window, a bad number, a
// time that goes backwards or a repeated ticket id is an error. Only empty lines
// are ignored. Fields are plain (no CSV quoting), as tracegen.py writes them.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/core/types.h"

namespace hallq::replay {

class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class TraceEvent : std::uint8_t { kArrive, kOpen, kClose, kPause, kResume };

std::string_view to_string(TraceEvent e);

struct TraceRow {
  double time_s = 0;  // seconds since local 00:00 of the trace's first day; may be negative
  TraceEvent event = TraceEvent::kArrive;
  std::uint32_t line = 0;  // where the row is in the source, for messages
  // --- arrive only ---
  std::string ticket;            // the trace's citizen id, unique in the trace
  core::ServiceIdx service = 0;  // index into the config's services
  core::Priority priority = core::Priority::kNormal;
  double handle_s = 0;               // ground truth; >= 0; never shown to the engine
  std::optional<double> patience_s;  // >= 0; none: waits until called
  bool absent = false;               // a no-show
  // --- open, close, pause, resume only ---
  core::WindowIdx window = 0;  // index into the config's windows
};

struct Trace {
  std::string source;          // the name used in messages (usually the path)
  std::string hall;            // id of the hall config the rows were resolved against
  std::vector<TraceRow> rows;  // in file order; times never decrease
  std::size_t arrivals = 0;    // number of kArrive rows
};

// Parses CSV `text` and resolves its service and window ids in `config` (which
// must be validated). `source_name` prefixes messages. Throws TraceError.
Trace parse_trace(std::string_view text, std::string_view source_name, const core::HallConfig& config);

// Reads and parses the file at `path` (named by `path` in messages). Throws
// TraceError, also when the file cannot be read.
Trace load_trace(const std::string& path, const core::HallConfig& config);

}  // namespace hallq::replay
