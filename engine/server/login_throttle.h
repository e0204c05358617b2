// How many password guesses the HTTP API checks (http_auth.h): failures are
// counted per (user name, source address) and per source address, and each
// is locked for a while once it reaches its limit, with a delay that doubles
// with every further lockout (60 s, 120 s, 240 s ... at most an hour). A
// name guessed from one address is not locked for the others, so an attacker
// elsewhere cannot lock the real admin out.
//
// An attempt is counted when it starts, before the slow password check, so
// guesses sent in parallel cannot get more checks than the limit: with the
// defaults, 40 simultaneous guesses get 5 checked and 35 refused.
//
// Memory: one entry per (name, address) and per address seen failing; beyond
// Limits::max_tracked entries, those idle for a day go first, then those not
// locked now (their delay starts from 60 s again).
//
// Pure: the caller passes the time. Thread: one thread (the io_context's).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace hallq::server {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    int per_name_and_address = 5;  // failures (or checks under way) before a lockout
    int per_address = 20;          // the same over every name from one address
    std::chrono::seconds first_lockout{60};
    std::chrono::seconds max_lockout{3600};
    std::size_t max_tracked = 10'000;
  };
  LoginThrottle() : LoginThrottle(Limits{}) {}
  explicit LoginThrottle(Limits limits) : limits_(limits) {}

  // Counts an attempt of `user` from `address` about to be checked: zero if
  // it may be checked, else how long the caller has to wait (nothing counted).
  std::chrono::seconds begin(std::string_view user, std::string_view address, Clock::time_point now);
  // The outcome of an attempt begun: a wrong password (or unknown name), a
  // right one (the name's failures from this address are forgotten), or no
  // check at all (the checker was busy).
  void failed(std::string_view user, std::string_view address, Clock::time_point now);
  void succeeded(std::string_view user, std::string_view address);
  void abandoned(std::string_view user, std::string_view address);

  std::size_t tracked() const { return entries_.size(); }

 private:
  struct Entry {
    int counted = 0;   // failures since the last lockout, and checks under way
    int lockouts = 0;  // lockouts so far: the next one lasts first_lockout * 2^lockouts
    Clock::time_point until{};
    Clock::time_point last{};
  };
  Entry& entry(const std::string& key, Clock::time_point now);
  Entry* find(const std::string& key);
  void fail(Entry& e, int limit, Clock::time_point now);
  void prune(Clock::time_point now);

  Limits limits_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace hallq::server
