// An http:// address of a server the adapters call out to (hallqd's HTTP API,
// the provincial platform's endpoints): host, port and request target.
// Only http:// (an https platform is reached through a local TLS proxy).
//
// Pure; thread: any.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hallq::outbound {

struct HttpUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string target = "/";  // path and query
};

// "http://host[:port][/path]"; false (and `out` untouched) if it is not one:
// another scheme, user info, blanks, a fragment, a port outside 1..65535.
bool parse_http_url(std::string_view url, HttpUrl& out);

}  // namespace hallq::outbound
