#include "adapters/kiosk/pending_prints.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace hallq::kiosk {
namespace {

std::string to_hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string from_hex(const std::string& hex, const std::string& path) {
  if (hex.size() % 2 != 0) throw std::runtime_error(path + ": odd escpos_hex");
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) throw std::runtime_error(path + ": escpos_hex is not hex");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

std::vector<PendingPrint> PendingPrints::load() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return {};
    throw std::runtime_error(fmt::format("{}: {}", path_, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<PendingPrint> out;
  try {
    const nlohmann::json j = nlohmann::json::parse(text.str());
    for (const auto& t : j.at("tickets")) {
      out.push_back({t.at("number").get<std::string>(), t.at("issued_at_us").get<core::TimeUs>(),
                     from_hex(t.at("escpos_hex").get<std::string>(), path_)});
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", path_, e.what()));
  }
  return out;
}

bool PendingPrints::save(const std::vector<PendingPrint>& tickets, std::string& error) const {
  if (tickets.empty()) {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
      error = fmt::format("{}: {}", path_, std::strerror(errno));
      return false;
    }
    return true;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const PendingPrint& t : tickets)
    list.push_back({{"number", t.number}, {"issued_at_us", t.issued_at_us}, {"escpos_hex", to_hex(t.bytes)}});
  const std::string text = nlohmann::json{{"version", 1}, {"tickets", list}}.dump() + "\n";
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = fmt::format("{}: {}", tmp, std::strerror(errno));
    return false;
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == text.size() && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path_.c_str()) != 0) {
    error = fmt::format("{}: {}", path_, std::strerror(ok ? errno : saved_errno));
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace hallq::kiosk
