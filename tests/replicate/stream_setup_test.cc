// The stream and the owners bucket: created once, accepted again as they are,
// refused with field and values when configured otherwise, and the missing
// permission named.
#include "engine/replicate/stream_setup.h"

#include <gtest/gtest.h>

#include "tests/replicate/replicate_fixture.h"

namespace hallq::replicate::test {
namespace {

using StreamSetup = ReplicateTest;

TEST_F(StreamSetup, CreatesOnceAndAcceptsTheSameAgain) {
  // SetUp made them; again is a no-op.
  EXPECT_NO_THROW(ensure_stream(engine()));
  EXPECT_NO_THROW(ensure_owners_bucket(engine()));
  jsStreamInfo* si = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&si, engine().js(), kEventsStream, nullptr, nullptr), NATS_OK);
  EXPECT_EQ(si->Config->Replicas, 3);
  EXPECT_EQ(si->Config->Storage, js_FileStorage);
  EXPECT_EQ(si->Config->Duplicates, 120'000'000'000);
  ASSERT_EQ(si->Config->SubjectsLen, 1);
  EXPECT_STREQ(si->Config->Subjects[0], "hallq.events.>");
  jsStreamInfo_Destroy(si);
}

TEST_F(StreamSetup, RefusesAnExistingStreamConfiguredOtherwise) {
  StreamSpec one;
  one.name = "HALLQ_R1";
  one.subjects = "r1.events.>";
  one.replicas = 1;
  ensure_stream(engine(), one);

  StreamSpec three = one;
  three.replicas = 3;
  try {
    ensure_stream(engine(), three);
    FAIL() << "a stream of 1 replica was taken for 3";
  } catch (const ReplicateError& e) {
    EXPECT_NE(
        std::string(e.what()).find("HALLQ_R1 exists with replicas = 1, but this engine needs replicas = 3"),
        std::string::npos)
        << e.what();
  }
  StreamSpec other = one;
  other.subjects = "r2.events.>";
  try {
    ensure_stream(engine(), other);
    FAIL() << "other subjects accepted";
  } catch (const ReplicateError& e) {
    EXPECT_NE(
        std::string(e.what()).find("subjects = r1.events.>, but this engine needs subjects = r2.events.>"),
        std::string::npos)
        << e.what();
  }
  OwnersSpec owners;
  owners.replicas = 1;
  try {
    ensure_owners_bucket(engine(), owners);
    FAIL() << "a bucket of 3 replicas was taken for 1";
  } catch (const ReplicateError& e) {
    EXPECT_NE(std::string(e.what()).find("replicas = 3, but this engine needs replicas = 1"),
              std::string::npos)
        << e.what();
  }
}

// The owners' leases are read from the stream's leader: a bucket whose
// followers answer reads (direct get, as js_CreateKeyValue makes it) could
// hand an engine the lease it held before another engine's takeover.
TEST_F(StreamSetup, OwnersAreReadFromTheLeaderOnly) {
  jsStreamInfo* si = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&si, engine().js(), "KV_hallq_owners", nullptr, nullptr), NATS_OK);
  EXPECT_FALSE(si->Config->AllowDirect);
  EXPECT_EQ(si->Config->MaxMsgsPerSubject, 1);
  EXPECT_EQ(si->Config->Replicas, 3);
  ASSERT_EQ(si->Config->SubjectsLen, 1);
  EXPECT_STREQ(si->Config->Subjects[0], "$KV.hallq_owners.>");
  jsStreamInfo_Destroy(si);

  kvConfig cfg;
  kvConfig_Init(&cfg);
  cfg.Bucket = "owners_made_by_the_client";
  cfg.History = 1;
  cfg.Replicas = 3;
  kvStore* kv = nullptr;
  ASSERT_EQ(js_CreateKeyValue(&kv, engine().js(), &cfg), NATS_OK);
  kvStore_Destroy(kv);
  OwnersSpec spec;
  spec.bucket = "owners_made_by_the_client";
  try {
    ensure_owners_bucket(engine(), spec);
    FAIL() << "a bucket answering reads from its followers was accepted";
  } catch (const ReplicateError& e) {
    EXPECT_NE(std::string(e.what()).find("allow_direct = true, but this engine needs allow_direct = false"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(StreamSetup, NamesAMissingPermission) {
  auto reader = connect(cluster(), cluster().reader_credentials(), std::chrono::milliseconds(1500));
  StreamSpec spec;
  spec.name = "HALLQ_READER_MADE";
  spec.subjects = "reader.>";
  try {
    ensure_stream(*reader, spec);
    FAIL() << "the reader created a stream";
  } catch (const ReplicateError& e) {
    EXPECT_NE(
        std::string(e.what()).find("cannot create JetStream stream HALLQ_READER_MADE: permission denied"),
        std::string::npos)
        << e.what();
  }
}

TEST_F(StreamSetup, RefusesWrongCredentials) {
  testing::TempDir dir;
  const std::string bad = dir.sub("bad.creds");
  FILE* f = fopen(bad.c_str(), "w");
  fputs("engine:not-the-password\n", f);
  fclose(f);
  try {
    connect(cluster(), bad);
    FAIL() << "connected with a wrong password";
  } catch (const ReplicateError& e) {
    EXPECT_NE(std::string(e.what()).find("Authorization"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hallq::replicate::test
