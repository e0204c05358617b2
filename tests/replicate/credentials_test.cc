// Credentials files and URL lists: what is accepted, and the precise refusals.
#include <gtest/gtest.h>

#include <fstream>

#include "engine/replicate/nats_connection.h"
#include "tests/support/temp_dir.h"

namespace hallq::replicate {
namespace {

std::string write(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.sub(name)) << text;
  return dir.sub(name);
}

TEST(Credentials, TellsTheThreeFormsApart) {
  testing::TempDir dir;
  const NatsCredentials up = read_credentials(write(dir, "up", "# engine of town\n\nengine:s3cr:et\n"));
  EXPECT_EQ(up.kind, NatsCredentials::Kind::kUserPassword);
  EXPECT_EQ(up.user, "engine");
  EXPECT_EQ(up.password, "s3cr:et");
  EXPECT_EQ(read_credentials(
                write(dir, "c", "-----BEGIN NATS USER JWT-----\neyJ0\n------END NATS USER JWT------\n"))
                .kind,
            NatsCredentials::Kind::kCredsFile);
  EXPECT_EQ(
      read_credentials(write(dir, "s", "SUAMK2FG4MI6UE3ACF3FK3OIQBCEIEZV7NSWFFEW63UXMRLFM2XLAXK4GY\n")).kind,
      NatsCredentials::Kind::kNkeySeed);
}

TEST(Credentials, RefusesAMissingOrMeaninglessFile) {
  testing::TempDir dir;
  try {
    read_credentials(dir.sub("absent"));
    FAIL() << "an absent file was accepted";
  } catch (const ReplicateError& e) {
    EXPECT_NE(std::string(e.what()).find("absent: cannot be read"), std::string::npos) << e.what();
  }
  for (const char* text : {"", "# only a comment\n", "engine\n", ":password\n", "engine:\n"}) {
    EXPECT_THROW(read_credentials(write(dir, "bad", text)), ReplicateError) << text;
  }
}

TEST(Urls, SplitsAndChecksEachEntry) {
  EXPECT_EQ(split_urls("nats://127.0.0.1:4222, nats://10.0.0.2:4222"),
            (std::vector<std::string>{"nats://127.0.0.1:4222", "nats://10.0.0.2:4222"}));
  for (const char* bad : {"", ",", "127.0.0.1:4222", "nats://host", "nats://host:42x", "http://h:1"}) {
    EXPECT_THROW(split_urls(bad), ReplicateError) << bad;
  }
}

TEST(Connection, NamesTheUrlsWhenNoServerAnswers) {
  NatsConnection::Options o;
  o.urls = {"nats://127.0.0.1:1"};
  try {
    NatsConnection c(o);
    FAIL() << "connected to nothing";
  } catch (const ReplicateError& e) {
    EXPECT_NE(std::string(e.what()).find("nats://127.0.0.1:1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hallq::replicate
