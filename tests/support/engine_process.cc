#include "tests/support/engine_process.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "tests/support/program_output.h"

namespace hallq::testing {
namespace {

// The value of `key=` in hallqd's ready line ("... cmd=tcp://... pub=...").
std::string ready_field(const std::string& line, const std::string& key) {
  const auto at = line.find(key + "=");
  if (at == std::string::npos) return {};
  const auto start = at + key.size() + 1;
  return line.substr(start, line.find(' ', start) - start);
}

}  // namespace

const char* default_hallqd() { return HALLQD_PATH; }

EngineProcess::EngineProcess(std::vector<std::string> confs, std::string data_dir,
                             std::vector<std::string> extra, std::string hallqd)
    : confs_(std::move(confs)),
      data_dir_(std::move(data_dir)),
      extra_(std::move(extra)),
      hallqd_(std::move(hallqd)) {
  start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", "127.0.0.1:0");
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
  const std::string err_path = data_dir_ + ".stderr";
  child_.reset();
  child_.emplace(hallqd_, args, ChildProcess::Options{.stderr_path = err_path});

  // Wait for the ready line: its arrival is the signal, the deadline only a guard.
  const std::optional<std::string> line =
      child_->wait_line([](const std::string&) { return true; }, std::chrono::seconds(20));
  if (!line || line->find("ready") == std::string::npos) {
    const int code = child_->kill();
    throw std::runtime_error("hallqd did not become ready (exit " + std::to_string(code) +
                             "): " + line.value_or("") + " " + slurp(err_path));
  }
  ready_line_ = *line;
  cmd_ = ready_field(ready_line_, "cmd");
  pub_ = ready_field(ready_line_, "pub");
  http_ = ready_field(ready_line_, "http");
}

void EngineProcess::kill9() {
  if (running()) child_->kill();
}

int EngineProcess::terminate() { return running() ? child_->stop() : -1; }

int EngineProcess::stop(std::string& output) {
  if (!running()) return -1;
  const int code = child_->stop();
  const std::string all = child_->output();
  output = all.substr(std::min(all.size(), all.find('\n') + 1));  // after the ready line
  return code;
}

double EngineProcess::cpu_seconds() const {
  if (!running()) return 0;
  const std::string stat = slurp("/proc/" + std::to_string(child_->pid()) + "/stat");
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
  kill9();
  start(cmd_, pub_, http_.empty() || http_ == "off" ? "127.0.0.1:0" : http_);
}

}  // namespace hallq::testing
