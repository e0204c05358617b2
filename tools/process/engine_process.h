// Runs the real hallqd for integration tests and the load generator: starts it
// on loopback ports it chooses itself, waits for its "ready" line (a signal,
// not a sleep), and kills or stops it. Restarts reuse the same ports, so
// connected clients and subscribers reconnect on their own, as they would in
// a hall. Also: running a program to completion, and temporary directories.
//
// Thread: one owner thread per object.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace hallq::proc {

// The hallqd built with this tree.
const char* default_hallqd();

class EngineProcess {
 public:
  // Starts `hallqd --conf C... --data DIR` plus `extra` arguments; hallqd's
  // stderr goes to DIR.stderr. Throws std::runtime_error (with what hallqd
  // said) if it does not become ready.
  EngineProcess(std::vector<std::string> confs, std::string data_dir, std::vector<std::string> extra = {},
                std::string hallqd = default_hallqd());
  ~EngineProcess();  // SIGKILL if still running
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;

  const std::string& cmd() const { return cmd_; }
  const std::string& pub() const { return pub_; }
  // The HTTP API's HOST:PORT ("off" if started with --http off). Unless
  // `extra` names --http, hallqd gets any free loopback port, kept on restart.
  const std::string& http() const { return http_; }
  const std::string& ready_line() const { return ready_line_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  void kill9();     // SIGKILL, then reap
  int terminate();  // SIGTERM, then reap; returns the exit status
  // SIGTERM, then reap; `output` gets what hallqd printed after its ready
  // line (its closing counters). Returns the exit status.
  int stop(std::string& output);
  void restart();  // start again on the same ports and data dir
  // CPU seconds (user + system) hallqd has used so far, from /proc.
  double cpu_seconds() const;

 private:
  void start(const std::string& cmd, const std::string& pub, const std::string& http);

  std::vector<std::string> confs_;
  std::string data_dir_;
  std::vector<std::string> extra_;
  std::string hallqd_;
  std::string cmd_, pub_, http_, ready_line_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
};

// Runs a program to completion, capturing stdout and stderr separately.
struct RunResult {
  int exit_code = -1;
  std::string out, err;
};
RunResult run_program(const std::string& path, const std::vector<std::string>& args);

// A fresh directory under the system temp dir ("<stem>-XXXXXX"), removed
// with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& stem = "hallq-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace hallq::proc
