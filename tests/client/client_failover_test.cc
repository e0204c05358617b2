// A client given several engines (an owner and its standbys) moves on to the
// next of the list when one does not answer, with the same request id, and
// stays with the engine that answered. The engines are real hallqd processes
// (one killed with SIGKILL) or a stand-in that reads requests and never
// answers, on real loopback sockets. Timeouts are generous: an engine slowed
// by a loaded machine must not look dead (it would be left, and the test fail).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "tests/client/stand_in_engine.h"
#include "tests/support/engine_process.h"
#include "tests/support/temp_dir.h"

namespace hallq::client::test {
namespace {

using namespace std::chrono_literals;
using hallq::testing::EngineProcess;
using hallq::testing::TempDir;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

TEST(ClientFailover, ASilentEngineIsLeftForTheNextOfTheListWithTheSameRequestId) {
  zmq::context_t ctx;
  TempDir dir;
  NotOwnerEngine silent(ctx, /*silent=*/true);
  silent.start("", "");
  EngineProcess engine({kTown}, dir.path() + "/data", {"--advise-every", "0"});
  Client c(ctx, silent.endpoint() + "," + engine.cmd(), {.timeout = 3s, .attempts = 1});
  const std::string id = c.next_request_id();
  auto r = c.command("town", core::IssueTicket{"social"}, id);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->ok()) << r->message;
  EXPECT_EQ(silent.ids(), std::vector<std::string>{id}) << "tried first, once";
  EXPECT_EQ(c.endpoint(), engine.cmd()) << "stays with the engine that answered";
  // The next command goes straight there.
  r = c.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(r && r->ok());
  EXPECT_EQ(silent.ids().size(), 1u);
  // The same id again is the same request: the first answer, no new ticket.
  auto again = c.command("town", core::IssueTicket{"social"}, id);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
}

TEST(ClientFailover, AKilledEngineIsLeftForTheOtherOne) {
  zmq::context_t ctx;
  TempDir dir;
  EngineProcess first({kTown}, dir.path() + "/first", {"--advise-every", "0"});
  EngineProcess second({kTown}, dir.path() + "/second", {"--advise-every", "0"});
  Client c(ctx, first.cmd() + "," + second.cmd(), {.timeout = 3s, .attempts = 1});
  auto r = c.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(r && r->ok());
  EXPECT_EQ(c.endpoint(), first.cmd());
  first.kill9();
  r = c.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok()) << r->message;
  EXPECT_EQ(c.endpoint(), second.cmd());
}

TEST(ClientFailover, AListWithAnEmptyEntryIsRefused) {
  zmq::context_t ctx;
  EXPECT_THROW(Client(ctx, "tcp://127.0.0.1:5570,,tcp://127.0.0.1:5571"), std::invalid_argument);
  EXPECT_THROW(Client(ctx, "tcp://127.0.0.1:5570,"), std::invalid_argument);
  EXPECT_THROW(Client(ctx, ""), std::invalid_argument);
}

}  // namespace
}  // namespace hallq::client::test
