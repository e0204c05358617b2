// Signals on the thread that sends, receives and polls (a device program's
// main thread: its stop handlers are installed without SA_RESTART, so a
// signal interrupts whatever system call that thread is in) do not make a
// ZeroMQ call fail. libzmq fails a send or receive with EINTR when the signal
// lands while it reads the socket's command mailbox; that used to escape from
// the client's and the subscriber's non-blocking receives as zmq::error_t, so
// a kiosk stopped by SIGTERM sometimes exited 1 ("Interrupted system call")
// instead of 0. Here a second thread sends the test's thread thousands of
// signals while it issues tickets to a real hallqd and follows them on a
// real subscriber: every command is answered, every event reaches the
// replica, nothing throws.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/protocol/event_codec.h"
#include "tests/support/engine_process.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

using namespace std::chrono_literals;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

std::atomic<int> g_caught{0};
extern "C" void count_signal(int) { g_caught.fetch_add(1, std::memory_order_relaxed); }

// SIGUSR1 counted by a handler installed without SA_RESTART (as signals.h
// installs SIGTERM's), for as long as it lives; the old disposition after.
class CountedSignal {
 public:
  CountedSignal() {
    struct sigaction sa {};
    sa.sa_handler = count_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGUSR1, &sa, &old_);
  }
  ~CountedSignal() { sigaction(SIGUSR1, &old_, nullptr); }

 private:
  struct sigaction old_ {};
};

TEST(SignalStorm, ClientAndSubscriberCallsSurviveSignalsOnTheirThread) {
  TempDir dir;
  EngineProcess engine({kTown}, dir.path() + "/data", {"--advise-every", "0"});
  zmq::context_t ctx;
  client::Client c(ctx, engine.cmd());
  client::Subscriber sub(ctx, engine.cmd(), engine.pub(), {"town"});
  ASSERT_TRUE(c.command("town", core::OpenWindow{"w1", ""})->ok());

  CountedSignal counted;
  const pthread_t target = pthread_self();
  std::atomic<bool> done{false};
  // The storm's pace (one signal each ~20 µs), not a wait for anything.
  std::thread storm([&] {
    while (!done.load()) {
      pthread_kill(target, SIGUSR1);
      std::this_thread::sleep_for(20us);
    }
  });

  // At least 300 tickets, and on until 2,000 signals have reached the thread
  // (a loaded machine runs the storm slower).
  constexpr int kTickets = 300, kSignals = 2000, kMaxTickets = 20000;
  core::Seq seq = 0;
  bool threw = false;
  std::string what;
  try {
    for (int i = 0; i < kMaxTickets && (i < kTickets || g_caught.load() < kSignals); ++i) {
      auto r = c.command("town", core::IssueTicket{"social"});
      ASSERT_TRUE(r) << "ticket " << i << " not answered";
      ASSERT_TRUE(r->ok()) << r->message;
      seq = protocol::describe_event(protocol::as_bytes(r->events.back())).seq;
      sub.poll(0ms);
    }
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (!(sub.synced("town") && sub.hall("town")->seq() == seq) &&
           std::chrono::steady_clock::now() < deadline)
      sub.poll(50ms);  // a signal ends the wait early: the loop polls again
  } catch (const zmq::error_t& e) {
    threw = true;
    what = e.what();
  }
  done = true;
  storm.join();

  EXPECT_FALSE(threw) << what;
  EXPECT_GE(g_caught.load(), kSignals) << "the storm must have reached the thread";
  ASSERT_TRUE(sub.synced("town"));
  EXPECT_EQ(sub.hall("town")->seq(), seq);
  EXPECT_EQ(sub.stats().gaps, 0u);
}

}  // namespace
}  // namespace hallq::testing
