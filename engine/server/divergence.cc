// A store against the stream: the two last sequences, their events compared
// byte for byte, and a fork's last common sequence found with few reads.
#include "engine/server/divergence.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/replicate/hall_reader.h"
#include "engine/replicate/publisher.h"
#include "engine/replicate/subject_position.h"
#include "engine/store/event_store.h"

namespace hallq::server {
namespace {

using namespace std::chrono_literals;

std::chrono::milliseconds left(std::chrono::steady_clock::time_point deadline) {
  return std::max<std::chrono::milliseconds>(1000ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                         deadline - std::chrono::steady_clock::now()));
}

// The stream's event of `hall` at `seq` (>= 1).
std::string stream_event(replicate::NatsConnection& conn, const std::string& stream, const std::string& hall,
                         std::uint64_t seq, std::chrono::steady_clock::time_point deadline) {
  const std::uint64_t from = replicate::resume_position(conn, stream, hall, seq - 1).value_or(0);
  replicate::HallReader reader(
      conn, hall, {.stream = stream, .start_stream_seq = from, .after = seq - 1, .on_refused = {}});
  const std::optional<replicate::HallReader::Delivered> d = reader.next(left(deadline));
  if (!d || d->seq != seq)
    throw replicate::ReplicateError(
        fmt::format("cannot read hall {} seq {} back from the events stream{}", hall, seq,
                    reader.refusals().empty() ? "" : ": " + reader.refusals().back()),
        true);
  return d->bytes;
}

}  // namespace

StoreVsStream compare_with_stream(replicate::NatsConnection& conn, const std::string& stream,
                                  const store::EventStore& store, const std::string& hall,
                                  std::chrono::steady_clock::time_point deadline) {
  return compare_with_stream(conn, stream, store, hall, deadline, store.last_seq(hall));
}

namespace {

std::uint64_t stream_last_seq(replicate::NatsConnection& conn, const std::string& stream,
                              const std::string& hall, std::chrono::steady_clock::time_point deadline) {
  std::optional<replicate::SubjectTail> tail;
  std::string error;
  bool transient = false;
  while (!(tail = replicate::read_tail(conn, stream, hall, &error, {}, &transient))) {
    if (!transient || std::chrono::steady_clock::now() + 200ms > deadline)
      throw replicate::ReplicateError(
          fmt::format("hall {}: the events stream's last sequence: {}", hall, error), transient);
    std::this_thread::sleep_for(200ms);  // a retry delay, not a synchronisation
  }
  return tail->hall_seq;
}

}  // namespace

StoreVsStream compare_with_stream_of_own(replicate::NatsConnection& conn, const std::string& stream,
                                         const store::EventStore& store, const std::string& hall,
                                         std::chrono::steady_clock::time_point deadline) {
  const std::uint64_t store_last = store.last_seq(hall);
  const std::uint64_t stream_last = stream_last_seq(conn, stream, hall, deadline);
  if (stream_last > store_last) return compare_with_stream(conn, stream, store, hall, deadline, store_last);
  return {stream_last == store_last ? Standing::kEqual : Standing::kAhead, store_last, stream_last,
          stream_last};
}

StoreVsStream compare_with_stream(replicate::NatsConnection& conn, const std::string& stream,
                                  const store::EventStore& store, const std::string& hall,
                                  std::chrono::steady_clock::time_point deadline, std::uint64_t store_last) {
  StoreVsStream r;
  r.store_last = store_last;
  r.stream_last = stream_last_seq(conn, stream, hall, deadline);
  const std::uint64_t both = std::min(r.store_last, r.stream_last);
  // A read the cluster fails for now (a consumer not made yet while it
  // re-places; nats.c does not tell that from other failures) is tried
  // again until the deadline.
  const auto read_back = [&](std::uint64_t seq) {
    for (;;) {
      try {
        return stream_event(conn, stream, hall, seq, deadline);
      } catch (const replicate::ReplicateError&) {
        if (std::chrono::steady_clock::now() + 200ms > deadline) throw;
        std::this_thread::sleep_for(200ms);  // a retry delay, not a synchronisation
      }
    }
  };
  const auto same = [&](std::uint64_t seq) {
    if (seq == 0) return true;
    const std::optional<std::string> mine = store.read_event(hall, seq);
    return mine && *mine == read_back(seq);
  };
  if (same(both)) {
    r.common = both;
    r.standing = r.store_last == r.stream_last  ? Standing::kEqual
                 : r.store_last < r.stream_last ? Standing::kBehind
                                                : Standing::kAhead;
    return r;
  }
  r.standing = Standing::kForked;
  // Two histories part once and never meet again: probe back with doubling
  // steps to a sequence they share, then bisect between it and the last
  // one found different.
  std::uint64_t differs = both, step = 1, agrees = 0;
  for (;;) {
    const std::uint64_t probe = differs > step ? differs - step : 0;
    if (same(probe)) {
      agrees = probe;
      break;
    }
    differs = probe;
    step *= 2;
  }
  while (differs - agrees > 1) {
    const std::uint64_t mid = agrees + (differs - agrees) / 2;
    (same(mid) ? agrees : differs) = mid;
  }
  r.common = agrees;
  return r;
}

std::string keep_diverged(const store::EventStore& store, const std::string& hall, std::uint64_t after,
                          std::uint64_t last, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string base = fmt::format("{}/{}-seq-{}-{}", dir, hall, after + 1, last);
  std::ofstream events(base + ".events", std::ios::binary | std::ios::trunc);
  std::ofstream text(base + ".txt", std::ios::trunc);
  if (!events || !text)
    throw std::runtime_error(fmt::format("cannot write {}.events (.txt): {}", base,
                                         ec ? ec.message() : std::string("cannot open")));
  text << fmt::format(
      "# hall {}: events {}..{} of this store that the events stream does not hold (another engine extended "
      "the hall from seq {}); sequence, time (UTC), kind, ticket, request id\n",
      hall, after + 1, last, after);
  store.for_each_event(hall, after + 1, [&](std::uint64_t seq, std::string_view bytes) {
    if (seq > last) return false;
    char head[12];
    for (int i = 0; i < 8; ++i) head[i] = static_cast<char>(seq >> (56 - 8 * i));
    const auto size = static_cast<std::uint32_t>(bytes.size());
    for (int i = 0; i < 4; ++i) head[8 + i] = static_cast<char>(size >> (24 - 8 * i));
    events.write(head, sizeof head);
    events.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    const protocol::EventSummary e = protocol::describe_event(
        protocol::Bytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    const auto at = std::chrono::sys_time<std::chrono::microseconds>(std::chrono::microseconds(e.time));
    text << fmt::format("{}\t{:%Y-%m-%d %H:%M:%S}\t{}\t{}\t{}\n", seq,
                        std::chrono::floor<std::chrono::seconds>(at), e.kind, e.number, e.request_id);
    return true;
  });
  events.flush();
  text.flush();
  if (!events || !text) throw std::runtime_error(fmt::format("cannot write {}.events (.txt)", base));
  return base + ".events";
}

}  // namespace hallq::server
