// Logged-in managers of the HTTP API: sessions (random 256-bit ids in an
// HttpOnly SameSite=Strict cookie, each with its own CSRF token that every
// state-changing request must echo in an X-CSRF-Token header), idle and
// absolute expiry, and the password checker that keeps the slow Argon2id check off the engine's thread.
//
// Sessions live in memory: an engine restart logs everyone out.
// Thread: SessionTable on the engine's io_context thread only.
// PasswordChecker: check() from that thread; `done` is posted back to it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "engine/server/accounts.h"

namespace hallq::server {

struct Session {
  std::string id, csrf;
  const Account* account = nullptr;
  std::chrono::steady_clock::time_point created, last_seen;
};

class SessionTable {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    std::chrono::seconds idle{8 * 3600};
    std::chrono::seconds absolute{12 * 3600};
  };
  SessionTable() : SessionTable(Limits{}) {}
  explicit SessionTable(Limits limits) : limits_(limits) {}

  const Session& create(const Account& account, Clock::time_point now);
  // The live session of `id` (touched), or null if unknown or expired (then removed).
  const Session* find(std::string_view id, Clock::time_point now);
  void remove(std::string_view id);
  // Whether `id` is a live session, without touching it.
  bool alive(std::string_view id, Clock::time_point now) const;

 private:
  Limits limits_;
  std::map<std::string, Session, std::less<>> sessions_;
};

class PasswordChecker {
 public:
  using Post = std::function<void(std::function<void()>)>;
  explicit PasswordChecker(Post post_back, std::size_t max_pending = 16);
  ~PasswordChecker();
  PasswordChecker(const PasswordChecker&) = delete;
  PasswordChecker& operator=(const PasswordChecker&) = delete;

  // Checks on the worker thread, one at a time; false (and no call) if
  // max_pending checks already wait.
  bool check(std::string hash, std::string password, std::function<void(bool)> done);

 private:
  void run();
  Post post_back_;
  std::size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace hallq::server
