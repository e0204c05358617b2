// Statistics of a stored range of days: reads a hall's events from the LMDB
// event log (store::EventStore, read-only is enough: works while hallqd runs)
// and folds them through a StatsBuilder.
//
// Finding the range: event times never decrease along a hall's sequence (the
// core's clock does not go backwards), so the first event at or after an
// instant is found by binary search over sequence numbers (read_event +
// decode, about 20 reads). Folding starts early enough that windows opened
// and tickets issued the day before are known (`lookback_days`, at least one
// day), and so are the 差评 work orders that fall due inside the range and
// the tickets rated inside it by 补充评价 (stats_lookback_days; a window
// opened earlier than that and silent since counts from its next event);
// figures count only what happened inside the range. Reading stops at the
// first event after the range. Windows still open at the end count as open
// until the last event read. Work orders are judged as of the range's end
// when the store holds events after it, else as of the last event read.
//
// Errors: HistoryError for an event that cannot be read or decoded against
// the config (a store of another hall or config), naming the sequence number;
// StoreError from the store propagates.
// Thread: the store's (one owner thread per EventStore).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "engine/core/hall_config.h"
#include "engine/stats/aggregate.h"
#include "engine/store/event_store.h"

namespace hallq::protocol {
struct DecodedEvent;
}

namespace hallq::stats {

class HistoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HistoryRequest {
  std::int64_t first_day = 0;  // local days (core/calendar.h), inclusive
  std::int64_t last_day = 0;
  Period period = Period::kDay;
  int lookback_days = 1;  // at least; stats_lookback_days may ask for more
};

struct HistoryResult {
  Stats stats;
  std::uint64_t events_read = 0;              // events folded (lookback included)
  std::uint64_t first_seq = 0, last_seq = 0;  // the folded sequence range; 0 if none
  std::uint64_t unknown_ticket_events = 0;
};

// Decodes stored event `seq` of `config`'s hall; `bytes` must be suitably
// aligned (a std::string's heap buffer is). Throws HistoryError.
void decode_stored(const std::string& bytes, const core::HallConfig& config, std::uint64_t seq,
                   protocol::DecodedEvent& out);

// The first sequence number of `hall` whose event time is >= t; last_seq + 1 if none.
std::uint64_t first_seq_at(const store::EventStore& store, const core::HallConfig& config, core::TimeUs t);

// How many local days before `first_day` a fold must start so that every
// work order due on `first_day - 1` or later (it falls overdue inside the
// range) and every ticket rated by 补充评价 on `first_day` or later is known:
// the day before the earliest opening day of such an order, with the hall's
// working days and follow_up_working_days, plus its supplement_days. (A
// config whose deadlines changed since is not accounted for.)
int stats_lookback_days(const core::HallConfig& config, std::int64_t first_day);

// `config` is the hall's (its id names the hall in the store).
HistoryResult read_history(const store::EventStore& store, std::shared_ptr<const core::HallConfig> config,
                           const HistoryRequest& request);

}  // namespace hallq::stats
