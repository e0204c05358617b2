// A thin C++ wrapper of the LMDB C API, in the two layers of lmdbxx: first,
// calls that turn an LMDB return code into a StoreError naming the call (or,
// where "not found" is an expected answer, into a bool); then move-only RAII
// types for the environment, transactions and cursors. Only what the event
// store needs; the store is its one user, so this header stays private to
// engine/store.
//
// Lifetimes follow LMDB's rules: a Txn must end before its Env closes, and a
// Cursor must be destroyed (or close()d) before its Txn ends — a write
// transaction frees its cursors when it ends. Values returned as
// std::string_view point into the memory map and stay valid only until the
// transaction that read them ends (or, in a write transaction, until the next
// write).
//
// Thread: as LMDB's. An Env may be shared by threads; a Txn and its cursors
// belong to one thread at a time (with MDB_NOTLS read transactions are not
// tied to the thread that began them).
#pragma once

#include <lmdb.h>

#include <cstddef>
#include <optional>
#include <string_view>

#include "engine/store/store_error.h"

namespace hallq::store::lmdb {

// ---------------------------------------------------------------- layer 1
// One function per LMDB call: same arguments, a StoreError instead of a code.

[[noreturn]] void throw_error(const char* call, int rc);

inline void check(const char* call, int rc) {
  if (rc != MDB_SUCCESS) [[unlikely]] {
    throw_error(call, rc);
  }
}

// Like check, but MDB_NOTFOUND is an answer: returns false.
inline bool check_found(const char* call, int rc) {
  if (rc == MDB_NOTFOUND) return false;
  check(call, rc);
  return true;
}

inline MDB_val to_val(std::string_view s) { return {s.size(), const_cast<char*>(s.data())}; }
inline std::string_view to_view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

inline void env_create(MDB_env** env) { check("mdb_env_create", ::mdb_env_create(env)); }
inline void env_open(MDB_env* env, const char* path, unsigned flags, mdb_mode_t mode) {
  check("mdb_env_open", ::mdb_env_open(env, path, flags, mode));
}
inline void env_set_mapsize(MDB_env* env, std::size_t size) {
  check("mdb_env_set_mapsize", ::mdb_env_set_mapsize(env, size));
}
inline void env_set_maxdbs(MDB_env* env, MDB_dbi dbs) {
  check("mdb_env_set_maxdbs", ::mdb_env_set_maxdbs(env, dbs));
}
inline void env_info(MDB_env* env, MDB_envinfo* info) { check("mdb_env_info", ::mdb_env_info(env, info)); }
inline void env_copy2(MDB_env* env, const char* path, unsigned flags) {
  check("mdb_env_copy2", ::mdb_env_copy2(env, path, flags));
}
inline void txn_begin(MDB_env* env, MDB_txn* parent, unsigned flags, MDB_txn** txn) {
  check("mdb_txn_begin", ::mdb_txn_begin(env, parent, flags, txn));
}
// LMDB frees the transaction whatever the outcome.
inline void txn_commit(MDB_txn* txn) { check("mdb_txn_commit", ::mdb_txn_commit(txn)); }
// Returns false if `name` does not exist (and MDB_CREATE was not given).
inline bool dbi_open(MDB_txn* txn, const char* name, unsigned flags, MDB_dbi* dbi) {
  return check_found("mdb_dbi_open", ::mdb_dbi_open(txn, name, flags, dbi));
}
inline void dbi_stat(MDB_txn* txn, MDB_dbi dbi, MDB_stat* stat) {
  check("mdb_stat", ::mdb_stat(txn, dbi, stat));
}
inline bool get(MDB_txn* txn, MDB_dbi dbi, MDB_val* key, MDB_val* data) {
  return check_found("mdb_get", ::mdb_get(txn, dbi, key, data));
}
inline void put(MDB_txn* txn, MDB_dbi dbi, MDB_val* key, MDB_val* data, unsigned flags) {
  check("mdb_put", ::mdb_put(txn, dbi, key, data, flags));
}
inline bool del(MDB_txn* txn, MDB_dbi dbi, MDB_val* key, MDB_val* data) {
  return check_found("mdb_del", ::mdb_del(txn, dbi, key, data));
}
inline void cursor_open(MDB_txn* txn, MDB_dbi dbi, MDB_cursor** cursor) {
  check("mdb_cursor_open", ::mdb_cursor_open(txn, dbi, cursor));
}
inline bool cursor_get(MDB_cursor* cursor, MDB_val* key, MDB_val* data, MDB_cursor_op op) {
  return check_found("mdb_cursor_get", ::mdb_cursor_get(cursor, key, data, op));
}
inline void cursor_put(MDB_cursor* cursor, MDB_val* key, MDB_val* data, unsigned flags) {
  check("mdb_cursor_put", ::mdb_cursor_put(cursor, key, data, flags));
}

// ---------------------------------------------------------------- layer 2

// An environment: one directory holding data.mdb and lock.mdb. Closed by the
// destructor; never open the same directory twice in one process (LMDB's
// advisory locks are per process and closing one handle drops them).
class Env {
 public:
  static Env create();

  Env() = default;
  ~Env();
  Env(Env&& other) noexcept : handle_(other.release()) {}
  Env& operator=(Env&& other) noexcept;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  void open(const char* path, unsigned flags, mdb_mode_t mode) { env_open(handle_, path, flags, mode); }
  // After open, only while this process has no transaction active.
  void set_mapsize(std::size_t size) { env_set_mapsize(handle_, size); }
  void set_maxdbs(MDB_dbi dbs) { env_set_maxdbs(handle_, dbs); }
  MDB_envinfo info() const;
  // Copies the environment into the existing directory `path`; see mdb_env_copy2.
  void copy(const char* path, unsigned flags) const { env_copy2(handle_, path, flags); }

  MDB_env* handle() const noexcept { return handle_; }
  MDB_env* release() noexcept;

 private:
  explicit Env(MDB_env* handle) : handle_(handle) {}
  MDB_env* handle_ = nullptr;
};

// A transaction, read-only (MDB_RDONLY) or write. Aborted by the destructor
// unless commit() was called, so an exception anywhere in between writes
// nothing.
class Txn {
 public:
  static Txn begin(MDB_env* env, unsigned flags = 0, MDB_txn* parent = nullptr);

  Txn() = default;
  ~Txn() { abort(); }
  Txn(Txn&& other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }
  Txn& operator=(Txn&& other) noexcept;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  // Ends the transaction in both outcomes: on a StoreError nothing was
  // committed and the handle is gone all the same.
  void commit();
  void abort() noexcept;

  MDB_txn* handle() const noexcept { return handle_; }

 private:
  explicit Txn(MDB_txn* handle) : handle_(handle) {}
  MDB_txn* handle_ = nullptr;
};

// A database handle. Deliberately a copyable value and not RAII: LMDB owns
// DBI handles for the environment's lifetime and closes them with it (closing
// one by hand is legal only when no transaction could still use it).
class Dbi {
 public:
  // nullopt if `name` does not exist and `flags` lacks MDB_CREATE. The handle
  // outlives `txn` only if `txn` commits (a read-only txn may commit too).
  static std::optional<Dbi> open(MDB_txn* txn, const char* name, unsigned flags = 0);

  Dbi() = default;  // no database yet: assign an opened one before use

  MDB_stat stat(MDB_txn* txn) const;
  std::optional<std::string_view> get(MDB_txn* txn, std::string_view key) const;
  void put(MDB_txn* txn, std::string_view key, std::string_view data, unsigned flags = 0) const;
  // false if `key` was absent.
  bool del(MDB_txn* txn, std::string_view key) const;

  MDB_dbi handle() const noexcept { return handle_; }

 private:
  explicit Dbi(MDB_dbi handle) : handle_(handle) {}
  MDB_dbi handle_ = 0;
};

// A cursor over one database within one transaction; see the lifetime rule
// at the top of this file.
class Cursor {
 public:
  static Cursor open(MDB_txn* txn, Dbi dbi);

  Cursor() = default;
  ~Cursor() { close(); }
  Cursor(Cursor&& other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }
  Cursor& operator=(Cursor&& other) noexcept;
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  // false when there is no such entry (MDB_NOTFOUND).
  bool get(MDB_val* key, MDB_val* data, MDB_cursor_op op) { return cursor_get(handle_, key, data, op); }
  void put(std::string_view key, std::string_view data, unsigned flags);
  void close() noexcept;

  MDB_cursor* handle() const noexcept { return handle_; }

 private:
  explicit Cursor(MDB_cursor* handle) : handle_(handle) {}
  MDB_cursor* handle_ = nullptr;
};

}  // namespace hallq::store::lmdb
