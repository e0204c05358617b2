// The [security] table and the key files it names. The key files themselves
// are read by engine/server/curve_keys (the same reader hallq and hallqd use),
// so a .key written by `hallq keys gen` is read the same way everywhere.
#include "engine/device/device_security.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "engine/keys/curve_keys.h"

namespace hallq::device {
namespace {

constexpr std::string_view kKeys[] = {"key_file", "engine_public_key_file", "engine_public_key"};

std::string resolve(const std::string& source, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(source).parent_path() / p).lexically_normal().string();
}

// "CONFIG:LINE: security.KEY" or, for a command-line value, "--OPTION".
std::string where(const SecurityConfig& s, std::uint32_t line, std::string_view key,
                  std::string_view option) {
  if (line == 0) return std::string(option);
  return fmt::format("{}:{}: security.{}", s.source, line, key);
}

[[noreturn]] void fail(const SecurityConfig& s, std::uint32_t line, std::string_view key,
                       std::string_view option, std::string_view what) {
  if (line == 0) throw config::ConfigError(fmt::format("{}: {}", option, what));
  throw config::ConfigError(s.source, line, fmt::format("security.{}: {}", key, what));
}

// The file exists and is a regular, readable file (a clearer message than a
// TOML reader's "cannot open").
void check_readable(const SecurityConfig& s, std::uint32_t line, std::string_view key,
                    std::string_view option, const std::string& path, struct stat& st) {
  if (::stat(path.c_str(), &st) != 0)
    fail(s, line, key, option, fmt::format("{}: {}", path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) fail(s, line, key, option, fmt::format("{}: not a regular file", path));
  if (::access(path.c_str(), R_OK) != 0)
    fail(s, line, key, option, fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
}

void check_complete(const SecurityConfig& s, std::uint32_t table_line) {
  const bool has_engine = !s.engine_public_key.empty() || !s.engine_public_key_file.empty();
  if (s.key_file.empty() && !has_engine) return;
  if (s.key_file.empty()) {
    if (s.engine_key_line == 0)
      throw config::ConfigError(
          "--server-key: needs this device's own key too (--key FILE or [security] key_file)");
    throw config::ConfigError(s.source, table_line,
                              "security: missing key_file (this device's secret key, hallq keys gen)");
  }
  if (!has_engine) {
    if (s.key_file_line == 0)
      throw config::ConfigError(
          "--key: needs the engine's public key too (--server-key FILE|Z85 or [security] "
          "engine_public_key_file)");
    throw config::ConfigError(s.source, table_line,
                              "security: missing engine_public_key_file or engine_public_key (the engine's "
                              "public key, engine.pub)");
  }
}

}  // namespace

SecurityConfig read_security(const config::TableReader& document) {
  SecurityConfig s;
  s.source = document.source();
  const config::TableReader t = document.section("security");
  if (!t.present()) return s;
  t.allow_only(kKeys);
  const std::uint32_t table_line = t.line("");  // no such key: the [security] header's line
  if (t.has("key_file")) {
    s.key_file = resolve(s.source, t.required_string("key_file"));
    s.key_file_line = t.line("key_file");
  }
  if (t.has("engine_public_key_file") && t.has("engine_public_key"))
    t.fail("engine_public_key", "give engine_public_key_file or engine_public_key, not both");
  if (t.has("engine_public_key_file")) {
    s.engine_public_key_file = resolve(s.source, t.required_string("engine_public_key_file"));
    s.engine_key_line = t.line("engine_public_key_file");
  }
  if (t.has("engine_public_key")) {
    s.engine_public_key = t.required_string("engine_public_key");
    s.engine_key_line = t.line("engine_public_key");
    if (!keys::is_z85_key(s.engine_public_key))
      t.fail("engine_public_key",
             fmt::format(
                 "must be 40 characters of Z85 (got {} characters); for a file use engine_public_key_file",
                 s.engine_public_key.size()));
  }
  check_complete(s, table_line);
  return s;
}

void override_security(SecurityConfig& s, const std::string& key_file, const std::string& server_key) {
  if (!key_file.empty()) {
    s.key_file = key_file;
    s.key_file_line = 0;
  }
  if (!server_key.empty()) {
    s.engine_public_key.clear();
    s.engine_public_key_file.clear();
    // Like hallq --server-key: the 40 characters themselves, unless a file of that name exists.
    if (keys::is_z85_key(server_key) && !std::filesystem::exists(server_key))
      s.engine_public_key = server_key;
    else
      s.engine_public_key_file = server_key;
    s.engine_key_line = 0;
  }
  check_complete(s, 1);
}

LoadedCurve load_curve(const SecurityConfig& s) {
  LoadedCurve out;
  if (!s.enabled()) return out;
  struct stat st {};
  check_readable(s, s.key_file_line, "key_file", "--key", s.key_file, st);
  try {
    const keys::CurveKeyPair own = keys::read_secret_key_file(s.key_file);
    out.curve.secret_key = own.secret_key;
    out.curve.public_key = own.public_key;
  } catch (const config::ConfigError& e) {
    fail(s, s.key_file_line, "key_file", "--key", e.what());
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    out.warnings.push_back(fmt::format(
        "{}: warning: {} is readable by others (mode {:04o}); "
        "a device's secret key should be mode 0600 (chmod 600 {})",
        where(s, s.key_file_line, "key_file", "--key"), s.key_file, st.st_mode & 07777, s.key_file));
  if (!s.engine_public_key.empty()) {
    out.curve.server_key = s.engine_public_key;
  } else {
    check_readable(s, s.engine_key_line, "engine_public_key_file", "--server-key", s.engine_public_key_file,
                   st);
    try {
      out.curve.server_key = keys::read_public_key(s.engine_public_key_file);
    } catch (const config::ConfigError& e) {
      fail(s, s.engine_key_line, "engine_public_key_file", "--server-key", e.what());
    }
  }
  if (out.curve.server_key == out.curve.public_key)
    fail(s, s.engine_key_line, s.engine_public_key.empty() ? "engine_public_key_file" : "engine_public_key",
         "--server-key", "is this device's own public key, not the engine's (engine.pub)");
  return out;
}

}  // namespace hallq::device
