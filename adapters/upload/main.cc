// hallq-upload: sends the halls' 好差评 records (and, once they exist, the
// 差评 work orders' steps) to the provincial 好差评 platform over HTTP, in
// order, exactly once as far as the platform honours Idempotency-Key
// (uploader.h, upload_state.h). The event log in hallqd is the outbox.
//   hallq-upload --config conf/devices/upload.toml
// stdout, one line each: "hallq-upload ready halls=...", "uploaded ...",
// "rejected ...", "retry ...", "engine ...", "hallq-upload stopped".
// Exit codes: 0 stopped by SIGTERM/SIGINT, 1 runtime failure (the state
// directory cannot be written), 2 usage or configuration error.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <iostream>

#include "adapters/upload/upload_config.h"
#include "adapters/upload/upload_state.h"
#include "adapters/upload/uploader.h"
#include "engine/config/config_error.h"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop = true; }

}  // namespace

int main(int argc, char** argv) {
  using namespace hallq;
  CLI::App app("hallq-upload：好差评上报，把大厅的评价记录按顺序上报到省级好差评系统");
  std::string config_path;
  app.add_option("--config", config_path, "上报程序的配置（conf/devices/upload.toml）")->required();
  CLI11_PARSE(app, argc, argv);

  upload::UploadConfig config;
  try {
    config = upload::load_upload_config(config_path);
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << std::endl;
    return 2;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    upload::UploadState state(config.state_dir);
    std::string halls;
    for (const std::string& h : config.halls) halls += (halls.empty() ? "" : ",") + h;
    std::cout << fmt::format("hallq-upload ready halls={} platform={}:{}{}", halls, config.platform.host,
                             config.platform.port, config.platform.target)
              << std::endl;
    upload::Uploader uploader(
        config, state, [](const std::string& line) { std::cout << line << std::endl; },
        [] { return g_stop.load(); });
    uploader.run();
  } catch (const std::exception& e) {
    std::cerr << "hallq-upload: " << e.what() << std::endl;
    return 1;
  }
  std::cout << "hallq-upload stopped" << std::endl;
  return 0;
}
