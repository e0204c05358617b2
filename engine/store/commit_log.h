// The store's commit log: the write-ahead log in front of LMDB that makes a
// batch durable with one flush (README.md, "Durability"). Two preallocated
// segment files in the store directory, `log.0` and `log.1`, written in turn;
// each holds records from its start:
//
//   magic "HQL1" (4) | payload length (4, LE) | LSN (8, LE) | CRC32C (4, LE) | 0 (4) | payload
//
// The CRC covers length, LSN and payload. LSNs (record numbers) grow by one
// from record to record across segments; a record is valid if its magic,
// length and CRC are right and its LSN follows the record before it. A torn,
// zero or stale record (one left from a segment's earlier use: a lower LSN)
// ends a segment's records. Segments are created once, zero-filled and
// flushed (durable logs; a sparse file otherwise), so that an append
// overwrites allocated blocks and fdatasync() flushes only data: one device
// flush, no file-system metadata.
//
// The log knows records and bytes, not batches: EventStore encodes them and
// decides when a segment may be reused (everything in it applied to LMDB).
//
// Errors: StoreError (errno codes) for file-system failures. Thread: one
// writer thread appends; scan() may run on any thread (it reads the segments
// through a read-only mapping, so it sees every completed write of the writer,
// also in another process).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace hallq::store {

class CommitLog {
 public:
  static constexpr int kSegments = 2;
  static constexpr std::size_t kHeaderSize = 24;
  // Segment size of a new log: kSegmentSize, or less on a nearly full file
  // system (an eighth of the free space, at least kMinSegmentSize).
  static constexpr std::size_t kSegmentSize = 16u << 20;
  static constexpr std::size_t kMinSegmentSize = 256u << 10;

  // Opens the log of the store in `dir`. Writable: creates the segments
  // that are missing (zero-filled and flushed when `durable`). Read-only: maps
  // the segments there are (none: an empty log, looked for again by scan()).
  CommitLog(std::string dir, bool writable, bool durable);
  ~CommitLog();
  CommitLog(const CommitLog&) = delete;
  CommitLog& operator=(const CommitLog&) = delete;

  // Calls fn(lsn, payload) for the valid records with LSN after+1, after+2,
  // ... in order, up to the first missing one; `payload` points into the
  // mapping (copy what you keep: a writer may reuse the segment). Returns the
  // highest LSN of any valid record in the segments (0: none).
  std::uint64_t scan(std::uint64_t after, const std::function<void(std::uint64_t, std::string_view)>& fn);

  // Writer only. Starts writing at the start of segment 0 with LSN
  // `next_lsn`, which must be above every LSN in the log (scan()'s result):
  // older records then never continue the new ones.
  void start(std::uint64_t next_lsn);
  // The largest payload a record can hold (an empty segment).
  std::size_t capacity() const { return segment_size_ - kHeaderSize; }
  // Whether a record of `payload` bytes fits in the rest of the current segment.
  bool fits(std::size_t payload) const { return offset_ + kHeaderSize + payload <= segment_size_; }
  // The highest LSN written to the segment after the current one since
  // start() (0: none): it may be reused once that LSN is applied.
  std::uint64_t next_segment_last_lsn() const { return last_lsn_[(current_ + 1) % kSegments]; }
  // Continues at the start of the next segment.
  void next_segment();
  // Appends the record `next_lsn()` and flushes it (fdatasync, if durable).
  // On failure throws StoreError and leaves no valid record behind (the
  // header is overwritten with zeros; if even that fails the log refuses
  // every later append).
  void append(std::string_view payload);
  std::uint64_t next_lsn() const { return next_lsn_; }

  // Copies the segment files into `dest_dir` (a backup) and flushes them.
  void copy_to(const std::string& dest_dir);

 private:
  struct Segment {
    int fd = -1;
    const char* map = nullptr;  // the whole file, read-only
    std::size_t size = 0;
  };
  void close_all();
  std::string path(int segment) const;
  void create(int segment);
  void open_segment(int segment);
  // Adds to *written what was written, also when it throws.
  void write_all(int fd, const char* data, std::size_t size, std::size_t offset,
                 std::size_t* written = nullptr) const;

  std::string dir_;
  bool writable_, durable_;
  std::size_t segment_size_ = 0;
  Segment segments_[kSegments];
  int current_ = 0;
  std::size_t offset_ = 0;
  std::uint64_t next_lsn_ = 1;
  std::uint64_t last_lsn_[kSegments] = {0, 0};
  bool broken_ = false;
  std::string record_;  // append() scratch
};

}  // namespace hallq::store
