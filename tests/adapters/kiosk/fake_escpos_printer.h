// A network ESC/POS printer on a loopback port, for the kiosk tests: it
// answers the DLE EOT real-time status queries with the bytes a test sets
// (none: it stays silent, like a printer without status support), keeps
// every other connection's bytes as one print job, and can be stopped (the
// port then refuses) and started again on the same port.
// Thread: its own accept thread; the accessors lock.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace hallq::testing {

class FakeEscPosPrinter {
 public:
  FakeEscPosPrinter() { start(); }
  ~FakeEscPosPrinter() { stop(); }

  int port() const { return port_; }
  // The answers to DLE EOT 1, 2, 4 (nullopt: no answer to any query).
  void answer(std::optional<std::vector<std::uint8_t>> bytes) {
    std::lock_guard lock(mutex_);
    answers_ = std::move(bytes);
  }
  std::vector<std::string> jobs() const {
    std::lock_guard lock(mutex_);
    return jobs_;
  }
  // The jobs once there are `n` (or after `limit`): a job is complete when the sender closes.
  std::vector<std::string> wait_jobs(std::size_t n,
                                     std::chrono::milliseconds limit = std::chrono::seconds(5)) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (jobs().size() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return jobs();
  }
  int queries() const { return queries_; }

  // Closes the port (connections are refused) / listens on it again.
  void stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
    ::close(listener_);
    listener_ = -1;
  }
  void start() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 16) != 0)
      throw std::runtime_error("fake printer: cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    stop_ = false;
    thread_ = std::thread([this] { run(); });
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int conn = ::accept(listener_, nullptr, nullptr);
      if (conn < 0) continue;
      serve(conn);
      ::close(conn);
    }
  }
  void serve(int conn) {
    std::string bytes;
    char buf[4096];
    for (;;) {
      pollfd p{conn, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) break;
      const ssize_t n = ::read(conn, buf, sizeof buf);
      if (n <= 0) break;
      bytes.append(buf, static_cast<std::size_t>(n));
      // A status query: DLE EOT n, answered at once with the byte for n.
      while (bytes.size() >= 3 && bytes[0] == 0x10 && bytes[1] == 0x04) {
        const int n_query = bytes[2];
        bytes.erase(0, 3);
        ++queries_;
        std::optional<std::uint8_t> a;
        {
          std::lock_guard lock(mutex_);
          if (answers_) a = (*answers_)[n_query == 1 ? 0 : n_query == 2 ? 1 : 2];
        }
        if (a) (void)!::write(conn, &*a, 1);
      }
    }
    if (!bytes.empty()) {
      std::lock_guard lock(mutex_);
      jobs_.push_back(bytes);
    }
  }

  int listener_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::optional<std::vector<std::uint8_t>> answers_;
  std::vector<std::string> jobs_;
};

}  // namespace hallq::testing
