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
// A read takes about 2 ms per day of a busy district hall (a month ~50 ms),
// so hallqd runs it on its history worker (http_store.h), not on the
// engine's thread.
//
// Thread: any thread that may read the store (event_store.h: the owner, or
// one other thread while the owner commits).
#pragma once

#include <memory>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/server/http_api.h"

namespace hallq::store {
class EventStore;
}

namespace hallq::server {

// Reads one answer; throws what a failing store throws.
using HistoryReader =
    std::function<HistoryAnswer(std::string_view hall, const std::map<std::string, std::string>& query)>;

HistoryReader make_history_reader(const store::EventStore& store,
                                  std::vector<std::shared_ptr<const core::HallConfig>> halls);

}  // namespace hallq::server
