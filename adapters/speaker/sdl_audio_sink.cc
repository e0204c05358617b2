#include "adapters/speaker/sdl_audio_sink.h"

#include <fmt/format.h>

#include <stdexcept>

namespace hallq::speaker {

SdlAudioSink::SdlAudioSink(int rate, const std::string& device_name) : rate_(rate), name_(device_name) {
  SDL_AudioSpec want{};
  want.freq = rate;
  want.format = AUDIO_S16SYS;
  want.channels = 1;
  want.samples = 2048;
  SDL_AudioSpec have{};
  device_ = SDL_OpenAudioDevice(device_name.empty() ? nullptr : device_name.c_str(), 0, &want, &have, 0);
  if (device_ == 0)
    throw std::runtime_error(fmt::format("SDL audio: cannot open device: {}", SDL_GetError()));
  if (name_.empty()) name_ = "default";
  SDL_PauseAudioDevice(device_, 0);
}

SdlAudioSink::~SdlAudioSink() {
  if (device_) SDL_CloseAudioDevice(device_);
}

std::string SdlAudioSink::play(const Pcm& pcm, const Announcement&, std::uint64_t) {
  if (pcm.rate != rate_) throw std::runtime_error("SDL audio: sample rate changed");
  if (SDL_QueueAudio(device_, pcm.samples.data(), static_cast<Uint32>(pcm.samples.size() * 2)) != 0)
    throw std::runtime_error(fmt::format("SDL audio: {}", SDL_GetError()));
  // The device drains the queue in real time; waiting here is what makes the
  // next announcement start after this one, never over it.
  while (SDL_GetQueuedAudioSize(device_) > 0) SDL_Delay(20);
  return name_;
}

}  // namespace hallq::speaker
