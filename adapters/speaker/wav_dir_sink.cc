#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "adapters/speaker/audio_sink.h"
#include "adapters/speaker/wav_file.h"

namespace hallq::speaker {

WavDirSink::WavDirSink(std::string dir, double play_speed) : dir_(std::move(dir)), play_speed_(play_speed) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error(fmt::format("{}: cannot create: {}", dir_, ec.message()));
}

std::string WavDirSink::play(const Pcm& pcm, const Announcement& a, std::uint64_t index) {
  const std::string path = fmt::format("{}/{:06d}-{}-{}.wav", dir_, index, a.number, a.window);
  write_wav(path, pcm);
  // Emulated playback: the device is busy for the audio's (scaled) duration.
  if (play_speed_ > 0)
    std::this_thread::sleep_for(std::chrono::duration<double>(pcm.seconds() / play_speed_));
  return path;
}

}  // namespace hallq::speaker
