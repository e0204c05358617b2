// The notifier's memory of what it sent: an append-only file of JSON lines,
// one per reminder that reached a final outcome (sent, refused by the
// gateway, given up after the last retry), keyed by hall/day/number/kind.
// A line is written and fsynced before the notifier counts the message as
// sent; the file is read at start, so a restarted notifier never sends a
// reminder it has a line for. A message sent but not yet logged when the
// process died is sent again after the restart WITH THE SAME Idempotency-Key:
// the gateway must honour the key for "never twice" to hold across a crash.
// The lines hold the masked phone (138****5678), never the whole number.
//
// Thread: one owner thread. Errors: std::runtime_error (open, write, fsync).
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace hallq::notify {

struct SentRecord {
  std::string key;
  std::string outcome;  // sent | refused | gave_up
  std::string kind;     // near | called
  std::string number;
  std::string phone;  // masked
  std::string text;
  int status = 0;  // the gateway's last HTTP status; 0 none
  int attempts = 0;
  std::string at;  // UTC, ISO 8601
};

class SentLog {
 public:
  // Opens (creating, mode 0640) `path` and reads the keys it holds. A last
  // line cut short by a crash is ignored (and completed by a newline).
  explicit SentLog(std::string path);
  ~SentLog();
  SentLog(const SentLog&) = delete;
  SentLog& operator=(const SentLog&) = delete;

  bool contains(std::string_view key) const { return keys_.find(key) != keys_.end(); }
  std::size_t size() const { return keys_.size(); }
  // Appends the record and fsyncs the file before returning.
  void append(const SentRecord& record);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::set<std::string, std::less<>> keys_;
};

}  // namespace hallq::notify
