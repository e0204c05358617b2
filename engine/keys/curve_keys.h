// CURVE key pairs and the files that hold them. A key is 32 bytes, written as
// 40 characters of Z85 (ZeroMQ's text encoding). A key file is a tiny TOML:
//   NAME.key (secret, mode 0600):  secret_key = "..."  public_key = "..."
//   NAME.pub (public):             public_key = "..."
// The engine reads its own NAME.key; devices and hallq read theirs, plus the
// engine's public key (a .pub/.key file, or the 40 Z85 characters inline).
//
// Errors: a key file that cannot be read or holds no valid key is a
// config::ConfigError naming the file (and line), like any file an operator
// configures; generating and writing keys (hallq keys gen) fail with
// KeyFileError. Stateless; any thread.
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "engine/config/config_error.h"

namespace hallq::keys {

inline constexpr std::size_t kZ85KeyLength = 40;

struct CurveKeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters
};

class KeyFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A fresh key pair (zmq_curve_keypair). Throws std::runtime_error if libzmq
// was built without CURVE.
CurveKeyPair generate_key_pair();

// True if `text` is 40 characters that decode as Z85.
bool is_z85_key(std::string_view text);

// The public key of a Z85 secret key (zmq_curve_public); throws KeyFileError
// for a secret key that is not valid Z85.
std::string public_key_of(std::string_view secret_key);

// Reads a secret key file: secret_key required, public_key optional but, if
// present, must belong to the secret key. Errors: config::ConfigError.
CurveKeyPair read_secret_key_file(const std::string& path);

// `key_or_file` is either 40 Z85 characters or the path of a .pub or .key
// file; returns the public key it names. Errors: config::ConfigError.
std::string read_public_key(const std::string& key_or_file);

// Writes NAME.key (0600) and NAME.pub (0644) into `dir` (created if missing).
// Refuses (KeyFileError, nothing written) if either file already exists.
// `comment` goes into a leading "# " line of both files. Returns the paths.
struct WrittenKeyFiles {
  std::string secret_path, public_path;
};
WrittenKeyFiles write_key_files(const std::string& dir, std::string_view name, const CurveKeyPair& pair,
                                std::string_view comment);

}  // namespace hallq::keys
