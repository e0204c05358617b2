#include "engine/server/http_sessions.h"

#include <sodium.h>

#include <stdexcept>

namespace hallq::server {
namespace {

std::string random_hex(std::size_t bytes) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  hex.pop_back();
  return hex;
}

}  // namespace

const Session& SessionTable::create(const Account& account, Clock::time_point now) {
  // Expired sessions go when someone logs in: the table stays as small as the staff.
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const Session& s = it->second;
    it = (now - s.last_seen > limits_.idle || now - s.created > limits_.absolute) ? sessions_.erase(it)
                                                                                  : std::next(it);
  }
  Session s{random_hex(32), random_hex(16), &account, now, now};
  auto [it, _] = sessions_.emplace(s.id, std::move(s));
  return it->second;
}

const Session* SessionTable::find(std::string_view id, Clock::time_point now) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  Session& s = it->second;
  if (now - s.last_seen > limits_.idle || now - s.created > limits_.absolute) {
    sessions_.erase(it);
    return nullptr;
  }
  s.last_seen = now;
  return &s;
}

bool SessionTable::alive(std::string_view id, Clock::time_point now) const {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return false;
  const Session& s = it->second;
  return now - s.last_seen <= limits_.idle && now - s.created <= limits_.absolute;
}

void SessionTable::remove(std::string_view id) {
  const auto it = sessions_.find(id);
  if (it != sessions_.end()) sessions_.erase(it);
}

PasswordChecker::PasswordChecker(Post post_back, std::size_t max_pending)
    : post_back_(std::move(post_back)), max_pending_(max_pending), worker_([this] { run(); }) {}

PasswordChecker::~PasswordChecker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

bool PasswordChecker::check(std::string hash, std::string password, std::function<void(bool)> done) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= max_pending_) return false;
    queue_.push_back(
        [this, hash = std::move(hash), password = std::move(password), done = std::move(done)]() mutable {
          const bool ok = verify_password(hash, password);
          sodium_memzero(password.data(), password.size());
          post_back_([done = std::move(done), ok] { done(ok); });
        });
  }
  wake_.notify_one();
  return true;
}

void PasswordChecker::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace hallq::server
