#include "tests/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace hallq::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds until(Clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
}

// The test's environment with `overrides` ("K=V") replacing or adding entries.
std::vector<std::string> environment(const std::vector<std::string>& overrides) {
  auto key = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const bool replaced = std::any_of(overrides.begin(), overrides.end(),
                                      [&](const std::string& o) { return key(o) == key(entry); });
    if (!replaced) out.push_back(entry);
  }
  out.insert(out.end(), overrides.begin(), overrides.end());
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ChildProcess::ChildProcess(const std::string& path, const std::vector<std::string>& args, Options options) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  if (!options.stderr_path.empty())
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, options.stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> argv_strings{path};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = environment(options.env);
  std::vector<char*> argv = pointers(argv_strings), envp = pointers(env_strings);
  const int rc = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    throw std::runtime_error("cannot start " + path + ": " + std::strerror(rc));
  }
  in_fd_ = in[1];
  out_fd_ = out[0];
}

ChildProcess::~ChildProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    try_reap(true);
  }
  if (in_fd_ >= 0) close(in_fd_);
  if (out_fd_ >= 0) close(out_fd_);
}

bool ChildProcess::read_some(std::chrono::milliseconds timeout) {
  if (out_fd_ < 0) return false;
  pollfd p{out_fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(timeout.count(), 0))) <= 0) return true;
  char buf[8192];
  const ssize_t n = read(out_fd_, buf, sizeof buf);
  if (n < 0 && errno == EINTR) return true;
  if (n <= 0) {
    close(out_fd_);
    out_fd_ = -1;
    return false;
  }
  buffer_.append(buf, static_cast<std::size_t>(n));
  for (std::size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
    lines_.push_back(buffer_.substr(0, nl));
    buffer_.erase(0, nl + 1);
  }
  return true;
}

std::optional<std::string> ChildProcess::wait_line(const std::function<bool(const std::string&)>& match,
                                                   std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    while (handed_out_ < lines_.size()) {
      const std::string& line = lines_[handed_out_++];
      if (match(line)) return line;
    }
    const auto left = until(deadline);
    if (left.count() <= 0 || !read_some(left)) return std::nullopt;
  }
}

std::optional<std::string> ChildProcess::wait_prefix(const std::string& prefix,
                                                     std::chrono::milliseconds limit) {
  return wait_line([&](const std::string& line) { return line.starts_with(prefix); }, limit);
}

std::string ChildProcess::output() const {
  std::string out;
  for (const std::string& line : lines_) out += line + "\n";
  return out + buffer_;
}

void ChildProcess::write(const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = in_fd_ < 0 ? -1 : ::write(in_fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("write to the program's stdin failed");
    done += static_cast<std::size_t>(n);
  }
}

void ChildProcess::close_stdin() {
  if (in_fd_ >= 0) close(in_fd_);
  in_fd_ = -1;
}

void ChildProcess::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

bool ChildProcess::try_reap(bool block) {
  if (status_) return true;
  int st = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &st, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return false;
  status_ = WIFEXITED(st) ? WEXITSTATUS(st) : (WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1);
  return true;
}

void ChildProcess::drain() {
  // The program has exited, so what it wrote is in the pipe; a program it
  // started may still hold the pipe open, so stop when nothing more comes.
  while (out_fd_ >= 0) {
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0 || !read_some(std::chrono::milliseconds(0))) break;
  }
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    if (try_reap(false)) {
      drain();
      return status_;
    }
    const auto left = until(deadline);
    if (left.count() <= 0) return std::nullopt;
    // Reading keeps the program from blocking on a full pipe; the short
    // steps are the poll interval of a condition with a deadline.
    if (out_fd_ >= 0)
      read_some(std::min(left, std::chrono::milliseconds(20)));
    else
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(5)));
  }
}

int ChildProcess::stop(std::chrono::milliseconds limit) {
  if (!running()) return *status_;
  signal(SIGTERM);
  if (const std::optional<int> status = wait_exit(limit)) return *status;
  return kill();  // hung: the deadline is only a guard
}

int ChildProcess::kill() {
  if (!running()) return *status_;
  ::kill(pid_, SIGKILL);
  try_reap(true);
  drain();
  return *status_;
}

}  // namespace hallq::testing
