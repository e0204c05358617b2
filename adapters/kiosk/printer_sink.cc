#include "adapters/kiosk/printer_sink.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
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

class FileSink : public PrinterSink {
 public:
  FileSink(std::string path, bool append) : path_(std::move(path)), append_(append) {}
  bool print(std::string_view bytes, std::string& error) override {
    const int flags = O_WRONLY | O_CLOEXEC | (append_ ? O_CREAT | O_APPEND : 0);
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
  std::string describe() const override { return (append_ ? "file " : "device ") + path_; }

 private:
  std::string path_;
  bool append_;
};

class TcpSink : public PrinterSink {
 public:
  explicit TcpSink(PrinterTarget t) : t_(std::move(t)) {}

  bool print(std::string_view bytes, std::string& error) override {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(t_.port);
    if (const int rc = ::getaddrinfo(t_.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      error = fmt::format("打印机地址 {} 无法解析：{}", t_.host, gai_strerror(rc));
      return false;
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);
    const int ms = static_cast<int>(t_.timeout.count());
    for (addrinfo* a = res; a; a = a->ai_next) {
      Fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
      if (fd.get() < 0) continue;
      if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
          error = fmt::format("无法连接打印机 {}:{}：{}", t_.host, t_.port, std::strerror(errno));
          continue;
        }
        pollfd p{fd.get(), POLLOUT, 0};
        if (::poll(&p, 1, ms) <= 0) {
          error = fmt::format("连接打印机 {}:{} 超时", t_.host, t_.port);
          continue;
        }
        int so_error = 0;
        socklen_t len = sizeof so_error;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &len);
        if (so_error != 0) {
          error = fmt::format("无法连接打印机 {}:{}：{}", t_.host, t_.port, std::strerror(so_error));
          continue;
        }
      }
      if (!write_all(fd.get(), bytes, ms, error)) return false;
      ::shutdown(fd.get(), SHUT_WR);
      return true;
    }
    if (error.empty()) error = fmt::format("无法连接打印机 {}:{}", t_.host, t_.port);
    return false;
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
      return std::make_unique<FileSink>(target.path, false);
    case PrinterKind::kTcp:
      return std::make_unique<TcpSink>(target);
  }
  return nullptr;
}

}  // namespace hallq::kiosk
