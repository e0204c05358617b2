// Test helper: the real hallqd started with --keys (CURVE + ZAP) on loopback,
// with device keys made the way `hallq keys gen` makes them (NAME.key mode
// 0600, NAME.pub) in a temp dir, and a keys file enrolling the ones asked
// for. Keys made with enrol = false exist on disk but are unknown to the
// engine. Used by the device and screen tests of the [security] table.
// Thread: one owner thread.
#pragma once

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/client/client.h"
#include "engine/server/curve_keys.h"
#include "tools/process/engine_process.h"

namespace hallq::testing {

class SecureEngine {
 public:
  explicit SecureEngine(const std::string& stem = "hallq-devsec") : dir_(stem) {
    engine_key_ = server::generate_key_pair();
    (void)server::write_key_files(keys_dir(), "engine", engine_key_, "test engine");
    keys_toml_ = "[engine]\nsecret_key_file = \"keys/engine.key\"\n";
  }

  const std::string& dir() const { return dir_.path(); }
  std::string keys_dir() const { return dir_.path() + "/keys"; }
  std::string key_path(const std::string& name) const { return keys_dir() + "/" + name + ".key"; }
  std::string engine_pub_path() const { return keys_dir() + "/engine.pub"; }
  const std::string& engine_public_key() const { return engine_key_.public_key; }

  // Makes NAME.key / NAME.pub; enrols it (role, hall, window) unless enrol is false.
  void add_device(const std::string& name, const std::string& role, const std::string& hall,
                  const std::string& window = "", bool enrol = true) {
    pairs_[name] = server::generate_key_pair();
    (void)server::write_key_files(keys_dir(), name, pairs_[name], "test device " + name);
    if (!enrol) return;
    keys_toml_ += "\n[[key]]\nname = \"" + name + "\"\npublic_key = \"" + pairs_[name].public_key +
                  "\"\nrole = \"" + role + "\"\nhalls = [\"" + hall + "\"]\n";
    if (!window.empty()) keys_toml_ += "window = \"" + window + "\"\n";
  }

  // Writes the keys file and starts hallqd with it.
  void start(const std::vector<std::string>& confs) {
    const std::string keys_file = dir_.path() + "/keys.toml";
    std::ofstream(keys_file) << keys_toml_;
    engine_ = std::make_unique<proc::EngineProcess>(
        confs, dir_.path() + "/data", std::vector<std::string>{"--keys", keys_file, "--http", "off"});
  }
  proc::EngineProcess& engine() { return *engine_; }

  client::CurveOptions curve(const std::string& name) const {
    const server::CurveKeyPair& p = pairs_.at(name);
    return {engine_key_.public_key, p.public_key, p.secret_key};
  }

  // hallqd's stderr so far (refusals are logged there).
  std::string engine_stderr() const {
    std::ifstream in(dir_.path() + "/data.stderr");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Polls hallqd's stderr until it contains `text` (the engine logs as it
  // refuses; no other signal exists for a refused handshake), up to `limit`.
  bool wait_stderr(const std::string& text,
                   std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (engine_stderr().find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(
          std::chrono::milliseconds(20));  // poll interval of a condition with a deadline
    }
    return true;
  }

 private:
  proc::TempDir dir_;
  server::CurveKeyPair engine_key_;
  std::map<std::string, server::CurveKeyPair> pairs_;
  std::string keys_toml_;
  std::unique_ptr<proc::EngineProcess> engine_;
};

}  // namespace hallq::testing
