// The history behind GET /api/halls/{hall}/history (http_api.h): a hall's
// figures from its stored events (engine/stats), by day over a date range or
// by hour over one day.
//
//   ?from=YYYY-MM-DD&to=YYYY-MM-DD[&by=day|month]   at most 366 days
//   ?date=YYYY-MM-DD&by=hour                        one day, 24 hours
//
// The answer is stats_json (engine/stats/stats_json.h) plus "hall", "from",
// "to", "events" (events read). A malformed or reversed date, a range too
// long, an unknown `by` or unknown parameters: HistoryAnswer::bad_query, a
// message for people (the API answers 400); a failing store throws.
//
// Reads run on the caller's thread against the engine's own store (LMDB
// readers do not block the writer, but the engine thread waits for the
// fold: about 2 ms per day of a busy district hall; a month ~50 ms).
//
// Thread: the store's owner thread (the engine's io_context).
#pragma once

#include <memory>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/server/http_api.h"

namespace hallq::store {
class EventStore;
}

namespace hallq::server {

HistorySource make_history_source(const store::EventStore& store,
                                  std::vector<std::shared_ptr<const core::HallConfig>> halls);

}  // namespace hallq::server
