#include "tools/process/engine_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace hallq::proc {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t spawn(const std::string& path, const std::vector<std::string>& args, int out_fd, int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + path);
  return pid;
}

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string field(const std::string& line, const std::string& key) {
  const auto at = line.find(key + "=");
  if (at == std::string::npos) return {};
  const auto start = at + key.size() + 1;
  return line.substr(start, line.find(' ', start) - start);
}

}  // namespace

const char* default_hallqd() { return HALLQD_PATH; }

TempDir::TempDir(const std::string& stem) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (stem + "-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

EngineProcess::EngineProcess(std::vector<std::string> confs, std::string data_dir,
                             std::vector<std::string> extra, std::string hallqd)
    : confs_(std::move(confs)),
      data_dir_(std::move(data_dir)),
      extra_(std::move(extra)),
      hallqd_(std::move(hallqd)) {
  start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", "127.0.0.1:0");
}

EngineProcess::~EngineProcess() {
  if (running()) kill9();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

void EngineProcess::start(const std::string& cmd, const std::string& pub, const std::string& http) {
  std::vector<std::string> args;
  for (const std::string& c : confs_) {
    args.push_back("--conf");
    args.push_back(c);
  }
  args.insert(args.end(), {"--data", data_dir_, "--cmd", cmd, "--pub", pub});
  if (std::find(extra_.begin(), extra_.end(), "--http") == extra_.end())
    args.insert(args.end(), {"--http", http});
  args.insert(args.end(), extra_.begin(), extra_.end());
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const std::string err_path = data_dir_ + ".stderr";
  const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_ = spawn(hallqd_, args, pipe_fds[1], err_fd);
  close(pipe_fds[1]);
  close(err_fd);
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = pipe_fds[0];

  // Wait for the ready line: its arrival is the signal, the deadline only a guard.
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (out.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{stdout_fd_, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[512];
    const ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  const std::string line = out.substr(0, out.find('\n'));
  if (line.find("ready") == std::string::npos) {
    kill(pid_, SIGKILL);
    const int code = reap(pid_);
    pid_ = -1;
    throw std::runtime_error("hallqd did not become ready (exit " + std::to_string(code) + "): " + line +
                             " " + slurp(err_path));
  }
  ready_line_ = line;
  cmd_ = field(line, "cmd");
  pub_ = field(line, "pub");
  http_ = field(line, "http");
}

void EngineProcess::kill9() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  reap(pid_);
  pid_ = -1;
}

int EngineProcess::terminate() {
  if (!running()) return -1;
  kill(pid_, SIGTERM);
  const int code = reap(pid_);
  pid_ = -1;
  return code;
}

int EngineProcess::stop(std::string& output) {
  if (!running()) return -1;
  kill(pid_, SIGTERM);
  output.clear();
  char buf[4096];
  ssize_t n;
  while ((n = read(stdout_fd_, buf, sizeof buf)) > 0) output.append(buf, static_cast<std::size_t>(n));
  const int code = reap(pid_);
  pid_ = -1;
  return code;
}

double EngineProcess::cpu_seconds() const {
  if (pid_ <= 0) return 0;
  const std::string stat = slurp("/proc/" + std::to_string(pid_) + "/stat");
  // Fields after the command name (which may hold spaces) start past ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream in(stat.substr(close + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> f; ++i) {
    if (i == 14) utime = std::strtoull(f.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(f.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

void EngineProcess::restart() {
  if (running()) kill9();
  start(cmd_, pub_, http_.empty() || http_ == "off" ? "127.0.0.1:0" : http_);
}

RunResult run_program(const std::string& path, const std::vector<std::string>& args) {
  TempDir dir;
  const std::string out_path = dir.path() + "/out", err_path = dir.path() + "/err";
  const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const pid_t pid = spawn(path, args, out_fd, err_fd);
  close(out_fd);
  close(err_fd);
  RunResult r;
  r.exit_code = reap(pid);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

}  // namespace hallq::proc
