// 重新上报 requests at the same instant (issue 21), against the real hallqd:
// a record the platform refused, many managers' requests to re-send it sent
// together from threads of their own, round after round. Each round exactly
// one is accepted and the rest get 409 with its Chinese message; the event
// log (read here from hallqd's store, opened read-only beside it) holds
// exactly one UploadResendRequested per round. A request already pending
// stays 409 across a restart of hallqd, and a retry with its key still gets
// its first outcome.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <functional>
#include <latch>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/store/event_store.h"
#include "tests/adapters/upload/accepted_events.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

namespace http = boost::beast::http;
using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
constexpr int kRequests = 24;  // per round, each on a thread and connection of its own

// The log's upload events of one record, counted from the store itself.
struct LogCount {
  int rejected = 0, resend_requested = 0;
};

class ResendRaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{kTown}, dir_.sub("data"),
                                              std::vector<std::string>{"--advise-every", "0"});
    connect();
  }

  void connect() {
    client::ClientOptions o;
    o.timeout = 3s;
    client_ = std::make_unique<client::Client>(ctx_, engine_->cmd(), o);
  }

  std::vector<protocol::EventSummary> command(const core::CommandBody& body) {
    return accepted_events(*client_, body);
  }

  LogCount count(const std::string& record_id) const {
    LogCount n;
    store::EventStore store({.dir = dir_.sub("data"), .read_only = true});
    std::string buffer;  // aligned for FlatBuffers
    store.for_each_event("town", 1, [&](std::uint64_t, std::string_view raw) {
      buffer.assign(raw);
      const protocol::Bytes bytes = protocol::as_bytes(buffer);
      const bool rejected = protocol::is_upload_rejection(bytes);
      const bool resend = protocol::is_upload_resend_request(bytes);
      if ((rejected || resend) && protocol::describe_event(bytes).record_id == record_id)
        ++(rejected ? n.rejected : n.resend_requested);
      return true;
    });
    return n;
  }

  // hallq-upload's report of the platform's refusal of `id` (its `resend`th re-send; 0: the record).
  void reject(const std::string& id, int resend, const std::string& reason) {
    json body = {{"record_id", id}, {"status", 422}, {"reason", reason}};
    if (resend > 0) body["resend"] = resend;
    const HttpAnswer a = http_request(
        engine_->http(), http::verb::post, "/api/halls/town/upload-rejections", body.dump(),
        HttpRequestOptions{.idempotency_key = resend > 0 ? fmt::format("{}~r{}", id, resend) : id});
    ASSERT_EQ(a.status, 200) << a.body;
    ASSERT_EQ(a.j()["duplicate"], false) << a.body;
  }

  HttpAnswer resend(const std::string& id, const std::string& key) const {
    return http_request(engine_->http(), http::verb::post,
                        "/api/halls/town/upload-rejections/" + id + "/resend", "{}",
                        HttpRequestOptions{.idempotency_key = key});
  }

  // kRequests re-send requests of `id` released together; request i's key is keys(i).
  std::vector<HttpAnswer> race(const std::string& id, const std::function<std::string(int)>& keys) const {
    std::vector<HttpAnswer> answers(kRequests);
    std::latch ready(kRequests);
    std::vector<std::thread> threads;
    for (int i = 0; i < kRequests; ++i)
      threads.emplace_back([&, i] {
        ready.arrive_and_wait();
        try {
          answers[i] = resend(id, keys(i));
        } catch (const std::exception& e) {
          answers[i].body = e.what();  // status 0: fails below with the reason
        }
      });
    for (std::thread& t : threads) t.join();
    return answers;
  }

  TempDir dir_{"hallq-resend-race"};
  zmq::context_t ctx_;
  std::unique_ptr<EngineProcess> engine_;
  std::unique_ptr<client::Client> client_;
};

TEST_F(ResendRaceTest, OneOfManyRequestsAtTheSameInstantIsAcceptedEveryRoundAndAcrossARestart) {
  // A rated ticket: its record, refused by the platform.
  const std::vector<protocol::EventSummary> issued = command(core::IssueTicket{"social"});
  ASSERT_FALSE(issued.empty());
  command(core::OpenWindow{"w1", "s01"});
  command(core::CallNext{"w1"});
  command(core::StartService{"w1"});
  command(core::Finish{"w1"});
  command(core::Evaluate{issued.front().number, 2, "w1"});
  const std::string id = fmt::format("town-E-{}", issued.front().ticket);
  reject(id, 0, "事项编码不存在");

  constexpr int kRounds = 6;
  std::string last_winner;
  for (int round = 1; round <= kRounds; ++round) {
    SCOPED_TRACE(fmt::format("round {}", round));
    if (round > 1) reject(id, round - 1, fmt::format("第 {} 次重新上报被拒", round - 1));
    // Different requests (each its own key), or, the last round, one request sent many times.
    const bool same_key = round == kRounds;
    const std::vector<HttpAnswer> answers = race(
        id, [&](int i) { return same_key ? fmt::format("r{}", round) : fmt::format("r{}-{}", round, i); });
    int accepted = 0, refused = 0, retries = 0;
    for (int i = 0; i < kRequests; ++i) {
      const HttpAnswer& a = answers[i];
      if (a.status == 200 && a.j()["duplicate"] == false) {
        ++accepted;
        last_winner = same_key ? fmt::format("r{}", round) : fmt::format("r{}-{}", round, i);
      } else if (a.status == 200 && same_key && a.j()["duplicate"] == true) {
        ++retries;
      } else {
        EXPECT_EQ(a.status, 409) << a.body;
        EXPECT_FALSE(same_key) << a.body;
        EXPECT_NE(a.body.find("已申请重新上报，等待上报结果"), std::string::npos) << a.body;
        ++refused;
      }
    }
    EXPECT_EQ(accepted, 1);
    EXPECT_EQ(refused + retries, kRequests - 1);
    const LogCount n = count(id);
    EXPECT_EQ(n.rejected, round);
    EXPECT_EQ(n.resend_requested, round);  // exactly one event per round, whatever the timing
  }

  // Pending across a restart: another request is 409, the winner's retry its first outcome.
  engine_->kill9();
  engine_->restart();
  HttpAnswer a = resend(id, "after-restart");
  EXPECT_EQ(a.status, 409) << a.body;
  EXPECT_NE(a.body.find("已申请重新上报"), std::string::npos) << a.body;
  a = resend(id, last_winner);
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.j()["duplicate"], true) << a.body;
  // Requests of other records are not held up or confused with it: never rejected, 404.
  a = resend(fmt::format("town-E-{}", issued.front().ticket + 1), "other");
  EXPECT_EQ(a.status, 404) << a.body;
  const LogCount n = count(id);
  EXPECT_EQ(n.rejected, kRounds);
  EXPECT_EQ(n.resend_requested, kRounds);
}

}  // namespace
}  // namespace hallq::testing
