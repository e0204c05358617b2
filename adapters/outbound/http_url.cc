#include "adapters/outbound/http_url.h"

namespace hallq::outbound {

bool parse_http_url(std::string_view url, HttpUrl& out) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return false;
  const std::string_view rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.empty() || authority.find_first_of("@ \t#[]") != std::string_view::npos) return false;
  if (target.find_first_of(" \t\r\n#") != std::string::npos) return false;
  std::string_view host = authority;
  int port = 80;
  if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    const std::string_view digits = authority.substr(colon + 1);
    if (digits.empty() || digits.size() > 5) return false;
    port = 0;
    for (char ch : digits) {
      if (ch < '0' || ch > '9') return false;
      port = port * 10 + (ch - '0');
    }
    if (port < 1 || port > 65535) return false;
  }
  if (host.empty()) return false;
  out.host = std::string(host);
  out.port = static_cast<std::uint16_t>(port);
  out.target = std::move(target);
  return true;
}

}  // namespace hallq::outbound
