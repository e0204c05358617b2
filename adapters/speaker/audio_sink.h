// Where rendered announcements go: a loudspeaker (SdlAudioSink) or, headless,
// a folder of WAV files (WavDirSink). play() returns when the announcement
// has been played (or written): the caller's queue relies on that for "no
// cut-in". Errors are std::runtime_error.
// Thread: one thread (the speaker's synthesis thread).
#pragma once

#include <string>

#include "adapters/speaker/announcement_queue.h"
#include "adapters/speaker/pcm.h"

namespace hallq::speaker {

class AudioSink {
 public:
  virtual ~AudioSink() = default;
  // Plays `pcm`, the `index`-th announcement (from 1); returns where it went
  // (a file path, or the device name).
  virtual std::string play(const Pcm& pcm, const Announcement& a, std::uint64_t index) = 0;
};

// One WAV per announcement: DIR/000001-A012-w5.wav (index, ticket, window).
// `play_speed` > 0 also waits the audio's duration divided by it, emulating a
// loudspeaker (so queueing behaves as in the hall, faster).
class WavDirSink final : public AudioSink {
 public:
  WavDirSink(std::string dir, double play_speed = 0);
  std::string play(const Pcm& pcm, const Announcement& a, std::uint64_t index) override;

 private:
  std::string dir_;
  double play_speed_;
};

}  // namespace hallq::speaker
