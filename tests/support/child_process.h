// A program under test, run in the background with pipes on its stdin and
// stdout: tests write lines to it and wait for a line that says what they
// need (a signal, not a sleep), with a deadline that only guards against a
// hang; they signal it and read its exit status. stderr goes to a file (or
// is inherited). The one child-process runner of the test suite: the hallqd
// starter (engine_process.h) and run_program (run_program.h) are built on it.
//
// Thread: one owner thread. The destructor kills the program (SIGKILL) if it
// is still running. Start failures throw std::runtime_error.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hallq::testing {

class ChildProcess {
 public:
  struct Options {
    // "K=V" entries set in the program's environment (replacing the test's own).
    std::vector<std::string> env;
    // Where stderr goes (created or truncated); empty: the test's stderr.
    std::string stderr_path;
  };

  ChildProcess(const std::string& path, const std::vector<std::string>& args, Options options = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads lines until one not handed out before satisfies `match` (returned;
  // the lines before it count as handed out too). nullopt when the deadline
  // passes or the program's stdout closes first.
  std::optional<std::string> wait_line(const std::function<bool(const std::string&)>& match,
                                       std::chrono::milliseconds limit = std::chrono::seconds(20));
  // The next line that begins with `prefix`.
  std::optional<std::string> wait_prefix(const std::string& prefix,
                                         std::chrono::milliseconds limit = std::chrono::seconds(20));
  // Every line read so far (handed out or not), and everything read so far
  // as printed (a last line without '\n' included).
  const std::vector<std::string>& lines() const { return lines_; }
  std::string output() const;

  // Writes to the program's stdin (throws std::runtime_error if it cannot);
  // write_line adds the '\n'.
  void write(const std::string& text);
  void write_line(const std::string& line) { write(line + "\n"); }
  void close_stdin();

  void signal(int sig);
  // Waits for the program to exit on its own, reading its stdout meanwhile;
  // its exit status (128 + signal if killed by one), or nullopt if it still
  // runs at the deadline.
  std::optional<int> wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(20));
  // SIGTERM, then wait_exit; SIGKILL if it has not exited by `limit`.
  // Returns the exit status.
  int stop(std::chrono::milliseconds limit = std::chrono::seconds(60));
  // SIGKILL and reap; returns the exit status.
  int kill();

  pid_t pid() const { return pid_; }
  bool running() const { return !status_.has_value(); }

 private:
  // Reads what arrives within `timeout`; false once stdout has closed.
  bool read_some(std::chrono::milliseconds timeout);
  bool try_reap(bool block);
  void drain();

  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
  std::string buffer_;  // a line not yet ended
  std::vector<std::string> lines_;
  std::size_t handed_out_ = 0;  // lines already considered by wait_line
  std::optional<int> status_;
};

}  // namespace hallq::testing
