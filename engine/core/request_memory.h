// A hall's memory of recent request ids, so a retried command is answered with
// its first outcome instead of being applied twice. A ring of the last
// kCapacity ids (oldest forgotten first) with an open-addressing index:
// lookups and inserts allocate nothing once the ring is full, which matters
// because every command from the wire carries an id.
//
// Thread: not thread-safe; owned by a Hall.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/core/command.h"
#include "engine/core/types.h"

namespace hallq::core {

// Where the events of an earlier command with the same request id are.
struct RequestRecord {
  Seq first_seq = 0;
  std::uint32_t count = 0;  // number of events it produced
  bool operator==(const RequestRecord&) const = default;
};

class RequestMemory {
 public:
  static constexpr std::size_t kCapacity = 16384;  // a power of two

  // The record of `id`, or null. The pointer is valid until the next remember().
  const RequestRecord* find(std::string_view id) const;
  // Remembers `id` unless it is already known; forgets the oldest id when
  // full. Ids longer than kMaxRequestIdLength are ignored.
  void remember(std::string_view id, RequestRecord record);
  void clear();
  std::size_t size() const { return size_; }

  // Calls fn(id, record) for every remembered id, oldest first.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (std::size_t i = 0; i < size_; ++i) {
      const Slot& s = slots_[(head_ + i) % kCapacity];
      fn(std::string_view(s.id, s.len), s.record);
    }
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    RequestRecord record;
    std::uint8_t len = 0;
    char id[kMaxRequestIdLength];
  };
  static constexpr std::size_t kIndexSize = kCapacity * 2;  // load factor <= 1/2
  // An index entry: the top 17 bits of the id's hash (a tag, so that most
  // probes that do not match are settled without reading the slot), then the
  // slot number + 1 in the low 15 bits; 0 where free.
  static constexpr int kSlotBits = 15;
  static constexpr std::uint32_t kSlotMask = (1u << kSlotBits) - 1;
  static_assert(kCapacity <= kSlotMask, "slot + 1 must fit in the entry's slot bits");
  static constexpr std::uint32_t kEmpty = 0;

  std::size_t probe_start(std::uint64_t hash) const { return hash & (kIndexSize - 1); }
  static std::uint32_t tag(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> (64 - 17)); }
  static std::uint32_t entry(std::uint32_t slot, std::uint64_t hash) {
    return tag(hash) << kSlotBits | (slot + 1);
  }
  static std::uint32_t slot_of(std::uint32_t entry) { return (entry & kSlotMask) - 1; }
  void erase_from_index(std::uint32_t slot);

  std::vector<Slot> slots_;  // ring; grows to kCapacity, then reused
  std::size_t head_ = 0;     // the oldest slot
  std::size_t size_ = 0;
  std::vector<std::uint32_t> index_;  // entries (above), kEmpty where free; allocated on first use
};

}  // namespace hallq::core
