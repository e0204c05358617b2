#include "engine/server/curve_setup.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/keys/curve_keys.h"
#include "engine/keys/key_registry.h"

namespace hallq::server {

bool is_loopback_endpoint(std::string_view ep) {
  if (ep.starts_with("ipc://") || ep.starts_with("inproc://")) return true;
  if (!ep.starts_with("tcp://")) return false;
  std::string_view host = ep.substr(6);
  // tcp://interface;host:port (a connect form) is never what hallqd binds.
  if (host.find(';') != std::string_view::npos) return false;
  const std::size_t colon = host.rfind(':');
  if (colon == std::string_view::npos) return false;
  host = host.substr(0, colon);
  if (host == "localhost" || host == "[::1]" || host == "::1") return true;
  if (!host.starts_with("127.")) return false;
  return std::all_of(host.begin(), host.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

std::string configure_curve(const std::string& keys_file, const std::string& engine_key_file,
                            const std::vector<std::shared_ptr<const core::HallConfig>>& halls,
                            ServerOptions& options, std::vector<std::string>* warnings) {
  if (keys_file.empty()) {
    if (!engine_key_file.empty()) return "--engine-key needs --keys (the enrolled device keys)";
    for (const std::string* ep : {&options.cmd_endpoint, &options.pub_endpoint})
      if (!is_loopback_endpoint(*ep))
        return fmt::format(
            "{} is not a loopback endpoint: beyond loopback the engine needs --keys FILE (CURVE encryption "
            "and "
            "enrolled device keys; see SECURITY.md)",
            *ep);
    return {};
  }
  std::shared_ptr<const keys::KeyRegistry> keys;
  try {
    keys = std::make_shared<const keys::KeyRegistry>(keys::KeyRegistry::load(keys_file));
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  for (const keys::KeyEntry& k : keys->entries()) {
    for (const std::string& h : k.halls) {
      auto it = std::find_if(halls.begin(), halls.end(), [&](const auto& c) { return c->id == h; });
      if (it == halls.end()) {
        std::vector<std::string> served;  // a plain loop: clang 14 cannot use GCC 12's <ranges> views
        for (const auto& c : halls) served.push_back(c->id);
        return fmt::format("{}:{}: key \"{}\": unknown hall \"{}\" (this engine serves: {})", keys_file,
                           k.line, k.name, h, fmt::join(served, ", "));
      }
      if (!k.window.empty() && !(*it)->find_window(k.window))
        return fmt::format("{}:{}: key \"{}\": hall \"{}\" has no window \"{}\"", keys_file, k.line, k.name,
                           h, k.window);
    }
  }
  const std::string secret_file = engine_key_file.empty() ? keys->engine_secret_key_file() : engine_key_file;
  if (secret_file.empty())
    return fmt::format(
        "{}: no engine key: give --engine-key FILE or [engine] secret_key_file (hallq keys gen engine)",
        keys_file);
  try {
    options.curve_secret_key = keys::read_secret_key_file(secret_file).secret_key;
  } catch (const config::ConfigError& e) {
    return fmt::format("engine key: {}", e.what());
  }
  struct stat st {};
  if (warnings != nullptr && ::stat(secret_file.c_str(), &st) == 0 &&
      (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    warnings->push_back(fmt::format(
        "warning: the engine's secret key {} is readable by others (mode {:04o}); anyone who can read it can "
        "impersonate this engine to every device: chmod 600 {}",
        secret_file, st.st_mode & 07777, secret_file));
  }
  options.keys = std::move(keys);
  return {};
}

}  // namespace hallq::server
