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
#include "engine/keys/person_hash.h"
#include "engine/keys/ticket_token.h"

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
  CLI::App* keys = app.add_subcommand("keys", "引擎和设备的 CURVE 密钥（SECURITY.md）");
  keys->require_subcommand(1);
  CLI::App* gen =
      keys->add_subcommand("gen", "生成 名称.key（私钥，权限 0600）和 名称.pub；--enrol 同时登记设备");
  gen->add_option("name", args.name, "密钥名称：设备名（k1、caller-w1 …）或 engine")
      ->type_name("名称")
      ->required();
  gen->add_option("--role", args.role,
                  "kiosk 取号机 | caller 呼叫器 | keypad 评价器 | display 显示屏 | speaker 语音 | manager "
                  "管理 | citizen 群众服务网关 | notifier 短信提醒（可收到手机号）；不填：引擎自己的密钥")
      ->type_name("角色");
  gen->add_option("--hall", args.halls, "大厅编号（manager、citizen 和 notifier 可重复给出多个）")
      ->type_name("大厅");
  gen->add_option("--window", args.window, "窗口编号（caller 和 keypad）")->type_name("窗口");
  gen->add_option("--out", args.out, "密钥文件放在这个目录")->type_name("目录")->capture_default_str();
  gen->add_option("--enrol", args.enrol, "把设备登记到这个密钥清单文件（hallqd --keys）")->type_name("文件");
  args.salt = keys->add_subcommand(
      "salt", "生成身份证号码散列用的盐（32 字节随机数，权限 0600；hallqd --person-salt），不覆盖已有文件");
  args.salt->add_option("file", args.salt_file, "盐文件的路径")->type_name("文件")->required();
  args.ticket_secret = keys->add_subcommand(
      "ticket-secret", "生成票据二维码令牌的密钥文件（32 字节，权限 0600）：取号机和群众服务网关共用");
  args.ticket_secret->add_option("file", args.secret_file, "密钥文件路径（已存在时拒绝覆盖）")
      ->type_name("文件")
      ->required();
  return keys;
}

namespace {

int run_ticket_secret(const KeysArgs& args, bool json) {
  try {
    keys::write_ticket_secret_file(args.secret_file);
  } catch (const keys::KeyFileError& e) {
    std::cerr << "无法写入密钥文件：" << e.what() << "\n";
    return kUsage;
  }
  if (json)
    std::cout << nlohmann::json{{"ok", true}, {"secret_file", args.secret_file}}.dump() << std::endl;
  else
    std::cout << fmt::format("票据令牌密钥：{}（权限 0600；复制到取号机和 hallq-citizen，勿外传）\n",
                             args.secret_file);
  return kDone;
}

int run_keys_salt(const KeysArgs& args, bool json) {
  try {
    keys::PersonSalt::generate().write_file(args.salt_file);
  } catch (const keys::KeyFileError& e) {
    std::cerr << "无法写入盐文件：" << e.what() << "\n";
    return kUsage;
  }
  if (json) {
    std::cout << nlohmann::json{{"ok", true}, {"salt_file", args.salt_file}}.dump() << std::endl;
  } else {
    std::cout << fmt::format(
        "{}：已生成 32 字节的盐（权限 0600）。\n  交给 hallqd "
        "--person-salt；请备份，丢失后已有预约无法与新预约对应。\n",
        args.salt_file);
  }
  return kDone;
}

int run_keys_gen(const KeysArgs& args, bool json) {
  using keys::KeyEntry;
  KeyEntry entry;
  entry.name = args.name;
  entry.halls = args.halls;
  entry.window = args.window;
  if (args.role.empty()) {
    if (!args.enrol.empty() || !args.halls.empty() || !args.window.empty()) {
      std::cerr << "--enrol、--hall 和 --window 只用于设备密钥：请同时给出 --role\n";
      return kUsage;
    }
  } else {
    const auto role = keys::device_role_from_string(args.role);
    if (!role) {
      std::cerr << fmt::format(
          "没有角色 `{}`。可用的角色：kiosk、caller、keypad、display、speaker、manager、citizen、notifier\n",
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
      std::cerr << "密钥清单有误：" << e.what() << "\n";
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
    std::cerr << "无法写入密钥文件：" << e.what() << "\n";
    return kUsage;
  }
  if (!args.enrol.empty()) {
    const std::string tmp = args.enrol + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << enrolled_text;
      if (!out.flush()) {
        std::cerr << fmt::format("无法写入 {}：{}\n", tmp, std::strerror(errno));
        return kUsage;
      }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, args.enrol, ec);  // atomic: the engine never reads half a file
    if (ec) {
      std::cerr << fmt::format("无法写入 {}：{}\n", args.enrol, ec.message());
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
    std::cout << fmt::format("{}  {}\n  私钥：{}（权限 0600，只留在这台设备上）\n  公钥：{}\n", args.name,
                             pair.public_key, files.secret_path, files.public_path);
    if (!args.enrol.empty()) std::cout << fmt::format("  已登记到 {}（重启 hallqd 后生效）\n", args.enrol);
  }
  return kDone;
}

}  // namespace

int run_keys(const KeysArgs& args, bool json) {
  if (args.ticket_secret != nullptr && args.ticket_secret->parsed()) return run_ticket_secret(args, json);
  if (args.salt != nullptr && args.salt->parsed()) return run_keys_salt(args, json);
  return run_keys_gen(args, json);
}

}  // namespace hallq::cli
