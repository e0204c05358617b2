// StoreError: kept out of lmdb.h so the store's public header needs no LMDB.
#include "engine/store/store_error.h"

#include <lmdb.h>

#include <utility>

namespace hallq::store {

StoreError::StoreError(int code, std::string call, const std::string& message)
    : std::runtime_error(message), code_(code), call_(std::move(call)) {}

bool StoreError::map_full() const noexcept { return code_ == MDB_MAP_FULL; }

}  // namespace hallq::store
