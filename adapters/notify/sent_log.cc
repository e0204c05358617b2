#include "adapters/notify/sent_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace hallq::notify {
namespace {

[[noreturn]] void fail(const std::string& path, const char* what) {
  throw std::runtime_error(fmt::format("{}: {}: {}", path, what, std::strerror(errno)));
}

void write_all(int fd, const std::string& path, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot write the sent-log");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

SentLog::SentLog(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) fail(path_, "cannot open the sent-log");
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path_, "cannot read the sent-log");
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // cut short by a crash: not a record
    const nlohmann::json j = nlohmann::json::parse(text.substr(start, end - start), nullptr, false);
    if (j.is_object() && j.contains("key") && j["key"].is_string()) keys_.insert(j["key"].get<std::string>());
    start = end + 1;
  }
  if (!text.empty() && text.back() != '\n') write_all(fd_, path_, "\n");
}

SentLog::~SentLog() {
  if (fd_ >= 0) ::close(fd_);
}

void SentLog::append(const SentRecord& r) {
  const nlohmann::json j = {{"key", r.key},       {"outcome", r.outcome},   {"kind", r.kind},
                            {"number", r.number}, {"phone", r.phone},       {"text", r.text},
                            {"status", r.status}, {"attempts", r.attempts}, {"at", r.at}};
  write_all(fd_, path_, j.dump() + "\n");
  while (::fsync(fd_) != 0) {
    if (errno != EINTR) fail(path_, "cannot fsync the sent-log");
  }
  keys_.insert(r.key);
}

}  // namespace hallq::notify
