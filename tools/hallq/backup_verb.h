// `hallq backup DATA_DIR DEST_DIR`: a consistent copy of a store, also while
// hallqd runs and writes (LMDB copies from one read transaction). The copy is
// a complete store: move it into place as a --data directory to restore.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace hallq::cli {

struct BackupArgs {
  std::string data, dest;
  bool no_compact = false;
};

CLI::App* add_backup_verb(CLI::App& app, BackupArgs& args);
// Exit codes: 0 done, 1 the copy failed (message on stderr).
int run_backup(const BackupArgs& args, bool json);

}  // namespace hallq::cli
