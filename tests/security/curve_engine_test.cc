// The real hallqd with --keys on loopback, real CURVE handshakes through the
// ZAP handler, driven by client::Client and client::Subscriber holding real
// key pairs: each role does what it may and is refused the rest (and a
// refusal changes nothing); events reach a key only for its halls; unknown
// keys and plaintext clients get nothing; start-up mistakes exit 2.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/keys/curve_keys.h"
#include "engine/keys/key_registry.h"
#include "engine/protocol/snapshot_codec.h"
#include "tests/support/engine_process.h"
#include "tests/support/program_output.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

using namespace std::chrono_literals;
using core::ErrorCode;
using keys::CurveKeyPair;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
const std::string kDistrict = std::string(HALLQ_SOURCE_DIR) + "/conf/district.toml";

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct Device {
  const char* name;
  const char* role;
  const char* halls;  // TOML array body
  const char* window;
};
constexpr Device kDevices[] = {
    {"k1", "kiosk", "\"town\"", ""},
    {"c1", "caller", "\"town\"", "w1"},
    {"p1", "keypad", "\"town\"", "w1"},
    {"d1", "display", "\"town\"", ""},
    {"s1", "speaker", "\"town\"", ""},
    {"m1", "manager", "\"town\"", ""},
    {"m2", "manager", "\"district\"", ""},
    {"d2", "display", "\"district\"", ""},
    {"mm", "manager", "\"town\", \"district\"", ""},
};

class CurveEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_key_ = keys::generate_key_pair();
    (void)keys::write_key_files(dir_.path() + "/keys", "engine", engine_key_, "test engine");
    std::string toml = "[engine]\nsecret_key_file = \"keys/engine.key\"\n";
    for (const Device& d : kDevices) {
      keys_[d.name] = keys::generate_key_pair();
      toml += "\n[[key]]\nname = \"" + std::string(d.name) + "\"\npublic_key = \"" +
              keys_[d.name].public_key + "\"\nrole = \"" + d.role + "\"\nhalls = [" + d.halls + "]\n";
      if (*d.window) toml += "window = \"" + std::string(d.window) + "\"\n";
    }
    keys_file_ = dir_.path() + "/keys.toml";
    std::ofstream(keys_file_) << toml;
    engine_ =
        std::make_unique<EngineProcess>(std::vector<std::string>{kTown, kDistrict}, dir_.path() + "/data",
                                        std::vector<std::string>{"--keys", keys_file_, "--http", "off"});
  }

  client::CurveOptions curve(const CurveKeyPair& own) const {
    return {engine_key_.public_key, own.public_key, own.secret_key};
  }
  std::unique_ptr<client::Client> client_for(const CurveKeyPair& own,
                                             std::chrono::milliseconds timeout = 3000ms) {
    return std::make_unique<client::Client>(
        ctx_, engine_->cmd(), client::ClientOptions{.timeout = timeout, .attempts = 1, .curve = curve(own)});
  }
  client::Client& as(const std::string& name) {
    auto& c = clients_[name];
    if (!c) c = client_for(keys_.at(name));
    return *c;
  }
  ErrorCode code(const std::string& who, std::string_view hall, const core::CommandBody& body) {
    auto r = as(who).command(hall, body);
    EXPECT_TRUE(r.has_value()) << who << " got no reply";
    return r ? r->code : ErrorCode::kInternal;
  }
  std::string stderr_text() const { return slurp(dir_.path() + "/data.stderr"); }
  // A raw socket of `type` with `who`'s key, connected to the events socket.
  zmq::socket_t events_socket(const std::string& who, zmq::socket_type type) {
    zmq::socket_t s(ctx_, type);
    s.set(zmq::sockopt::linger, 0);
    client::apply_curve(s, curve(keys_.at(who)));
    s.connect(engine_->pub());
    return s;
  }

  TempDir dir_{"hallq-curve"};
  zmq::context_t ctx_;
  CurveKeyPair engine_key_;
  std::map<std::string, CurveKeyPair> keys_;
  std::string keys_file_;
  std::unique_ptr<EngineProcess> engine_;
  std::map<std::string, std::unique_ptr<client::Client>> clients_;
};

TEST_F(CurveEngineTest, KioskIssuesInItsHallButIsRefusedTheRest) {
  auto issued = as("k1").command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(issued && issued->ok()) << (issued ? issued->message : "no reply");
  auto call = as("k1").command("town", core::CallNext{"w1"});
  ASSERT_TRUE(call.has_value());
  EXPECT_EQ(call->code, ErrorCode::kForbidden);
  EXPECT_EQ(call->message,
            "无权执行此操作：kiosk k1 may only issue tickets and check in bookings in town (not call)");
  EXPECT_EQ(code("k1", "district", core::IssueTicket{"social"}), ErrorCode::kForbidden);
  // Nothing of a refused command is applied: the window the kiosk tried to
  // open is still closed for the manager.
  EXPECT_EQ(code("k1", "town", core::OpenWindow{"w2", ""}), ErrorCode::kForbidden);
  EXPECT_EQ(code("m1", "town", core::OpenWindow{"w2", ""}), ErrorCode::kOk);
  // Logged with the reason, and counted.
  EXPECT_NE(stderr_text().find("kiosk k1 may only issue tickets and check in bookings in town"),
            std::string::npos)
      << stderr_text();
  EXPECT_EQ(stderr_text().find("readable by others"), std::string::npos) << "the engine key is mode 0600";
  std::string out;
  EXPECT_EQ(engine_->stop(out), 0);
  EXPECT_NE(out.find("hallqd security: 3 forbidden"), std::string::npos) << out;
}

// Over the real engine: the kiosk's printer report is applied and every
// replica sees it; the same report from a display key is refused.
TEST_F(CurveEngineTest, KioskReportsItsPrinterADisplayMayNot) {
  const core::ReportDevice out{"kiosk-1", "printer", core::DeviceState::kPaperOut, "roll paper end"};
  EXPECT_EQ(code("d1", "town", out), ErrorCode::kForbidden);
  EXPECT_EQ(code("k1", "town", out), ErrorCode::kOk);
  auto snap = as("m1").snapshot("town");
  ASSERT_TRUE(snap && snap->ok()) << (snap ? snap->message : "no reply");
  protocol::DecodedSnapshot d;
  ASSERT_TRUE(protocol::decode_snapshot(protocol::as_bytes(snap->snapshot), d).ok());
  ASSERT_EQ(d.state.devices.size(), 1u);
  EXPECT_EQ(d.state.devices[0].first, "kiosk-1");
  EXPECT_EQ(d.state.devices[0].second.state, core::DeviceState::kPaperOut);
  EXPECT_EQ(code("d1", "town", core::ReportDevice{"kiosk-1", "printer", core::DeviceState::kOk, ""}),
            ErrorCode::kForbidden);
}

TEST_F(CurveEngineTest, CallerActsOnItsOwnWindowOnly) {
  ASSERT_EQ(code("k1", "town", core::IssueTicket{"social"}), ErrorCode::kOk);
  ASSERT_EQ(code("k1", "town", core::IssueTicket{"social"}), ErrorCode::kOk);
  EXPECT_EQ(code("c1", "town", core::OpenWindow{"w1", ""}), ErrorCode::kOk);
  EXPECT_EQ(code("c1", "town", core::CallNext{"w1"}), ErrorCode::kOk);
  EXPECT_EQ(code("c1", "town", core::SkipTicket{"w1"}), ErrorCode::kOk);
  EXPECT_EQ(code("c1", "town", core::Reactivate{"A001"}), ErrorCode::kOk);  // last at w1
  EXPECT_EQ(code("c1", "town", core::OpenWindow{"w2", ""}), ErrorCode::kForbidden);
  EXPECT_EQ(code("c1", "town", core::CallNext{"w2"}), ErrorCode::kForbidden);
  EXPECT_EQ(code("c1", "town", core::IssueTicket{"social"}), ErrorCode::kForbidden);
  EXPECT_EQ(code("c1", "district", core::OpenWindow{"w1", ""}), ErrorCode::kForbidden);
  // A002 is still waiting: the forbidden call at w2 called nobody.
  EXPECT_EQ(code("m1", "town", core::OpenWindow{"w2", ""}), ErrorCode::kOk);
  auto r = as("m1").command("town", core::CallTicket{"w2", "A002"});
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->ok()) << r->message;
}

TEST_F(CurveEngineTest, KeypadEvaluatesOnlyAtItsWindow) {
  ASSERT_EQ(code("k1", "town", core::IssueTicket{"social"}), ErrorCode::kOk);
  ASSERT_EQ(code("c1", "town", core::OpenWindow{"w1", ""}), ErrorCode::kOk);
  ASSERT_EQ(code("c1", "town", core::CallNext{"w1"}), ErrorCode::kOk);
  ASSERT_EQ(code("c1", "town", core::StartService{"w1"}), ErrorCode::kOk);
  ASSERT_EQ(code("c1", "town", core::Finish{"w1"}), ErrorCode::kOk);
  EXPECT_EQ(code("p1", "town", core::Evaluate{"A001", 5, "w2"}), ErrorCode::kForbidden);
  EXPECT_EQ(code("p1", "town", core::Evaluate{"A001", 5, ""}), ErrorCode::kForbidden);
  EXPECT_EQ(code("p1", "town", core::CallNext{"w1"}), ErrorCode::kForbidden);
  EXPECT_EQ(code("p1", "town", core::Evaluate{"A001", 5, "w1"}), ErrorCode::kOk);
  EXPECT_EQ(code("p1", "town", core::Evaluate{"A001", 4, "w1"}),
            ErrorCode::kAlreadyRated);  // the core still rules
}

TEST_F(CurveEngineTest, DisplayAndSpeakerSubscribeButMayNotCommand) {
  for (const char* who : {"d1", "s1"}) {
    SCOPED_TRACE(who);
    client::Subscriber sub(ctx_, engine_->cmd(), engine_->pub(), {"town"}, nullptr,
                           {.curve = curve(keys_.at(who))});
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!sub.synced("town") && std::chrono::steady_clock::now() < deadline) sub.poll(50ms);
    ASSERT_TRUE(sub.synced("town")) << "no snapshot over CURVE";
    const std::size_t before = sub.hall("town")->waiting_total();
    ASSERT_EQ(code("k1", "town", core::IssueTicket{"social"}), ErrorCode::kOk);
    while (sub.hall("town")->waiting_total() == before && std::chrono::steady_clock::now() < deadline)
      sub.poll(50ms);
    EXPECT_EQ(sub.hall("town")->waiting_total(), before + 1) << "the event did not arrive over CURVE";
    EXPECT_EQ(code(who, "town", core::IssueTicket{"social"}), ErrorCode::kForbidden);
    EXPECT_EQ(code(who, "town", core::SetNotice{"x"}), ErrorCode::kForbidden);
  }
}

TEST_F(CurveEngineTest, ManagerDoesEverythingInItsHallsNothingElsewhere) {
  EXPECT_EQ(code("m1", "town", core::IssueTicket{"social"}), ErrorCode::kOk);
  EXPECT_EQ(code("m1", "town", core::OpenWindow{"w3", ""}), ErrorCode::kOk);
  EXPECT_EQ(code("m1", "town", core::SetNotice{"今日办理社保业务请带身份证"}), ErrorCode::kOk);
  EXPECT_EQ(code("m1", "district", core::IssueTicket{"social"}), ErrorCode::kForbidden);
  EXPECT_EQ(code("m1", "district", core::SetNotice{"x"}), ErrorCode::kForbidden);
  EXPECT_EQ(code("m2", "district", core::IssueTicket{"social"}), ErrorCode::kOk);
  auto snap = as("m1").snapshot("district");
  ASSERT_TRUE(snap.has_value());
  EXPECT_EQ(snap->code, ErrorCode::kForbidden);
}

TEST_F(CurveEngineTest, UnknownKeyCannotConnectAndOthersAreStillServed) {
  const CurveKeyPair stranger = keys::generate_key_pair();
  for (int i = 0; i < 3; ++i) {
    auto c = client_for(stranger, 300ms);
    EXPECT_FALSE(c->ping().has_value()) << "an unknown key got a reply";
    EXPECT_FALSE(c->command("town", core::IssueTicket{"social"}).has_value());
  }
  EXPECT_EQ(code("k1", "town", core::IssueTicket{"social"}), ErrorCode::kOk);
  const std::string err = stderr_text();
  EXPECT_EQ(count_of(err, stranger.public_key), 1u) << "logged once per peer, not per attempt:\n" << err;
  std::string out;
  EXPECT_EQ(engine_->stop(out), 0);
  EXPECT_EQ(out.find("handshakes refused"), out.rfind("handshakes refused"));
  EXPECT_EQ(out.find(" 0 handshakes refused"), std::string::npos) << out;
}

TEST_F(CurveEngineTest, PlaintextClientGetsNothing) {
  client::Client plain(ctx_, engine_->cmd(), {.timeout = 300ms, .attempts = 1});
  EXPECT_FALSE(plain.ping().has_value());
  client::Subscriber sub(ctx_, engine_->cmd(), engine_->pub(), {"town"});
  ASSERT_EQ(code("k1", "town", core::IssueTicket{"social"}), ErrorCode::kOk);
  const auto until = std::chrono::steady_clock::now() + 500ms;
  while (std::chrono::steady_clock::now() < until) sub.poll(50ms);
  EXPECT_EQ(sub.hall("town"), nullptr);
  EXPECT_EQ(sub.stats().events + sub.stats().heartbeats + sub.stats().snapshots, 0u);
}

// ----------------------------------------------------------- events by scope

// The topics (halls) each raw SUB socket receives until `deadline`, counted.
std::map<std::string, std::map<std::string, int>> topics_until(
    std::map<std::string, zmq::socket_t>& subs, std::chrono::steady_clock::time_point deadline) {
  std::map<std::string, std::map<std::string, int>> seen;
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<zmq::pollitem_t> items;
    for (auto& [who, sub] : subs) items.push_back({sub.handle(), 0, ZMQ_POLLIN, 0});
    zmq::poll(items, 50ms);
    for (auto& [who, sub] : subs) {
      zmq::message_t topic, body;
      while (sub.recv(topic, zmq::recv_flags::dontwait)) {
        if (topic.more()) (void)sub.recv(body);
        ++seen[who][topic.to_string()];
      }
    }
  }
  return seen;
}

// Waits (up to 10 s) for a first message of `topic`: the subscription is in force.
bool heard(zmq::socket_t& sub, const std::string& topic) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, 50ms);
    zmq::message_t m, body;
    while (sub.recv(m, zmq::recv_flags::dontwait)) {
      if (m.more()) (void)sub.recv(body);
      if (m.to_string() == topic) return true;
    }
  }
  return false;
}

// Two display keys of two halls both subscribe to everything (""): each
// receives its own hall's events and heartbeats only; a manager of both halls
// receives both. A subscription naming the other hall is refused, counted
// and logged once per key.
TEST_F(CurveEngineTest, EventsReachAKeyOnlyForItsHalls) {
  std::map<std::string, zmq::socket_t> subs;
  for (const char* who : {"d1", "d2", "mm"}) {
    subs.emplace(who, events_socket(who, zmq::socket_type::sub));
    subs.at(who).set(zmq::sockopt::subscribe, "");
  }
  ASSERT_TRUE(heard(subs.at("d1"), "hall/town/")) << "no heartbeat of town";
  ASSERT_TRUE(heard(subs.at("d2"), "hall/district/")) << "no heartbeat of district";
  ASSERT_TRUE(heard(subs.at("mm"), "hall/town/"));
  EXPECT_EQ(code("mm", "town", core::IssueTicket{"social"}), ErrorCode::kOk);
  EXPECT_EQ(code("mm", "district", core::IssueTicket{"social"}), ErrorCode::kOk);
  // Over 1.5 s every hall has sent a heartbeat (each second) besides the events.
  auto seen = topics_until(subs, std::chrono::steady_clock::now() + 1500ms);
  EXPECT_GE(seen["d1"]["hall/town/"], 2) << "the ticket's event and a heartbeat";
  EXPECT_EQ(seen["d1"].count("hall/district/"), 0u) << "display d1 (town) got district's events";
  EXPECT_GE(seen["d2"]["hall/district/"], 2);
  EXPECT_EQ(seen["d2"].count("hall/town/"), 0u) << "display d2 (district) got town's events";
  EXPECT_GE(seen["mm"]["hall/town/"], 1);
  EXPECT_GE(seen["mm"]["hall/district/"], 1);

  // Asking for the other hall by name (twice) gets nothing; logged once.
  std::map<std::string, zmq::socket_t> nosy;
  zmq::socket_t& n = nosy.emplace("d1", events_socket("d1", zmq::socket_type::sub)).first->second;
  n.set(zmq::sockopt::subscribe, "hall/district/");
  n.set(zmq::sockopt::subscribe, "hall/dist");
  n.set(zmq::sockopt::subscribe, "hall/town/");
  ASSERT_TRUE(heard(n, "hall/town/"));
  EXPECT_EQ(code("mm", "district", core::IssueTicket{"social"}), ErrorCode::kOk);
  EXPECT_EQ(topics_until(nosy, std::chrono::steady_clock::now() + 1500ms)["d1"].count("hall/district/"), 0u);
  const std::string err = stderr_text();
  EXPECT_EQ(count_of(err, "refused a subscription of display d1"), 1u) << err;
  EXPECT_NE(
      err.find("refused a subscription of display d1 to \"hall/district/\": its events are those of town "
               "only"),
      std::string::npos)
      << err;
  std::string out;
  EXPECT_EQ(engine_->stop(out), 0);
  EXPECT_NE(out.find(", 2 subscriptions refused"), std::string::npos) << out;
}

// One key floods the events socket with subscriptions (refused ones and
// allowed ones, subscribed and unsubscribed) while a manager issues tickets
// one at a time and another display follows its hall: every command is
// answered and every event arrives within its deadline, and the median
// command takes about what it takes without the flood (measured first; the
// store's fsync, shared with other programs, sets the slowest ones).
TEST_F(CurveEngineTest, ASubscriptionFloodDoesNotSlowTheOthers) {
  client::Subscriber follower(ctx_, engine_->cmd(), engine_->pub(), {"district"}, nullptr,
                              {.curve = curve(keys_.at("d2"))});
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!follower.synced("district") && std::chrono::steady_clock::now() < deadline) follower.poll(50ms);
  ASSERT_TRUE(follower.synced("district"));
  // Issues tickets for `length` (at least `at_least`, at most `at_most` of
  // them: the hall takes 999 a day per service); the command times in ms.
  const auto issue_for = [&](std::chrono::milliseconds length, int at_least, int at_most) {
    std::vector<double> ms;
    const auto end = std::chrono::steady_clock::now() + length;
    for (int i = 0; i < at_least || (i < at_most && std::chrono::steady_clock::now() < end); ++i) {
      const std::size_t before = follower.hall("district")->waiting_total();
      const auto t0 = std::chrono::steady_clock::now();
      const ErrorCode issued = code("m2", "district", core::IssueTicket{"social"});
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      EXPECT_LT(ms.back(), 5000) << "ticket " << i;
      const auto event_deadline = std::chrono::steady_clock::now() + 5s;
      while (follower.hall("district")->waiting_total() == before &&
             std::chrono::steady_clock::now() < event_deadline)
        follower.poll(20ms);
      const auto& st = follower.stats();
      EXPECT_EQ(follower.hall("district")->waiting_total(), before + 1)
          << "event " << i << " late or lost (follower: " << st.events << " events, " << st.snapshots
          << " snapshots, " << st.gaps << " gaps, " << st.reconnects << " reconnects, synced "
          << follower.synced("district") << ", online " << follower.online("district") << ")";
      if (issued != ErrorCode::kOk || follower.hall("district")->waiting_total() != before + 1) break;
    }
    std::sort(ms.begin(), ms.end());
    return ms;
  };
  const std::vector<double> quiet = issue_for(1s, 20, 100);

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> offered{0};  // XSUB drops what its pipe cannot take
  std::thread flood([&] {
    zmq::context_t ctx;
    zmq::socket_t x(ctx, zmq::socket_type::xsub);
    x.set(zmq::sockopt::linger, 0);
    client::apply_curve(x, curve(keys_.at("d1")));
    x.connect(engine_->pub());
    const std::string topics[] = {std::string("\x01hall/district/"), std::string("\x01hall/town/"),
                                  std::string("\x00hall/town/", 11), std::string("\x01", 1)};
    for (std::uint64_t i = 0; !stop.load(); ++i) {
      const std::string& t = topics[i % 4];
      if (x.send(zmq::buffer(t), zmq::send_flags::none)) offered.fetch_add(1);
    }
  });
  const std::vector<double> flooded = issue_for(3s, 40, 600);
  stop = true;
  flood.join();
  std::string out;
  EXPECT_EQ(engine_->stop(out), 0);
  // A quarter of what the engine read were refused (the other hall's topic).
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(", (\\d+) subscriptions refused"))) << out;
  const std::uint64_t refused = std::stoull(m[1]);
  const auto at = [](const std::vector<double>& v, double q) { return v[std::size_t(q * (v.size() - 1))]; };
  std::cout << fmt::format(
      "subscription flood: {} offered, about {} read by the engine; command ms without: p50 {:.1f} max "
      "{:.1f}; with: p50 {:.1f} p90 {:.1f} max {:.1f} ({} commands)\n",
      offered.load(), 4 * refused, at(quiet, 0.5), quiet.back(), at(flooded, 0.5), at(flooded, 0.9),
      flooded.back(), flooded.size());
  EXPECT_GT(refused, 1'000u) << "the flood did not flood: " << out;
  EXPECT_LT(at(flooded, 0.5), std::max(100.0, 4 * at(quiet, 0.5))) << "the median command slowed down";
  EXPECT_EQ(count_of(stderr_text(), "refused a subscription of display d1"), 1u);
}

// The citizen gateway's key: tests/security/citizen_role_test.cc.

// ----------------------------------------------------------- start-up

class CurveStartTest : public ::testing::Test {
 protected:
  RunResult hallqd(std::vector<std::string> extra) {
    std::vector<std::string> args = {"--conf", kTown, "--data", dir_.path() + "/data", "--http", "off"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_program(default_hallqd(), args);
  }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  TempDir dir_{"hallq-curve-start"};
};

TEST_F(CurveStartTest, NonLoopbackWithoutKeysExits2) {
  const auto r = hallqd({"--cmd", "tcp://0.0.0.0:*", "--pub", "tcp://127.0.0.1:*"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("tcp://0.0.0.0:* is not a loopback endpoint"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--keys"), std::string::npos) << r.err;
}

TEST_F(CurveStartTest, BrokenKeyFileExits2NamingTheLine) {
  const std::string pub = keys::generate_key_pair().public_key;
  const std::string keys = write("keys.toml", "[[key]]\nname = \"k1\"\npublic_key = \"" + pub +
                                                  "\"\nrole = \"cashier\"\nhalls = [\"town\"]\n");
  const auto r = hallqd({"--keys", keys});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(keys + ":4: key \"k1\": unknown role \"cashier\""), std::string::npos) << r.err;
}

TEST_F(CurveStartTest, UnknownWindowOrMissingEngineKeyExits2) {
  const std::string pub = keys::generate_key_pair().public_key;
  const std::string keys =
      write("keys.toml", "\n[[key]]\nname = \"c1\"\npublic_key = \"" + pub +
                             "\"\nrole = \"caller\"\nhalls = [\"town\"]\nwindow = \"w99\"\n");
  auto r = hallqd({"--keys", keys});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(keys + ":2: key \"c1\": hall \"town\" has no window \"w99\""), std::string::npos)
      << r.err;
  const std::string ok_keys =
      write("ok.toml", "[[key]]\nname = \"c1\"\npublic_key = \"" + pub +
                           "\"\nrole = \"caller\"\nhalls = [\"town\"]\nwindow = \"w1\"\n");
  r = hallqd({"--keys", ok_keys});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no engine key"), std::string::npos) << r.err;
}

TEST_F(CurveStartTest, EngineKeyReadableByOthersIsWarnedAbout) {
  const CurveKeyPair engine_key = keys::generate_key_pair();
  const auto files = keys::write_key_files(dir_.path() + "/keys", "engine", engine_key, "test engine");
  ASSERT_EQ(::chmod(files.secret_path.c_str(), 0640), 0);
  const std::string keys =
      write("keys.toml",
            "[engine]\nsecret_key_file = \"keys/engine.key\"\n\n[[key]]\nname = \"k1\"\n"
            "public_key = \"" +
                keys::generate_key_pair().public_key + "\"\nrole = \"kiosk\"\nhalls = [\"town\"]\n");
  {
    EngineProcess engine({kTown}, dir_.path() + "/data", {"--keys", keys, "--http", "off"});  // it starts
  }
  const std::string err = slurp(dir_.path() + "/data.stderr");
  EXPECT_NE(err.find("hallqd: warning: the engine's secret key " + files.secret_path +
                     " is readable by others (mode 0640)"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("chmod 600 " + files.secret_path), std::string::npos) << err;
}

}  // namespace
}  // namespace hallq::testing
