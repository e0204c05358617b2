// hallq-citizen's configuration (conf/devices/citizen.toml):
//
//   [citizen]
//   listen = "127.0.0.1:8090"            # HOST:PORT the HTTP server binds (behind the TLS proxy)
//   engine = "tcp://10.0.0.5:5555"        # the engine's command endpoint
//   events = "tcp://10.0.0.5:5556"        # the engine's publisher
//   halls = ["town"]                      # the halls served (the key's scope in hallqd --keys)
//   ticket_secret = "keys/ticket.secret"  # hallq keys ticket-secret; the kiosks' copy
//   public_url = "https://q.example.gov.cn"  # what citizens open; its origin is the only one
//                                         # allowed to POST (besides the Host the request names)
//   trusted_proxies = ["127.0.0.1"]       # peers whose X-Forwarded-For names the client
//   person_salt = "keys/person.salt"      # hallq keys salt; hallqd's --person-salt: remote
//                                         # tickets (网上取号) hash the ID number with it;
//                                         # without it the remote page answers 503
//
//   [hall_names]                          # optional: a served hall's Chinese name, for the
//   town = "商家镇便民服务中心"              # pages answered while the gateway has no replica of
//                                         # it (the engine not reached, or it does not know
//                                         # the hall: 503 系统连接中); once synced, the
//                                         # replica's name (the engine's config) is shown
//
//   [limits]
//   max_streams = 10000                   # live pages (SSE) at once
//   max_streams_per_address = 20
//   max_connections = 12000
//   token_failures_burst = 10             # failed token lookups an address may make at once,
//   token_failures_per_minute = 10        # then this many a minute
//   max_body = 1024                       # bytes of a request body
//   remote_burst = 3                      # remote tickets (tries, taken or refused) an address
//   remote_per_hour = 6                   # may ask for at once, then this many an hour
//   checkin_burst = 30                    # check-ins (POST /api/checkin, tries) an address may
//   checkin_per_hour = 120                # make at once, then this many an hour (a hall's
//                                         # Wi-Fi is one address for many phones)
//
//   [security]                            # CURVE keys (engine/device/device_security.h)
//
// Relative paths are taken from the config file's folder. Errors:
// config::ConfigError naming file:line. Pure parsing; any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/device/device_security.h"

namespace hallq::citizen {

struct CitizenLimits {
  std::size_t max_streams = 10000;
  std::size_t max_streams_per_address = 20;
  std::size_t max_connections = 12000;
  double token_failures_burst = 10;
  double token_failures_per_minute = 10;
  std::size_t max_body = 1024;
  double remote_burst = 3;
  double remote_per_hour = 6;
  double checkin_burst = 30;
  double checkin_per_hour = 120;
};

struct CitizenConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8090;
  std::string engine = "tcp://127.0.0.1:5555";
  std::string events = "tcp://127.0.0.1:5556";
  std::vector<std::string> halls;
  // Served hall id -> its Chinese name ([hall_names]; a hall may have none).
  std::map<std::string, std::string, std::less<>> hall_names;
  std::string ticket_secret_file;
  std::string public_url;  // "" : no public origin (only the Host the request names)
  std::vector<std::string> trusted_proxies;
  std::string person_salt_file;  // "" : no remote tickets
  CitizenLimits limits;
  device::SecurityConfig security;
};

CitizenConfig parse_citizen_config(std::string_view text, const std::string& source);
CitizenConfig load_citizen_config(const std::string& path);

// "https://q.example.gov.cn/x" -> "https://q.example.gov.cn" (scheme, host
// and port of a URL, as a browser's Origin header names them); "" if `url`
// is not http(s)://HOST...
std::string origin_of(std::string_view url);

}  // namespace hallq::citizen
