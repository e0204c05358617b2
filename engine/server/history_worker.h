// A thread of its own for the HTTP API's history reads, so that reading a
// month or a year of a hall's events (tens of milliseconds to seconds) does
// not stall the engine's thread: jobs run one at a time, in order, against
// the store's read path, which allows one other thread to read while the
// engine commits (engine/store/event_store.h). At most `max_queued` jobs wait;
// try_run() refuses more (the API answers 503), so a client cannot queue
// reads without bound.
//
// Thread: try_run from any one thread; jobs run on the worker's thread. The
// destructor runs the jobs already queued, then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace hallq::server {

class HistoryWorker {
 public:
  explicit HistoryWorker(std::size_t max_queued = 8);
  ~HistoryWorker();
  HistoryWorker(const HistoryWorker&) = delete;
  HistoryWorker& operator=(const HistoryWorker&) = delete;

  // Queues `job`; false (and `job` dropped) if max_queued jobs already wait.
  bool try_run(std::function<void()> job);

 private:
  void loop();

  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace hallq::server
