#include "adapters/speaker/espeak_voice.h"

#include <espeak-ng/speak_lib.h>
#include <fmt/format.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace hallq::speaker {
namespace {

std::atomic<bool> g_in_use{false};  // enforces the one-instance rule of the library

// The library is initialised once per process and never terminated:
// espeak-ng 1.51 does not come back cleanly from espeak_Terminate (a second
// espeak_Initialize leaves espeak_Synchronize waiting forever).
int initialise_once() {
  static const int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, 0);
  return rate;
}

// The synth callback: the buffer being filled travels as the synth's user data.
int collect(short* wav, int count, espeak_EVENT* events) {
  if (wav && count > 0 && events) {
    auto* out = static_cast<std::vector<std::int16_t>*>(events->user_data);
    if (out) out->insert(out->end(), wav, wav + count);
  }
  return 0;
}

}  // namespace

std::string mandarin_voice_name(std::string_view configured) {
  if (configured == "cmn" || configured == "zh" || configured == "zh-cmn") return kMandarinVoice;
  return std::string(configured);
}

std::string espeak_text(const Sentence& sentence) {
  std::string text;
  for (const Token& t : sentence) {
    if (!t.literal && !text.empty() && text.back() != ' ') text += ' ';
    text += t.text;
    if (!t.literal) text += ' ';
  }
  return text;
}

EspeakVoice::EspeakVoice(const EspeakOptions& options) {
  if (g_in_use.exchange(true)) throw std::runtime_error("espeak-ng: only one EspeakVoice per process");
  const int rate = initialise_once();
  if (rate <= 0) {
    g_in_use = false;
    throw std::runtime_error("espeak-ng: cannot initialise (is espeak-ng-data installed?)");
  }
  rate_ = rate;
  espeak_SetSynthCallback(collect);
  voice_name_ = mandarin_voice_name(options.voice);
  if (espeak_SetVoiceByName(voice_name_.c_str()) != EE_OK) {
    g_in_use = false;
    throw std::runtime_error(fmt::format("espeak-ng: unknown voice \"{}\"", voice_name_));
  }
  espeak_SetParameter(espeakRATE, options.rate_wpm, 0);
  espeak_SetParameter(espeakPITCH, options.pitch, 0);
}

EspeakVoice::~EspeakVoice() { g_in_use = false; }

Pcm EspeakVoice::speak_text(const std::string& text) {
  Pcm out{rate_, {}};
  if (text.empty()) return out;
  out.samples.reserve(static_cast<std::size_t>(rate_) * 5);
  const espeak_ERROR err = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
                                        nullptr, &out.samples);
  if (err != EE_OK)
    throw std::runtime_error(fmt::format("espeak-ng: synthesis failed ({})", static_cast<int>(err)));
  // Synchronous mode: espeak_Synth returns when all samples went through the callback.
  return out;
}

Pcm EspeakVoice::speak(const Sentence& sentence) { return speak_text(espeak_text(sentence)); }

}  // namespace hallq::speaker
