// Runs for days: thousands of announcements through the queue, espeak-ng
// synthesis and the WAV sink must not grow memory or slow down. The ctest run
// is short (HALLQ_SPEAKER_SOAK announcements, default 300); a long run:
//   HALLQ_SPEAKER_SOAK=20000 hallq_speaker_tests --gtest_filter='SpeakerSoak.*'
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "adapters/speaker/announcement_queue.h"
#include "adapters/speaker/announcer.h"
#include "adapters/speaker/audio_sink.h"
#include "adapters/speaker/espeak_voice.h"
#include "tests/support/temp_dir.h"

namespace hallq::speaker {
namespace {

long rss_kb() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

TEST(SpeakerSoak, MemoryAndLatencyStayFlat) {
  const char* env = std::getenv("HALLQ_SPEAKER_SOAK");
  const int n = env ? std::max(100, std::atoi(env)) : 300;
  testing::TempDir dir("speaker-soak");
  EspeakVoice voice;
  Announcer announcer(voice, AnnouncerOptions{});
  WavDirSink sink(dir.path());
  AnnouncementQueue queue(64);
  const char* prefixes[] = {"A", "B", "C", "D", "E", "F", "G"};
  std::vector<double> latency_ms;
  long rss_after_warmup = 0;
  int pushed = 0;
  std::uint64_t index = 0;
  while (static_cast<int>(index) < n) {
    // Calls arrive in bursts of up to 8 (a busy hall) and are drained in order.
    for (int b = 0; b < 8 && pushed < n; ++b, ++pushed) {
      Announcement a;
      a.kind = pushed % 5 == 4 ? AnnouncementKind::kRecall : AnnouncementKind::kCall;
      a.hall = "town";
      a.number = fmt::format("{}{:03d}", prefixes[pushed % 7], pushed % 1000);
      a.window = fmt::format("w{}", pushed % 12 + 1);
      a.window_number = pushed % 12 + 1;
      a.received = std::chrono::steady_clock::now();
      ASSERT_EQ(queue.push(a), PushResult::kQueued);
    }
    while (auto a = queue.begin_next()) {
      // The thread's CPU time, not the wall clock: growth in work per
      // announcement shows, a machine busy with other tests does not.
      const double start = thread_cpu_ms();
      const Pcm pcm = announcer.render(*a);
      const std::string path = sink.play(pcm, *a, ++index);
      latency_ms.push_back(thread_cpu_ms() - start);
      ASSERT_GT(pcm.seconds(), 3.0);
      std::filesystem::remove(path);  // a loudspeaker keeps nothing either
      queue.finish();
      if (static_cast<int>(index) == n / 5) rss_after_warmup = rss_kb();
    }
  }
  const long rss_end = rss_kb();
  const std::size_t fifth = latency_ms.size() / 5;
  const double early = median(
      {latency_ms.begin() + static_cast<long>(fifth), latency_ms.begin() + 2 * static_cast<long>(fifth)});
  const double late = median({latency_ms.end() - static_cast<long>(fifth), latency_ms.end()});
  std::printf(
      "soak: %d announcements, render+write CPU median %.2f ms early, %.2f ms late; RSS %ld kB after "
      "warm-up, %ld kB at end\n",
      n, early, late, rss_after_warmup, rss_end);
  EXPECT_EQ(queue.stats().spoken, static_cast<std::uint64_t>(n));
  EXPECT_LT(rss_end - rss_after_warmup, 2048) << "memory grows with the number of announcements";
  EXPECT_LT(late, early * 1.5 + 2.0) << "announcements get slower over time";
}

}  // namespace
}  // namespace hallq::speaker
