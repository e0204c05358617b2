#include "engine/store/commit_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "engine/store/crc32c.h"
#include "engine/store/store_error.h"

namespace hallq::store {
namespace {

constexpr char kMagic[4] = {'H', 'Q', 'L', '1'};
constexpr mode_t kFileMode = 0644;

void put_le(char* out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i, value >>= 8) out[i] = static_cast<char>(value & 0xff);
}

std::uint64_t get_le(const char* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

// The CRC of a record: its length and LSN fields (header bytes 4..15), then the payload.
std::uint32_t record_crc(const char* header, std::string_view payload) {
  return crc32c(crc32c(0, std::string_view(header + 4, 12)), payload);
}

[[noreturn]] void fail(int err, const char* call, const std::string& what) {
  throw StoreError(err, call, fmt::format("{}: {}", what, std::strerror(err)));
}

}  // namespace

CommitLog::CommitLog(std::string dir, bool writable, bool durable)
    : dir_(std::move(dir)), writable_(writable), durable_(durable) {
  try {
    for (int s = 0; s < kSegments; ++s) {
      open_segment(s);
      if (segments_[s].map == nullptr && writable_) {
        create(s);
        open_segment(s);
      }
    }
  } catch (...) {
    close_all();
    throw;
  }
}

CommitLog::~CommitLog() { close_all(); }

void CommitLog::close_all() {
  for (Segment& s : segments_) {
    if (s.map != nullptr) ::munmap(const_cast<char*>(s.map), s.size);
    if (s.fd >= 0) ::close(s.fd);
    s = Segment{};
  }
}

std::string CommitLog::path(int segment) const { return fmt::format("{}/log.{}", dir_, segment); }

void CommitLog::create(int segment) {
  std::size_t size = 0;
  for (const Segment& s : segments_) size = std::max(size, s.size);  // the other segment's, if any
  if (size == 0) {
    struct statvfs fs {};
    size = kSegmentSize;
    if (::statvfs(dir_.c_str(), &fs) == 0) {
      const std::uint64_t free = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
      if (free / 8 < size)
        size = std::max<std::size_t>(kMinSegmentSize, free / 8 / (64u << 10) * (64u << 10));
    }
  }
  const std::string final_path = path(segment);
  const std::string tmp = final_path + ".new";
  const int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, kFileMode);
  if (fd < 0) fail(errno, "open", fmt::format("cannot create {}", tmp));
  try {
    if (durable_) {
      // Allocated and written once, so that appends overwrite written blocks.
      if (const int err = ::posix_fallocate(fd, 0, static_cast<off_t>(size)); err != 0)
        fail(err, "posix_fallocate", fmt::format("cannot allocate {} bytes for {}", size, tmp));
      const std::string zeros(1u << 20, '\0');
      for (std::size_t at = 0; at < size; at += zeros.size())
        write_all(fd, zeros.data(), std::min(zeros.size(), size - at), at);
      if (::fdatasync(fd) != 0) fail(errno, "fdatasync", fmt::format("cannot flush {}", tmp));
    } else if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      fail(errno, "ftruncate", fmt::format("cannot size {}", tmp));
    }
    if (::rename(tmp.c_str(), final_path.c_str()) != 0)
      fail(errno, "rename", fmt::format("cannot rename {}", tmp));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (durable_) {
    const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const bool synced = dir_fd >= 0 && ::fsync(dir_fd) == 0;
    const int err = errno;
    if (dir_fd >= 0) ::close(dir_fd);
    if (!synced) fail(err, "fsync", fmt::format("cannot flush {}", dir_));
  }
}

void CommitLog::open_segment(int segment) {
  Segment& s = segments_[segment];
  if (s.map != nullptr) return;
  const std::string p = path(segment);
  const int fd = ::open(p.c_str(), (writable_ ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return;
    fail(errno, "open", fmt::format("cannot open {}", p));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    fail(err, "fstat", fmt::format("cannot stat {}", p));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size < kHeaderSize) {
    ::close(fd);
    if (!writable_) return;
    throw StoreError(EINVAL, "open", fmt::format("store damaged: {} has {} bytes", p, size));
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    const int err = errno;
    ::close(fd);
    fail(err, "mmap", fmt::format("cannot map {}", p));
  }
  s.fd = fd;
  s.map = static_cast<const char*>(map);
  s.size = size;
  if (segment == 0 || segment_size_ == 0) segment_size_ = size;
}

std::uint64_t CommitLog::scan(std::uint64_t after,
                              const std::function<void(std::uint64_t, std::string_view)>& fn) {
  if (!writable_) {
    for (int s = 0; s < kSegments; ++s) open_segment(s);  // created since?
  }
  struct Found {
    std::uint64_t lsn;
    std::string_view payload;
  };
  std::vector<Found> found;
  std::uint64_t highest = 0;
  for (const Segment& s : segments_) {
    if (s.map == nullptr) continue;
    std::uint64_t prev = 0;
    for (std::size_t at = 0; at + kHeaderSize <= s.size;) {
      const char* h = s.map + at;
      if (std::memcmp(h, kMagic, 4) != 0) break;
      const std::size_t length = get_le(h + 4, 4);
      const std::uint64_t lsn = get_le(h + 8, 8);
      if (length > s.size - at - kHeaderSize || (prev != 0 && lsn != prev + 1) || lsn == 0) break;
      const std::string_view payload(h + kHeaderSize, length);
      // Records up to `after` are applied: they were complete, only their headers matter.
      if (lsn > after) {
        if (record_crc(h, payload) != get_le(h + 16, 4)) break;
        found.push_back({lsn, payload});
      }
      highest = std::max(highest, lsn);
      prev = lsn;
      at += kHeaderSize + length;
    }
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.lsn < b.lsn; });
  std::uint64_t expect = after + 1;
  for (const Found& f : found) {
    if (f.lsn < expect) continue;
    if (f.lsn > expect) break;
    fn(f.lsn, f.payload);
    ++expect;
  }
  return highest;
}

void CommitLog::start(std::uint64_t next_lsn) {
  current_ = 0;
  offset_ = 0;
  next_lsn_ = next_lsn;
  last_lsn_[0] = last_lsn_[1] = 0;
}

void CommitLog::next_segment() {
  current_ = (current_ + 1) % kSegments;
  offset_ = 0;
  last_lsn_[current_] = 0;
}

void CommitLog::write_all(int fd, const char* data, std::size_t size, std::size_t offset,
                          std::size_t* written) const {
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(errno, "pwrite", fmt::format("cannot write the commit log in {}", dir_));
    if (n == 0) fail(EIO, "pwrite", fmt::format("cannot write the commit log in {}", dir_));
    data += n, size -= static_cast<std::size_t>(n), offset += static_cast<std::size_t>(n);
    if (written != nullptr) *written += static_cast<std::size_t>(n);
  }
}

void CommitLog::append(std::string_view payload) {
  if (broken_) {
    throw StoreError(
        EIO, "pwrite",
        fmt::format("the commit log in {} failed earlier and could not be repaired; restart", dir_));
  }
  const Segment& s = segments_[current_];
  record_.assign(kHeaderSize, '\0');
  std::memcpy(record_.data(), kMagic, 4);
  put_le(record_.data() + 4, payload.size(), 4);
  put_le(record_.data() + 8, next_lsn_, 8);
  put_le(record_.data() + 16, record_crc(record_.data(), payload), 4);
  record_.append(payload);
  std::size_t written = 0;
  try {
    write_all(s.fd, record_.data(), record_.size(), offset_, &written);
    if (durable_ && ::fdatasync(s.fd) != 0) {
      written = record_.size();  // on disk or not: unknown
      fail(errno, "fdatasync", fmt::format("cannot flush the commit log in {}", dir_));
    }
  } catch (...) {
    // What was written of the record must not count: zero its header. (A
    // write refused outright, as by a file-size limit, wrote nothing.)
    if (written == 0) throw;
    try {
      // Only over what was written: a file-size limit may cut the header itself.
      const char zeros[kHeaderSize] = {};
      write_all(s.fd, zeros, std::min(written, kHeaderSize), offset_);
      if (durable_ && ::fdatasync(s.fd) != 0) broken_ = true;
    } catch (const StoreError&) {
      broken_ = true;
    }
    throw;
  }
  offset_ += record_.size();
  last_lsn_[current_] = next_lsn_++;
}

void CommitLog::copy_to(const std::string& dest_dir) {
  for (int i = 0; i < kSegments; ++i) {
    const Segment& s = segments_[i];
    if (s.map == nullptr) continue;
    const std::string dest = fmt::format("{}/log.{}", dest_dir, i);
    const int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kFileMode);
    if (fd < 0) fail(errno, "open", fmt::format("cannot create {}", dest));
    try {
      write_all(fd, s.map, s.size, 0);
      if (::fsync(fd) != 0) fail(errno, "fsync", fmt::format("cannot flush {}", dest));
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
  }
}

}  // namespace hallq::store
