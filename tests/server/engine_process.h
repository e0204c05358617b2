// Runs the real hallqd for integration tests: starts it on loopback ports it
// chooses itself, waits for its "ready" line (a signal, not a sleep), and
// kills or stops it. Restarts reuse the same ports, so connected clients and
// subscribers reconnect on their own, as they would in a hall.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace hallq::testing {

class EngineProcess {
 public:
  // Starts `hallqd --conf C... --data DIR` plus `extra` arguments. Throws
  // std::runtime_error (with hallqd's stderr) if it does not become ready.
  EngineProcess(std::vector<std::string> confs, std::string data_dir, std::vector<std::string> extra = {});
  ~EngineProcess();  // SIGKILL if still running
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;

  const std::string& cmd() const { return cmd_; }
  const std::string& pub() const { return pub_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  void kill9();          // SIGKILL, then reap
  int terminate();       // SIGTERM, then reap; returns the exit status
  void restart();        // start again on the same ports and data dir

 private:
  void start(const std::string& cmd, const std::string& pub);

  std::vector<std::string> confs_;
  std::string data_dir_;
  std::vector<std::string> extra_;
  std::string cmd_, pub_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
};

// Runs a program to completion, capturing stdout and stderr separately.
struct RunResult {
  int exit_code = -1;
  std::string out, err;
};
RunResult run_program(const std::string& path, const std::vector<std::string>& args);

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace hallq::testing
