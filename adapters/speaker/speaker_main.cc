// hallq-speaker (语音叫号): announces every call and recall of its windows.
//
// Two threads: the main thread polls the engine's events (client::Subscriber)
// and pushes announcements into the queue; the synthesis thread owns the
// voice (espeak-ng is not thread-safe) and the audio output, and takes one
// announcement at a time, so a new call never cuts one in progress.
// stdout gets one line per announcement and per connection change, which
// the tests read. Against an engine with --keys both sockets speak CURVE with
// the keys of [security] or --key FILE --server-key FILE|Z85.
// The device program skeleton (engine/device/device_program.h): --config,
// --engine, --events (old: --pub), --headless; exit codes 0 done or stopped by
// SIGTERM/SIGINT (the announcement being spoken is finished), 2 usage or
// config error, 1 runtime failure.
#include <SDL2/SDL.h>
#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "adapters/speaker/announcement_queue.h"
#include "adapters/speaker/announcer.h"
#include "adapters/speaker/audio_sink.h"
#include "adapters/speaker/espeak_voice.h"
#include "adapters/speaker/sdl_audio_sink.h"
#include "adapters/speaker/speaker_config.h"
#include "adapters/speaker/voice_pack.h"
#include "adapters/speaker/voice_pack_maker.h"
#include "engine/client/subscriber.h"
#include "engine/device/device_program.h"
#include "engine/device/signals.h"

namespace hallq::speaker {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Lines on stdout from both threads, whole and flushed.
class Output {
 public:
  template <class... Args>
  void line(fmt::format_string<Args...> f, Args&&... args) {
    std::lock_guard lock(mutex_);
    fmt::print(f, std::forward<Args>(args)...);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }

 private:
  std::mutex mutex_;
};

// The queue shared by the two threads.
struct Shared {
  explicit Shared(std::size_t capacity) : queue(capacity) {}
  std::mutex mutex;
  std::condition_variable wake;
  AnnouncementQueue queue;
  bool stop = false;
};

std::string_view kind_name(AnnouncementKind k) { return k == AnnouncementKind::kRecall ? "recall" : "call"; }

class EventListener final : public client::Subscriber::Listener {
 public:
  EventListener(const SpeakerConfig& config, Voice& voice, Shared& shared, Output& out)
      : config_(config), voice_(voice), shared_(shared), out_(out) {}

  void on_reset(const core::Hall& hall) override {
    if (checked_) return;
    checked_ = true;
    if (auto problem = check_windows(config_, hall.config())) return fatal(*problem);
    for (const auto& s : hall.config().services) {
      Sentence letters;
      for (auto& t : read_ticket(s.prefix, config_.announcer.reading)) letters.push_back({t, false});
      auto missing = voice_.missing(letters);
      if (!missing.empty())
        return fatal(
            fmt::format("{}: the voice pack has no clip for \"{}\" (ticket prefix of service \"{}\")",
                        config_.pack_dir, missing.front(), s.id));
    }
    out_.line(
        "synced {} seq={} windows={}", hall.config().id, hall.seq(),
        config_.windows.empty() ? std::string("all") : fmt::format("{}", fmt::join(config_.windows, ",")));
  }

  void on_event(const core::Hall& hall, const protocol::DecodedEvent& e, protocol::Bytes) override {
    AnnouncementKind kind;
    core::WindowIdx window;
    if (auto* c = std::get_if<core::TicketCalled>(&e.event.body)) {
      kind = AnnouncementKind::kCall, window = c->window;
    } else if (auto* r = std::get_if<core::TicketRecalled>(&e.event.body)) {
      kind = AnnouncementKind::kRecall, window = r->window;
    } else {
      return withdraw_stale(e);
    }
    const std::string& id = hall.config().windows.at(window).id;
    if (!config_.windows.empty() &&
        std::find(config_.windows.begin(), config_.windows.end(), id) == config_.windows.end())
      return;
    Announcement a{kind, e.hall, e.number, id, e.window_number, e.event.seq, Clock::now()};
    PushResult result;
    {
      std::lock_guard lock(shared_.mutex);
      result = shared_.queue.push(a);
    }
    if (result == PushResult::kQueued) {
      shared_.wake.notify_one();
    } else {
      out_.line("{} {} {} {} seq={}", result == PushResult::kDuplicate ? "duplicate" : "refused",
                kind_name(kind), a.number, a.window, a.seq);
    }
  }

  void on_connection(std::string_view hall, bool online) override {
    out_.line("{} {}", online ? "online" : "offline", hall);
  }

  const std::string& fatal_message() const { return fatal_; }

 private:
  // A ticket that is no longer called (the citizen came, or it was finished,
  // skipped, held, transferred or cancelled): what still waits to call it
  // would send the citizen to a window that is done with them.
  void withdraw_stale(const protocol::DecodedEvent& e) {
    const bool new_day = std::holds_alternative<core::DayRolled>(e.event.body);
    const bool done_with = std::holds_alternative<core::ServiceStarted>(e.event.body) ||
                           std::holds_alternative<core::TicketSkipped>(e.event.body) ||
                           std::holds_alternative<core::TicketHeld>(e.event.body) ||
                           std::holds_alternative<core::TicketTransferred>(e.event.body) ||
                           std::holds_alternative<core::TicketFinished>(e.event.body) ||
                           std::holds_alternative<core::TicketLeft>(e.event.body);
    if (!new_day && !done_with) return;
    std::size_t dropped;
    {
      std::lock_guard lock(shared_.mutex);
      dropped = new_day ? shared_.queue.clear() : shared_.queue.withdraw(e.hall, e.number);
    }
    if (dropped > 0) out_.line("withdrawn {} {} seq={}", new_day ? "all" : e.number, dropped, e.event.seq);
  }

  void fatal(std::string message) {
    fatal_ = std::move(message);
    device::request_stop();
  }

  const SpeakerConfig& config_;
  Voice& voice_;
  Shared& shared_;
  Output& out_;
  bool checked_ = false;
  std::string fatal_;
};

// The synthesis thread: render, play, next.
void synthesis_loop(Announcer& announcer, int configured_repeat, AudioSink& sink, Shared& shared,
                    Output& out) {
  std::uint64_t index = 0;
  bool in_burst = false;  // the last announcement ended with others waiting: no chime between them
  while (true) {
    std::optional<Announcement> a;
    int repeat = configured_repeat;
    {
      std::unique_lock lock(shared.mutex);
      shared.wake.wait(
          lock, [&] { return shared.stop || (!shared.queue.in_progress() && shared.queue.waiting() > 0); });
      if (shared.stop) return;
      a = shared.queue.begin_next();
      repeat = shared.queue.repeat_for(configured_repeat);
    }
    const auto start = Clock::now();
    const Pcm pcm = announcer.render(*a, repeat, !in_burst);
    const auto rendered = Clock::now();
    std::string where;
    try {
      where = sink.play(pcm, *a, ++index);
    } catch (const std::exception& e) {
      out.line("error {}", e.what());
    }
    const auto played = Clock::now();
    std::size_t waiting;
    {
      std::lock_guard lock(shared.mutex);
      shared.queue.finish();
      waiting = shared.queue.waiting();
    }
    const bool burst = in_burst;
    in_burst = waiting > 0;
    using ms = std::chrono::duration<double, std::milli>;
    out.line(
        "announced {} {} {} {} seq={} audio_ms={:.0f} synth_ms={:.2f} latency_ms={:.2f} play_ms={:.1f} "
        "repeat={} burst={} waiting={} {}",
        index, kind_name(a->kind), a->number, a->window, a->seq, pcm.seconds() * 1000,
        ms(rendered - start).count(), ms(start - a->received).count(), ms(played - rendered).count(), repeat,
        burst ? 1 : 0, waiting, where);
  }
}

// Start-up check that the voice can say every part of the templates and of
// any number (a voice pack may lack a clip).
std::optional<std::string> check_voice(const SpeakerConfig& c, Voice& voice) {
  const AnnouncerOptions& a = c.announcer;
  std::vector<std::string> missing;
  for (const AnnouncementTemplate* t : {&a.call_template, &a.recall_template}) {
    for (auto& m : voice.missing(t->expand("0123456789", 2345, a.reading))) missing.push_back(m);
    for (auto& m : voice.missing(t->expand("1234", 10, a.reading))) missing.push_back(m);
  }
  if (missing.empty()) return std::nullopt;
  return fmt::format("{}: the voice pack {} has no clip for \"{}\" (needed by the templates or numbers)",
                     c.source, c.pack_dir, missing.front());
}

struct SpeakerFlags {
  std::string wav_dir, voice_override, pack_dir, make_pack;
  double play_speed = 0;
};

int run(const device::DeviceProgram& program, const SpeakerFlags& flags) {
  const std::string& config_path = program.options().config;
  const bool headless = program.options().headless;
  const std::string& wav_dir = flags.wav_dir;
  if (!flags.make_pack.empty()) {
    EspeakOptions options;
    if (!config_path.empty()) options = load_speaker_config(config_path).espeak;
    EspeakVoice voice(options);
    make_voice_pack(flags.make_pack, voice, default_vocabulary());
    fmt::print("voice pack written to {} ({} clips)\n", flags.make_pack, default_vocabulary().size());
    return 0;
  }
  if (config_path.empty()) throw device::UsageError("--config is required");
  if (headless && wav_dir.empty()) throw device::UsageError("--headless needs --wav-dir DIR");
  SpeakerConfig config = load_speaker_config(config_path);
  const device::LoadedCurve keys = program.apply_overrides({config.engine, config.pub, config.security});
  const std::string& voice_override = flags.voice_override;
  const std::string& pack_dir = flags.pack_dir;
  const double play_speed = flags.play_speed;
  if (!voice_override.empty())
    config.voice = voice_override == "pack" ? VoiceKind::kPack : VoiceKind::kEspeak;
  if (!pack_dir.empty()) config.pack_dir = pack_dir;
  if (config.voice == VoiceKind::kPack && config.pack_dir.empty()) {
    fmt::print(stderr, "hallq-speaker: the pack voice needs --pack-dir or speaker.voice.pack_dir\n");
    return 2;
  }

  std::unique_ptr<Voice> voice;
  try {
    if (config.voice == VoiceKind::kPack)
      voice = std::make_unique<VoicePack>(VoicePack::load(config.pack_dir, config.pack));
    else
      voice = std::make_unique<EspeakVoice>(config.espeak);
  } catch (const VoicePackError& e) {
    fmt::print(stderr, "hallq-speaker: {}\n", e.what());
    return 2;
  }
  if (auto problem = check_voice(config, *voice)) {
    fmt::print(stderr, "hallq-speaker: {}\n", *problem);
    return 2;
  }

  std::unique_ptr<AudioSink> sink;
  bool sdl_up = false;
  if (headless) {
    sink = std::make_unique<WavDirSink>(wav_dir, play_speed);
  } else {
    if (SDL_Init(SDL_INIT_AUDIO) != 0) {
      fmt::print(stderr, "hallq-speaker: SDL audio: {}\n", SDL_GetError());
      return 1;
    }
    sdl_up = true;
    sink = std::make_unique<SdlAudioSink>(voice->rate(), config.audio_device);
  }

  zmq::context_t ctx;
  {
    // An engine that answers but does not know the hall is a configuration
    // error; an engine that does not answer is just offline for now.
    client::Client probe(ctx, config.engine, {std::chrono::milliseconds(700), 1, false, keys.curve});
    if (auto pong = probe.ping(); pong && pong->engine) {
      const auto& halls = pong->engine->halls;
      if (std::find(halls.begin(), halls.end(), config.hall) == halls.end()) {
        fmt::print(stderr, "{}:1: speaker.hall: the engine at {} has no hall \"{}\" (it has: {})\n",
                   config.source, config.engine, config.hall, fmt::join(halls, ", "));
        return 2;
      }
    }
  }

  Output out;
  Shared shared(config.queue_capacity);
  Announcer announcer(*voice, config.announcer);
  EventListener listener(config, *voice, shared, out);
  client::SubscriberOptions sub_options;
  sub_options.curve = keys.curve;
  client::Subscriber sub(ctx, config.engine, config.pub, {config.hall}, &listener, sub_options);
  out.line("hallq-speaker ready hall={} voice={} output={}", config.hall,
           config.voice == VoiceKind::kPack ? "pack" : "espeak", headless ? wav_dir : "sdl");

  std::thread synthesis([&] { synthesis_loop(announcer, config.announcer.repeat, *sink, shared, out); });
  while (!device::stop_requested()) {
    try {
      sub.poll(200ms);  // a signal ends the wait early
    } catch (const zmq::error_t& e) {
      out.line("error {}", e.what());
      device::request_stop();
    }
  }
  {
    std::lock_guard lock(shared.mutex);
    shared.stop = true;
  }
  shared.wake.notify_all();
  synthesis.join();
  const auto& st = shared.queue.stats();
  out.line("stopped queued={} spoken={} duplicates={} refused={} withdrawn={} max_waiting={} invalid={}",
           st.queued, st.spoken, st.duplicates, st.refused, st.withdrawn, st.max_waiting,
           sub.stats().invalid);
  sink.reset();
  if (sdl_up) SDL_Quit();
  // The engine's hall does not fit the config or the voice: exit 2.
  if (!listener.fatal_message().empty()) throw device::UsageError(listener.fatal_message());
  return device::kExitOk;
}

}  // namespace
}  // namespace hallq::speaker

int main(int argc, char** argv) {
  using namespace hallq;
  device::DeviceProgram program({.name = "hallq-speaker",
                                 .description = "语音叫号：播报叫号与重呼",
                                 .config_help = "语音叫号的配置（conf/devices/speaker-*.toml）",
                                 .headless_help = "不用声卡：每条播报写一个 WAV 文件到 --wav-dir",
                                 .config_required = false,  // --make-pack needs none
                                 .old_pub_name = true});
  speaker::SpeakerFlags flags;
  CLI::App& cli = program.cli();
  cli.add_option("--wav-dir", flags.wav_dir, "WAV 文件的目录（--headless 时）")->type_name("目录");
  cli.add_option("--play-speed", flags.play_speed, "--headless 时：每条播报等待 时长 ÷ 此数（0：不等）")
      ->type_name("倍数")
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--voice", flags.voice_override, "espeak 或 pack（代替配置文件中的）")
      ->type_name("声音")
      ->check(CLI::IsMember({"espeak", "pack"}));
  cli.add_option("--pack-dir", flags.pack_dir, "语音包目录（代替配置文件中的）")->type_name("目录");
  cli.add_option("--make-pack", flags.make_pack, "用 espeak-ng 生成语音包写到这个目录后退出")
      ->type_name("目录");
  return program.run(argc, argv, [&] { return speaker::run(program, flags); });
}
