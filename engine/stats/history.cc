#include "engine/stats/history.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/work_order.h"
#include "engine/core/working_days.h"
#include "engine/protocol/event_codec.h"
#include "engine/stats/stats_builder.h"

namespace hallq::stats {

void decode_stored(const std::string& bytes, const core::HallConfig& config, std::uint64_t seq,
                   protocol::DecodedEvent& out) {
  const protocol::Bytes b = protocol::as_bytes(bytes);
  std::string why;
  if (protocol::inspect(b, &why) != protocol::MessageKind::kEvent)
    throw HistoryError(fmt::format("hall {}: stored event {} is unreadable: {}", config.id, seq, why));
  if (core::Status st = protocol::decode_event(b, config, out); !st)
    throw HistoryError(fmt::format("hall {}: stored event {} does not fit the hall's config: {}", config.id,
                                   seq, st.message()));
}

namespace {

core::TimeUs time_of(const store::EventStore& store, const core::HallConfig& config, std::uint64_t seq) {
  const auto bytes = store.read_event(config.id, seq);
  if (!bytes) throw HistoryError(fmt::format("hall {}: event {} is missing from the store", config.id, seq));
  protocol::DecodedEvent d;
  decode_stored(*bytes, config, seq, d);
  return d.event.time;
}

}  // namespace

std::uint64_t first_seq_at(const store::EventStore& store, const core::HallConfig& config, core::TimeUs t) {
  std::uint64_t lo = 1, hi = store.last_seq(config.id) + 1;  // answer in [lo, hi]
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (time_of(store, config, mid) >= t) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

int stats_lookback_days(const core::HallConfig& config, std::int64_t first_day) {
  const int n = core::follow_up_working_days(config);
  // Orders opened on day d are due on add_working_days(d, n), which never
  // decreases with d: walk back while an order opened the day before would
  // still be due on first_day - 1 or later. Bounded: a year of holidays at most.
  std::int64_t d = first_day;
  while (first_day - d < 400 && core::add_working_days(config, d - 1, n) >= first_day - 1) --d;
  return static_cast<int>(first_day - d) + 1 + config.evaluation.supplement_days;
}

HistoryResult read_history(const store::EventStore& store, std::shared_ptr<const core::HallConfig> config,
                           const HistoryRequest& request) {
  const core::HallConfig& hall = *config;
  AggregateOptions options;
  options.period = request.period;
  options.from = hall.day_start(request.first_day);
  options.to = hall.day_start(request.last_day + 1);

  HistoryResult out;
  StatsBuilder builder(config);
  const int lookback = std::max(request.lookback_days, stats_lookback_days(hall, request.first_day));
  const std::uint64_t start = first_seq_at(store, hall, hall.day_start(request.first_day - lookback));
  std::string buffer;  // reused: LMDB memory is not aligned for FlatBuffers
  protocol::DecodedEvent decoded;
  store.for_each_event(hall.id, start, [&](std::uint64_t seq, std::string_view raw) {
    buffer.assign(raw);
    decode_stored(buffer, hall, seq, decoded);
    if (decoded.event.time >= options.to) {
      options.judged_at = options.to;  // the range is over in the data: judged at its end
      return false;
    }
    builder.add(decoded.event);
    if (out.first_seq == 0) out.first_seq = seq;
    out.last_seq = seq;
    ++out.events_read;
    return true;
  });
  out.unknown_ticket_events = builder.fold().unknown_ticket_events();
  out.stats = builder.result(options);
  return out;
}

}  // namespace hallq::stats
