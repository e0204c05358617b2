// The standby's follower: one verifying reader per hall on a thread of its
// own, events handed to the engine's thread in runs, and the hand-over to
// serving once the Replicator holds the lease.
#include "engine/server/standby.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <iostream>
#include <memory>
#include <optional>

#include "engine/protocol/snapshot_codec.h"
#include "engine/replicate/hall_reader.h"
#include "engine/replicate/publisher.h"
#include "engine/replicate/subject_position.h"
#include "engine/server/engine.h"
#include "engine/server/server.h"
#include "engine/store/event_store.h"

namespace hallq::server {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMaxRun = 1000;  // events handed to the engine's thread at once
constexpr auto kTailEvery = 1s;        // how often the stream's last sequences are asked (metrics)

void log(const std::string& line) { std::cerr << "hallqd: standby: " << line << std::endl; }

}  // namespace

Standby::Standby(replicate::NatsConnection& conn, Engine& engine, Server& server,
                 std::function<void(std::function<void()>)> post, const store::EventStore& store,
                 std::vector<std::string> halls, StandbyOptions options)
    : conn_(conn), engine_(engine), server_(server), post_(std::move(post)), options_(std::move(options)) {
  for (std::string& id : halls) {
    engine_.set_following(id, true);
    Hall h;
    h.id = id;
    h.applied = store.last_seq(id);
    halls_.emplace(std::move(id), std::move(h));
  }
}

Standby::~Standby() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Standby::check_store(const store::EventStore& store, std::chrono::milliseconds limit) {
  replicate::Publisher publisher(conn_, options_.stream);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (const auto& [id, h] : halls_) {
    const std::uint64_t have = store.last_seq(id);
    std::optional<replicate::SubjectTail> tail;
    std::string error;
    while (!(tail = publisher.tail(id, &error))) {
      if (std::chrono::steady_clock::now() + 200ms > deadline)
        throw replicate::ReplicateError(fmt::format("the events stream does not answer: {}", error));
      std::this_thread::sleep_for(200ms);  // a retry delay, not a synchronisation
    }
    if (have == 0) continue;
    if (tail->hall_seq < have)
      throw replicate::ReplicateError(fmt::format(
          "this store holds hall {} up to seq {}, the events stream only up to {}: its later events never "
          "reached the stream (an owner stopped before publishing them); a standby starts from an empty "
          "data dir or a copy of the owner's store",
          id, have, tail->hall_seq));
    // Read back at its place in the stream (from the subject's start if not found).
    const std::uint64_t from = replicate::resume_position(conn_, options_.stream, id, have - 1).value_or(0);
    replicate::HallReader reader(
        conn_, id,
        {.stream = options_.stream, .start_stream_seq = from, .after = have - 1, .on_refused = {}});
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const std::optional<replicate::HallReader::Delivered> d = reader.next(std::max(left, 1000ms));
    const std::optional<std::string> stored = store.read_event(id, have);
    if (!d || d->seq != have)
      throw replicate::ReplicateError(
          fmt::format("cannot read hall {} seq {} back from the events stream{}", id, have,
                      reader.refusals().empty() ? "" : ": " + reader.refusals().back()));
    if (!stored || d->bytes != *stored)
      throw replicate::ReplicateError(fmt::format(
          "this store's hall {} seq {} differs from the events stream's: another history (an owner's events "
          "that never reached the stream); a standby starts from an empty data dir or a copy of the owner's "
          "store",
          id, have));
  }
}

void Standby::start() {
  log(fmt::format("following {} hall(s) from the events stream", halls_.size()));
  thread_ = std::thread([this] { run(); });
}

void Standby::run() {
  std::map<std::string, std::unique_ptr<replicate::HallReader>> readers;
  std::map<std::string, std::string> failing;  // hall -> the reader's error, logged once
  auto next_tails = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (std::chrono::steady_clock::now() >= next_tails) {
      lock.unlock();
      check_tails();
      lock.lock();
      next_tails = std::chrono::steady_clock::now() + kTailEvery;
    }
    std::vector<std::pair<std::string, std::uint64_t>> follow;  // hall, applied
    for (const auto& [id, h] : halls_)
      if (!h.stopped && h.broken.empty()) follow.emplace_back(id, h.applied);
    // A hall taken over (or whose following stopped) is read no more.
    for (auto it = readers.begin(); it != readers.end();) {
      const bool followed =
          std::any_of(follow.begin(), follow.end(), [&](const auto& f) { return f.first == it->first; });
      it = followed ? std::next(it) : readers.erase(it);
    }
    if (follow.empty()) {
      // Until a hall is followed (again: follow()) or the engine stops.
      changed_.wait(lock, [&] {
        return stopping_ || std::any_of(halls_.begin(), halls_.end(), [](const auto& entry) {
                 return !entry.second.stopped && entry.second.broken.empty();
               });
      });
      continue;
    }
    lock.unlock();
    const auto wait = std::max<std::chrono::milliseconds>(10ms, 100ms / follow.size());
    bool reader_missing = false;
    for (const auto& [id, applied] : follow) {
      std::unique_ptr<replicate::HallReader>& reader = readers[id];
      if (!reader) {
        try {
          // Resume at the stream's place of the store's last event rather
          // than reading the subject from its start (from the start if that
          // place cannot be found).
          std::uint64_t from = 0;
          if (applied > 0) {
            std::string why;
            const std::optional<std::uint64_t> at =
                replicate::resume_position(conn_, options_.stream, id, applied, &why);
            if (at) from = *at;
            log(at ? fmt::format("hall {}: following from stream seq {} (after seq {})", id, from, applied)
                   : fmt::format("hall {}: following from the subject's start (after seq {}): {}", id,
                                 applied, why));
          }
          reader = std::make_unique<replicate::HallReader>(
              conn_, id,
              replicate::HallReader::Options{
                  .stream = options_.stream,
                  .start_stream_seq = from,
                  .after = applied,
                  .on_refused = [](const std::string& why) { log(why + " (not applied)"); }});
          if (failing.erase(id) > 0) log(fmt::format("following hall {} again", id));
        } catch (const replicate::ReplicateError& e) {
          if (failing[id] != e.what()) log(fmt::format("cannot follow hall {} yet: {}", id, e.what()));
          failing[id] = e.what();
          reader_missing = true;
          continue;
        }
      }
      std::vector<std::pair<std::uint64_t, std::string>> run;
      for (auto d = reader->next(wait); d; d = run.size() < kMaxRun ? reader->next(1ms) : std::nullopt)
        run.emplace_back(d->seq, std::move(d->bytes));
      if (run.empty()) continue;
      std::lock_guard hold(mu_);
      if (halls_[id].stopped || stopping_) continue;  // taken over: the engine writes it now
      // (A copy: clang does not capture structured bindings.)
      post_([this, hall = id, events = std::move(run)]() mutable { apply(hall, std::move(events)); });
    }
    lock.lock();
    // The cluster may be re-placing after a node's loss: try again shortly.
    if (reader_missing) changed_.wait_for(lock, 500ms, [&] { return stopping_; });
  }
}

void Standby::check_tails() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, h] : halls_)
      if (!h.stopped) ids.push_back(id);
  }
  for (const std::string& id : ids) {
    const std::optional<replicate::SubjectTail> tail = replicate::read_tail(conn_, options_.stream, id);
    if (!tail) continue;  // the stream does not answer: the last figure stays
    std::lock_guard lock(mu_);
    Hall& h = halls_[id];
    h.stream_last = tail->hall_seq;
    h.stream_known = true;
  }
}

std::string Standby::metrics_text() const {
  std::string out;
  const auto family = [&](std::string_view name, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
  };
  std::lock_guard lock(mu_);
  const auto each = [&](std::string_view name, const auto& value) {
    for (const auto& [id, h] : halls_) out += fmt::format("{}{{hall=\"{}\"}} {}\n", name, id, value(h));
  };
  family("hallq_standby_following",
         "1 while this standby follows the hall (0: taken over, or following stopped).");
  each("hallq_standby_following", [](const Hall& h) { return !h.stopped && h.broken.empty() ? 1 : 0; });
  family("hallq_standby_applied_seq", "The hall's last sequence this engine holds.");
  each("hallq_standby_applied_seq", [](const Hall& h) { return h.applied; });
  family("hallq_standby_stream_seq", "The hall's last sequence in the events stream, asked once a second.");
  each("hallq_standby_stream_seq", [](const Hall& h) { return h.stream_last; });
  family("hallq_standby_lag_events", "Events of the hall the stream holds and this standby does not yet.");
  each("hallq_standby_lag_events", [](const Hall& h) {
    return !h.stopped && h.stream_known && h.stream_last > h.applied ? h.stream_last - h.applied : 0;
  });
  family("hallq_standby_broken", "1 when following stopped at a refused message (the log says why).");
  each("hallq_standby_broken", [](const Hall& h) { return h.broken.empty() ? 0 : 1; });
  return out;
}

void Standby::apply(const std::string& hall, std::vector<std::pair<std::uint64_t, std::string>> events) {
  if (!engine_.following(hall)) return;  // taken over meanwhile
  std::uint64_t applied = 0;
  std::string refused;
  for (auto& [seq, bytes] : events) {
    const core::Status st = engine_.follow(hall, std::move(bytes));
    if (!st) {
      refused = fmt::format("hall {} stream event seq {} refused, not applied (following stops): {}", hall,
                            seq, st.message());
      log(refused);
      break;
    }
    applied = seq;
  }
  if (applied > 0) server_.flush();
  {
    std::lock_guard lock(mu_);
    Hall& h = halls_[hall];
    if (applied > 0) h.applied = applied;
    if (!refused.empty()) h.broken = refused;
  }
  changed_.notify_all();
}

void Standby::follow(const std::string& hall, std::uint64_t applied) {
  {
    std::lock_guard lock(mu_);
    Hall& h = halls_[hall];
    h.id = hall;
    h.applied = applied;
    h.stopped = false;
    h.broken.clear();
    h.stream_known = false;
  }
  log(fmt::format("following hall {} from seq {}", hall, applied));
  changed_.notify_all();
}

bool Standby::take_over(const std::string& hall, std::uint64_t last_seq, std::string* why,
                        std::string* snapshot) {
  std::unique_lock lock(mu_);
  const auto it = halls_.find(hall);
  if (it == halls_.end()) {
    *why = fmt::format("hall {} is not followed by this standby", hall);
    return false;
  }
  Hall& h = it->second;
  changed_.wait_for(lock, options_.catch_up_limit,
                    [&] { return h.applied >= last_seq || !h.broken.empty() || stopping_; });
  if (h.applied < last_seq) {
    *why = fmt::format("this standby holds hall {} up to seq {}, the stream up to {}{}", hall, h.applied,
                       last_seq, h.broken.empty() ? "" : " (" + h.broken + ")");
    return false;
  }
  h.stopped = true;
  lock.unlock();
  changed_.notify_all();
  auto done = std::make_shared<std::promise<std::string>>();
  std::future<std::string> given = done->get_future();
  post_([this, hall, done] {
    engine_.set_following(hall, false);
    const core::Hall* h = engine_.hall(hall);
    // For the hallq_halls bucket (readers of the stream: the city view),
    // without the citizens' phones and ID hashes, as hallqd puts it at start.
    done->set_value(h != nullptr ? protocol::encode_snapshot(*h, engine_.epoch(), false,
                                                             protocol::PersonalData::kWithhold)
                                 : std::string());
  });
  if (given.wait_for(options_.catch_up_limit) != std::future_status::ready) {
    *why = "the engine's thread did not take the hall back";
    return false;
  }
  *snapshot = given.get();
  return true;
}

}  // namespace hallq::server
