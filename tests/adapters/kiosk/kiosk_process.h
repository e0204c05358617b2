// Test helper: runs hallq-kiosk --headless as a child with pipes on stdin and
// stdout; sends input lines and waits (with a deadline, no sleeps) for JSON
// state lines matching a predicate.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace hallq::testing {

class KioskProcess {
 public:
  KioskProcess(const std::string& path, const std::vector<std::string>& args) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      std::vector<char*> argv{const_cast<char*>(path.c_str())};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::setenv("SDL_VIDEODRIVER", "dummy", 1);
      ::execv(path.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
  }
  ~KioskProcess() {
    if (in_ >= 0) ::close(in_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
  }

  void send(const std::string& line) {
    const std::string l = line + "\n";
    if (::write(in_, l.data(), l.size()) != static_cast<ssize_t>(l.size())) throw std::runtime_error("write");
  }
  void close_input() {
    ::close(in_);
    in_ = -1;
  }

  // Waits for a JSON line satisfying `match`; lines seen are kept in lines().
  // Returns the match, or a null json at the deadline.
  nlohmann::json wait_for(const std::function<bool(const nlohmann::json&)>& match,
                          std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      for (; checked_ < lines_.size(); ++checked_) {
        if (match(lines_[checked_])) return lines_[checked_++];
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return nullptr;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[8192];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) return nullptr;  // the kiosk exited
      buffer_.append(buf, static_cast<std::size_t>(n));
      for (std::size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
        const std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        lines_.push_back(nlohmann::json::parse(line, nullptr, false));
      }
    }
  }
  nlohmann::json wait_event(const std::string& event,
                            std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    return wait_for([&](const nlohmann::json& j) { return j.is_object() && j.value("event", "") == event; },
                    limit);
  }
  // Waits for the process to exit; its status, or -1 at the deadline.
  int wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      // Drain stdout so the child never blocks on a full pipe.
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        char buf[8192];
        if (::read(out_, buf, sizeof buf) > 0) continue;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
    }
    return -1;
  }
  const std::vector<nlohmann::json>& lines() const { return lines_; }
  std::string transcript() const {
    std::string s;
    for (const auto& l : lines_) s += l.dump() + "\n";
    return s;
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buffer_;
  std::vector<nlohmann::json> lines_;
  std::size_t checked_ = 0;
};

}  // namespace hallq::testing
