#include "engine/server/login_throttle.h"

#include <algorithm>

namespace hallq::server {
namespace {

std::string name_key(std::string_view user, std::string_view address) {
  std::string key = "n";
  key.append(address).push_back('\0');
  key.append(user);
  return key;
}
std::string address_key(std::string_view address) { return "a" + std::string(address); }

std::chrono::seconds remaining(LoginThrottle::Clock::time_point until, LoginThrottle::Clock::time_point now) {
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(until - now));
}

}  // namespace

LoginThrottle::Entry& LoginThrottle::entry(const std::string& key, Clock::time_point now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) it = entries_.emplace(key, Entry{}).first;
  it->second.last = now;
  return it->second;
}

LoginThrottle::Entry* LoginThrottle::find(const std::string& key) {
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::chrono::seconds LoginThrottle::begin(std::string_view user, std::string_view address,
                                          Clock::time_point now) {
  if (entries_.size() + 2 > limits_.max_tracked) prune(now);  // before holding references
  Entry& by_name = entry(name_key(user, address), now);
  Entry& by_address = entry(address_key(address), now);
  const std::pair<Entry*, int> checks[] = {{&by_name, limits_.per_name_and_address},
                                           {&by_address, limits_.per_address}};
  for (const auto& [e, limit] : checks) {
    if (now < e->until) return remaining(e->until, now);
    // The limit reached by checks still under way: wait for them.
    if (e->counted >= limit) return limits_.first_lockout;
  }
  ++by_name.counted;
  ++by_address.counted;
  return std::chrono::seconds(0);
}

void LoginThrottle::fail(Entry& e, int limit, Clock::time_point now) {
  e.last = now;
  if (e.counted < limit) return;
  const int doublings = std::min(e.lockouts, 16);
  e.until = now + std::min(limits_.max_lockout, limits_.first_lockout * (1 << doublings));
  ++e.lockouts;
  e.counted = 0;
}

void LoginThrottle::failed(std::string_view user, std::string_view address, Clock::time_point now) {
  if (Entry* e = find(name_key(user, address))) fail(*e, limits_.per_name_and_address, now);
  if (Entry* e = find(address_key(address))) fail(*e, limits_.per_address, now);
}

void LoginThrottle::succeeded(std::string_view user, std::string_view address) {
  entries_.erase(name_key(user, address));
  abandoned("", address);
}

void LoginThrottle::abandoned(std::string_view user, std::string_view address) {
  if (!user.empty())
    if (Entry* e = find(name_key(user, address)); e && e->counted > 0) --e->counted;
  if (Entry* e = find(address_key(address)); e && e->counted > 0) --e->counted;
}

void LoginThrottle::prune(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last > std::chrono::hours(24); });
  if (entries_.size() < limits_.max_tracked) return;
  std::erase_if(entries_, [&](const auto& kv) { return now >= kv.second.until && kv.second.counted == 0; });
}

}  // namespace hallq::server
