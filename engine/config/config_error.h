// The one error of configuration reading: hall files, screen files, device
// files, the accounts and enrolled-keys files, key files. It names the file
// and line at fault so that the hall's IT staff can go straight to it, e.g.
//   conf/town.toml:42: window "w3": serves: unknown service "socail" (did you mean "social"?)
// Configuration is start-up work, so errors are exceptions (STYLE.md 3).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace hallq::config {

class ConfigError : public std::runtime_error {
 public:
  // what() is "FILE:LINE: MESSAGE"; line 0 (the file as a whole, e.g. it
  // cannot be opened): "FILE: MESSAGE"; no file (a value from the command
  // line): "MESSAGE". A suggestion adds ` (did you mean "SUGGESTION"?)`.
  ConfigError(std::string file, std::uint32_t line, std::string message, std::string suggestion = {});
  explicit ConfigError(std::string message);

  const std::string& file() const { return file_; }
  std::uint32_t line() const { return line_; }
  const std::string& message() const { return message_; }
  const std::string& suggestion() const { return suggestion_; }

 private:
  std::string file_;
  std::uint32_t line_ = 0;
  std::string message_;
  std::string suggestion_;
};

}  // namespace hallq::config
