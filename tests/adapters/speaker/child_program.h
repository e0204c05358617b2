// A program under test, started with pipes on its stdin and stdout: the
// device tests write lines to it and wait for the lines it prints (a
// condition with a deadline, never a sleep). stderr goes to a file.
//
// Thread: one owner thread. The destructor kills the program (SIGKILL) if it
// is still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hallq::testing {

class ChildProgram {
 public:
  ChildProgram(const std::string& path, const std::vector<std::string>& args, const std::string& stderr_path,
               const std::vector<std::string>& env = {});
  ~ChildProgram();
  ChildProgram(const ChildProgram&) = delete;
  ChildProgram& operator=(const ChildProgram&) = delete;

  // The next line printed, or nullopt after `timeout` or at end of output.
  std::optional<std::string> next_line(std::chrono::milliseconds timeout);
  // Reads lines until one satisfies `match` (returned), or nullopt at the
  // deadline. Every line read is kept in lines().
  std::optional<std::string> wait_for(const std::function<bool(const std::string&)>& match,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(15));
  std::optional<std::string> wait_for_prefix(const std::string& prefix,
                                             std::chrono::milliseconds timeout = std::chrono::seconds(15));
  void write(const std::string& text);
  void close_stdin();
  // SIGTERM and wait; returns the exit status (128 + signal if killed by one).
  int terminate();
  // Waits for the program to exit by itself; nullopt after `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  const std::vector<std::string>& lines() const { return lines_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
  std::string buffer_;
  std::vector<std::string> lines_;
  std::optional<int> status_;
};

// Reads a whole file (empty if it cannot).
std::string slurp(const std::string& path);

}  // namespace hallq::testing
