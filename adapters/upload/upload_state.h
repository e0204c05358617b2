// The uploader's durable state in its state directory, per hall:
//   HALL.cursor     the event sequence number up to which every record has
//                   reached a final outcome (accepted or rejected by the
//                   platform); written to a temporary file, fsynced, renamed
//                   over the old one and the directory fsynced, so a crash
//                   leaves the old cursor or the new one, never a torn one.
//   HALL.rejected   JSON lines, one per record the platform refused (4xx
//                   other than 408/429): {"record_id", "seq", "status",
//                   "reason", "record"}, appended and fsynced before the
//                   cursor moves past the record.
// A record accepted but whose cursor was not yet written when the process
// died is sent again after the restart with the same Idempotency-Key: the
// platform must honour the key for "never twice" to hold across a crash.
//
// Errors: std::runtime_error (open, write, fsync, rename; a cursor file that
// is not a number). Thread: one owner thread.
#pragma once

#include <cstdint>
#include <string>

namespace hallq::upload {

class UploadState {
 public:
  // Creates `dir` (0750) if missing.
  explicit UploadState(std::string dir);

  // 0 for a hall never uploaded.
  std::uint64_t cursor(const std::string& hall) const;
  void set_cursor(const std::string& hall, std::uint64_t seq);
  void reject(const std::string& hall, const std::string& record_id, std::uint64_t seq, int status,
              const std::string& reason, const std::string& record_json);

 private:
  std::string dir_;
};

}  // namespace hallq::upload
