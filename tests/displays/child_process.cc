#include "tests/displays/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace hallq::testing {

ChildProcess::ChildProcess(const std::string& path, const std::vector<std::string>& args,
                           const std::vector<std::string>& env, const std::string& stderr_path) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], 1);
  if (!stderr_path.empty())
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  for (const std::string& e : env) env_strings.push_back(e);
  std::vector<char*> envp, argv;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings{path};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipefd[1]);
  if (rc != 0) {
    close(pipefd[0]);
    throw std::runtime_error("cannot start " + path + ": " + std::strerror(rc));
  }
  fd_ = pipefd[0];
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (fd_ >= 0) close(fd_);
}

bool ChildProcess::read_some(std::chrono::milliseconds timeout) {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return true;
  char buf[4096];
  const ssize_t n = read(fd_, buf, sizeof buf);
  if (n <= 0) {
    close(fd_);
    fd_ = -1;
    return false;
  }
  buffer_.append(buf, static_cast<std::size_t>(n));
  for (std::size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
    lines_.push_back(buffer_.substr(0, nl));
    buffer_.erase(0, nl + 1);
  }
  return true;
}

std::string ChildProcess::wait_line(const std::function<bool(const std::string&)>& match,
                                    std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    while (consumed_ < lines_.size()) {
      const std::string& line = lines_[consumed_++];
      if (match(line)) return line;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {};
    if (!read_some(std::min(left, std::chrono::milliseconds(100))) && consumed_ >= lines_.size()) return {};
  }
}

int ChildProcess::reap() {
  if (pid_ <= 0) return exit_code_;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exit_code_;
}

int ChildProcess::stop() {
  if (pid_ > 0) kill(pid_, SIGTERM);
  return wait_exit();
}

int ChildProcess::wait_exit(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (fd_ >= 0 && std::chrono::steady_clock::now() < deadline) read_some(std::chrono::milliseconds(100));
  if (fd_ >= 0 && pid_ > 0) kill(pid_, SIGKILL);  // hung: the deadline is only a guard
  while (read_some(std::chrono::milliseconds(0)) && fd_ >= 0) {
  }
  return reap();
}

std::string ChildProcess::output() const {
  std::string out;
  for (const std::string& l : lines_) out += l + "\n";
  return out + buffer_;
}

bool starts_with(const std::string& line, const std::string& prefix) { return line.starts_with(prefix); }

double field(const std::string& line, const std::string& key) {
  const std::size_t at = line.find(" " + key + " ");
  if (at == std::string::npos) return -1;
  return std::atof(line.c_str() + at + key.size() + 2);
}

}  // namespace hallq::testing
