// Where a ticket's ESC/POS bytes go:
//   file   - appended to a spool file (written, fsynced), one ticket after another;
//   device - written to a character device such as /dev/usb/lp0 (opened per
//            ticket, written, fsynced);
//   tcp    - a network printer's raw port (9100): connect with a timeout, send
//            everything, close.
// print() blocks for at most the connect/send timeout. Errors are values: false
// and a message in Chinese for the hall's staff plus the OS reason.
// Thread: one thread per sink.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace hallq::kiosk {

enum class PrinterKind { kFile, kDevice, kTcp };

struct PrinterTarget {
  PrinterKind kind = PrinterKind::kFile;
  std::string path;                // file, device
  std::string host = "127.0.0.1";  // tcp
  int port = 9100;
  std::chrono::milliseconds timeout{2000};
};

class PrinterSink {
 public:
  virtual ~PrinterSink() = default;
  virtual bool print(std::string_view bytes, std::string& error) = 0;
  virtual std::string describe() const = 0;
};

std::unique_ptr<PrinterSink> make_printer(const PrinterTarget& target);

}  // namespace hallq::kiosk
