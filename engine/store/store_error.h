// The store's one exception type for storage failures: a failed LMDB call (or
// system call) with its code and the name of the call, so the engine can tell
// a full map, which it can cure by growing the map, from a disk or I/O error,
// which it cannot. Misuse (a sequence gap, a write to a read-only store) is a
// std::logic_error instead.
#pragma once

#include <stdexcept>
#include <string>

namespace hallq::store {

class StoreError : public std::runtime_error {
 public:
  // `code` is an MDB_* code or an errno value (LMDB returns both);
  // `call` names the failing call ("mdb_txn_commit", "open").
  StoreError(int code, std::string call, const std::string& message);

  int code() const noexcept { return code_; }
  const std::string& call() const noexcept { return call_; }
  // MDB_MAP_FULL: the transaction needed more room than the map has.
  // grow_map() cures it; nothing of the failed transaction was written.
  bool map_full() const noexcept;

 private:
  int code_;
  std::string call_;
};

}  // namespace hallq::store
