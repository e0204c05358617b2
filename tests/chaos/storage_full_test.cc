// Storage faults with the real hallqd, three ways the store can stop taking
// writes:
//   - the disk fills up: the data dir is a small tmpfs that another file
//     fills, as when logs or scans fill a hall PC's disk (needs the right to
//     mount; skipped otherwise);
//   - a file-size limit set on the running engine (prlimit RLIMIT_FSIZE),
//     which needs no privilege and fails writes the same way;
//   - the LMDB map reaches the size the engine may grow it to
//     (--map-limit-mib).
// In each case, with a display-like subscriber connected:
//   - a new command is refused with `storage` and a message naming the cause,
//     and changes nothing (the hall's sequence and tickets stay);
//   - reads keep working: snapshots, and the subscriber stays online and
//     current; the engine keeps answering for as long as the fault lasts;
//   - when space returns, the refused request, retried with its id, is
//     accepted (it was never applied) and numbering goes on without a hole;
//   - after kill -9 and a restart every acknowledged ticket is there under
//     its number and nothing else is (no corruption, nothing lost).
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/config/config_loader.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "tests/chaos/engine_hall.h"
#include "tests/support/engine_process.h"
#include "tests/support/program_output.h"
#include "tests/support/temp_dir.h"

namespace hallq::chaos {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using hallq::testing::slurp;
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
const char* const kServices[] = {"social", "estate", "business", "police", "civil", "consult", "tax"};

// The town hall as a kiosk and a display see it.
class Hall {
 public:
  explicit Hall(const testing::EngineProcess& engine)
      : client_(ctx_, engine.cmd(), {.timeout = 2s, .attempts = 2}),
        display_(ctx_, engine.cmd(), engine.pub(), {"town"}) {}

  // Issues tickets (services in turn, `window` requests in flight, so group
  // commits fill the store quickly) until one is refused; returns the first
  // refusal and its request id in `refused_id`, after every reply came in.
  protocol::DecodedReply issue_until_refused(std::string& refused_id, int limit = 50'000, int window = 32) {
    std::optional<protocol::DecodedReply> refusal;
    int sent = 0, in_flight = 0;
    while (in_flight > 0 || (!refusal && sent < limit)) {
      while (!refusal && sent < limit && in_flight < window) {
        const std::string id = client_.next_request_id();
        const std::string bytes =
            protocol::encode_request(id, "town", core::IssueTicket{kServices[next_service_++ % 7]});
        if (!client_.send(bytes)) {
          ADD_FAILURE() << "cannot send";
          return {};
        }
        ++sent, ++in_flight;
      }
      auto r = client_.receive(5s);
      if (!r) {
        ADD_FAILURE() << "the engine stopped answering after " << acked_.size() << " tickets";
        return {};
      }
      --in_flight;
      if (r->ok()) {
        const auto e = protocol::describe_event(protocol::as_bytes(r->events.back()));
        acked_.push_back({e.number, e.ticket});
      } else if (!refusal) {
        refused_id = r->request_id;
        refusal = std::move(r);
      }
    }
    if (!refusal) ADD_FAILURE() << "no refusal after " << limit << " tickets";
    return refusal ? *refusal : protocol::DecodedReply{};
  }

  std::optional<protocol::DecodedReply> issue(const std::string& id) {
    auto r = client_.command("town", core::IssueTicket{kServices[next_service_++ % 7]}, id);
    if (r && r->ok()) {
      const auto e = protocol::describe_event(protocol::as_bytes(r->events.back()));
      acked_.push_back({e.number, e.ticket});
    }
    return r;
  }

  // The display is online and its replica is the engine's state.
  bool display_current(core::Seq seq, std::chrono::milliseconds limit = 5s) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      const core::Hall* h = display_.hall("town");
      if (h != nullptr && display_.synced("town") && display_.online("town") && h->seq() == seq) return true;
      display_.poll(5ms);
    }
    return false;
  }

  // Every acknowledged ticket is in `hall` under its number, and no other.
  void expect_exactly_acknowledged(const core::Hall& hall) const {
    for (const auto& [number, ticket] : acked_) {
      const core::Ticket* t = hall.find_number(number);
      ASSERT_NE(t, nullptr) << "acknowledged " << number << " is lost";
      EXPECT_EQ(t->id, ticket) << number;
    }
    EXPECT_EQ(hall.tickets().size(), acked_.size());
  }

  client::Client& client() { return client_; }
  std::size_t acknowledged() const { return acked_.size(); }

 private:
  zmq::context_t ctx_;
  client::Client client_;
  client::Subscriber display_;
  std::vector<std::pair<std::string, core::TicketId>> acked_;
  unsigned next_service_ = 0;
};

// The checks every fault shares: `fill` makes writes fail, `free` undoes it.
void survive(testing::EngineProcess& engine, const std::string& stderr_path,
             const std::function<void()>& fill, const std::function<void()>& free, const std::string& cause) {
  Hall hall(engine);
  // A working hall first.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(hall.issue(hall.client().next_request_id()));
  fill();

  std::string refused_id;
  const protocol::DecodedReply refusal = hall.issue_until_refused(refused_id);
  ASSERT_EQ(refusal.code, core::ErrorCode::kStorage) << refusal.message;
  EXPECT_NE(refusal.message.find("存储失败，命令未执行"), std::string::npos) << refusal.message;
  EXPECT_NE(refusal.message.find(cause), std::string::npos) << refusal.message;
  std::cout << "[storage] refused after " << hall.acknowledged() << " tickets: " << refusal.message << "\n";

  // Nothing changed, reads work, the display stays current.
  auto before = engine_hall(hall.client(), "town");
  ASSERT_NE(before, nullptr) << "snapshots must be served while the store is full";
  hall.expect_exactly_acknowledged(*before);
  EXPECT_TRUE(hall.display_current(before->seq())) << "the display fell behind or went offline";
  // It keeps answering while the disk is full: a command that still fits
  // (LMDB reuses its freed pages) is accepted durably, any other is refused.
  for (int i = 0; i < 10; ++i) {
    auto again = hall.issue(hall.client().next_request_id());
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->ok() || again->code == core::ErrorCode::kStorage) << again->message;
  }
  auto ping = hall.client().ping();
  ASSERT_TRUE(ping && ping->ok());
  auto still = engine_hall(hall.client(), "town");
  ASSERT_NE(still, nullptr);
  hall.expect_exactly_acknowledged(*still);
  EXPECT_NE(slurp(stderr_path).find("storage failing"), std::string::npos) << "the fault was not logged";

  // Space returns: the refused request, retried with its id, is accepted.
  free();
  auto retried = hall.issue(refused_id);
  ASSERT_TRUE(retried);
  ASSERT_TRUE(retried->ok()) << retried->message;
  EXPECT_FALSE(retried->duplicate) << "a refused request must not have been applied";
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(hall.issue(hall.client().next_request_id())->ok());
  auto after = engine_hall(hall.client(), "town");
  ASSERT_NE(after, nullptr);
  hall.expect_exactly_acknowledged(*after);
  EXPECT_TRUE(hall.display_current(after->seq()));
  EXPECT_NE(slurp(stderr_path).find("storage works again"), std::string::npos);

  // Nothing acknowledged lost, nothing else there, after kill -9.
  engine.kill9();
  engine.restart();
  auto recovered = engine_hall(hall.client(), "town");
  ASSERT_NE(recovered, nullptr);
  EXPECT_EQ(recovered->seq(), after->seq());
  hall.expect_exactly_acknowledged(*recovered);
  EXPECT_EQ(protocol::encode_snapshot(*recovered, 0, false), protocol::encode_snapshot(*after, 0, false));
}

std::uint64_t free_bytes(const std::string& path) {
  struct statvfs s {};
  if (::statvfs(path.c_str(), &s) != 0) return 0;
  return static_cast<std::uint64_t>(s.f_bavail) * s.f_frsize;
}

// A tmpfs of `size` mounted at `path` for the test's lifetime.
class SmallDisk {
 public:
  SmallDisk(const std::string& path, const std::string& size) : path_(path) {
    ::mkdir(path.c_str(), 0700);
    const std::string opts = "size=" + size + ",mode=0700";
    if (::mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) == 0)
      mounted_ = true;
    else
      error_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

TEST(StorageFullTest, FullDiskRefusesCommandsKeepsServingReadsAndRecovers) {
  testing::TempDir dir("hallq-diskfull");
  const std::string data = dir.path() + "/data";  // the mount point itself: hallqd's log stays outside
  SmallDisk disk(data, "8m");
  if (!disk.mounted())
    GTEST_SKIP() << "cannot mount a tmpfs here (" << disk.error() << "); the file-size limit test covers it";
  testing::EngineProcess engine({kTown}, data, {"--snapshot-every", "100"});
  const std::string filler = data + "/filler";
  auto fill = [&] {
    // Leave a few pages: the next commits find no room.
    const std::uint64_t room = free_bytes(data);
    ASSERT_GT(room, 64u << 10);
    std::ofstream out(filler, std::ios::binary);
    const std::string chunk(4096, 'x');
    for (std::uint64_t left = room - (32u << 10); left >= chunk.size(); left -= chunk.size()) out << chunk;
    out.close();  // may fail at the very end: the disk is full either way
  };
  auto free = [&] { ASSERT_EQ(std::remove(filler.c_str()), 0); };
  survive(engine, data + ".stderr", fill, free, "磁盘空间不足");
}

TEST(StorageFullTest, FileSizeLimitRefusesCommandsKeepsServingReadsAndRecovers) {
  testing::TempDir dir("hallq-fsize");
  const std::string data = dir.path() + "/data";
  testing::EngineProcess engine({kTown}, data, {"--snapshot-every", "100"});
  rlimit original{};
  ASSERT_EQ(::prlimit(engine.pid(), RLIMIT_FSIZE, nullptr, &original), 0) << std::strerror(errno);
  auto fill = [&] {
    struct stat st {};
    ASSERT_EQ(::stat((data + "/data.mdb").c_str(), &st), 0);
    const rlimit tight{static_cast<rlim_t>(st.st_size) + (32u << 10), original.rlim_max};
    ASSERT_EQ(::prlimit(engine.pid(), RLIMIT_FSIZE, &tight, nullptr), 0) << std::strerror(errno);
  };
  auto free = [&] {
    ASSERT_EQ(::prlimit(engine.pid(), RLIMIT_FSIZE, &original, nullptr), 0) << std::strerror(errno);
  };
  survive(engine, data + ".stderr", fill, free, "磁盘空间不足");
}

TEST(StorageFullTest, MapAtItsLimitRefusesCommandsAndALargerLimitRecovers) {
  testing::TempDir dir("hallq-mapfull");
  const std::string data = dir.path() + "/data";
  // Restarted with a larger limit: a new process on the same data dir. The
  // first engine grows its map up to 1 MiB and then refuses.
  std::unique_ptr<testing::EngineProcess> engine = std::make_unique<testing::EngineProcess>(
      std::vector<std::string>{kTown}, data,
      std::vector<std::string>{"--map-limit-mib", "1", "--snapshot-every", "100"});
  // The same checks as survive(), but the remedy is a restart on new ports.
  Hall hall(*engine);
  std::string refused_id;
  const protocol::DecodedReply refusal = hall.issue_until_refused(refused_id);
  ASSERT_EQ(refusal.code, core::ErrorCode::kStorage) << refusal.message;
  EXPECT_NE(refusal.message.find("--map-limit-mib"), std::string::npos) << refusal.message;
  std::cout << "[storage] refused after " << hall.acknowledged() << " tickets: " << refusal.message << "\n";
  auto before = engine_hall(hall.client(), "town");
  ASSERT_NE(before, nullptr);
  hall.expect_exactly_acknowledged(*before);
  EXPECT_TRUE(hall.display_current(before->seq()));
  EXPECT_NE(slurp(data + ".stderr").find("storage failing"), std::string::npos);

  // An operator raises the limit: the engine is restarted with it.
  engine->kill9();
  engine = std::make_unique<testing::EngineProcess>(std::vector<std::string>{kTown}, data,
                                                    std::vector<std::string>{"--map-limit-mib", "16"});
  Hall after_restart(*engine);
  auto recovered = engine_hall(after_restart.client(), "town");
  ASSERT_NE(recovered, nullptr);
  EXPECT_EQ(recovered->seq(), before->seq());
  hall.expect_exactly_acknowledged(*recovered);
  auto retried = after_restart.issue(refused_id);
  ASSERT_TRUE(retried);
  EXPECT_TRUE(retried->ok()) << retried->message;
  EXPECT_FALSE(retried->duplicate);
}

}  // namespace
}  // namespace hallq::chaos
