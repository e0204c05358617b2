#include "tools/hallq/backup_verb.h"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "engine/store/event_store.h"

namespace hallq::cli {

CLI::App* add_backup_verb(CLI::App& app, BackupArgs& args) {
  CLI::App* sub = app.add_subcommand("backup", "备份数据目录到一个新目录（引擎运行时也可以）");
  sub->add_option("data", args.data, "数据目录（hallqd --data）")
      ->type_name("数据目录")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("dest", args.dest, "备份到的目录：新的或空的")->type_name("备份目录")->required();
  sub->add_flag("--no-compact", args.no_compact, "按原样复制数据页（更快，占用更大）");
  return sub;
}

int run_backup(const BackupArgs& args, bool json) {
  const auto start = std::chrono::steady_clock::now();
  try {
    // Read-only: the running engine keeps writing meanwhile.
    store::EventStore source({.dir = args.data, .read_only = true});
    source.backup(args.dest, !args.no_compact);
    store::EventStore copy({.dir = args.dest, .read_only = true});
    const auto stats = copy.stats();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (json) {
      std::cout << nlohmann::json{{"ok", true},
                                  {"dest", args.dest},
                                  {"events", stats.events},
                                  {"snapshots", stats.snapshots},
                                  {"bytes", stats.used_bytes},
                                  {"seconds", seconds}}
                       .dump()
                << std::endl;
    } else {
      std::cout << fmt::format("备份完成：{} → {}，{} 个事件，{} 个快照，{:.1f} MB，{:.2f} 秒", args.data,
                               args.dest, stats.events, stats.snapshots, stats.used_bytes / 1e6, seconds)
                << std::endl;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "备份失败：" << e.what() << std::endl;
    return 1;
  }
}

}  // namespace hallq::cli
