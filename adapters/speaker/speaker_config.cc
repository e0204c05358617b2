#include "adapters/speaker/speaker_config.h"

#include <fmt/format.h>

#include <filesystem>

#include "engine/config/toml_reader.h"

namespace hallq::speaker {
namespace {

using config::TableReader;

NumberReading reading(const TableReader& r, std::string_view key, NumberReading fallback) {
  const std::optional<std::string> v = r.string(key);
  if (!v) return fallback;
  if (*v == "digits") return NumberReading::kDigits;
  if (*v == "number") return NumberReading::kNumber;
  r.fail(key, fmt::format("\"{}\" is not a reading (use \"digits\" or \"number\")", *v));
}

AnnouncementTemplate parse_template(const TableReader& r, std::string_view key, const std::string& fallback) {
  try {
    return AnnouncementTemplate(r.string(key, fallback));
  } catch (const TemplateError& e) {
    r.fail(key, e.what());
  }
}

}  // namespace

SpeakerConfig parse_speaker_config(std::string_view text, std::string_view source) {
  const toml::table root = config::parse_toml(text, source);
  SpeakerConfig c;
  c.source = std::string(source);
  TableReader top = config::TableReader::document(root, source);
  top.allow_only({"speaker", "zone", "security"});
  c.security = device::read_security(top);
  const TableReader s = top.required_section("speaker");
  s.allow_only({"hall", "engine", "pub", "windows", "zone", "template", "recall_template", "repeat", "gap_ms",
                "chime", "volume", "ticket_reading", "window_reading", "zero", "two", "queue_capacity",
                "audio_device", "voice", "letters"});
  c.hall = s.required_string("hall");
  c.engine = s.string("engine", c.engine);
  c.pub = s.string("pub", c.pub);

  if (s.has("windows") && s.has("zone")) s.fail("zone", "give either windows or zone, not both");
  if (auto windows = s.strings("windows")) {
    if (windows->empty()) s.fail("windows", "must name at least one window (leave it out for all)");
    c.windows = *windows;
    c.windows_line = s.line("windows");
  }
  if (auto zone = s.string("zone")) {
    c.zone = *zone;
    c.windows_line = s.line("zone");
    bool found = false;
    for (const toml::table* z : top.tables("zone")) {
      TableReader zr(*z, source, "zone");
      zr.allow_only({"id", "windows"});
      if (zr.required_string("id") != c.zone) continue;
      auto windows = zr.strings("windows");
      if (!windows || windows->empty()) zr.fail("windows", "a zone needs a non-empty windows list");
      c.windows = *windows;
      found = true;
    }
    if (!found) s.fail("zone", fmt::format("no [[zone]] with id \"{}\" in this file", c.zone));
  } else {
    for (const toml::table* z : top.tables("zone")) {  // still checked for typos
      TableReader zr(*z, source, "zone");
      zr.allow_only({"id", "windows"});
    }
  }

  AnnouncerOptions& a = c.announcer;
  const std::string default_template = a.call_template.text();
  a.call_template = parse_template(s, "template", default_template);
  a.recall_template = parse_template(s, "recall_template", a.call_template.text());
  a.repeat = static_cast<int>(s.integer("repeat", 1, 9, a.repeat));
  a.gap_ms = static_cast<int>(s.integer("gap_ms", 0, 5000, a.gap_ms));
  a.chime = s.boolean("chime", a.chime);
  a.volume = s.number("volume", 0.0, 4.0, a.volume);
  a.reading.ticket = reading(s, "ticket_reading", a.reading.ticket);
  a.reading.window = reading(s, "window_reading", a.reading.window);
  a.reading.zero = s.string("zero", a.reading.zero);
  a.reading.two = s.string("two", a.reading.two);
  if (a.reading.two != "二" && a.reading.two != "两") s.fail("two", "must be \"二\" or \"两\"");
  if (a.reading.zero.empty()) s.fail("zero", "must not be empty");
  c.queue_capacity = static_cast<std::size_t>(s.integer("queue_capacity", 1, 1'000'000, 1000));
  c.audio_device = s.string("audio_device", "");

  if (const toml::table* letters = s.table("letters")) {
    TableReader lr(*letters, source, "speaker.letters");
    for (auto&& [key, node] : *letters) {
      const std::string_view k = key.str();
      if (k.size() != 1 || k[0] < 'A' || k[0] > 'Z') lr.fail(k, "keys are capital letters A-Z");
      const std::string v = lr.required_string(k);
      a.reading.letters[std::string(k)] = v;
    }
  }

  if (const toml::table* voice = s.table("voice")) {
    TableReader v(*voice, source, "speaker.voice");
    v.allow_only({"kind", "name", "rate_wpm", "pitch", "pack_dir", "clip_gap_ms"});
    const std::string kind = v.string("kind", "espeak");
    if (kind == "espeak")
      c.voice = VoiceKind::kEspeak;
    else if (kind == "pack")
      c.voice = VoiceKind::kPack;
    else
      v.fail("kind", fmt::format("\"{}\" is not a voice kind (use \"espeak\" or \"pack\")", kind));
    c.espeak.voice = v.string("name", c.espeak.voice);
    c.espeak.rate_wpm = static_cast<int>(v.integer("rate_wpm", 80, 450, c.espeak.rate_wpm));
    c.espeak.pitch = static_cast<int>(v.integer("pitch", 0, 100, c.espeak.pitch));
    c.pack.gap_ms = static_cast<int>(v.integer("clip_gap_ms", 0, 1000, c.pack.gap_ms));
    if (auto dir = v.string("pack_dir")) {
      std::filesystem::path p(*dir);
      if (p.is_relative()) p = std::filesystem::path(std::string(source)).parent_path() / p;
      c.pack_dir = p.lexically_normal().string();
    }
    if (c.voice == VoiceKind::kPack && c.pack_dir.empty()) v.fail("kind", "a voice pack needs pack_dir");
  }
  return c;
}

SpeakerConfig load_speaker_config(const std::string& path) {
  return parse_speaker_config(config::read_text_file(path), path);
}

std::optional<std::string> check_windows(const SpeakerConfig& c, const core::HallConfig& hall) {
  for (const std::string& w : c.windows) {
    if (!hall.find_window(w))
      return fmt::format("{}:{}: speaker.{}: hall \"{}\" has no window \"{}\"", c.source, c.windows_line,
                         c.zone.empty() ? "windows" : "zone", hall.id, w);
  }
  return std::nullopt;
}

}  // namespace hallq::speaker
