// Fuzz target "trace": CSV text through the trace parser (tools/replay) against
// a sample hall (the first byte picks town, district or bank; the rest is the
// CSV). The contract: a Trace whose rows are in time order with resolved
// indices, or a TraceError naming "fuzz.csv:<line>: ...". Any other exception
// escapes and libFuzzer reports it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz/fuzz_halls.h"
#include "tools/replay/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& config = hallq::fuzz::sample_config(data[0] % hallq::fuzz::kSampleHalls);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    const hallq::replay::Trace trace = hallq::replay::parse_trace(text, "fuzz.csv", config);
    std::size_t arrivals = 0;
    double last = -1e300;
    for (const auto& row : trace.rows) {
      if (row.time_s < last) std::abort();
      last = row.time_s;
      if (row.event == hallq::replay::TraceEvent::kArrive) {
        ++arrivals;
        if (row.service >= config.services.size() || !(row.handle_s >= 0)) std::abort();
      } else if (row.window >= config.windows.size()) {
        std::abort();
      }
    }
    if (arrivals != trace.arrivals) std::abort();
  } catch (const hallq::replay::TraceError& e) {
    if (!std::string_view(e.what()).starts_with("fuzz.csv:")) std::abort();
  }
  return 0;
}
