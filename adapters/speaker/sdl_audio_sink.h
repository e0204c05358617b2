// Plays announcements through SDL2 audio: opens an output device (by name,
// or the default) for mono 16-bit at the voice's rate, queues the samples
// (SDL_QueueAudio) and waits until the device has played them.
//
// The caller initialises SDL's audio subsystem first (SDL_Init(SDL_INIT_AUDIO))
// and keeps it up while the sink lives. Construction throws
// std::runtime_error with SDL's message when no device can be opened.
// Thread: one thread.
#pragma once

#include <SDL2/SDL.h>

#include <string>

#include "adapters/speaker/audio_sink.h"

namespace hallq::speaker {

class SdlAudioSink final : public AudioSink {
 public:
  SdlAudioSink(int rate, const std::string& device_name);
  ~SdlAudioSink() override;
  SdlAudioSink(const SdlAudioSink&) = delete;
  SdlAudioSink& operator=(const SdlAudioSink&) = delete;

  std::string play(const Pcm& pcm, const Announcement& a, std::uint64_t index) override;

 private:
  SDL_AudioDeviceID device_ = 0;
  int rate_;
  std::string name_;
};

}  // namespace hallq::speaker
