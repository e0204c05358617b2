// Key files are written with write_exclusive (exclusive_file.h) so that a key
// is never silently replaced (an enrolled device would be locked out), and the
// secret file gets mode 0600 at creation rather than by a later chmod.
#include "engine/keys/curve_keys.h"

#include <fmt/format.h>
#include <unistd.h>
#include <zmq.h>

#include <filesystem>

#include "engine/config/toml_reader.h"
#include "engine/keys/exclusive_file.h"

namespace hallq::keys {
namespace {

std::string key_field(const toml::table& t, const std::string& path, std::string_view field, bool required) {
  const toml::node* n = t.get(field);
  if (n == nullptr) {
    if (required)
      throw config::ConfigError(path, 0,
                                fmt::format("no {} (expected {} = \"<40 Z85 characters>\")", field, field));
    return {};
  }
  const auto* s = n->as_string();
  if (s == nullptr || !is_z85_key(s->get()))
    throw config::ConfigError(path, config::line_of(n->source()),
                              fmt::format("{} must be 40 characters of Z85", field));
  return s->get();
}

}  // namespace

CurveKeyPair generate_key_pair() {
  char pub[kZ85KeyLength + 1];
  char sec[kZ85KeyLength + 1];
  if (zmq_curve_keypair(pub, sec) != 0)
    throw std::runtime_error(fmt::format("cannot generate a CURVE key pair: {}", zmq_strerror(zmq_errno())));
  return {pub, sec};
}

bool is_z85_key(std::string_view text) {
  if (text.size() != kZ85KeyLength) return false;
  const std::string z(text);
  std::uint8_t raw[32];
  return zmq_z85_decode(raw, z.c_str()) != nullptr;
}

std::string public_key_of(std::string_view secret_key) {
  if (!is_z85_key(secret_key)) throw KeyFileError("secret key is not 40 characters of Z85");
  char pub[kZ85KeyLength + 1];
  const std::string sec(secret_key);
  if (zmq_curve_public(pub, sec.c_str()) != 0)
    throw KeyFileError(fmt::format("cannot derive the public key: {}", zmq_strerror(zmq_errno())));
  return pub;
}

CurveKeyPair read_secret_key_file(const std::string& path) {
  const toml::table t = config::read_toml_file(path);
  CurveKeyPair pair;
  pair.secret_key = key_field(t, path, "secret_key", true);
  pair.public_key = public_key_of(pair.secret_key);
  const std::string stated = key_field(t, path, "public_key", false);
  if (!stated.empty() && stated != pair.public_key)
    throw config::ConfigError(path, 0, "public_key does not belong to secret_key");
  return pair;
}

std::string read_public_key(const std::string& key_or_file) {
  if (is_z85_key(key_or_file) && !std::filesystem::exists(key_or_file)) return key_or_file;
  const toml::table t = config::read_toml_file(key_or_file);
  if (t.contains("secret_key")) return read_secret_key_file(key_or_file).public_key;
  return key_field(t, key_or_file, "public_key", true);
}

WrittenKeyFiles write_key_files(const std::string& dir, std::string_view name, const CurveKeyPair& pair,
                                std::string_view comment) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw KeyFileError(fmt::format("{}: cannot create directory: {}", dir, ec.message()));
  WrittenKeyFiles out{(std::filesystem::path(dir) / fmt::format("{}.key", name)).string(),
                      (std::filesystem::path(dir) / fmt::format("{}.pub", name)).string()};
  for (const std::string& p : {out.secret_path, out.public_path})
    if (std::filesystem::exists(p))
      throw KeyFileError(fmt::format("{}: already exists (refusing to overwrite a key)", p));
  write_exclusive(out.secret_path,
                  fmt::format("# {}\n# SECRET: keep this file on the device only (mode 0600).\n"
                              "secret_key = \"{}\"\npublic_key = \"{}\"\n",
                              comment, pair.secret_key, pair.public_key),
                  0600);
  try {
    write_exclusive(out.public_path, fmt::format("# {}\npublic_key = \"{}\"\n", comment, pair.public_key),
                    0644);
  } catch (...) {
    ::unlink(out.secret_path.c_str());
    throw;
  }
  return out;
}

}  // namespace hallq::keys
