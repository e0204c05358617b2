// `hallq keys gen`: the files it writes (modes, contents, no overwrite), the
// entry it enrols, and the whole round trip: a device key made and enrolled
// by the tool drives the real engine through `hallq --key --server-key`.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "engine/keys/curve_keys.h"
#include "engine/keys/key_registry.h"
#include "engine/keys/person_hash.h"
#include "engine/keys/ticket_token.h"
#include "tests/support/engine_process.h"
#include "tests/support/program_output.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

unsigned mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

RunResult hallq(std::vector<std::string> args) { return run_program(HALLQ_PATH, args); }

TEST(KeysTool, WritesKeyFilesWithModesAndRefusesToOverwrite) {
  TempDir dir("hallq-keys");
  const std::string out = dir.path() + "/keys";
  auto r = hallq({"keys", "gen", "engine", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(out + "/engine.key"), 0600u);
  EXPECT_EQ(mode_of(out + "/engine.pub"), 0644u);
  const keys::CurveKeyPair pair = keys::read_secret_key_file(out + "/engine.key");
  EXPECT_EQ(keys::read_public_key(out + "/engine.pub"), pair.public_key);
  EXPECT_NE(r.out.find(pair.public_key), std::string::npos) << r.out;
  const std::string before = slurp(out + "/engine.key");
  r = hallq({"keys", "gen", "engine", "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(out + "/engine.key"), before) << "a key was overwritten";
}

TEST(KeysTool, WritesThePersonSaltOnce) {
  TempDir dir("hallq-keys");
  const std::string salt = dir.path() + "/person.salt";
  auto r = hallq({"keys", "salt", salt});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(salt), 0600u);
  const std::string before = slurp(salt);
  EXPECT_EQ(before.size(), keys::kPersonSaltBytes);
  EXPECT_NO_THROW((void)keys::PersonSalt::read_file(salt));
  r = hallq({"keys", "salt", salt});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(salt), before) << "the salt was overwritten";
}

TEST(KeysTool, EnrolsDevicesAndRefusesBadEntriesWithoutWritingKeys) {
  TempDir dir("hallq-keys");
  const std::string out = dir.path() + "/keys", keys = dir.path() + "/keys.toml";
  auto r = hallq(
      {"--json", "keys", "gen", "k1", "--role", "kiosk", "--hall", "town", "--out", out, "--enrol", keys});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = hallq({"keys", "gen", "c-w1", "--role", "caller", "--hall", "town", "--window", "w1", "--out", out,
             "--enrol", keys});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const keys::KeyRegistry reg = keys::KeyRegistry::load(keys);
  ASSERT_EQ(reg.entries().size(), 2u);
  const keys::KeyEntry* k1 = reg.by_name("k1");
  ASSERT_NE(k1, nullptr);
  EXPECT_EQ(k1->public_key, keys::read_secret_key_file(out + "/k1.key").public_key);
  EXPECT_EQ(k1->role, keys::DeviceRole::kKiosk);
  EXPECT_EQ(reg.by_name("c-w1")->window, "w1");
  // A caller without its window, a duplicate name: refused, nothing written.
  r = hallq({"keys", "gen", "c2", "--role", "caller", "--hall", "town", "--out", out, "--enrol", keys});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("needs window"), std::string::npos) << r.err;
  EXPECT_EQ(mode_of(out + "/c2.key"), 0u) << "a key was written for a refused entry";
  r = hallq({"keys", "gen", "k1", "--role", "kiosk", "--hall", "town", "--out", dir.path() + "/other",
             "--enrol", keys});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("enrolled twice"), std::string::npos) << r.err;
  EXPECT_EQ(keys::KeyRegistry::load(keys).entries().size(), 2u);
}

// `hallq keys ticket-secret FILE`: 32 bytes, 0600, never overwritten.
TEST(KeysTool, TicketSecretIsPrivateAndNeverOverwritten) {
  TempDir dir("hallq-keys");
  const std::string file = dir.path() + "/ticket.secret";
  auto r = hallq({"keys", "ticket-secret", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(file), 0600u);
  const std::string secret = keys::read_ticket_secret_file(file);
  r = hallq({"keys", "ticket-secret", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("refusing to overwrite"), std::string::npos) << r.err;
  EXPECT_EQ(keys::read_ticket_secret_file(file), secret);
  r = hallq({"keys", "ticket-secret"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(KeysTool, EnrolledKioskDrivesTheRealEngineThroughTheCli) {
  TempDir dir("hallq-keys");
  const std::string out = dir.path() + "/keys", keys = dir.path() + "/keys.toml";
  ASSERT_EQ(hallq({"keys", "gen", "engine", "--out", out}).exit_code, 0);
  ASSERT_EQ(hallq({"keys", "gen", "k1", "--role", "kiosk", "--hall", "town", "--out", out, "--enrol", keys})
                .exit_code,
            0);
  EngineProcess engine({kTown}, dir.path() + "/data",
                       {"--keys", keys, "--engine-key", out + "/engine.key", "--http", "off"});
  const std::vector<std::string> as_k1 = {"--engine",      engine.cmd(),   "--key",
                                          out + "/k1.key", "--server-key", out + "/engine.pub",
                                          "--timeout",     "3000",         "--json"};
  auto with = [&](std::vector<std::string> verb) {
    std::vector<std::string> args = as_k1;
    args.insert(args.end(), verb.begin(), verb.end());
    return hallq(args);
  };
  auto r = with({"issue", "town", "social"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"number\":\"A001\""), std::string::npos) << r.out;
  r = with({"call", "town", "w1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("\"error\":\"forbidden\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kiosk k1 may only issue tickets and check in bookings in town"), std::string::npos)
      << r.out;
  // The same command without the key: the engine does not even answer.
  r = hallq({"--engine", engine.cmd(), "--timeout", "300", "issue", "town", "social"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
}

}  // namespace
}  // namespace hallq::testing
