// The enrolment is a plain append of text the registry parser then reads
// back: the keys file stays a hand-editable, commented TOML (removing a key is
// deleting its [[key]] block). The append is checked by parsing the whole
// result before anything is written.
#include "tools/hallq/keys_verb.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/keys/curve_keys.h"
#include "engine/keys/key_registry.h"

namespace hallq::cli {
namespace {

constexpr int kDone = 0;
constexpr int kUsage = 2;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* kKeysHeader =
    "# hallq enrolled device keys (hallqd --keys THIS_FILE). One [[key]] per device;\n"
    "# written by `hallq keys gen ... --enrol`. See SECURITY.md.\n"
    "# [engine]\n"
    "# secret_key_file = \"engine.key\"   # relative to this file\n";

}  // namespace

CLI::App* add_keys_verb(CLI::App& app, KeysArgs& args) {
  CLI::App* keys = app.add_subcommand("keys", "CURVE keys of the engine and the devices (SECURITY.md)");
  keys->require_subcommand(1);
  CLI::App* gen =
      keys->add_subcommand("gen", "generate NAME.key (secret, 0600) and NAME.pub; --enrol adds the device");
  gen->add_option("name", args.name, "key name: the device (k1, caller-w1 ...) or \"engine\"")->required();
  gen->add_option("--role", args.role,
                  "kiosk | caller | keypad | display | speaker | manager (none: the engine's own key)");
  gen->add_option("--hall", args.halls, "hall id (manager: repeat for several)");
  gen->add_option("--window", args.window, "window id (caller and keypad)");
  gen->add_option("--out", args.out, "directory for the key files")->capture_default_str();
  gen->add_option("--enrol", args.enrol, "append the device's entry to this keys file (hallqd --keys)");
  return gen;
}

int run_keys_gen(const KeysArgs& args, bool json) {
  using keys::KeyEntry;
  KeyEntry entry;
  entry.name = args.name;
  entry.halls = args.halls;
  entry.window = args.window;
  if (args.role.empty()) {
    if (!args.enrol.empty() || !args.halls.empty() || !args.window.empty()) {
      std::cerr << "hallq keys gen: --enrol, --hall and --window need --role (a device key)\n";
      return kUsage;
    }
  } else {
    const auto role = keys::device_role_from_string(args.role);
    if (!role) {
      std::cerr << fmt::format(
          "hallq keys gen: unknown role \"{}\" (kiosk, caller, keypad, display, speaker, manager)\n",
          args.role);
      return kUsage;
    }
    entry.role = *role;
  }
  keys::CurveKeyPair pair = keys::generate_key_pair();
  entry.public_key = pair.public_key;
  std::string enrolled_text;
  if (!args.role.empty()) {
    // Validate the entry (and the file it joins) with the registry's own
    // parser before writing any key, so a mistake leaves nothing behind.
    const std::string existing = !args.enrol.empty() && std::filesystem::exists(args.enrol)
                                     ? read_all(args.enrol)
                                     : std::string(kKeysHeader);
    enrolled_text =
        existing + (existing.empty() || existing.back() == '\n' ? "" : "\n") + keys::format_key_entry(entry);
    try {
      (void)keys::KeyRegistry::parse(enrolled_text, args.enrol.empty() ? "(new entry)" : args.enrol);
    } catch (const config::ConfigError& e) {
      std::cerr << "hallq keys gen: " << e.what() << "\n";
      return kUsage;
    }
  }
  const std::string comment =
      args.role.empty() ? fmt::format("hallq CURVE key \"{}\" (the engine's own)", args.name)
                        : fmt::format("hallq CURVE key \"{}\": {} in {}{}", args.name, args.role,
                                      fmt::join(args.halls, ", "),
                                      args.window.empty() ? "" : fmt::format(", window {}", args.window));
  keys::WrittenKeyFiles files;
  try {
    files = keys::write_key_files(args.out, args.name, pair, comment);
  } catch (const keys::KeyFileError& e) {
    std::cerr << "hallq keys gen: " << e.what() << "\n";
    return kUsage;
  }
  if (!args.enrol.empty()) {
    const std::string tmp = args.enrol + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << enrolled_text;
      if (!out.flush()) {
        std::cerr << fmt::format("hallq keys gen: {}: cannot write: {}\n", tmp, std::strerror(errno));
        return kUsage;
      }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, args.enrol, ec);  // atomic: the engine never reads half a file
    if (ec) {
      std::cerr << fmt::format("hallq keys gen: {}: {}\n", args.enrol, ec.message());
      return kUsage;
    }
  }
  if (json) {
    std::cout << nlohmann::json{{"ok", true},
                                {"name", args.name},
                                {"public_key", pair.public_key},
                                {"secret_file", files.secret_path},
                                {"public_file", files.public_path},
                                {"enrolled", args.enrol}}
                     .dump()
              << std::endl;
  } else {
    std::cout << fmt::format("{}  {}\n  secret: {} (mode 0600, keep it on the device)\n  public: {}\n",
                             args.name, pair.public_key, files.secret_path, files.public_path);
    if (!args.enrol.empty())
      std::cout << fmt::format("  enrolled in {} (restart hallqd to apply)\n", args.enrol);
  }
  return kDone;
}

}  // namespace hallq::cli
