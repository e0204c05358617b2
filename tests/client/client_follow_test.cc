// The client follows not_owner to the owner's endpoint at most once per
// command: two engines naming each other cannot make it loop, and an owner
// that does not answer sends it back where it was. The engines are stand-ins
// on real loopback ZeroMQ sockets that answer every request not_owner,
// naming an endpoint the test chooses.
#include <gtest/gtest.h>

#include <string>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "tests/client/stand_in_engine.h"

namespace hallq::client::test {
namespace {

using namespace std::chrono_literals;

TEST(ClientFollow, TwoEnginesNamingEachOtherGetOneHopNoLoop) {
  zmq::context_t ctx;
  NotOwnerEngine a(ctx), b(ctx);
  a.start("engine-b", b.endpoint());
  b.start("engine-a", a.endpoint());
  std::vector<std::string> hops;
  Client c(ctx, a.endpoint(),
           {.timeout = 2s,
            .attempts = 1,
            .follow_owner = true,
            .on_follow = [&](std::string_view, const std::string& from, const std::string& to,
                             const std::string& engine) { hops.push_back(from + ">" + to + ":" + engine); }});
  const std::string id = c.next_request_id();
  auto r = c.command("town", core::IssueTicket{"social"}, id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, core::ErrorCode::kNotOwner);
  EXPECT_EQ(r->owner_engine, "engine-a") << "the second engine's answer, returned as it is";
  ASSERT_EQ(hops.size(), 1u);
  EXPECT_EQ(hops[0], a.endpoint() + ">" + b.endpoint() + ":engine-b");
  EXPECT_EQ(a.ids(), std::vector<std::string>{id});
  EXPECT_EQ(b.ids(), std::vector<std::string>{id}) << "the same request id, sent once";
  EXPECT_EQ(c.endpoint(), b.endpoint());
}

TEST(ClientFollow, AnOwnerThatDoesNotAnswerSendsTheClientBack) {
  zmq::context_t ctx;
  NotOwnerEngine silent(ctx, /*silent=*/true), a(ctx);
  a.start("engine-x", silent.endpoint());
  silent.start("", "");
  Client c(ctx, a.endpoint(),
           {.timeout = 300ms, .attempts = 1, .follow_owner = true, .on_follow = [](auto&&...) {}});
  auto r = c.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, core::ErrorCode::kNotOwner);
  EXPECT_EQ(r->owner_engine, "engine-x");
  EXPECT_EQ(c.endpoint(), a.endpoint()) << "back where it was";
  EXPECT_EQ(silent.ids().size(), 1u);
}

TEST(ClientFollow, FollowingCanBeTurnedOff) {
  zmq::context_t ctx;
  NotOwnerEngine a(ctx), b(ctx);
  a.start("engine-b", b.endpoint());
  b.start("engine-a", a.endpoint());
  Client c(ctx, a.endpoint(), {.timeout = 2s, .attempts = 1, .follow_owner = false});
  auto r = c.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->owner_endpoint, b.endpoint());
  EXPECT_TRUE(b.ids().empty());
  EXPECT_EQ(c.endpoint(), a.endpoint());
}

}  // namespace
}  // namespace hallq::client::test
