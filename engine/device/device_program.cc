// The device program skeleton: common flags, overrides, exit codes.
#include "engine/device/device_program.h"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <iostream>

#include "engine/config/toml_reader.h"
#include "engine/device/signals.h"
#include "engine/device/usage_text.h"

namespace hallq::device {

DeviceProgram::DeviceProgram(ProgramSpec spec) : spec_(std::move(spec)), cli_(spec_.description) {
  use_chinese_help(cli_, spec_.name);
  cli_.add_option("--config", options_.config, spec_.config_help)->type_name("文件");
  for (const std::string& old : spec_.old_config_names)
    cli_.add_option(old, options_.config, "--config 的旧写法")->group("");
  cli_.add_option(
          "--engine", options_.engine,
          "引擎的命令端点（代替配置文件中的）；多台引擎（主用与备用）以逗号分隔，无应答时依次改试下一台")
      ->type_name("端点");
  cli_.add_option("--events", options_.events, "引擎的事件端点（代替配置文件中的）")->type_name("端点");
  if (spec_.old_pub_name) cli_.add_option("--pub", options_.events, "--events 的旧写法")->group("");
  cli_.add_option("--key", options_.key_file, "本设备的 CURVE 私钥文件（代替 [security] key_file）")
      ->type_name("文件");
  cli_.add_option("--server-key", options_.server_key,
                  "引擎的公钥：.pub/.key 文件，或 40 个 Z85 字符（代替 [security] 中的）")
      ->type_name("公钥");
  if (!spec_.headless_help.empty()) cli_.add_flag("--headless", options_.headless, spec_.headless_help);
}

int DeviceProgram::run(int argc, char** argv, const std::function<int()>& body) {
  try {
    cli_.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << cli_.help() << std::flush;
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::cerr << usage_error(cli_, e) << std::flush;
    return kExitUsage;
  }
  install_stop_signals();
  try {
    if (spec_.config_required && options_.config.empty())
      throw UsageError("缺少 --config 文件（设备的配置）");
    return body();
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsage;
  } catch (const UsageError& e) {
    warn(e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    warn(e.what());
    return kExitFailure;
  }
}

LoadedCurve DeviceProgram::apply_overrides(DeviceEndpoints config) const {
  if (!options_.engine.empty()) config.engine = options_.engine;
  if (!options_.events.empty()) config.events = options_.events;
  override_security(config.security, options_.key_file, options_.server_key);
  LoadedCurve keys = load_curve(config.security);
  for (const std::string& w : keys.warnings) warn(w);
  return keys;
}

void DeviceProgram::warn(std::string_view message) const {
  std::fprintf(stderr, "%s: %.*s\n", spec_.name.c_str(), static_cast<int>(message.size()), message.data());
}

}  // namespace hallq::device
