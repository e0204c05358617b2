// The outbox behind GET /api/halls/{hall}/evaluation-records (http_api.h):
// the hall's 好差评 records (engine/stats/evaluation_record.h) completed by
// events after a position in its event log, in event order.
//
//   ?after=SEQ&limit=N     SEQ >= 0 (default 0), N in 1..1000 (default 100)
//
// The answer: {"hall", "after", "records": [record, ...], "scanned_to",
// "last_seq"}; each record as record_json, whose "seq" is the event that
// completed it. A reader that has handled every record of a page goes on
// with after=scanned_to (scanned_to > after while anything new was read;
// == after when the log has nothing after SEQ). A malformed parameter or an
// unknown one: HistoryAnswer::bad_query (400).
//
// Thread: any thread that may read the store (event_store.h); hallqd runs
// it on its history worker (http_store.h).
#pragma once

#include <memory>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/server/http_history.h"

namespace hallq::server {

HistoryReader make_records_reader(const store::EventStore& store,
                                  std::vector<std::shared_ptr<const core::HallConfig>> halls);

}  // namespace hallq::server
