// The text encoding of the keypad's serial line (keypad.serial_encoding):
// UTF-8, or GBK for a box whose display is GBK. Every line the keypad
// writes to the serial port is encoded with it and every line it reads is
// decoded with it; the program itself speaks UTF-8. GBK goes through glibc's
// iconv. A character GBK lacks is written as '?'.
// Thread: one owner (an iconv descriptor each way); not copyable.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hallq::keypad {

enum class Encoding { kUtf8, kGbk };

// "utf-8" / "gbk" (any case; "utf8" too); nullopt for anything else.
std::optional<Encoding> encoding_named(std::string_view name);

class LineEncoding {
 public:
  // Throws std::runtime_error if iconv lacks the encoding.
  explicit LineEncoding(Encoding encoding);
  ~LineEncoding();
  LineEncoding(const LineEncoding&) = delete;
  LineEncoding& operator=(const LineEncoding&) = delete;

  Encoding encoding() const { return encoding_; }
  // UTF-8 text as the line carries it.
  std::string encode(std::string_view utf8);
  // A line as read, as UTF-8; nullopt if it is not GBK text (UTF-8 lines
  // pass unchanged: the line parser judges them).
  std::optional<std::string> decode(std::string_view bytes);

 private:
  Encoding encoding_;
  void* to_line_ = nullptr;    // iconv_t UTF-8 -> GBK
  void* from_line_ = nullptr;  // iconv_t GBK -> UTF-8
};

}  // namespace hallq::keypad
