// Test helper: the real hallqd started with --keys (CURVE + ZAP) on loopback,
// with device keys made the way `hallq keys gen` makes them (NAME.key mode
// 0600, NAME.pub) in a temp dir, and a keys file enrolling the ones asked
// for. Keys made with enrol = false exist on disk but are unknown to the
// engine. Used by the device and screen tests of the [security] table.
// Thread: one owner thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/client/client.h"
#include "engine/keys/curve_keys.h"
#include "tests/support/engine_process.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {

class SecureEngine {
 public:
  explicit SecureEngine(const std::string& stem = "hallq-devsec");

  const std::string& dir() const { return dir_.path(); }
  std::string keys_dir() const { return dir_.path() + "/keys"; }
  std::string key_path(const std::string& name) const { return keys_dir() + "/" + name + ".key"; }
  std::string engine_pub_path() const { return keys_dir() + "/engine.pub"; }
  const std::string& engine_public_key() const { return engine_key_.public_key; }

  // Makes NAME.key / NAME.pub; enrols it (role, hall, window) unless enrol is false.
  void add_device(const std::string& name, const std::string& role, const std::string& hall,
                  const std::string& window = "", bool enrol = true);

  // Writes the keys file and starts hallqd with it (and `extra` arguments).
  void start(const std::vector<std::string>& confs, const std::vector<std::string>& extra = {});
  EngineProcess& engine() { return *engine_; }

  client::CurveOptions curve(const std::string& name) const;

  // hallqd's stderr so far (refusals are logged there).
  std::string engine_stderr() const;
  // Polls hallqd's stderr until it contains `text` (the engine logs as it
  // refuses; no other signal exists for a refused handshake), up to `limit`.
  bool wait_stderr(const std::string& text, std::chrono::milliseconds limit = std::chrono::seconds(10)) const;

 private:
  TempDir dir_;
  keys::CurveKeyPair engine_key_;
  std::map<std::string, keys::CurveKeyPair> pairs_;
  std::string keys_toml_;
  std::unique_ptr<EngineProcess> engine_;
};

}  // namespace hallq::testing
