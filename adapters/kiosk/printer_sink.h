// Where a ticket's ESC/POS bytes go:
//   file   - appended to a spool file (written, fsynced), one ticket after another;
//   device - written to a character device such as /dev/usb/lp0 (opened per
//            ticket, written, fsynced);
//   tcp    - a network printer's raw port (9100): connect with a timeout, send
//            everything, close.
// print() blocks for at most the connect/send timeout. Errors are values: false
// and a message in Chinese for the hall's staff plus the OS reason.
//
// probe() asks whether a ticket could be printed now, before one is issued:
//   file   - the spool file can be opened for append (created if missing);
//   device - the device can be opened (without blocking); a character device
//            opened read-write is asked the DLE EOT status queries
//            (printer_status.h) and its answers decoded;
//   tcp    - a connection is accepted, and the same queries are sent.
// A printer that does not answer the queries within `status_timeout` is
// online, status unknown. probe() blocks for at most the connect timeout
// (capped at 1 s) plus `status_timeout`.
// Thread: one thread per sink.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/kiosk/printer_status.h"

namespace hallq::kiosk {

enum class PrinterKind { kFile, kDevice, kTcp };

struct PrinterTarget {
  PrinterKind kind = PrinterKind::kFile;
  std::string path;                // file, device
  std::string host = "127.0.0.1";  // tcp
  int port = 9100;
  std::chrono::milliseconds timeout{2000};
  std::chrono::milliseconds status_timeout{300};  // for the answers to the status queries
};

class PrinterSink {
 public:
  virtual ~PrinterSink() = default;
  virtual bool print(std::string_view bytes, std::string& error) = 0;
  virtual PrinterHealth probe() = 0;
  virtual std::string describe() const = 0;
};

std::unique_ptr<PrinterSink> make_printer(const PrinterTarget& target);

}  // namespace hallq::kiosk
