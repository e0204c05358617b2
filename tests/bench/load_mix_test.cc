// hallq_load's request mixes: what each client sends, in what proportions,
// and that every request (the setup's too) is one the engine's decoder takes.
#include "bench/load_mix.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/protocol/message.h"
#include "engine/protocol/request_codec.h"

namespace hallq::bench {
namespace {

// A hall with three services and four windows; w1 and w2 serve social first,
// w3 civil, w4 tax.
HallInfo a_hall(const std::string& id) {
  auto cfg = std::make_shared<core::HallConfig>();
  cfg->id = id;
  cfg->name = "负载测试";
  cfg->hours = {{0, 24 * 60}};
  cfg->services = {{"social", "社保", "A", core::ServiceKind::kInstant, 5},
                   {"civil", "民政", "B", core::ServiceKind::kInstant, 5},
                   {"tax", "税务", "C", core::ServiceKind::kInstant, 5}};
  cfg->windows = {{"w1", 1, "一", core::WindowKind::kClassified, {{0, 1}}},
                  {"w2", 2, "二", core::WindowKind::kClassified, {{0, 1}, {1, 2}}},
                  {"w3", 3, "三", core::WindowKind::kClassified, {{1, 1}}},
                  {"w4", 4, "四", core::WindowKind::kClassified, {{2, 1}, {0, 2}}}};
  cfg->staff = {{"s1", "甲"}, {"s2", "乙"}};
  if (auto problem = cfg->validate_and_index()) ADD_FAILURE() << problem->message;
  HallInfo h{id, cfg, {}};
  h.state.windows.resize(cfg->windows.size());  // all closed
  return h;
}

std::string_view service_of(const core::CommandBody& body) {
  return std::get<core::IssueTicket>(body).service;
}

std::string_view window_of(const core::CommandBody& body) {
  return std::visit(
      [](const auto& c) -> std::string_view {
        if constexpr (requires { std::string_view(c.window); })
          return c.window;
        else
          return {};
      },
      body);
}

// The request as the engine decodes it: the same hall and verb.
::testing::AssertionResult decodes(std::string_view hall, const core::CommandBody& body) {
  const std::string bytes = protocol::encode_request("lg-0-1", hall, body);
  if (protocol::inspect(protocol::as_bytes(bytes)) != protocol::MessageKind::kRequest)
    return ::testing::AssertionFailure() << core::verb(body) << ": not a verified request";
  protocol::DecodedRequest r;
  if (core::Status st = protocol::decode_request(protocol::as_bytes(bytes), r); !st)
    return ::testing::AssertionFailure() << core::verb(body) << ": " << st.message();
  if (r.hall != hall || r.kind != protocol::RequestKind::kCommand ||
      core::verb(r.command) != core::verb(body))
    return ::testing::AssertionFailure() << core::verb(body) << ": decoded as another request";
  return ::testing::AssertionSuccess();
}

TEST(LoadMix, IssueSpreadsTicketsEvenlyOverTheServicesOfEachHall) {
  const std::vector<HallInfo> halls = {a_hall("a"), a_hall("b"), a_hall("c"), a_hall("d")};
  // Two clients, four halls: client 0 works on halls a and c, client 1 on b and d.
  const auto sources = make_sources("issue", halls, 2);
  ASSERT_EQ(sources.size(), 2u);
  std::map<std::string, std::map<std::string, int>> per_hall;  // hall -> service -> tickets
  for (int i = 0; i < 600; ++i) {
    const Command c = sources[0]->next();
    ASSERT_TRUE(std::holds_alternative<core::IssueTicket>(c.body));
    ASSERT_TRUE(decodes(c.hall, c.body));
    ++per_hall[std::string(c.hall)][std::string(service_of(c.body))];
  }
  ASSERT_EQ(per_hall.size(), 2u);
  for (const std::string hall : {"a", "c"})
    EXPECT_EQ(per_hall[hall], (std::map<std::string, int>{{"civil", 100}, {"social", 100}, {"tax", 100}}))
        << hall;
  EXPECT_EQ(sources[1]->next().hall, "b");
  EXPECT_FALSE(sources[0]->expected(core::ErrorCode::kQueueEmpty));  // a kiosk expects no refusal
}

TEST(LoadMix, CycleRunsIssueCallStartFinishAtEachOwnedWindow) {
  const std::vector<HallInfo> halls = {a_hall("town")};
  const auto sources = make_sources("cycle", halls, 2);
  ASSERT_EQ(sources.size(), 2u);
  std::map<std::string, std::vector<std::string>> seen;  // window -> verbs in order
  std::map<std::string, int> verbs;
  for (int i = 0; i < 800; ++i) {
    const Command c = sources[0]->next();
    ASSERT_EQ(c.hall, "town");
    ASSERT_TRUE(decodes(c.hall, c.body));
    ++verbs[std::string(core::verb(c.body))];
    // The issue of a window's cycle is for the window's primary service.
    const std::string window = std::holds_alternative<core::IssueTicket>(c.body)
                                   ? std::string(service_of(c.body) == "social" ? "w1" : "w3")
                                   : std::string(window_of(c.body));
    seen[window].push_back(std::string(core::verb(c.body)));
  }
  // A quarter each of issue, call-next, start and finish.
  for (const auto& [verb, n] : verbs) EXPECT_EQ(n, 200) << verb;
  EXPECT_EQ(verbs.size(), 4u);
  // Client 0 of 2 owns w1 and w3, half the commands each, cycle by cycle.
  ASSERT_EQ(seen.size(), 2u);
  for (const std::string w : {"w1", "w3"}) {
    ASSERT_EQ(seen[w].size(), 400u) << w;
    for (std::size_t i = 0; i < seen[w].size(); i += 4)
      EXPECT_EQ(std::vector<std::string>(seen[w].begin() + i, seen[w].begin() + i + 4),
                (std::vector<std::string>{"issue", "call", "start", "finish"}))
          << w << " at " << i;
  }
  // Client 1 has the other windows.
  std::set<std::string> others;
  for (int i = 0; i < 8; ++i) {
    const Command c = sources[1]->next();
    if (!std::holds_alternative<core::IssueTicket>(c.body)) others.insert(std::string(window_of(c.body)));
  }
  EXPECT_EQ(others, (std::set<std::string>{"w2", "w4"}));
  // Another window may take the ticket this one issued: nothing to call or finish.
  EXPECT_TRUE(sources[0]->expected(core::ErrorCode::kQueueEmpty));
  EXPECT_TRUE(sources[0]->expected(core::ErrorCode::kNoCurrentTicket));
  EXPECT_FALSE(sources[0]->expected(core::ErrorCode::kWindowClosed));
}

TEST(LoadMix, ClientsAreSpreadOverEveryHall) {
  EXPECT_EQ(halls_of_client(5, 8, 3), (std::vector<std::size_t>{2}));  // more clients: c mod N
  EXPECT_EQ(halls_of_client(1, 3, 8), (std::vector<std::size_t>{1, 4, 7}));
  std::multiset<std::size_t> covered;
  for (int c = 0; c < 3; ++c)
    for (std::size_t h : halls_of_client(c, 3, 8)) covered.insert(h);
  EXPECT_EQ(covered.size(), 8u);
  EXPECT_EQ(std::set<std::size_t>(covered.begin(), covered.end()).size(), 8u);  // each hall once
}

TEST(LoadMix, TheCycleNeedsAWindowPerClient) {
  const std::vector<HallInfo> halls = {a_hall("a"), a_hall("b")};
  EXPECT_NO_THROW(require_a_window_per_client(halls, 8));  // four per hall
  EXPECT_THROW(require_a_window_per_client(halls, 9), std::runtime_error);
}

TEST(LoadMix, SetupOpensTheWindowsFreesBusyOnesAndFillsTheQueues) {
  HallInfo hall = a_hall("town");
  hall.state.windows[1].state = core::WindowState::kPaused;
  hall.state.windows[1].current = 7;  // left busy by an earlier run
  hall.state.windows[2].state = core::WindowState::kOpen;
  std::vector<SetupCommand> setup;
  prepare_cycle(hall, 8, setup);
  std::vector<std::string> what;
  for (const SetupCommand& c : setup) {
    ASSERT_TRUE(decodes(c.hall, c.body));
    what.push_back(std::string(core::verb(c.body)) + " " +
                   (std::holds_alternative<core::IssueTicket>(c.body) ? std::string(service_of(c.body))
                                                                      : std::string(window_of(c.body))) +
                   (c.must ? "" : " (may be refused)"));
  }
  EXPECT_EQ(what, (std::vector<std::string>{"open w1", "resume w2", "start w2 (may be refused)",
                                            "finish w2 (may be refused)", "open w4",
                                            // The prefill: each window's primary service in turn.
                                            "issue social", "issue social", "issue civil", "issue tax",
                                            "issue social", "issue social", "issue civil", "issue tax"}));
  EXPECT_EQ(std::get<core::OpenWindow>(setup[0].body).staff, "s1");
  EXPECT_EQ(std::get<core::OpenWindow>(setup[4].body).staff, "s2");  // w4: staff 3 % 2
}

}  // namespace
}  // namespace hallq::bench
