#include "adapters/keypad/serial_port.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hallq::keypad {
namespace {

speed_t speed_of(int baud) {
  switch (baud) {
    case 1200:
      return B1200;
    case 2400:
      return B2400;
    case 4800:
      return B4800;
    case 9600:
      return B9600;
    case 19200:
      return B19200;
    case 38400:
      return B38400;
    case 57600:
      return B57600;
    case 115200:
      return B115200;
  }
  throw std::runtime_error(fmt::format("unsupported baud rate {}", baud));
}

}  // namespace

SerialPort::SerialPort(const std::string& device, int baud) {
  fd_ = ::open(device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(fmt::format("{}: cannot open: {}", device, std::strerror(errno)));
  termios tio{};
  if (tcgetattr(fd_, &tio) != 0) {
    const int err = errno;
    ::close(fd_);
    throw std::runtime_error(fmt::format("{}: not a terminal: {}", device, std::strerror(err)));
  }
  cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~(CSTOPB | PARENB);
  cfsetispeed(&tio, speed_of(baud));
  cfsetospeed(&tio, speed_of(baud));
  if (tcsetattr(fd_, TCSANOW, &tio) != 0) {
    const int err = errno;
    ::close(fd_);
    throw std::runtime_error(fmt::format("{}: cannot configure: {}", device, std::strerror(err)));
  }
}

SerialPort::~SerialPort() {
  if (fd_ >= 0) ::close(fd_);
}

void SerialPort::write_line(std::string_view line) {
  std::string out(line);
  out += "\r\n";
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::write(fd_, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the box is not reading: drop, it can ask again with S
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace hallq::keypad
