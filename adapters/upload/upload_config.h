// hallq-upload's configuration (TOML, e.g. conf/devices/upload.toml): where
// hallqd's HTTP API is and the account to log in with, the provincial
// 好差评 platform's URL and token, the halls to upload, the state directory
// (cursors, rejections) and the retry backoff.
//
//   [engine]   url = "http://127.0.0.1:8080"   user = "uploader"   password_file = "..."   timeout_ms = 30000
//   [platform] url = "http://host:port/path"   token_file = "..."  timeout_ms = 5000
//   [upload]   halls = ["town"]   state_dir = "upload-state"   page = 100   poll_ms = 2000
//   [backoff]  initial_ms = 500   max_ms = 60000   jitter = 0.2   seed = 1
//
// Relative paths are relative to the config file's folder. Only http://
// (an https platform is reached through a local TLS proxy). user and
// password_file go together (no login without them: hallqd's open API on
// loopback). The token, if given, is sent as "Authorization: Bearer TOKEN".
//
// Errors: config::ConfigError naming the file, line and key (Chinese text).
// Thread: any.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/outbound/http_url.h"

namespace hallq::upload {

using outbound::HttpUrl;

struct UploadConfig {
  HttpUrl engine;
  std::string user, password;     // empty: no login
  int engine_timeout_ms = 30000;  // a read or a login (its password check takes a while)
  HttpUrl platform;
  std::string token;  // empty: no Authorization header
  int timeout_ms = 5000;
  std::vector<std::string> halls;
  std::string state_dir;
  int page = 100;
  int poll_ms = 2000;
  int initial_ms = 500;
  int max_ms = 60000;
  double jitter = 0.2;
  std::uint64_t seed = 1;
};

UploadConfig load_upload_config(const std::string& path);
UploadConfig parse_upload_config(std::string_view text, const std::string& source,
                                 const std::string& base_dir);

}  // namespace hallq::upload
