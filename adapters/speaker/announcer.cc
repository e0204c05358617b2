#include "adapters/speaker/announcer.h"

#include <algorithm>

namespace hallq::speaker {

Announcer::Announcer(Voice& voice, AnnouncerOptions options)
    : voice_(voice), options_(std::move(options)), chime_(make_chime(voice.rate(), options_.chime_sound)) {}

Sentence Announcer::sentence(const Announcement& a) const {
  const AnnouncementTemplate& t =
      a.kind == AnnouncementKind::kRecall ? options_.recall_template : options_.call_template;
  return t.expand(a.number, a.window_number, options_.reading);
}

Pcm Announcer::render(const Announcement& a, std::optional<int> repeat_override, bool chime) {
  const int repeat = std::max(1, repeat_override.value_or(options_.repeat));
  const Pcm speech = voice_.speak(sentence(a));
  Pcm out{voice_.rate(), {}};
  out.samples.reserve(
      chime_.samples.size() +
      static_cast<std::size_t>(repeat) *
          (speech.samples.size() + static_cast<std::size_t>(out.rate * options_.gap_ms / 1000)));
  if (options_.chime && chime) {
    append(out, chime_);
    append_silence(out, options_.gap_ms);
  }
  for (int i = 0; i < repeat; ++i) {
    if (i > 0) append_silence(out, options_.gap_ms);
    append(out, speech);
  }
  append_silence(out, 100);  // a tail so players do not clip the last syllable
  scale(out, options_.volume);
  return out;
}

}  // namespace hallq::speaker
