#include "adapters/upload/upload_state.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace hallq::upload {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

void write_all(int fd, const std::string& text, const std::string& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write", path);
    done += static_cast<std::size_t>(n);
  }
}

void fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail("cannot fsync", dir);
}

}  // namespace

UploadState::UploadState(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", dir_, ec.message()));
}

std::uint64_t UploadState::cursor(const std::string& hall) const {
  const std::string path = fmt::format("{}/{}.cursor", dir_, hall);
  std::ifstream in(path);
  if (!in) return 0;
  std::string text;
  std::getline(in, text);
  std::uint64_t seq = 0;
  std::size_t used = 0;
  try {
    seq = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw std::runtime_error(fmt::format("{}: not a cursor: \"{}\"", path, text));
  return seq;
}

void UploadState::set_cursor(const std::string& hall, std::uint64_t seq) {
  const std::string path = fmt::format("{}/{}.cursor", dir_, hall);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) fail("cannot open", tmp);
  write_all(fd, fmt::format("{}\n", seq), tmp);
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("cannot fsync", tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename", tmp);
  fsync_dir(dir_);
}

void UploadState::reject(const std::string& hall, const std::string& record_id, std::uint64_t seq, int status,
                         const std::string& reason, const std::string& record_json) {
  const std::string path = fmt::format("{}/{}.rejected", dir_, hall);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) fail("cannot open", path);
  nlohmann::json line = {{"record_id", record_id}, {"seq", seq}, {"status", status}, {"reason", reason}};
  line["record"] = nlohmann::json::parse(record_json, nullptr, false);
  // A line cut short by a crash is followed by a whole one: readers skip what does not parse.
  write_all(fd, "\n" + line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail("cannot fsync", path);
}

}  // namespace hallq::upload
