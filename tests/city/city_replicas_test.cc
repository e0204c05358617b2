// The city view's replicas without a cluster: a town hall driven by its own
// core::Hall (as its engine would), each event encoded as the engine
// publishes it, offered to CityReplicas: applied in order, redeliveries held,
// holes, garbage and other halls' events refused without a change, and a
// config changed at an engine's restart followed from the new snapshot.
#include "displays/city/city_replicas.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>

#include "displays/city/city_figures.h"
#include "engine/config/config_loader.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "tests/support/temp_dir.h"

namespace hallq::city {
namespace {

using Kind = CityReplicas::Outcome::Kind;

// 2026-12-02 (a Wednesday) 10:00 in the hall's UTC+8: inside the town's hours.
constexpr core::TimeUs kTen = 1'764'640'800LL * core::kUsPerSecond;

std::string town_toml() {
  std::ifstream in(std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The engine's side: a hall and the bytes of each event it emits.
struct Engine {
  explicit Engine(std::shared_ptr<core::HallConfig> config)
      : config(std::move(config)),
        hall(this->config, policy::find_policy(policy::kDefaultPolicy), &predict::default_predictor()) {}

  std::vector<std::string> run(const core::CommandBody& body, core::TimeUs now) {
    std::vector<core::Event> events;
    EXPECT_TRUE(hall.apply(core::Command{"", body}, now, events).ok());
    std::vector<std::string> out;
    for (const core::Event& e : events) out.push_back(protocol::encode_event(hall, e, ""));
    return out;
  }
  std::string snapshot() const { return protocol::encode_snapshot(hall, 1, false); }

  std::shared_ptr<core::HallConfig> config;
  core::Hall hall;
};

class CityReplicasTest : public ::testing::Test {
 protected:
  CityReplicasTest() : town(config::parse_hall_config(town_toml(), "town.toml")) {}

  std::vector<std::string> issue(int n, core::TimeUs at = kTen) {
    std::vector<std::string> all;
    for (int i = 0; i < n; ++i)
      for (std::string& b : town.run(core::IssueTicket{"social"}, at + i * core::kUsPerSecond))
        all.push_back(std::move(b));
    return all;
  }
  Kind offer(const std::string& bytes, std::string* why = nullptr) {
    const CityReplicas::Outcome o = replicas.offer("town", bytes, "hallq.events.town stream seq ?");
    if (why != nullptr) *why = o.why;
    return o.kind;
  }
  std::size_t waiting() const { return replicas.hall("town")->waiting_total(); }

  Engine town;
  CityReplicas replicas;
};

TEST_F(CityReplicasTest, FoldsInOrderHoldsRedeliveriesAndRefusesHoles) {
  ASSERT_EQ(replicas.describe("town", town.snapshot(), 1), "");
  EXPECT_EQ(replicas.last_event_us("town"), 0);  // none applied yet
  const std::vector<std::string> ev = issue(5);  // issued one a second from kTen
  ASSERT_EQ(ev.size(), 5u);                      // one TicketIssued each
  for (int i = 0; i < 3; ++i) EXPECT_EQ(offer(ev[i]), Kind::kApplied) << i;
  EXPECT_EQ(waiting(), 3u);
  EXPECT_EQ(replicas.last_event_us("town"), kTen + 2 * core::kUsPerSecond);  // the third's time
  EXPECT_EQ(offer(ev[1]), Kind::kHeld);                                      // a redelivery
  EXPECT_EQ(replicas.last_event_us("town"), kTen + 2 * core::kUsPerSecond);
  std::string why;
  EXPECT_EQ(offer(ev[4], &why), Kind::kGap);  // 5 before 4
  EXPECT_EQ(why, "hallq.events.town stream seq ?: refused: hall seq 5 does not follow 3");
  EXPECT_EQ(replicas.hall("town")->seq(), 3u);
  EXPECT_EQ(offer(ev[3]), Kind::kApplied);
  EXPECT_EQ(offer(ev[4]), Kind::kApplied);
  EXPECT_EQ(waiting(), 5u);
}

TEST_F(CityReplicasTest, GarbageAnotherHallsEventAndAnUnknownHallChangeNothing) {
  const std::vector<std::string> ev = issue(1);
  EXPECT_EQ(replicas.offer("town", ev[0], "x").kind, Kind::kUnknownHall);
  ASSERT_EQ(replicas.describe("town", town.snapshot(), 1), "");  // at seq 1: the event is held
  EXPECT_EQ(offer(ev[0]), Kind::kHeld);
  std::string why;
  EXPECT_EQ(offer("not a flatbuffer at all", &why), Kind::kRefused);
  EXPECT_NE(why.find("refused: not a hallq event"), std::string::npos) << why;
  // A district event (seq 1) offered on town's subject.
  std::string district_toml =
      std::regex_replace(town_toml(), std::regex("id = \"town\""), "id = \"district\"");
  Engine district(config::parse_hall_config(district_toml, "district.toml"));
  const std::vector<std::string> other = district.run(core::IssueTicket{"social"}, kTen);
  EXPECT_EQ(offer(other[0], &why), Kind::kRefused);
  EXPECT_NE(why.find("an event of hall \"district\""), std::string::npos) << why;
  // A snapshot of another hall is refused as town's.
  EXPECT_NE(replicas.describe("town", district.snapshot(), 2), "");
  EXPECT_EQ(replicas.hall("town")->seq(), 1u);
  EXPECT_EQ(waiting(), 1u);
}

TEST_F(CityReplicasTest, AConfigChangedAtARestartIsFollowedFromTheNewSnapshot) {
  ASSERT_EQ(replicas.describe("town", town.snapshot(), 1), "");
  for (const std::string& b : issue(3)) ASSERT_EQ(offer(b), Kind::kApplied);
  // The engine restarts with a 13th window; its state re-expressed for the new config.
  const std::string toml =
      town_toml() +
      "\n[[window]]\nid = \"w13\"\nnumber = 13\nname = \"新增窗口\"\nkind = \"classified\"\n"
      "serves = { social = 1 }\n";
  Engine restarted(config::parse_hall_config(toml, "town.toml"));
  protocol::DecodedSnapshot old;
  const std::string before = town.snapshot();
  ASSERT_TRUE(protocol::decode_snapshot(protocol::as_bytes(before), old).ok());
  restarted.hall.import_state(protocol::remap_state(old, *restarted.config));
  const std::vector<std::string> open =
      restarted.run(core::OpenWindow{"w13", "s13"}, kTen + 60 * core::kUsPerSecond);
  ASSERT_EQ(open.size(), 1u);
  std::string why;
  EXPECT_EQ(offer(open[0], &why), Kind::kUndecodable) << why;  // w13 is not in the config folded with

  // A snapshot with the new config at seq 1, older than the replica (held at 3): the state is
  // kept, re-expressed for the new config.
  Engine early(restarted.config);
  early.run(core::IssueTicket{"social"}, kTen);
  ASSERT_EQ(early.hall.seq(), 1u);
  ASSERT_EQ(replicas.describe("town", early.snapshot(), 2), "");
  EXPECT_EQ(replicas.hall("town")->seq(), 3u);
  EXPECT_EQ(replicas.hall("town")->config().windows.size(), 13u);
  EXPECT_EQ(offer(open[0]), Kind::kApplied);
  EXPECT_EQ(waiting(), 3u);
  EXPECT_EQ(hall_figures(*replicas.hall("town"), kTen + 61 * core::kUsPerSecond).windows_open, 1u);
  EXPECT_EQ(replicas.revision("town"), 2u);
}

}  // namespace
}  // namespace hallq::city
