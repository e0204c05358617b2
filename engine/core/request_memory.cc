// Linear probing with backward-shift deletion: no tombstones, so lookups stay
// short however long the hall runs.
#include "engine/core/request_memory.h"

#include <cstring>
#include <functional>

namespace hallq::core {

const RequestRecord* RequestMemory::find(std::string_view id) const {
  if (index_.empty()) return nullptr;
  const std::uint64_t h = std::hash<std::string_view>{}(id);
  const std::uint32_t t = tag(h);
  for (std::size_t i = probe_start(h);; i = (i + 1) & (kIndexSize - 1)) {
    const std::uint32_t e = index_[i];
    if (e == kEmpty) return nullptr;
    if (e >> kSlotBits != t) continue;
    const Slot& s = slots_[slot_of(e)];
    if (s.hash == h && std::string_view(s.id, s.len) == id) return &s.record;
  }
}

void RequestMemory::erase_from_index(std::uint32_t slot) {
  std::size_t hole = probe_start(slots_[slot].hash);
  while (index_[hole] == kEmpty || slot_of(index_[hole]) != slot) hole = (hole + 1) & (kIndexSize - 1);
  // Move later entries of the same probe run back into the hole when their
  // home position allows it, so no lookup ever stops early at a gap.
  for (std::size_t next = (hole + 1) & (kIndexSize - 1);; next = (next + 1) & (kIndexSize - 1)) {
    const std::uint32_t moved = index_[next];
    if (moved == kEmpty) break;
    const std::size_t home = probe_start(slots_[slot_of(moved)].hash);
    const bool can_move = hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
    if (can_move) {
      index_[hole] = moved;
      hole = next;
    }
  }
  index_[hole] = kEmpty;
}

void RequestMemory::remember(std::string_view id, RequestRecord record) {
  if (id.empty() || id.size() > kMaxRequestIdLength || find(id) != nullptr) return;
  if (index_.empty()) index_.assign(kIndexSize, kEmpty);
  std::uint32_t slot;
  if (size_ < kCapacity) {
    slot = static_cast<std::uint32_t>((head_ + size_) % kCapacity);
    if (slots_.size() <= slot) slots_.resize(slot + 1);
    ++size_;
  } else {
    slot = static_cast<std::uint32_t>(head_);  // forget the oldest
    erase_from_index(slot);
    head_ = (head_ + 1) % kCapacity;
  }
  Slot& s = slots_[slot];
  s.hash = std::hash<std::string_view>{}(id);
  s.record = record;
  s.len = static_cast<std::uint8_t>(id.size());
  std::memcpy(s.id, id.data(), id.size());
  std::size_t i = probe_start(s.hash);
  while (index_[i] != kEmpty) i = (i + 1) & (kIndexSize - 1);
  index_[i] = entry(slot, s.hash);
}

void RequestMemory::clear() {
  slots_.clear();
  index_.clear();
  head_ = size_ = 0;
}

}  // namespace hallq::core
