// The waiting line of one service: three ordered classes (returning, priority,
// normal), each ordered by (queue key, enqueue order). Owned by Hall.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <set>

#include "engine/core/ticket.h"
#include "engine/core/types.h"

namespace hallq::core {

struct QueueEntry {
  TimeUs key = 0;
  std::uint64_t order = 0;
  TicketId ticket = 0;
  auto operator<=>(const QueueEntry&) const = default;
};

class ServiceQueue {
 public:
  using Line = std::set<QueueEntry>;

  void push(QueueClass c, const QueueEntry& e) { lines_[index(c)].insert(e); }
  // False if the entry was not there.
  bool erase(QueueClass c, const QueueEntry& e) { return lines_[index(c)].erase(e) == 1; }
  // First entry of a class, or nullptr if that class is empty.
  const QueueEntry* head(QueueClass c) const {
    const Line& l = lines_[index(c)];
    return l.empty() ? nullptr : &*l.begin();
  }
  const Line& line(QueueClass c) const { return lines_[index(c)]; }
  std::size_t size(QueueClass c) const { return lines_[index(c)].size(); }
  std::size_t size() const { return lines_[0].size() + lines_[1].size() + lines_[2].size(); }
  bool empty() const { return size() == 0; }
  void clear() {
    for (Line& l : lines_) l.clear();
  }

 private:
  static std::size_t index(QueueClass c) { return static_cast<std::size_t>(c); }
  std::array<Line, kQueueClasses> lines_;
};

}  // namespace hallq::core
