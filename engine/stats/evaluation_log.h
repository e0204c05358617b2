// The 好差评 records of a stored hall (evaluation_record.h) read from the
// LMDB event log: the event log is the uploader's outbox, a record's `seq`
// its position in it.
//
// Each read folds from early enough that every ticket a record needs is
// known: from the local day before the first event it looks at, minus the
// hall's supplement days (补充评价 rates tickets of past days). Records come
// in event order. A re-send request (UploadResendRequested) after `after`
// yields its record again (evaluation_record.h) if the fold saw the
// record's own event: one at most records_lookback_days before the first
// event the read looks at.
//
// Errors: HistoryError (history.h) for an event that cannot be read or
// decoded against the config; StoreError from the store propagates.
// Thread: the store's (one owner thread per EventStore, or one other thread
// while the owner commits).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/stats/evaluation_record.h"
#include "engine/store/event_store.h"

namespace hallq::stats {

// How many local days before the first event it looks at a read starts
// folding: 1 + supplement days + 2 × follow-up working days + 30.
int records_lookback_days(const core::HallConfig& hall);

struct RecordPage {
  std::vector<EvaluationRecord> records;  // seq > after, ascending, at most `limit`
  // Every record up to this seq is in `records` (or before `after`): the
  // next page starts after it. == after when nothing new was read.
  std::uint64_t scanned_to = 0;
  std::uint64_t last_seq = 0;  // the hall's last stored event
};

// Records completed by events after `after`: at most `limit`, looking at no
// more than `max_events` events past `after` (scanned_to then says how far it got).
RecordPage read_records_after(const store::EventStore& store, std::shared_ptr<const core::HallConfig> config,
                              std::uint64_t after, std::size_t limit, std::uint64_t max_events = 500'000);

// Evaluation records rated within local days [first_day, last_day].
std::vector<EvaluationRecord> read_records_between(const store::EventStore& store,
                                                   std::shared_ptr<const core::HallConfig> config,
                                                   std::int64_t first_day, std::int64_t last_day);

}  // namespace hallq::stats
