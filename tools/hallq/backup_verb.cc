#include "tools/hallq/backup_verb.h"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "engine/store/event_store.h"

namespace hallq::cli {

CLI::App* add_backup_verb(CLI::App& app, BackupArgs& args) {
  CLI::App* sub = app.add_subcommand("backup", "copy a store, also a live one, to a new directory (备份)");
  sub->add_option("data", args.data, "the store's directory (hallqd --data)")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("dest", args.dest, "a new or empty directory for the copy")->required();
  sub->add_flag("--no-compact", args.no_compact, "copy pages as they are (faster, larger)");
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
    std::cerr << "hallq backup: " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace hallq::cli
