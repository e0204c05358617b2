#include "tests/support/secure_engine.h"

#include <fstream>
#include <thread>

#include "tests/support/program_output.h"

namespace hallq::testing {

SecureEngine::SecureEngine(const std::string& stem) : dir_(stem) {
  engine_key_ = keys::generate_key_pair();
  (void)keys::write_key_files(keys_dir(), "engine", engine_key_, "test engine");
  keys_toml_ = "[engine]\nsecret_key_file = \"keys/engine.key\"\n";
}

void SecureEngine::add_device(const std::string& name, const std::string& role, const std::string& hall,
                              const std::string& window, bool enrol) {
  pairs_[name] = keys::generate_key_pair();
  (void)keys::write_key_files(keys_dir(), name, pairs_[name], "test device " + name);
  if (!enrol) return;
  keys_toml_ += "\n[[key]]\nname = \"" + name + "\"\npublic_key = \"" + pairs_[name].public_key +
                "\"\nrole = \"" + role + "\"\nhalls = [\"" + hall + "\"]\n";
  if (!window.empty()) keys_toml_ += "window = \"" + window + "\"\n";
}

void SecureEngine::start(const std::vector<std::string>& confs, const std::vector<std::string>& extra) {
  const std::string keys_file = dir_.sub("keys.toml");
  std::ofstream(keys_file) << keys_toml_;
  std::vector<std::string> args{"--keys", keys_file, "--http", "off"};
  args.insert(args.end(), extra.begin(), extra.end());
  engine_ = std::make_unique<EngineProcess>(confs, dir_.sub("data"), std::move(args));
}

client::CurveOptions SecureEngine::curve(const std::string& name) const {
  const keys::CurveKeyPair& p = pairs_.at(name);
  return {engine_key_.public_key, p.public_key, p.secret_key};
}

std::string SecureEngine::engine_stderr() const { return slurp(dir_.sub("data.stderr")); }

bool SecureEngine::wait_stderr(const std::string& text, std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (engine_stderr().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(20));  // poll interval of a condition with a deadline
  }
  return true;
}

}  // namespace hallq::testing
