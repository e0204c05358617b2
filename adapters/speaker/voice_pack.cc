#include "adapters/speaker/voice_pack.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "adapters/speaker/wav_file.h"
#include "engine/config/toml_reader.h"

namespace hallq::speaker {
namespace {

namespace fs = std::filesystem;

// Length in bytes of the UTF-8 character starting with `lead`.
std::size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

bool is_pause(std::string_view ch) {
  static constexpr std::string_view kPauses[] = {" ",  "\t", ",",  ".",  "!",  "?",  ";",  ":",
                                                 "，", "。", "、", "！", "？", "；", "：", "　"};
  return std::find(std::begin(kPauses), std::end(kPauses), ch) != std::end(kPauses);
}

}  // namespace

VoicePack VoicePack::load(const std::string& dir, const VoicePackOptions& options) {
  VoicePack pack(options);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw VoicePackError(fmt::format("{}: voice pack folder not found", dir));
  std::vector<std::pair<std::string, std::string>> files;  // token, path
  const fs::path manifest = fs::path(dir) / "manifest.toml";
  if (fs::exists(manifest, ec)) {
    try {
      const std::string source = manifest.string();
      const toml::table root = config::read_toml_file(source);
      const config::TableReader top(root, source, "manifest");
      top.allow_only({"pack", "clips"});
      const toml::table* clips = top.table("clips");
      if (!clips) top.fail_here("missing [clips]");
      const config::TableReader reader(*clips, source, "clips");
      for (auto&& [key, node] : *clips) {
        if (!node.is_string()) reader.fail(key.str(), "expected a file name");
        files.emplace_back(std::string(key.str()), (fs::path(dir) / *node.value<std::string>()).string());
      }
    } catch (const config::ConfigError& e) {
      throw VoicePackError(e.what());
    }
  } else {
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".wav")
        files.emplace_back(entry.path().stem().string(), entry.path().string());
  }
  if (files.empty()) throw VoicePackError(fmt::format("{}: voice pack has no clips", dir));
  for (const auto& [token, path] : files) {
    Pcm clip;
    try {
      clip = resample(read_wav(path), options.rate);
    } catch (const WavError& e) {
      throw VoicePackError(fmt::format("voice pack: clip \"{}\": {}", token, e.what()));
    }
    if (options.trim) trim_silence(clip);
    if (clip.samples.empty()) throw VoicePackError(fmt::format("{}: clip \"{}\" is silent", path, token));
    pack.longest_ = std::max(pack.longest_, token.size());
    pack.clips_[token] = std::move(clip);
  }
  return pack;
}

std::vector<std::string> VoicePack::clip_tokens(const Sentence& sentence,
                                                std::vector<std::string>* missing) const {
  std::vector<std::string> out;
  for (const Token& t : sentence) {
    if (!t.literal) {
      if (clips_.count(t.text))
        out.push_back(t.text);
      else if (missing)
        missing->push_back(t.text);
      continue;
    }
    const std::string& s = t.text;
    for (std::size_t i = 0; i < s.size();) {
      const std::size_t one = std::min(utf8_length(static_cast<unsigned char>(s[i])), s.size() - i);
      if (is_pause(std::string_view(s).substr(i, one))) {
        out.emplace_back();
        i += one;
        continue;
      }
      std::size_t matched = 0;
      for (std::size_t len = std::min(longest_, s.size() - i); len >= one && len > 0; --len) {
        if (clips_.count(std::string_view(s).substr(i, len))) {
          matched = len;
          break;
        }
      }
      if (matched) {
        out.emplace_back(s.substr(i, matched));
        i += matched;
      } else {
        if (missing) missing->push_back(s.substr(i, one));
        i += one;
      }
    }
  }
  return out;
}

std::vector<std::string> VoicePack::missing(const Sentence& sentence) const {
  std::vector<std::string> out;
  clip_tokens(sentence, &out);
  return out;
}

Pcm VoicePack::speak(const Sentence& sentence) {
  Pcm out{options_.rate, {}};
  bool first = true;
  for (const std::string& token : clip_tokens(sentence, nullptr)) {
    if (token.empty()) {
      append_silence(out, options_.pause_ms);
      continue;
    }
    if (!first) append_silence(out, options_.gap_ms);
    append(out, clips_.find(token)->second);
    first = false;
  }
  return out;
}

std::vector<std::string> default_vocabulary() {
  std::vector<std::string> v = {"零", "一", "二", "三", "四", "五", "六", "七",   "八",  "九",
                                "十", "百", "千", "两", "请", "号", "到", "窗口", "办理"};
  for (char c = 'A'; c <= 'Z'; ++c) v.emplace_back(1, c);
  return v;
}

}  // namespace hallq::speaker
