// A serial line for a keypad box: opens a tty (or a pseudo-terminal's slave
// in tests) in raw mode, 8N1, at a standard baud rate, non-blocking.
// Errors at open are std::runtime_error naming the device and the OS reason.
// Thread: one owner; the descriptor is closed on destruction.
#pragma once

#include <string>
#include <string_view>

namespace hallq::keypad {

class SerialPort {
 public:
  SerialPort(const std::string& device, int baud);
  ~SerialPort();
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  int fd() const { return fd_; }
  // Writes a whole line (adds "\r\n"); a line that cannot be written now is dropped.
  void write_line(std::string_view line);

 private:
  int fd_ = -1;
};

}  // namespace hallq::keypad
