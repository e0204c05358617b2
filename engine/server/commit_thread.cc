#include "engine/server/commit_thread.h"

namespace hallq::server {

CommitThread::CommitThread(store::EventStore& store) : store_(store), thread_([this] { run(); }) {}

CommitThread::~CommitThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::uint64_t CommitThread::submit(std::shared_ptr<const store::EventStore::Batch> batch,
                                   bool after_success) {
  std::uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    queue_.push_back({id, std::move(batch), after_success});
  }
  wake_.notify_one();
  return id;
}

std::uint64_t CommitThread::run_here_if_idle(const store::EventStore::Batch& batch) {
  std::uint64_t id;
  {
    std::lock_guard lock(mutex_);
    if (last_run_ + 1 != next_id_) return 0;
    // Only the owner submits, and it is here: the thread stays idle meanwhile.
    id = next_id_++;
  }
  Outcome outcome{false, nullptr};
  try {
    store_.commit(batch);
  } catch (...) {
    outcome.error = std::current_exception();
  }
  {
    std::lock_guard lock(mutex_);
    last_failed_ = outcome.error != nullptr;
    finished_.emplace(id, std::move(outcome));
    last_run_ = id;
  }
  done_.notify_all();
  return id;
}

std::optional<CommitThread::Outcome> CommitThread::outcome(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = finished_.find(id);
  if (it == finished_.end()) return std::nullopt;
  Outcome o = std::move(it->second);
  finished_.erase(it);
  return o;
}

void CommitThread::wait(std::uint64_t id) {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return last_run_ >= id; });
}

void CommitThread::wait_idle() {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return last_run_ + 1 == next_id_; });
}

void CommitThread::set_on_done(std::function<void()> on_done) {
  std::lock_guard lock(on_done_mutex_);
  on_done_ = std::move(on_done);
}

void CommitThread::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    Job job = std::move(queue_.front());
    queue_.pop_front();
    const bool skip = job.after_success && last_failed_;
    lock.unlock();
    Outcome outcome{skip, nullptr};
    if (!skip) {
      try {
        store_.commit(*job.batch);
      } catch (...) {
        outcome.error = std::current_exception();
      }
    }
    job.batch.reset();
    lock.lock();
    last_failed_ = skip || outcome.error != nullptr;
    finished_.emplace(job.id, std::move(outcome));
    last_run_ = job.id;
    lock.unlock();
    done_.notify_all();
    {
      std::lock_guard notify(on_done_mutex_);
      if (on_done_) on_done_();
    }
    lock.lock();
  }
}

}  // namespace hallq::server
