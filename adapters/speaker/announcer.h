// Renders one announcement to audio: the chime, then the sentence of the
// call (or recall) template, repeated `repeat` times with a gap between.
// The sentence is synthesized once and copied for the repetitions.
//
// Thread: uses the voice, so the voice's thread. The voice must outlive it.
#pragma once

#include <optional>

#include "adapters/speaker/announcement_queue.h"
#include "adapters/speaker/announcement_text.h"
#include "adapters/speaker/chime.h"
#include "adapters/speaker/number_reading.h"
#include "adapters/speaker/voice.h"

namespace hallq::speaker {

struct AnnouncerOptions {
  AnnouncementTemplate call_template{"请{number}号到{window}号窗口办理"};
  AnnouncementTemplate recall_template{"请{number}号到{window}号窗口办理"};
  ReadingOptions reading;
  int repeat = 2;    // times the sentence is said
  int gap_ms = 600;  // between chime and sentence, and between repetitions
  bool chime = true;
  ChimeOptions chime_sound;
  double volume = 1.0;  // gain applied to the whole announcement
};

class Announcer {
 public:
  Announcer(Voice& voice, AnnouncerOptions options);

  Sentence sentence(const Announcement& a) const;
  // Chime (if configured and `chime`), then the sentence `repeat` times (the
  // configured count if absent; at least once). Without the chime: an
  // announcement that follows straight on another in a backlog.
  Pcm render(const Announcement& a, std::optional<int> repeat = std::nullopt, bool chime = true);

 private:
  Voice& voice_;
  AnnouncerOptions options_;
  Pcm chime_;
};

}  // namespace hallq::speaker
