// A voice of recorded clips: a folder of WAV files, one per token (digits
// 零..九, units 十 百 千 两, letters A-Z, phrases 请 号 到 窗口 办理 ...), and a
// manifest (manifest.toml, [clips] token = "file.wav"; without a manifest
// every *.wav is a clip named by its file stem). A sentence is the clips
// concatenated with short gaps: reading tokens by exact match, literal
// template text by longest phrase first (窗口 before 窗), with punctuation
// and spaces as pauses. Clips are trimmed of their silence on load and
// converted to the pack's rate.
//
// Errors at load (missing folder, unreadable clip, broken manifest) are
// VoicePackError naming the file (and line for the manifest).
// Thread: a loaded pack is immutable apart from speak()'s output; one thread.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/speaker/voice.h"

namespace hallq::speaker {

class VoicePackError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct VoicePackOptions {
  int rate = 22050;    // output rate; clips are converted to it
  int gap_ms = 40;     // between clips
  int pause_ms = 250;  // for punctuation and spaces in literal text
  bool trim = true;    // trim each clip's leading and trailing silence
};

class VoicePack final : public Voice {
 public:
  static VoicePack load(const std::string& dir, const VoicePackOptions& options = {});

  Pcm speak(const Sentence& sentence) override;
  std::vector<std::string> missing(const Sentence& sentence) const override;
  int rate() const override { return options_.rate; }
  std::size_t size() const { return clips_.size(); }
  bool has(const std::string& token) const { return clips_.count(token) != 0; }

 private:
  explicit VoicePack(VoicePackOptions options) : options_(options) {}
  // Splits a sentence into clip tokens; a token not in the pack is reported
  // to `missing` (if given) and left out; "" stands for a pause.
  std::vector<std::string> clip_tokens(const Sentence& sentence, std::vector<std::string>* missing) const;

  VoicePackOptions options_;
  std::map<std::string, Pcm, std::less<>> clips_;
  std::size_t longest_ = 0;  // bytes of the longest token
};

// The tokens a hall's announcements need with the default templates: digits,
// units, letters A-Z and the phrases of "请{number}号到{window}号窗口办理".
std::vector<std::string> default_vocabulary();

}  // namespace hallq::speaker
