// The hall snapshot bucket over nats.c's key-value API.
#include "engine/replicate/hall_directory.h"

#include <fmt/format.h>

namespace hallq::replicate {
namespace {

HallDirectory::Entry entry_of(kvEntry* e) {
  HallDirectory::Entry out;
  out.hall = kvEntry_Key(e);
  out.revision = kvEntry_Revision(e);
  out.snapshot.assign(static_cast<const char*>(kvEntry_Value(e)),
                      static_cast<std::size_t>(kvEntry_ValueLen(e)));
  return out;
}

}  // namespace

HallDirectory::HallDirectory(NatsConnection& conn, const std::string& bucket) : conn_(conn), bucket_(bucket) {
  const natsStatus s = js_KeyValue(&kv_, conn.js(), bucket.c_str());
  if (s != NATS_OK)
    throw ReplicateError(fmt::format("hall snapshots bucket {}: {}", bucket, conn.describe(s)));
}

HallDirectory::~HallDirectory() {
  if (watcher_ != nullptr) {
    kvWatcher_Stop(watcher_);
    kvWatcher_Destroy(watcher_);
  }
  kvStore_Destroy(kv_);
}

std::string HallDirectory::put(const std::string& hall, const std::string& snapshot, bool* transient) {
  std::uint64_t rev = 0;
  const natsStatus s =
      kvStore_Put(&rev, kv_, hall.c_str(), snapshot.data(), static_cast<int>(snapshot.size()));
  if (transient != nullptr) *transient = s != NATS_OK && transient_status(s);
  if (s == NATS_OK) return {};
  return fmt::format("snapshot of {} into {}: {}", hall, bucket_, conn_.describe(s));
}

std::optional<HallDirectory::Entry> HallDirectory::get(const std::string& hall, std::string* error) {
  kvEntry* e = nullptr;
  const natsStatus s = kvStore_Get(&e, kv_, hall.c_str());
  if (s == NATS_NOT_FOUND) return std::nullopt;
  if (s != NATS_OK) {
    if (error != nullptr)
      *error = fmt::format("snapshot of {} from {}: {}", hall, bucket_, conn_.describe(s));
    return std::nullopt;
  }
  Entry out = entry_of(e);
  kvEntry_Destroy(e);
  return out;
}

void HallDirectory::watch() {
  if (watcher_ != nullptr) return;
  const natsStatus s = kvStore_WatchAll(&watcher_, kv_, nullptr);
  if (s != NATS_OK) throw ReplicateError(fmt::format("watching {}: {}", bucket_, conn_.describe(s)));
}

std::optional<HallDirectory::Entry> HallDirectory::next(std::chrono::milliseconds wait) {
  if (watcher_ == nullptr) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    kvEntry* e = nullptr;
    // A null entry marks the end of the initial values: not an entry.
    if (kvWatcher_Next(&e, watcher_, std::max<std::int64_t>(left.count(), 1)) != NATS_OK) return std::nullopt;
    if (e == nullptr) continue;
    if (kvEntry_Operation(e) != kvOp_Put) {
      kvEntry_Destroy(e);
      continue;
    }
    Entry out = entry_of(e);
    kvEntry_Destroy(e);
    return out;
  }
}

}  // namespace hallq::replicate
