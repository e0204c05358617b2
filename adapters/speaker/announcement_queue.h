// The speaker's queue of announcements. Contract:
//   - FIFO: announcements are spoken in the order they were pushed; a long
//     queue is drained in that order.
//   - No cut-in: begin_next() hands out the next one only when none is in
//     progress (finish() ends it); a push never interrupts what is playing.
//   - No double recall: a recall of a ticket (same number, same window) that
//     is already waiting in the queue, as a call or a recall, is dropped
//     (kDuplicate): the citizen will hear it anyway. The announcement in
//     progress does not count: a recall pressed while the number is being
//     spoken is queued and said again afterwards.
//   - Bounded: beyond `capacity` waiting items a push is refused (kFull), so
//     a runaway source cannot grow memory without limit.
//   - No stale announcements: withdraw() drops what waits for a ticket that is
//     no longer called (the citizen came, it was finished, skipped, held,
//     transferred or cancelled), so a backlog never sends a citizen to a
//     window that is done with them; the one in progress is not cut.
//   - Under a backlog the sentence is said once: repeat_for() gives the
//     configured count only when nothing else waits.
// Pure, single-threaded; the program wraps it with a mutex for its two threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace hallq::speaker {

enum class AnnouncementKind : std::uint8_t { kCall, kRecall };

struct Announcement {
  AnnouncementKind kind = AnnouncementKind::kCall;
  std::string hall;
  std::string number;                                // "A012"
  std::string window;                                // window id, "w5"
  int window_number = 0;                             // 5
  std::uint64_t seq = 0;                             // the engine event's sequence
  std::chrono::steady_clock::time_point received{};  // for latency measurements
};

enum class PushResult : std::uint8_t { kQueued, kDuplicate, kFull };

class AnnouncementQueue {
 public:
  explicit AnnouncementQueue(std::size_t capacity = 10'000) : capacity_(capacity) {}

  PushResult push(Announcement a);
  // The next announcement, now in progress; nullopt if one is already in
  // progress or nothing waits.
  std::optional<Announcement> begin_next();
  // Ends the announcement in progress (no effect if none).
  void finish() { in_progress_ = false; }
  // Drops every waiting announcement of ticket `number` in `hall`; returns
  // how many.
  std::size_t withdraw(std::string_view hall, std::string_view number);
  // Drops everything waiting (a new day); returns how many.
  std::size_t clear();
  // How many times to say the sentence of the announcement just begun:
  // `configured` when nothing else waits, once under a backlog.
  int repeat_for(int configured) const { return items_.empty() ? configured : 1; }

  bool in_progress() const { return in_progress_; }
  std::size_t waiting() const { return items_.size(); }
  bool idle() const { return !in_progress_ && items_.empty(); }

  struct Stats {
    std::uint64_t queued = 0, duplicates = 0, refused = 0, spoken = 0, withdrawn = 0;
    std::size_t max_waiting = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  std::size_t capacity_;
  std::deque<Announcement> items_;
  bool in_progress_ = false;
  Stats stats_;
};

}  // namespace hallq::speaker
