#include "engine/config/config_error.h"

#include <fmt/format.h>

#include <utility>

namespace hallq::config {
namespace {

std::string describe(const std::string& file, std::uint32_t line, const std::string& message,
                     const std::string& suggestion) {
  std::string out = file.empty() ? message
                    : line == 0  ? fmt::format("{}: {}", file, message)
                                 : fmt::format("{}:{}: {}", file, line, message);
  if (!suggestion.empty()) out += fmt::format(" (did you mean \"{}\"?)", suggestion);
  return out;
}

}  // namespace

ConfigError::ConfigError(std::string file, std::uint32_t line, std::string message, std::string suggestion)
    : std::runtime_error(describe(file, line, message, suggestion)),
      file_(std::move(file)),
      line_(line),
      message_(std::move(message)),
      suggestion_(std::move(suggestion)) {}

ConfigError::ConfigError(std::string message) : std::runtime_error(message), message_(std::move(message)) {}

}  // namespace hallq::config
