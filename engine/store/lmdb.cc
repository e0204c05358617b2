// Out-of-line parts of the LMDB wrapper: error messages and the RAII types'
// resource handling.
#include "engine/store/lmdb.h"

#include <fmt/format.h>

namespace hallq::store::lmdb {

void throw_error(const char* call, int rc) {
  // mdb_strerror covers both MDB_* codes and errno values.
  throw StoreError(rc, call, fmt::format("{}: {}", call, ::mdb_strerror(rc)));
}

// ---------------------------------------------------------------- Env

Env Env::create() {
  MDB_env* handle = nullptr;
  env_create(&handle);
  return Env(handle);
}

Env::~Env() {
  if (handle_ != nullptr) ::mdb_env_close(handle_);
}

Env& Env::operator=(Env&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) ::mdb_env_close(handle_);
    handle_ = other.release();
  }
  return *this;
}

MDB_envinfo Env::info() const {
  MDB_envinfo info{};
  env_info(handle_, &info);
  return info;
}

MDB_env* Env::release() noexcept {
  MDB_env* handle = handle_;
  handle_ = nullptr;
  return handle;
}

// ---------------------------------------------------------------- Txn

Txn Txn::begin(MDB_env* env, unsigned flags, MDB_txn* parent) {
  MDB_txn* handle = nullptr;
  txn_begin(env, parent, flags, &handle);
  return Txn(handle);
}

Txn& Txn::operator=(Txn&& other) noexcept {
  if (this != &other) {
    abort();
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

void Txn::commit() {
  MDB_txn* handle = handle_;
  handle_ = nullptr;  // LMDB frees it on failure too: never abort it afterwards
  txn_commit(handle);
}

void Txn::abort() noexcept {
  if (handle_ != nullptr) {
    ::mdb_txn_abort(handle_);
    handle_ = nullptr;
  }
}

// ---------------------------------------------------------------- Dbi

std::optional<Dbi> Dbi::open(MDB_txn* txn, const char* name, unsigned flags) {
  MDB_dbi handle = 0;
  if (!dbi_open(txn, name, flags, &handle)) return std::nullopt;
  return Dbi(handle);
}

MDB_stat Dbi::stat(MDB_txn* txn) const {
  MDB_stat stat{};
  dbi_stat(txn, handle_, &stat);
  return stat;
}

std::optional<std::string_view> Dbi::get(MDB_txn* txn, std::string_view key) const {
  MDB_val k = to_val(key);
  MDB_val v{};
  if (!lmdb::get(txn, handle_, &k, &v)) return std::nullopt;
  return to_view(v);
}

void Dbi::put(MDB_txn* txn, std::string_view key, std::string_view data, unsigned flags) const {
  MDB_val k = to_val(key);
  MDB_val v = to_val(data);
  lmdb::put(txn, handle_, &k, &v, flags);
}

bool Dbi::del(MDB_txn* txn, std::string_view key) const {
  MDB_val k = to_val(key);
  return lmdb::del(txn, handle_, &k, nullptr);
}

// ---------------------------------------------------------------- Cursor

Cursor Cursor::open(MDB_txn* txn, Dbi dbi) {
  MDB_cursor* handle = nullptr;
  cursor_open(txn, dbi.handle(), &handle);
  return Cursor(handle);
}

Cursor& Cursor::operator=(Cursor&& other) noexcept {
  if (this != &other) {
    close();
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

void Cursor::put(std::string_view key, std::string_view data, unsigned flags) {
  MDB_val k = to_val(key);
  MDB_val v = to_val(data);
  cursor_put(handle_, &k, &v, flags);
}

void Cursor::close() noexcept {
  if (handle_ != nullptr) {
    ::mdb_cursor_close(handle_);
    handle_ = nullptr;
  }
}

}  // namespace hallq::store::lmdb
