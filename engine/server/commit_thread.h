// The store's writer on a thread of its own, so that the engine applies and
// encodes the next batch while one waits for its flush. Jobs run one at a
// time, in the order submitted; each is one EventStore::commit (one record of
// the store's commit log, flushed once; the store writes it into LMDB later
// on a thread of its own). A job submitted `after_success` is skipped if the
// job before it failed: a snapshot is never stored without the events it
// covers (a snapshot-only commit is not flushed: it goes with the store's
// next apply).
//
// Thread: submit, outcome, wait and wait_idle from one owner thread (the
// engine's). While a job is queued or running the store belongs to the
// commit thread; the owner may use it itself only between wait_idle() and
// its next submit(). `on_done` (set_on_done) is called on the commit thread
// after every job, outside the queue's lock.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/store/event_store.h"

namespace hallq::server {

class CommitThread {
 public:
  struct Outcome {
    bool skipped = false;      // not run: the job before it failed
    std::exception_ptr error;  // what EventStore::commit threw; null if committed (or skipped)
  };

  explicit CommitThread(store::EventStore& store);
  // Runs the jobs still queued, then stops the thread.
  ~CommitThread();
  CommitThread(const CommitThread&) = delete;
  CommitThread& operator=(const CommitThread&) = delete;

  // Queues a commit of `batch` (kept alive by the job); returns the job's id (> 0).
  std::uint64_t submit(std::shared_ptr<const store::EventStore::Batch> batch, bool after_success);
  // The outcome of job `id` once it has run (and forgets it), or nothing yet.
  std::optional<Outcome> outcome(std::uint64_t id);
  // Runs a commit of `batch` here, on the owner's thread, if no job is queued
  // or running (the store is then the owner's); returns its job id, whose
  // outcome() is ready at once, or 0 (nothing run) while the thread is busy.
  // on_done is not called for it. Saves the two thread hand-overs a lone
  // request would otherwise wait for (engine/server/engine.h, seal).
  std::uint64_t run_here_if_idle(const store::EventStore::Batch& batch);
  // Blocks until job `id` has run.
  void wait(std::uint64_t id);
  // Blocks until no job is queued or running.
  void wait_idle();
  void set_on_done(std::function<void()> on_done);

 private:
  struct Job {
    std::uint64_t id;
    std::shared_ptr<const store::EventStore::Batch> batch;
    bool after_success;
  };
  void run();

  store::EventStore& store_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::deque<Job> queue_;
  std::map<std::uint64_t, Outcome> finished_;
  std::uint64_t next_id_ = 1;
  std::uint64_t last_run_ = 0;  // jobs up to this id have run
  bool last_failed_ = false;
  bool stopping_ = false;
  std::mutex on_done_mutex_;
  std::function<void()> on_done_;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace hallq::server
