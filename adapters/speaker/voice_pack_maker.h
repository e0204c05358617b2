// Makes a voice pack (voice_pack.h) with espeak-ng itself: one clip per token
// synthesized by an EspeakVoice, written as TOKEN.wav, plus a manifest.toml
// that says how the pack was made. Used by `hallq-speaker --make-pack DIR`
// and by the tests, so the repository carries no recorded audio.
// Errors (cannot create the folder or write a file) are std::runtime_error.
// Thread: the caller's (the EspeakVoice's rule applies).
#pragma once

#include <string>
#include <vector>

#include "adapters/speaker/espeak_voice.h"

namespace hallq::speaker {

void make_voice_pack(const std::string& dir, EspeakVoice& voice, const std::vector<std::string>& tokens);

}  // namespace hallq::speaker
