#include "engine/server/accounts.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>

#include "engine/config/toml_reader.h"

namespace hallq::server {
namespace {

void init_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::uint32_t line_of(const toml::node& node) { return config::line_of(node.source()); }

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kUploader:
      return "uploader";
    case Role::kViewer:
      break;
  }
  return "viewer";
}

bool Account::may_see(std::string_view hall) const {
  return halls.empty() || std::find(halls.begin(), halls.end(), hall) != halls.end();
}

Accounts Accounts::load(const std::string& path) { return parse(config::read_text_file(path), path); }

Accounts Accounts::parse(std::string_view text, const std::string& source) {
  const toml::table doc = config::parse_toml(text, source);
  auto fail = [&](std::uint32_t line, const std::string& what) {
    return config::ConfigError(source, line, what);
  };
  for (const auto& [key, node] : doc)
    if (key.str() != "manager")
      throw fail(line_of(node), fmt::format("unknown key \"{}\" (expected [[manager]])", key.str()));
  Accounts out;
  const toml::node* managers = doc.get("manager");
  if (managers == nullptr) return out;
  const toml::array* list = managers->as_array();
  if (list == nullptr) throw fail(line_of(*managers), "manager: expected [[manager]] tables");
  for (const toml::node& item : *list) {
    const toml::table* t = item.as_table();
    if (t == nullptr) throw fail(line_of(item), "manager: expected a table");
    Account a;
    bool has_name = false, has_hash = false;
    for (const auto& [key, node] : *t) {
      const std::string k(key.str());
      const std::uint32_t line = line_of(node);
      if (k == "name" || k == "role" || k == "password_hash") {
        const auto* v = node.as_string();
        if (v == nullptr) throw fail(line, fmt::format("manager.{}: expected a string", k));
        const std::string& s = v->get();
        if (k == "name") {
          if (!valid_name(s))
            throw fail(line, fmt::format("manager.name \"{}\": use 1..32 of a-z 0-9 . _ -", s));
          if (out.find(s) != nullptr) throw fail(line, fmt::format("manager.name \"{}\" appears twice", s));
          a.name = s;
          has_name = true;
        } else if (k == "role") {
          if (s == "admin")
            a.role = Role::kAdmin;
          else if (s == "viewer")
            a.role = Role::kViewer;
          else if (s == "uploader")
            a.role = Role::kUploader;
          else
            throw fail(line, fmt::format("manager.role \"{}\": expected admin, viewer or uploader", s));
        } else {
          if (s.rfind("$argon2id$", 0) != 0)
            throw fail(line, "manager.password_hash: not an Argon2id hash (make one with hallq-passwd)");
          a.password_hash = s;
          has_hash = true;
        }
      } else if (k == "halls") {
        const toml::array* halls = node.as_array();
        if (halls == nullptr) throw fail(line, "manager.halls: expected an array of hall ids");
        for (const toml::node& h : *halls) {
          if (!h.is_string()) throw fail(line_of(h), "manager.halls: expected hall ids (strings)");
          a.halls.push_back(h.as_string()->get());
        }
      } else {
        throw fail(
            line,
            fmt::format("unknown key \"{}\" in [[manager]] (known: name, role, halls, password_hash)", k));
      }
    }
    if (!has_name) throw fail(line_of(item), "manager: name is missing");
    if (!has_hash) throw fail(line_of(item), fmt::format("manager \"{}\": password_hash is missing", a.name));
    out.accounts_.push_back(std::move(a));
  }
  return out;
}

const Account* Accounts::find(std::string_view name) const {
  for (const Account& a : accounts_)
    if (a.name == name) return &a;
  return nullptr;
}

std::string hash_password(std::string_view password) {
  init_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
  init_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace hallq::server
