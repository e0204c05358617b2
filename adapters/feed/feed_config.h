// hallq-feed's configuration (TOML, e.g. conf/devices/feed.toml): the NATS
// cluster and the feed's credentials and consumer name, the halls chosen,
// the provincial platform's endpoint with its token, and the retry backoff.
//
//   [nats]     urls = "nats://a:4222,nats://b:4222,nats://c:4222"
//              credentials_file = "feed.creds"   durable = "feed-1"   ack_wait_s = 60
//   [feed]     halls = ["town"]   batch = 64   poll_ms = 500   utc_offset_min = 480
//   [platform] url = "http://host:port/path"   token_file = "..."
//              auth_header = "Authorization"   timeout_ms = 5000
//   [backoff]  initial_ms = 500   max_ms = 60000   jitter = 0.2   seed = 1
//
// Relative paths are relative to the config file's folder; the credentials
// file is read now (a clear start-up error rather than a refused connection
// later). The token (the first line of token_file) is sent as
// "Authorization: Bearer TOKEN", or as it is in another header named by
// auth_header (e.g. "X-Api-Key"). Only http:// (an https platform is reached
// through a local TLS proxy).
//
// Errors: config::ConfigError naming the file, line and key (Chinese text).
// Thread: any.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/outbound/http_url.h"

namespace hallq::feed {

struct FeedConfig {
  std::vector<std::string> nats_urls;
  std::string credentials_file;
  std::string durable;  // the consumers are DURABLE-HALL
  int ack_wait_s = 60;
  std::vector<std::string> halls;
  int batch = 64;               // messages fetched at once per hall
  int poll_ms = 500;            // one round's wait for news, shared by the halls
  int utc_offset_min = 8 * 60;  // the time fields' offset (+08:00)
  outbound::HttpUrl platform;
  std::string auth_header = "Authorization";
  std::string token;  // empty: no auth header
  int timeout_ms = 5000;
  int initial_ms = 500;
  int max_ms = 60000;
  double jitter = 0.2;
  std::uint64_t seed = 1;
};

FeedConfig load_feed_config(const std::string& path);
FeedConfig parse_feed_config(std::string_view text, const std::string& source, const std::string& base_dir);

}  // namespace hallq::feed
