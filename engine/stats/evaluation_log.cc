#include "engine/stats/evaluation_log.h"

#include <functional>
#include <optional>
#include <unordered_set>

#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/stats/history.h"

namespace hallq::stats {
namespace {

// How many local days before an event a fold must start to know the tickets
// its rating may be about: the ticket's day (a day before, for one issued
// before midnight), the days a 补充评价 may come later, and for a work-order
// update the days its 差评 may lie behind it (the deadline in calendar days,
// twice over, plus a month overdue). An update later than that is not
// turned into a record (adapters/upload/README.md, "Not done").
}  // namespace

int records_lookback_days(const core::HallConfig& hall) {
  return 1 + hall.evaluation.supplement_days + 2 * hall.evaluation.follow_up_working_days + 30;
}

namespace {

int lookback_days(const core::HallConfig& hall) { return records_lookback_days(hall); }

// The record ids of the re-send requests among events (after, after + max_events].
std::unordered_set<std::string> resend_ids(const store::EventStore& store, const std::string& hall,
                                           std::uint64_t after, std::uint64_t max_events) {
  std::unordered_set<std::string> ids;
  std::string buffer;
  store.for_each_event(hall, after + 1, [&](std::uint64_t seq, std::string_view raw) {
    if (seq - after > max_events) return false;
    buffer.assign(raw);
    const protocol::Bytes bytes = protocol::as_bytes(buffer);
    if (protocol::is_upload_resend_request(bytes)) ids.insert(protocol::describe_event(bytes).record_id);
    return true;
  });
  return ids;
}

// Folds `hall`'s events from `start` on, handing each record to `take` until it returns false.
void fold_from(
    const store::EventStore& store, const std::shared_ptr<const core::HallConfig>& config,
    std::uint64_t start, std::unordered_set<std::string> keep,
    const std::function<bool(std::uint64_t seq, const core::Event&, std::optional<EvaluationRecord>)>& take) {
  EvaluationRecords records(config);
  records.keep_for_resend(std::move(keep));
  std::string buffer;  // reused: LMDB memory is not aligned for FlatBuffers
  protocol::DecodedEvent decoded;
  store.for_each_event(config->id, start, [&](std::uint64_t seq, std::string_view raw) {
    buffer.assign(raw);
    decode_stored(buffer, *config, seq, decoded);
    return take(seq, decoded.event, records.add(decoded.event));
  });
}

}  // namespace

RecordPage read_records_after(const store::EventStore& store, std::shared_ptr<const core::HallConfig> config,
                              std::uint64_t after, std::size_t limit, std::uint64_t max_events) {
  const core::HallConfig& hall = *config;
  RecordPage page;
  page.last_seq = store.last_seq(hall.id);
  page.scanned_to = after;
  if (after >= page.last_seq || limit == 0) return page;
  const auto first = store.read_event(hall.id, after + 1);
  if (!first) return page;
  protocol::DecodedEvent decoded;
  decode_stored(*first, hall, after + 1, decoded);
  const core::TimeUs from = hall.day_start(hall.local_day(decoded.event.time) - lookback_days(hall));
  const std::uint64_t start = first_seq_at(store, hall, from);
  fold_from(store, config, start, resend_ids(store, hall.id, after, max_events),
            [&](std::uint64_t seq, const core::Event&, std::optional<EvaluationRecord> record) {
              if (seq <= after) return true;
              if (seq - after > max_events) return false;
              if (record) page.records.push_back(std::move(*record));
              page.scanned_to = seq;
              return page.records.size() < limit;
            });
  return page;
}

std::vector<EvaluationRecord> read_records_between(const store::EventStore& store,
                                                   std::shared_ptr<const core::HallConfig> config,
                                                   std::int64_t first_day, std::int64_t last_day) {
  const core::HallConfig& hall = *config;
  const core::TimeUs from = hall.day_start(first_day), to = hall.day_start(last_day + 1);
  std::vector<EvaluationRecord> out;
  fold_from(store, config, first_seq_at(store, hall, hall.day_start(first_day - lookback_days(hall))), {},
            [&](std::uint64_t, const core::Event& e, std::optional<EvaluationRecord> record) {
              if (e.time >= to) return false;
              if (record && e.time >= from) out.push_back(std::move(*record));
              return true;
            });
  return out;
}

}  // namespace hallq::stats
