// The device program skeleton (engine/device/device_program.h): the common
// flags and their old spellings, the overrides, and the exit codes every
// device program maps its errors to.
#include "engine/device/device_program.h"

#include <gtest/gtest.h>

#include <cctype>
#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/config/toml_reader.h"
#include "engine/device/signals.h"

namespace hallq::device {
namespace {

// Runs `program` on `args` (argv[0] added) with `body`.
int run(DeviceProgram& program, std::vector<std::string> args, const std::function<int()>& body) {
  args.insert(args.begin(), program.name());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return program.run(static_cast<int>(argv.size()), argv.data(), body);
}

// Whether `help` names the option `name` (not as a prefix of a longer one).
bool names(const std::string& help, const std::string& name) {
  for (std::size_t at = help.find(name); at != std::string::npos; at = help.find(name, at + 1)) {
    const std::size_t end = at + name.size();
    if (end == help.size() || !(std::isalnum(static_cast<unsigned char>(help[end])) || help[end] == '-'))
      return true;
  }
  return false;
}

ProgramSpec spec() {
  return {.name = "hallq-test",
          .description = "a device",
          .config_help = "its config",
          .headless_help = "no screen",
          .old_config_names = {"--conf", "--screen"},
          .old_pub_name = true};
}

TEST(DeviceProgramTest, CommonFlagsMeanTheSameEverywhere) {
  DeviceProgram p(spec());
  EXPECT_EQ(run(p,
                {"--config", "d.toml", "--engine", "tcp://e:1", "--events", "tcp://e:2", "--key", "k.key",
                 "--server-key", "engine.pub", "--headless"},
                [] { return 0; }),
            kExitOk);
  EXPECT_EQ(p.options().config, "d.toml");
  EXPECT_EQ(p.options().engine, "tcp://e:1");
  EXPECT_EQ(p.options().events, "tcp://e:2");
  EXPECT_EQ(p.options().key_file, "k.key");
  EXPECT_EQ(p.options().server_key, "engine.pub");
  EXPECT_TRUE(p.options().headless);
}

TEST(DeviceProgramTest, OldSpellingsAreHiddenAliases) {
  for (const char* old : {"--conf", "--screen"}) {
    DeviceProgram p(spec());
    EXPECT_EQ(run(p, {old, "d.toml", "--pub", "tcp://e:2"}, [] { return 0; }), kExitOk) << old;
    EXPECT_EQ(p.options().config, "d.toml") << old;
    EXPECT_EQ(p.options().events, "tcp://e:2") << old;
    const std::string help = p.cli().help();
    EXPECT_FALSE(names(help, old)) << help;
    EXPECT_FALSE(names(help, "--pub")) << help;
    EXPECT_TRUE(names(help, "--config")) << help;
    EXPECT_TRUE(names(help, "--events")) << help;
  }
  // A program that never had an old spelling does not get it.
  DeviceProgram plain({.name = "hallq-plain", .description = "d", .config_help = "c"});
  EXPECT_EQ(run(plain, {"--conf", "d.toml"}, [] { return 0; }), kExitUsage);
  EXPECT_EQ(run(plain, {"--headless", "--config", "d.toml"}, [] { return 0; }), kExitUsage);
}

TEST(DeviceProgramTest, ErrorsMapToTheSameExitCodes) {
  const auto code = [](std::vector<std::string> args, std::function<int()> body) {
    DeviceProgram p(spec());
    return run(p, std::move(args), body);
  };
  EXPECT_EQ(code({"--help"}, [] { return 1; }), kExitOk);
  EXPECT_EQ(code({"--no-such-flag"}, [] { return 0; }), kExitUsage);
  EXPECT_EQ(code({}, [] { return 0; }), kExitUsage) << "--config is required";
  EXPECT_EQ(code({"--config", "d.toml"}, []() -> int { throw config::ConfigError("d.toml", 3, "x: bad"); }),
            kExitUsage);
  EXPECT_EQ(code({"--config", "d.toml"}, []() -> int { throw UsageError("--a needs --b"); }), kExitUsage);
  EXPECT_EQ(code({"--config", "d.toml"}, []() -> int { throw std::runtime_error("printer gone"); }),
            kExitFailure);
  EXPECT_EQ(code({"--config", "d.toml"}, [] { return 0; }), kExitOk);
}

TEST(DeviceProgramTest, AConfigErrorPrintsFileLineMessage) {
  DeviceProgram p(spec());
  testing::internal::CaptureStderr();
  run(p, {"--config", "d.toml"},
      []() -> int { throw config::ConfigError("d.toml", 3, "device.hall: missing"); });
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.rfind("d.toml:3: device.hall: missing", 0), 0u) << err;
}

TEST(DeviceProgramTest, OverridesReplaceTheConfigsEndpointsAndKeys) {
  DeviceProgram p(spec());
  run(p, {"--config", "d.toml", "--engine", "tcp://e:1", "--events", "tcp://e:2"}, [] { return 0; });
  std::string engine = "tcp://c:1", events = "tcp://c:2";
  SecurityConfig security;
  const LoadedCurve keys = p.apply_overrides({engine, events, security});
  EXPECT_EQ(engine, "tcp://e:1");
  EXPECT_EQ(events, "tcp://e:2");
  EXPECT_FALSE(security.enabled());
  EXPECT_TRUE(keys.curve.secret_key.empty());
  // One half of the keys on the command line with no other half: a configuration error.
  DeviceProgram half(spec());
  run(half, {"--config", "d.toml", "--key", "k.key"}, [] { return 0; });
  EXPECT_THROW(half.apply_overrides({engine, events, security}), config::ConfigError);
}

TEST(DeviceSignalsTest, StopSignalsSetTheFlagAndPollAndReadSurviveThem) {
  install_stop_signals();
  stop_flag() = 0;
  // A signal interrupting a wait: poll returns (nothing ready), never throws.
  zmq::context_t ctx;
  zmq::socket_t s(ctx, zmq::socket_type::pull);
  zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
  std::raise(SIGINT);
  EXPECT_TRUE(stop_requested());
  EXPECT_EQ(poll(&item, 1, std::chrono::milliseconds(10)), 0);
  stop_flag() = 0;
  std::raise(SIGTERM);
  EXPECT_TRUE(stop_requested());
  stop_flag() = 0;
  std::raise(SIGPIPE);  // ignored
  EXPECT_FALSE(stop_requested());
}

TEST(DeviceSignalsTest, FinishPendingGivesUpAfterTheGraceOnceStopped) {
  stop_flag() = 0;
  int steps = 0;
  finish_pending([&] { return steps == 3; }, [&] { ++steps; });
  EXPECT_EQ(steps, 3);
  request_stop();
  const auto t0 = std::chrono::steady_clock::now();
  finish_pending([] { return false; }, [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); },
                 std::chrono::milliseconds(50));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  stop_flag() = 0;
}

}  // namespace
}  // namespace hallq::device
