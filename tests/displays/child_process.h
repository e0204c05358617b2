// A program under test, run in the background with its stdout read line by
// line: tests wait for a line that says what they need (a signal, not a
// sleep), with a deadline that only guards against a hang.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace hallq::testing {

class ChildProcess {
 public:
  // Starts `path args...` with `env` added to the environment ("K=V");
  // stderr goes to stderr_path (or is inherited if empty).
  ChildProcess(const std::string& path, const std::vector<std::string>& args,
               const std::vector<std::string>& env = {}, const std::string& stderr_path = {});
  ~ChildProcess();  // SIGKILL if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads lines until one satisfies `match` (returned) or the deadline
  // passes or the program's stdout closes (empty string returned).
  std::string wait_line(const std::function<bool(const std::string&)>& match,
                        std::chrono::milliseconds limit = std::chrono::seconds(20));
  // SIGTERM, then reads the rest of stdout and reaps; returns the exit code
  // (128 + signal if killed).
  int stop();
  // Waits for the program to exit on its own (reading its stdout).
  int wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(20));
  pid_t pid() const { return pid_; }
  // Every line read so far.
  const std::vector<std::string>& lines() const { return lines_; }
  std::string output() const;

 private:
  bool read_some(std::chrono::milliseconds timeout);
  int reap();

  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
  std::vector<std::string> lines_;
  std::size_t consumed_ = 0;  // lines already handed to wait_line
  int exit_code_ = -1;
};

// Reading the lines a program prints:
// whether `line` begins with `prefix`;
bool starts_with(const std::string& line, const std::string& prefix);
// the number after `key` in a line like "stats frames 3 fps 60.0 ...", or -1
// if the line has no " key ".
double field(const std::string& line, const std::string& key);

}  // namespace hallq::testing
