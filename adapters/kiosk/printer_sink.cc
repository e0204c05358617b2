#include "adapters/kiosk/printer_sink.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace hallq::kiosk {
namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view bytes, int timeout_ms, std::string& error) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) {
        error = "打印机发送超时";
        return false;
      }
      continue;
    }
    error = fmt::format("打印机写入失败：{}", std::strerror(errno));
    return false;
  }
  return true;
}

PrinterHealth unreachable(std::string detail) {
  PrinterHealth h;
  h.state = PrinterState::kUnreachable;
  h.detail = std::move(detail);
  return h;
}

// Sends the DLE EOT queries and decodes what comes back within `timeout_ms`.
PrinterHealth query_status(int fd, int timeout_ms) {
  std::string error;
  if (!write_all(fd, kStatusQueries, timeout_ms, error)) return unreachable(error);
  std::uint8_t got[3] = {};
  std::size_t n = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (n < 3) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) break;
    const ssize_t r = ::read(fd, got + n, 3 - n);
    if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (r <= 0) break;  // closed, or a device that cannot be read: no (more) answers
    n += static_cast<std::size_t>(r);
  }
  StatusBytes answers;
  if (n > 0) answers.printer = got[0];
  if (n > 1) answers.offline = got[1];
  if (n > 2) answers.paper = got[2];
  PrinterHealth h = decode_status(answers);
  if (!h.answered) h.detail = "no status answer";
  return h;
}

class FileSink : public PrinterSink {
 public:
  FileSink(std::string path, bool append, std::chrono::milliseconds status_timeout = {})
      : path_(std::move(path)), append_(append), status_timeout_(status_timeout) {}
  bool print(std::string_view bytes, std::string& error) override {
    // A device opens without blocking: an absent reader (a FIFO) or a busy port is an error, not a hang.
    const int flags = O_WRONLY | O_CLOEXEC | (append_ ? O_CREAT | O_APPEND : O_NONBLOCK | O_NOCTTY);
    Fd fd(::open(path_.c_str(), flags, 0644));
    if (fd.get() < 0) {
      error = fmt::format("无法打开打印机 {}：{}", path_, std::strerror(errno));
      return false;
    }
    if (!write_all(fd.get(), bytes, 2000, error)) return false;
    // A character device may not support fsync (EINVAL): the bytes are with the driver then.
    if (::fsync(fd.get()) != 0 && errno != EINVAL && errno != EROFS) {
      error = fmt::format("打印机写入失败：{}", std::strerror(errno));
      return false;
    }
    return true;
  }
  PrinterHealth probe() override {
    if (append_) {
      Fd fd(::open(path_.c_str(), O_WRONLY | O_CLOEXEC | O_CREAT | O_APPEND, 0644));
      if (fd.get() < 0) return unreachable(fmt::format("无法打开打印机 {}：{}", path_, std::strerror(errno)));
      return {};
    }
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && S_ISCHR(st.st_mode)) {
      Fd rw(::open(path_.c_str(), O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
      if (rw.get() >= 0) return query_status(rw.get(), static_cast<int>(status_timeout_.count()));
    }
    Fd fd(::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (fd.get() < 0) return unreachable(fmt::format("无法打开打印机 {}：{}", path_, std::strerror(errno)));
    return {};
  }
  std::string describe() const override { return (append_ ? "file " : "device ") + path_; }

 private:
  std::string path_;
  bool append_;
  std::chrono::milliseconds status_timeout_;
};

// Connects to the printer's raw port within `ms`; the socket (non-blocking) or -1 and `error`.
int connect_to(const PrinterTarget& t, int ms, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(t.port);
  if (const int rc = ::getaddrinfo(t.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    error = fmt::format("打印机地址 {} 无法解析：{}", t.host, gai_strerror(rc));
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);
  for (addrinfo* a = res; a; a = a->ai_next) {
    Fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (fd.get() < 0) continue;
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        error = fmt::format("无法连接打印机 {}:{}：{}", t.host, t.port, std::strerror(errno));
        continue;
      }
      pollfd p{fd.get(), POLLOUT, 0};
      if (::poll(&p, 1, ms) <= 0) {
        error = fmt::format("连接打印机 {}:{} 超时", t.host, t.port);
        continue;
      }
      int so_error = 0;
      socklen_t len = sizeof so_error;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &len);
      if (so_error != 0) {
        error = fmt::format("无法连接打印机 {}:{}：{}", t.host, t.port, std::strerror(so_error));
        continue;
      }
    }
    return fd.release();
  }
  if (error.empty()) error = fmt::format("无法连接打印机 {}:{}", t.host, t.port);
  return -1;
}

class TcpSink : public PrinterSink {
 public:
  explicit TcpSink(PrinterTarget t) : t_(std::move(t)) {}

  bool print(std::string_view bytes, std::string& error) override {
    const int ms = static_cast<int>(t_.timeout.count());
    Fd fd(connect_to(t_, ms, error));
    if (fd.get() < 0) return false;
    if (!write_all(fd.get(), bytes, ms, error)) return false;
    ::shutdown(fd.get(), SHUT_WR);
    return true;
  }
  PrinterHealth probe() override {
    std::string error;
    Fd fd(connect_to(t_, static_cast<int>(std::min<long>(t_.timeout.count(), 1000)), error));
    if (fd.get() < 0) return unreachable(error);
    return query_status(fd.get(), static_cast<int>(t_.status_timeout.count()));
  }
  std::string describe() const override { return fmt::format("tcp {}:{}", t_.host, t_.port); }

 private:
  PrinterTarget t_;
};

}  // namespace

std::unique_ptr<PrinterSink> make_printer(const PrinterTarget& target) {
  switch (target.kind) {
    case PrinterKind::kFile:
      return std::make_unique<FileSink>(target.path, true);
    case PrinterKind::kDevice:
      return std::make_unique<FileSink>(target.path, false, target.status_timeout);
    case PrinterKind::kTcp:
      return std::make_unique<TcpSink>(target);
  }
  return nullptr;
}

}  // namespace hallq::kiosk
