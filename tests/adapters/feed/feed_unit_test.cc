// hallq-feed's pure parts: the config's defaults and its mistakes named with
// file, line and key (in Chinese); the shipped example; the idempotency key. The mapping of
// events to JSON is checked in the process test, against the commands sent.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "adapters/feed/feed_config.h"
#include "adapters/feed/feed_event.h"
#include "engine/config/config_error.h"
#include "tests/support/temp_dir.h"

namespace hallq::feed {
namespace {

class FeedConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.sub("feed.creds")) << "feed:secret\n";
    std::ofstream(dir_.sub("token")) << "t0ken-123\n";
  }
  FeedConfig parse(const std::string& text) { return parse_feed_config(text, "feed.toml", dir_.path()); }
  // The error's text for `text`, or "" if it parsed.
  std::string error(const std::string& text) {
    try {
      parse(text);
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    return "";
  }
  testing::TempDir dir_{"hallq-feed-config"};
};

const std::string kNats = R"([nats]
urls = "nats://10.0.0.1:4222,nats://10.0.0.2:4222"
credentials_file = "feed.creds"
durable = "feed-1"
)";
const std::string kFeed = R"(
[feed]
halls = ["town", "district"]
)";
const std::string kPlatform = R"(
[platform]
url = "http://10.0.0.5:9400/gov/feed"
)";

TEST_F(FeedConfigTest, ReadsDefaultsAndResolvesPathsBesideTheFile) {
  const FeedConfig c = parse(kNats + kFeed + kPlatform);
  EXPECT_EQ(c.nats_urls, (std::vector<std::string>{"nats://10.0.0.1:4222", "nats://10.0.0.2:4222"}));
  EXPECT_EQ(c.credentials_file, dir_.sub("feed.creds"));
  EXPECT_EQ(c.durable, "feed-1");
  EXPECT_EQ(c.ack_wait_s, 60);
  EXPECT_EQ(c.halls, (std::vector<std::string>{"town", "district"}));
  EXPECT_EQ(c.batch, 64);
  EXPECT_EQ(c.poll_ms, 500);
  EXPECT_EQ(c.utc_offset_min, 480);
  EXPECT_EQ(c.platform.host, "10.0.0.5");
  EXPECT_EQ(c.platform.port, 9400);
  EXPECT_EQ(c.platform.target, "/gov/feed");
  EXPECT_EQ(c.token, "");
  EXPECT_EQ(c.timeout_ms, 5000);
  EXPECT_EQ(c.initial_ms, 500);
  EXPECT_EQ(c.max_ms, 60000);
}

TEST_F(FeedConfigTest, TokenFromItsFileInTheHeaderNamed) {
  FeedConfig c = parse(kNats + kFeed + kPlatform + "token_file = \"token\"\n");
  EXPECT_EQ(c.token, "t0ken-123");
  EXPECT_EQ(c.auth_header, "Authorization");
  c = parse(kNats + kFeed + kPlatform + "token_file = \"token\"\nauth_header = \"X-Api-Key\"\n");
  EXPECT_EQ(c.auth_header, "X-Api-Key");
}

TEST_F(FeedConfigTest, MistakesNamedWithFileLineAndKeyInChinese) {
  struct Case {
    std::string text, expect;
  };
  const Case cases[] =
      {
          {kFeed + kPlatform, "[nats]"},
          {kNats + kPlatform, "[feed]"},
          {kNats + kFeed, "[platform]"},
          {R"([nats]
urls = "http://10.0.0.1:4222"
credentials_file = "feed.creds"
durable = "feed-1"
)" + kFeed + kPlatform,
           "feed.toml:2: nats.urls: 应为 nats://主机:端口"},
          {R"([nats]
urls = "nats://10.0.0.1:4222"
credentials_file = "missing.creds"
durable = "feed-1"
)" + kFeed + kPlatform,
           "feed.toml:3: nats.credentials_file: 读不出 NATS 凭据"},
          {R"([nats]
urls = "nats://10.0.0.1:4222"
credentials_file = "feed.creds"
durable = "feed.1"
)" + kFeed + kPlatform,
           "feed.toml:4: nats.durable: 只能使用字母、数字、- 和 _"},
          {kNats + "\n[feed]\nhalls = [\"Town\"]\n" + kPlatform,
           "feed.toml:7: feed.halls: \"Town\" 不是大厅编号"},
          {kNats + "\n[feed]\nhalls = []\n" + kPlatform, "feed.halls: 须列出至少一个大厅编号"},
          {kNats + "\n[feed]\nhalls = [\"town\", \"town\"]\n" + kPlatform, "大厅 \"town\" 列了两次"},
          {kNats + "\n[feed]\nhalls = [\"town\"]\nbatch = 0\n" + kPlatform, "batch"},
          {kNats + kFeed + "\n[platform]\nurl = \"https://10.0.0.5/feed\"\n",
           "feed.toml:10: platform.url: 不是 http://"},
          {kNats + kFeed + kPlatform + "auth_header = \"X-Api-Key\"\n", "没有 token_file 时不能给出"},
          {kNats + kFeed + kPlatform + "token_file = \"token\"\nauth_header = \"Bad Header\"\n",
           "应为 HTTP 头的名字"},
          {kNats + kFeed + kPlatform + "timeout_ms = 40000\n",
           "nats.ack_wait_s: 须至少是 platform.timeout_ms 的两倍"},
          {kNats + kFeed + kPlatform + "\n[backoff]\ninitial_ms = 1000\nmax_ms = 10\n",
           "不能小于 backoff.initial_ms"},
          {kNats + kFeed + kPlatform + "colour = \"red\"\n", "colour"},
      };
  for (const Case& c : cases) {
    const std::string e = error(c.text);
    EXPECT_NE(e.find(c.expect), std::string::npos) << "expected \"" << c.expect << "\" in: " << e << "\n"
                                                   << c.text;
  }
}

TEST_F(FeedConfigTest, TheShippedExampleReads) {
  std::ifstream in(std::string(HALLQ_SOURCE_DIR) + "/conf/devices/feed.toml");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const FeedConfig c = parse(text);  // its credentials file: the one beside this test's config
  EXPECT_EQ(c.nats_urls.size(), 3u);
  EXPECT_EQ(c.durable, "feed-1");
  EXPECT_EQ(c.halls, (std::vector<std::string>{"town"}));
  EXPECT_EQ(c.platform.target, "/gov/realtime/events");
}

TEST(FeedEvent, TheKeyIsTheHallAndItsSequence) {
  EXPECT_EQ(idempotency_key("town", 1), "town:1");
  EXPECT_EQ(idempotency_key("new-district_2", 18446744073709551615ull),
            "new-district_2:18446744073709551615");
}

}  // namespace
}  // namespace hallq::feed
