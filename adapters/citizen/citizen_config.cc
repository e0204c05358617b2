#include "adapters/citizen/citizen_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "engine/config/toml_reader.h"

namespace hallq::citizen {
namespace {

constexpr std::string_view kSections[] = {"citizen", "hall_names", "limits", "security"};
constexpr std::string_view kCitizenKeys[] = {"listen",        "engine",     "events",          "halls",
                                             "ticket_secret", "public_url", "trusted_proxies", "person_salt"};
constexpr std::string_view kLimitKeys[] = {
    "max_streams",          "max_streams_per_address",   "max_connections",
    "token_failures_burst", "token_failures_per_minute", "max_body",
    "remote_burst",         "remote_per_hour",           "checkin_burst",
    "checkin_per_hour"};

std::string resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p.front() == '/' || base_dir.empty()) return p;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

bool hall_id_ok(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

CitizenConfig parse(const toml::table& root, const std::string& source, const std::string& base_dir) {
  const config::TableReader r = config::TableReader::document(root, source);
  r.allow_only(kSections);
  CitizenConfig c;
  c.security = device::read_security(r);
  const config::TableReader g = r.required_section("citizen");
  g.allow_only(kCitizenKeys);
  const std::string listen = g.string("listen", "127.0.0.1:8090");
  const std::size_t colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon > 0 && colon + 1 < listen.size() && colon + 6 >= listen.size()) {
    port = 0;
    for (char ch : listen.substr(colon + 1))
      port = ch >= '0' && ch <= '9' ? port * 10 + (ch - '0') : -1000000;
  }
  if (port < 0 || port > 65535) g.fail("listen", fmt::format("\"{}\": expected HOST:PORT", listen));
  c.listen_host = listen.substr(0, colon);
  if (c.listen_host.size() > 2 && c.listen_host.front() == '[' && c.listen_host.back() == ']')
    c.listen_host = c.listen_host.substr(1, c.listen_host.size() - 2);
  c.listen_port = static_cast<std::uint16_t>(port);
  c.engine = g.string("engine", c.engine);
  c.events = g.string("events", c.events);
  const auto halls = g.strings("halls");
  if (!halls || halls->empty()) g.fail("halls", "expected the ids of the halls served, e.g. [\"town\"]");
  for (const std::string& h : *halls)
    if (!hall_id_ok(h)) g.fail("halls", fmt::format("\"{}\" is not a hall id", h));
  c.halls = *halls;
  c.ticket_secret_file = resolve(base_dir, g.required_string("ticket_secret"));
  c.public_url = g.string("public_url", "");
  if (!c.public_url.empty() && origin_of(c.public_url).empty())
    g.fail("public_url", fmt::format("\"{}\": expected http(s)://HOST[:PORT][/...]", c.public_url));
  if (auto p = g.strings("trusted_proxies")) c.trusted_proxies = *p;
  const std::string salt = g.string("person_salt", "");
  if (!salt.empty()) c.person_salt_file = resolve(base_dir, salt);

  const config::TableReader names = r.section("hall_names");
  const std::vector<std::string_view> served(c.halls.begin(), c.halls.end());
  names.allow_only(served);
  for (const std::string& h : c.halls) {
    const std::optional<std::string> name = names.string(h);
    if (!name) continue;
    if (name->empty() || name->size() > 200) names.fail(h, "expected the hall's name, 1 to 200 bytes");
    for (const char ch : *name)
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
        names.fail(h, "the name has a control character");
    c.hall_names.emplace(h, *name);
  }

  const config::TableReader l = r.section("limits");
  l.allow_only(kLimitKeys);
  CitizenLimits& lim = c.limits;
  lim.max_streams = static_cast<std::size_t>(l.integer("max_streams", 0, 1'000'000, 10000));
  lim.max_streams_per_address =
      static_cast<std::size_t>(l.integer("max_streams_per_address", 1, 1'000'000, 20));
  lim.max_connections = static_cast<std::size_t>(l.integer("max_connections", 1, 1'000'000, 12000));
  lim.token_failures_burst = l.number("token_failures_burst", 1, 1e6, 10);
  lim.token_failures_per_minute = l.number("token_failures_per_minute", 0.01, 1e6, 10);
  lim.max_body = static_cast<std::size_t>(l.integer("max_body", 64, 1 << 20, 1024));
  lim.remote_burst = l.number("remote_burst", 1, 1e6, 3);
  lim.remote_per_hour = l.number("remote_per_hour", 0.01, 1e6, 6);
  lim.checkin_burst = l.number("checkin_burst", 1, 1e6, 30);
  lim.checkin_per_hour = l.number("checkin_per_hour", 0.01, 1e6, 120);
  return c;
}

}  // namespace

std::string origin_of(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "";
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return "";
  const std::size_t host_start = scheme_end + 3;
  const std::size_t host_end = url.find_first_of("/?#", host_start);
  const std::string_view host = url.substr(
      host_start, host_end == std::string_view::npos ? std::string_view::npos : host_end - host_start);
  if (host.empty() || host.find_first_of("@ \t") != std::string_view::npos) return "";
  return fmt::format("{}://{}", scheme, host);
}

CitizenConfig parse_citizen_config(std::string_view text, const std::string& source) {
  return parse(config::parse_toml(text, source), source, "");
}

CitizenConfig load_citizen_config(const std::string& path) {
  return parse(config::parse_toml(config::read_text_file(path), path), path,
               std::filesystem::path(path).parent_path().string());
}

}  // namespace hallq::citizen
