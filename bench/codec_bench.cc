// hallq_codec_bench: the wire protocol's cost per message, for what the
// engine does to every command: verify and decode the request, encode its
// event, encode the reply (and a client decodes it), and for the snapshots
// late subscribers ask for. DESIGN.md budgets ~150 ns for building, verifying
// and reading a 12-field FlatBuffers message.
//
// Each message kind has encode, verify (protocol::inspect, the FlatBuffers
// Verifier), decode, and round_trip (all three, as a sender plus a receiver).
#include <benchmark/benchmark.h>

#include <string>

#include "bench/bench_halls.h"
#include "engine/policy/policy_registry.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"

namespace hallq::bench {
namespace {

using protocol::as_bytes;
using protocol::MessageKind;

// A request id as engine/client makes them: 16 hex digits, a dash, a counter.
constexpr std::string_view kRequestId = "5f3a9c0e7b1d2468-1234567";

const core::CommandBody& issue_command() {
  static const core::CommandBody kIssue = core::IssueTicket{"social", core::Priority::kNormal};
  return kIssue;
}
const core::CommandBody& call_command() {
  static const core::CommandBody kCall = core::CallNext{"w11"};
  return kCall;
}

// A town hall in mid-morning: every window open and busy, 500 waiting, about
// 500 served already; `events` holds the last command's events.
HallDriver& town_at_500() {
  static HallDriver* driver = [] {
    auto* d = new HallDriver(hall_config(HallSize::kTown), policy::find_policy("balanced"), true);
    d->open_all();
    d->fill(500);
    for (int i = 0; i < 2000; ++i) d->step();
    return d;
  }();
  return *driver;
}

// The same hall late on a busy day: 70,000 commands since the start, so the
// request-id memory is full (65,536 ids), as it is in a running engine.
HallDriver& town_full_memory() {
  static HallDriver* driver = [] {
    auto* d = new HallDriver(hall_config(HallSize::kTown), policy::find_policy("balanced"), true);
    d->open_all();
    d->fill(500);
    while (d->commands() < 70'000) d->step();
    return d;
  }();
  return *driver;
}

// --- requests

void BM_RequestEncode(benchmark::State& state, const core::CommandBody& cmd) {
  for (auto _ : state) benchmark::DoNotOptimize(protocol::encode_request(kRequestId, "town", cmd));
  state.SetItemsProcessed(state.iterations());
}

void BM_RequestVerify(benchmark::State& state, const core::CommandBody& cmd) {
  const std::string bytes = protocol::encode_request(kRequestId, "town", cmd);
  for (auto _ : state) benchmark::DoNotOptimize(protocol::inspect(as_bytes(bytes)));
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(bytes.size());
}

void BM_RequestDecode(benchmark::State& state, const core::CommandBody& cmd) {
  const std::string bytes = protocol::encode_request(kRequestId, "town", cmd);
  protocol::DecodedRequest out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(protocol::decode_request(as_bytes(bytes), out).ok());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RequestRoundTrip(benchmark::State& state, const core::CommandBody& cmd) {
  protocol::DecodedRequest out;
  for (auto _ : state) {
    const std::string bytes = protocol::encode_request(kRequestId, "town", cmd);
    if (protocol::inspect(as_bytes(bytes)) != MessageKind::kRequest) state.SkipWithError("not a request");
    benchmark::DoNotOptimize(protocol::decode_request(as_bytes(bytes), out).ok());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

// --- events (ticket_issued: 12 fields with its envelope, the DESIGN example)

// Issued once: the snapshot benchmarks share the hall.
const core::Event& issued_event() {
  static const core::Event kEvent = [] {
    HallDriver& d = town_at_500();
    (void)d.apply(core::IssueTicket{"social"});
    return d.events().back();
  }();
  return kEvent;
}

void BM_EventEncode(benchmark::State& state) {
  const core::Event& e = issued_event();
  const core::Hall& hall = town_at_500().hall();
  for (auto _ : state) benchmark::DoNotOptimize(protocol::encode_event(hall, e, kRequestId));
  state.SetItemsProcessed(state.iterations());
}

void BM_EventVerify(benchmark::State& state) {
  const std::string bytes = protocol::encode_event(town_at_500().hall(), issued_event(), kRequestId);
  for (auto _ : state) benchmark::DoNotOptimize(protocol::inspect(as_bytes(bytes)));
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(bytes.size());
}

void BM_EventDecode(benchmark::State& state) {
  const std::string bytes = protocol::encode_event(town_at_500().hall(), issued_event(), kRequestId);
  const core::HallConfig& cfg = town_at_500().config();
  protocol::DecodedEvent out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(protocol::decode_event(as_bytes(bytes), cfg, out).ok());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EventRoundTrip(benchmark::State& state) {
  const core::Event& e = issued_event();
  const core::Hall& hall = town_at_500().hall();
  protocol::DecodedEvent out;
  for (auto _ : state) {
    const std::string bytes = protocol::encode_event(hall, e, kRequestId);
    if (protocol::inspect(as_bytes(bytes)) != MessageKind::kEvent) state.SkipWithError("not an event");
    benchmark::DoNotOptimize(protocol::decode_event(as_bytes(bytes), hall.config(), out).ok());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

// --- replies: the engine's answer to an accepted command (its one event nested)

void BM_ReplyRoundTrip(benchmark::State& state) {
  const std::string event = protocol::encode_event(town_at_500().hall(), issued_event(), kRequestId);
  protocol::ReplySpec spec;
  spec.request_id = kRequestId;
  spec.events.push_back(event);
  std::size_t size = 0;
  for (auto _ : state) {
    const std::string bytes = protocol::encode_reply(spec);
    if (protocol::inspect(as_bytes(bytes)) != MessageKind::kReply) state.SkipWithError("not a reply");
    benchmark::DoNotOptimize(protocol::decode_reply(as_bytes(bytes)));
    size = bytes.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(size);
}

// --- snapshots of the town hall with 500 waiting

void snapshot_counters(benchmark::State& state, const std::string& bytes, const core::Hall& hall) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
  state.counters["bytes"] = static_cast<double>(bytes.size());
  state.counters["tickets"] = static_cast<double>(hall.tickets().size());
  state.counters["waiting"] = static_cast<double>(hall.waiting_total());
}
void snapshot_counters(benchmark::State& state, const std::string& bytes) {
  snapshot_counters(state, bytes, town_at_500().hall());
}

// Encoding reads the whole state through Hall::export_state, request ids
// included even when they are not encoded; `full_memory` shows what a full
// request-id memory adds.
void BM_SnapshotEncode(benchmark::State& state, bool with_requests, bool full_memory) {
  const core::Hall& hall = (full_memory ? town_full_memory() : town_at_500()).hall();
  std::string bytes;
  for (auto _ : state) {
    bytes = protocol::encode_snapshot(hall, 42, with_requests);
    benchmark::DoNotOptimize(bytes.data());
  }
  snapshot_counters(state, bytes, hall);
}

void BM_SnapshotVerify(benchmark::State& state) {
  const std::string bytes = protocol::encode_snapshot(town_at_500().hall(), 42, false);
  for (auto _ : state) benchmark::DoNotOptimize(protocol::inspect(as_bytes(bytes)));
  snapshot_counters(state, bytes);
}

void BM_SnapshotDecode(benchmark::State& state) {
  const std::string bytes = protocol::encode_snapshot(town_at_500().hall(), 42, false);
  for (auto _ : state) {
    protocol::DecodedSnapshot out;
    benchmark::DoNotOptimize(protocol::decode_snapshot(as_bytes(bytes), out).ok());
  }
  snapshot_counters(state, bytes);
}

void BM_SnapshotRoundTrip(benchmark::State& state) {
  const core::Hall& hall = town_at_500().hall();
  std::string bytes;
  for (auto _ : state) {
    bytes = protocol::encode_snapshot(hall, 42, false);
    if (protocol::inspect(as_bytes(bytes)) != MessageKind::kSnapshot) state.SkipWithError("not a snapshot");
    protocol::DecodedSnapshot out;
    benchmark::DoNotOptimize(protocol::decode_snapshot(as_bytes(bytes), out).ok());
  }
  snapshot_counters(state, bytes);
}

void register_all() {
  using benchmark::RegisterBenchmark;
  RegisterBenchmark("request/issue/encode", BM_RequestEncode, issue_command());
  RegisterBenchmark("request/issue/verify", BM_RequestVerify, issue_command());
  RegisterBenchmark("request/issue/decode", BM_RequestDecode, issue_command());
  RegisterBenchmark("request/issue/round_trip", BM_RequestRoundTrip, issue_command());
  RegisterBenchmark("request/call_next/round_trip", BM_RequestRoundTrip, call_command());
  RegisterBenchmark("event/ticket_issued/encode", BM_EventEncode);
  RegisterBenchmark("event/ticket_issued/verify", BM_EventVerify);
  RegisterBenchmark("event/ticket_issued/decode", BM_EventDecode);
  RegisterBenchmark("event/ticket_issued/round_trip", BM_EventRoundTrip);
  RegisterBenchmark("reply/one_event/round_trip", BM_ReplyRoundTrip);
  RegisterBenchmark("snapshot/town/waiting:500/encode", BM_SnapshotEncode, false, false);
  RegisterBenchmark("snapshot/town/waiting:500/encode_with_requests", BM_SnapshotEncode, true, false);
  RegisterBenchmark("snapshot/town/waiting:500/ids:65536/encode", BM_SnapshotEncode, false, true);
  RegisterBenchmark("snapshot/town/waiting:500/ids:65536/encode_with_requests", BM_SnapshotEncode, true,
                    true);
  RegisterBenchmark("snapshot/town/waiting:500/verify", BM_SnapshotVerify);
  RegisterBenchmark("snapshot/town/waiting:500/decode", BM_SnapshotDecode);
  RegisterBenchmark("snapshot/town/waiting:500/round_trip", BM_SnapshotRoundTrip);
}

}  // namespace
}  // namespace hallq::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  hallq::bench::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
