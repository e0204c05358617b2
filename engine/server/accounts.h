// Managers' accounts for the HTTP API and dashboard: who may log in, with
// which role (viewer: read; admin: read and act) over which halls, and the
// password check. Passwords are stored only as libsodium crypto_pwhash_str
// hashes (Argon2id, salted, "interactive" limits: about 0.1 s and 64 MiB per
// check), written by `hallq-passwd`. The role uploader is hallq-upload's:
// it may read its halls' evaluation records and post the platform's
// rejections and its acceptances of re-sent records
// (http_upload_rejections.h), nothing else (HttpAuth::confine).
//
// The accounts file (TOML), e.g. conf/managers.example.toml:
//   [[manager]]
//   name = "zhangwei"            # [a-z0-9._-], 1..32
//   role = "admin"               # admin | viewer | uploader
//   halls = ["town"]             # optional; absent: every hall
//   password_hash = "$argon2id$v=19$m=65536,t=2,p=1$..."
//
// Errors: config::ConfigError naming FILE:LINE and the problem (unknown keys, a
// bad role, a duplicate name, a hash that is not an Argon2id string).
// Thread: load once; Accounts is immutable afterwards (any thread may read).
// verify_password is slow on purpose: never call it on the engine's thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_error.h"

namespace hallq::server {

enum class Role { kViewer, kAdmin, kUploader };
std::string_view to_string(Role role);

struct Account {
  std::string name;
  Role role = Role::kViewer;
  std::vector<std::string> halls;  // empty: every hall
  std::string password_hash;
  bool may_see(std::string_view hall) const;
};

class Accounts {
 public:
  static Accounts load(const std::string& path);
  static Accounts parse(std::string_view text, const std::string& source);
  const Account* find(std::string_view name) const;
  const std::vector<Account>& all() const { return accounts_; }

 private:
  std::vector<Account> accounts_;
};

// Argon2id hash of `password` in crypto_pwhash_str format (random salt).
std::string hash_password(std::string_view password);
// Constant-time check of `password` against a stored hash. Slow (see above).
bool verify_password(const std::string& hash, std::string_view password);

}  // namespace hallq::server
