// The history worker: jobs run in order on a thread of their own, at most
// max_queued wait (more are refused at once), and the destructor runs what
// was queued before it returns.
#include "engine/server/history_worker.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace hallq::server {
namespace {

TEST(HistoryWorkerTest, RunsInOrderOffTheCallersThreadAndRefusesBeyondItsQueue) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::mutex mutex;
  std::vector<int> ran;
  std::thread::id worker_thread;
  {
    HistoryWorker worker(2);
    ASSERT_TRUE(worker.try_run([&] {
      worker_thread = std::this_thread::get_id();
      started.set_value();
      released.wait();  // holds the worker: the next jobs wait in the queue
    }));
    started.get_future().wait();
    for (int i = 1; i <= 2; ++i)
      ASSERT_TRUE(worker.try_run([&, i] {
        std::lock_guard lock(mutex);
        ran.push_back(i);
      }));
    EXPECT_FALSE(worker.try_run([&] { ran.push_back(99); })) << "a third job waiting beyond max_queued = 2";
    release.set_value();
  }  // the destructor runs jobs 1 and 2, then joins
  EXPECT_NE(worker_thread, std::this_thread::get_id());
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace hallq::server
