// hallq_replicate_bench: what replication costs per committed batch. A real
// 3-node nats-server cluster on loopback (tests/support/nats_cluster.h) with
// the R3 file-stored events stream; each iteration publishes one batch through
// replicate::Publisher and waits for every acknowledgement, as hallqd's
// replicator does per group commit.
//   BM_Publish/N/H  a batch of N events spread over H halls (N/H rounds)
// Items/s = events stored per second. The cluster starts once per program.
#include <benchmark/benchmark.h>
#include <flatbuffers/flatbuffers.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/protocol/hallq_generated.h"
#include "engine/replicate/nats_connection.h"
#include "engine/replicate/publisher.h"
#include "engine/replicate/stream_setup.h"
#include "tests/support/nats_cluster.h"

namespace hallq::bench {
namespace {

std::string event_bytes(const std::string& hall, core::Seq seq) {
  flatbuffers::FlatBufferBuilder fbb;
  const auto body = wire::CreateNoticeChanged(fbb, fbb.CreateString("请到3号窗口办理"));
  const auto ev =
      wire::CreateEvent(fbb, fbb.CreateString(hall), seq, 1'709'514'000'000'000 + seq, fbb.CreateString(""),
                        0, fbb.CreateString("A012"), 3, wire::EventBody::NoticeChanged, body.Union());
  wire::FinishMessageBuffer(fbb, wire::CreateMessage(fbb, wire::Body::Event, ev.Union()));
  return {reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize()};
}

struct Setup {
  testing::NatsCluster cluster{3};
  std::unique_ptr<replicate::NatsConnection> conn;
  Setup() {
    replicate::NatsConnection::Options o;
    o.urls = replicate::split_urls(cluster.urls());
    o.credentials_file = cluster.engine_credentials();
    conn = std::make_unique<replicate::NatsConnection>(o);
    replicate::ensure_stream(*conn);
  }
};

Setup& setup() {
  static Setup s;
  return s;
}

void BM_Publish(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int halls = static_cast<int>(state.range(1));
  replicate::Publisher pub(*setup().conn);
  static int run = 0;
  const std::string prefix = "b" + std::to_string(++run) + "-";
  std::map<std::string, core::Seq> next;
  std::uint64_t failed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // Event i belongs to hall i % halls; each hall's events follow its previous batch.
    std::vector<std::string> names, bytes;
    std::vector<core::Seq> seqs;
    for (int i = 0; i < n; ++i) {
      names.push_back(prefix + std::to_string(i % halls));
      seqs.push_back(++next[names.back()]);
      bytes.push_back(event_bytes(names.back(), seqs.back()));
    }
    std::vector<replicate::OutEvent> batch;
    for (std::size_t i = 0; i < names.size(); ++i) batch.push_back({names[i], seqs[i], bytes[i]});
    state.ResumeTiming();
    for (const auto& r : pub.publish(batch)) {
      if (r.outcome != replicate::PublishOutcome::kStored) ++failed;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["rounds_per_batch"] =
      static_cast<double>(pub.rounds()) /
      static_cast<double>(std::max<benchmark::IterationCount>(1, state.iterations()));
  state.counters["not_stored"] = static_cast<double>(failed);
}
BENCHMARK(BM_Publish)
    ->Args({1, 1})
    ->Args({8, 1})
    ->Args({8, 8})
    ->Args({64, 8})
    ->Args({64, 64})
    ->Args({256, 64})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace hallq::bench

BENCHMARK_MAIN();
