// Runs the real hallqd for integration tests and the load generator: starts it
// on loopback ports it chooses itself, waits for its "ready" line (a signal,
// not a sleep), and kills or stops it. Restarts reuse the same ports, so
// connected clients and subscribers reconnect on their own, as they would in
// a hall. Built on ChildProcess (child_process.h).
//
// Thread: one owner thread per object.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace hallq::testing {

// The hallqd built with this tree.
const char* default_hallqd();

class EngineProcess {
 public:
  // Starts `hallqd --conf C... --data DIR` plus `extra` arguments; hallqd's
  // stderr goes to DIR.stderr. Throws std::runtime_error (with what hallqd
  // said) if it does not become ready.
  EngineProcess(std::vector<std::string> confs, std::string data_dir, std::vector<std::string> extra = {},
                std::string hallqd = default_hallqd());
  ~EngineProcess() = default;  // SIGKILL if still running
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;

  const std::string& cmd() const { return cmd_; }
  const std::string& pub() const { return pub_; }
  // The HTTP API's HOST:PORT ("off" if started with --http off). Unless
  // `extra` names --http, hallqd gets any free loopback port, kept on restart.
  const std::string& http() const { return http_; }
  const std::string& ready_line() const { return ready_line_; }
  pid_t pid() const { return running() ? child_->pid() : -1; }
  bool running() const { return child_ && child_->running(); }

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
  std::optional<ChildProcess> child_;
};

}  // namespace hallq::testing
