// Writes the binary seed corpora of the fuzz targets: valid encoded messages
// as the engine and its clients exchange them, so the fuzzers start from deep
// inside the decoders instead of guessing FlatBuffers layouts.
//   request/   every command kind (town and district ids), a snapshot
//              request, a ping, events of a mid-day hall, a heartbeat, replies
//   snapshot/  mid-day snapshots of the three sample halls, with and without
//              request memory, and an empty hall's
// Usage: hallq_fuzz_corpus_gen OUT_DIR  (e.g. fuzz/corpus). Deterministic:
// the same tree writes the same files. Exit 1 on a write failure.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "fuzz/fuzz_halls.h"

namespace {

using namespace hallq;
namespace fs = std::filesystem;

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
}

std::vector<core::CommandBody> commands(const core::HallConfig& c) {
  const std::string_view w = c.windows.front().id;
  const std::string_view s = c.services.front().id;
  const std::string_view s2 = c.services.back().id;
  const std::string_view staff = c.staff.empty() ? std::string_view() : std::string_view(c.staff.front().id);
  return {core::IssueTicket{s, core::Priority::kNormal},
          core::IssueTicket{s2, core::Priority::kAppointment},
          core::OpenWindow{w, staff},
          core::CloseWindow{w},
          core::PauseWindow{w},
          core::ResumeWindow{w},
          core::CallNext{w},
          core::CallTicket{w, "A001"},
          core::Recall{w},
          core::StartService{w},
          core::SkipTicket{w},
          core::Reactivate{"A002"},
          core::HoldTicket{w},
          core::UnholdTicket{"A001"},
          core::Transfer{w, s2},
          core::Finish{w},
          core::Evaluate{"A001", 5, w},
          core::Cancel{"A003", core::LeaveReason::kCancelled},
          core::SetWindowSkills{w, {{s, 1}, {s2, 2}}},
          core::AcceptAdvisory{1, staff},
          core::SetNotice{"今日下午社保窗口暂停办理，请到兜底综合窗口。"}};
}

void requests(const fs::path& dir) {
  for (std::size_t h = 0; h < 2; ++h) {  // town, district
    const core::HallConfig& c = fuzz::sample_config(h);
    const auto cmds = commands(c);
    for (std::size_t i = 0; i < cmds.size(); ++i) {
      write(dir, fmt::format("{}-{:02}-{}", c.id, i, core::verb(cmds[i])),
            protocol::encode_request(fmt::format("seed-{}-{}", h, i), c.id, cmds[i]));
    }
    write(dir, fmt::format("{}-snapshot-request", c.id), protocol::encode_snapshot_request("seed-snap", c.id));
  }
  write(dir, "ping", protocol::encode_ping("seed-ping"));

  // What comes back: events of a mid-day hall going on, a heartbeat, replies.
  auto hall = fuzz::mid_day_hall(0);
  std::vector<core::Event> out;
  const core::TimeUs now = fuzz::mid_day_now();
  for (const auto& body : commands(hall->config())) (void)hall->apply(core::Command{"seed", body}, now, out);
  std::vector<std::string> events;
  for (const core::Event& e : out) events.push_back(protocol::encode_event(*hall, e, "seed"));
  for (std::size_t i = 0; i < events.size() && i < 12; ++i) write(dir, fmt::format("event-{:02}", i), events[i]);
  write(dir, "heartbeat", protocol::encode_heartbeat({"town", hall->seq(), 42, now}));
  protocol::ReplySpec spec;
  spec.request_id = "seed";
  if (!events.empty()) spec.events = {events.front()};
  write(dir, "reply-events", protocol::encode_reply(spec));
  protocol::ReplySpec refused;
  refused.request_id = "seed";
  refused.code = core::ErrorCode::kQueueEmpty;
  refused.message = "没有等候的群众";
  write(dir, "reply-refused", protocol::encode_reply(refused));
}

void snapshots(const fs::path& dir) {
  for (std::size_t h = 0; h < fuzz::kSampleHalls; ++h) {
    auto hall = fuzz::mid_day_hall(h);
    write(dir, fmt::format("{}-mid-day", hall->config().id), protocol::encode_snapshot(*hall, 7, false));
    write(dir, fmt::format("{}-mid-day-requests", hall->config().id), protocol::encode_snapshot(*hall, 7, true));
  }
  auto cfg = fuzz::sample_config_ptr(0);
  core::Hall empty(cfg, policy::find_policy("balanced"), &predict::default_predictor());
  write(dir, "town-empty", protocol::encode_snapshot(empty, 1, false));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " OUT_DIR\n";
    return 2;
  }
  try {
    requests(fs::path(argv[1]) / "request");
    snapshots(fs::path(argv[1]) / "snapshot");
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
