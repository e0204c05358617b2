// hallqd's start-up decision about transport security, apart from main():
//   --keys FILE given: load the enrolled keys, check every hall and window
//     they name against the loaded halls, read the engine's secret key
//     (--engine-key, else the keys file's [engine] secret_key_file) and turn
//     on CURVE + ZAP + role checks in ServerOptions;
//   no --keys: plaintext, allowed only on loopback endpoints (tests, demos).
// Errors are messages for stderr (hallqd exits 2), naming file:line where a
// file is at fault. Pure apart from reading the two files; any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/server/server.h"

namespace hallq::server {

// tcp://127.x.x.x, tcp://localhost, tcp://[::1], ipc:// and inproc://
// endpoints; anything else (tcp://*:5570, a LAN address) is not.
bool is_loopback_endpoint(std::string_view endpoint);

// Fills options.keys and options.curve_secret_key, or checks that plaintext
// endpoints are loopback. Returns "" when hallqd may start, else the reason.
// Things worth fixing that need not stop the engine (an engine secret key
// readable by group or others) are appended to `warnings`, if given.
std::string configure_curve(const std::string& keys_file, const std::string& engine_key_file,
                            const std::vector<std::shared_ptr<const core::HallConfig>>& halls,
                            ServerOptions& options, std::vector<std::string>* warnings = nullptr);

}  // namespace hallq::server
