// hallq-city: every hall of a city at a glance, from the events stream.
// Reads HALLQ_EVENTS with a durable consumer, folds each hall from its
// snapshot in the hallq_halls bucket and the events after it, keeps what it
// folded in its own LMDB (acknowledging messages only once that is durable)
// and serves the page, /api/city and /events. See README.md.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string_view>
#include <thread>

#include "displays/city/city_feed.h"
#include "displays/city/city_figures.h"
#include "displays/city/city_replicas.h"
#include "displays/city/city_server.h"
#include "displays/city/city_store.h"
#include "engine/replicate/hall_directory.h"
#include "engine/replicate/nats_connection.h"
#include "engine/replicate/stream_setup.h"
#include "engine/store/store_error.h"

namespace {

using namespace hallq;
using Clock = std::chrono::steady_clock;

core::TimeUs wall_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr std::size_t kRefusalsKept = 20;

void log(const std::string& line) { std::cerr << "hallq-city: " << line << "\n" << std::flush; }

// A start-up error that only means "not made yet" (the stream or the bucket).
bool missing(const std::string& what) {
  return what.find("Not Found") != std::string::npos || what.find("not found") != std::string::npos;
}

// Everything the consumer loop holds; one thread.
class CityLoop {
 public:
  // A hall's snapshot replaces its kept events once `snapshot_every` have
  // piled up: a restart then folds at most that many per hall, and a batch
  // encodes about one snapshot per that many events.
  CityLoop(replicate::NatsConnection& conn, replicate::HallDirectory& directory, city::CityFeed& feed,
           city::CityStore& store, city::CityReplicas& replicas, std::size_t snapshot_every)
      : conn_(conn),
        directory_(directory),
        feed_(feed),
        store_(store),
        replicas_(replicas),
        snapshot_every_(snapshot_every) {}

  // One round: the bucket's news, one batch of messages, the store, the acks.
  // True if a hall changed.
  bool round(int batch, std::chrono::milliseconds wait) {
    std::set<std::string> changed;    // its figures change
    std::set<std::string> described;  // a new snapshot: saved whole
    std::vector<city::CityStore::Event> events;
    while (auto e = directory_.next(std::chrono::milliseconds(0))) describe(*e, changed, described);
    std::vector<city::CityFeed::Message> msgs = feed_.fetch(batch, wait);
    std::vector<city::CityFeed::Message*> to_term;
    for (city::CityFeed::Message& m : msgs) {
      ++figures_.delivered;
      figures_.pending = m.pending;
      const std::string where = fmt::format("{} stream seq {}", m.subject, m.stream_seq);
      if (m.hall.empty()) {
        refuse(where + ": refused: not a hall's subject");
        to_term.push_back(&m);
        continue;
      }
      using Kind = city::CityReplicas::Outcome::Kind;
      city::CityReplicas::Outcome o = replicas_.offer(m.hall, m.bytes, where);
      if (o.kind == Kind::kUnknownHall || o.kind == Kind::kUndecodable) {
        // The bucket may know better (a new hall, a config changed at a restart): ask, then try again.
        std::string error;
        if (auto e = directory_.get(m.hall, &error)) {
          if (describe(*e, changed, described)) o = replicas_.offer(m.hall, m.bytes, where);
        } else if (!error.empty()) {
          log(error);
        }
      }
      switch (o.kind) {
        case Kind::kApplied:
          ++figures_.applied;
          changed.insert(m.hall);
          events.push_back({m.hall, replicas_.hall(m.hall)->seq(), m.bytes});
          break;
        case Kind::kHeld:
          ++figures_.held;
          break;
        case Kind::kRefused:
        case Kind::kUndecodable:
          refuse(o.why);
          to_term.push_back(&m);
          break;
        case Kind::kGap:
          // A hole in the hall's subject (the stream is written in order, so
          // only a foreign writer makes one): nothing after it fits until a
          // new snapshot of the hall (its engine's next start) replaces the replica.
          ++figures_.gaps;
          refuse(o.why);
          to_term.push_back(&m);
          break;
        case Kind::kUnknownHall:
          // No snapshot even in the bucket: its engine did not put one. Skipped,
          // not held back (held messages would fill the consumer's ack window
          // and stop every hall): the snapshot its engine puts at its next
          // start covers everything up to it.
          ++figures_.without_snapshot;
          if (unknown_logged_.insert(m.hall).second) log(o.why + " (skipped until its engine puts one)");
          to_term.push_back(&m);
          break;
      }
    }
    // Durable first, then acknowledged: what the consumer will not deliver
    // again is in the store. A hall's events, or its snapshot when it was
    // described anew or enough of its events are kept.
    for (const city::CityStore::Event& e : events)
      if (++kept_[e.hall] >= snapshot_every_) described.insert(e.hall);
    std::vector<city::CityStore::Event> appended;
    for (city::CityStore::Event& e : events)
      if (described.count(e.hall) == 0) appended.push_back(std::move(e));
    std::vector<city::CityStore::Saved> saved;
    for (const std::string& hall : described) {
      saved.push_back({hall, replicas_.snapshot(hall), replicas_.revision(hall), {}});
      kept_[hall] = 0;
    }
    store_.save(appended, saved);
    feed_.answer(msgs, to_term);
    figures_.connected = conn_.connected();
    stale_.insert(changed.begin(), changed.end());
    return !changed.empty();
  }

  // The city as JSON. A hall's figures and its JSON object are made again
  // when it changed since the last call, or for every hall with `all` (waits
  // grow with time); the page joins the objects kept. Figuring a thousand
  // halls (their predicted waits) for every batch of messages kept the view
  // minutes behind a province's stream, and so did making the whole city's
  // JSON (278 kB) again for every page update.
  std::string json(bool all) {
    const core::TimeUs now = wall_now();
    std::vector<std::string_view> halls;
    std::uint64_t waiting = 0;
    for (const std::string& id : replicas_.ids()) {
      auto it = shown_.find(id);
      if (all || it == shown_.end() || stale_.count(id) > 0) {
        city::HallFigures f = city::hall_figures(*replicas_.hall(id), now);
        f.last_event_us = replicas_.last_event_us(id);
        it = shown_.insert_or_assign(id, Shown{city::hall_json(f), f.waiting}).first;
      }
      halls.push_back(it->second.json);
      waiting += it->second.waiting;
    }
    stale_.clear();
    return city::city_json(halls, waiting, figures_, now);
  }

  const city::FeedFigures& figures() const { return figures_; }

  // At start: the hall's events kept after its stored snapshot (folded by the caller).
  void kept(const std::string& hall, std::size_t events) { kept_[hall] = events; }

 private:
  bool describe(const replicate::HallDirectory::Entry& e, std::set<std::string>& changed,
                std::set<std::string>& described) {
    if (e.revision <= replicas_.revision(e.hall)) return false;
    const bool joined = replicas_.hall(e.hall) == nullptr;
    const std::string error = replicas_.describe(e.hall, e.snapshot, e.revision);
    if (!error.empty()) {
      log(error);
      return false;
    }
    unknown_logged_.erase(e.hall);
    log(joined ? fmt::format("hall {} joined (its engine's snapshot, revision {})", e.hall, e.revision)
               : fmt::format("hall {}: a new snapshot from its engine (revision {}), config taken", e.hall,
                             e.revision));
    changed.insert(e.hall);
    described.insert(e.hall);
    return true;
  }

  void refuse(const std::string& why) {
    ++figures_.refused;
    log(why);
    figures_.refusals.push_back(why);
    if (figures_.refusals.size() > kRefusalsKept) figures_.refusals.erase(figures_.refusals.begin());
  }

  replicate::NatsConnection& conn_;
  replicate::HallDirectory& directory_;
  city::CityFeed& feed_;
  city::CityStore& store_;
  city::CityReplicas& replicas_;
  const std::size_t snapshot_every_;
  city::FeedFigures figures_;
  std::set<std::string> unknown_logged_;
  struct Shown {
    std::string json;  // the hall's object in the city's JSON
    std::uint32_t waiting = 0;
  };
  std::map<std::string, Shown, std::less<>> shown_;       // json()'s halls, as last figured
  std::set<std::string> stale_;                           // changed since json()
  std::map<std::string, std::size_t, std::less<>> kept_;  // events kept after the snapshot
};

// Changes reach the page at most this often (the figures of the halls that changed).
constexpr std::chrono::milliseconds kFiguresEvery{100};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hallq-city: every hall of a city at a glance, from the NATS JetStream events stream"};
  std::string urls, credentials, durable, http = "127.0.0.1:8095", data_dir;
  int refresh_ms = 1000, batch = 256, snapshot_every = 256;
  app.add_option("--nats", urls, "the cluster's URLs, nats://HOST:PORT[,…]")->required();
  app.add_option(
         "--nats-credentials", credentials,
         "a file with the city view's NATS credentials (USER:PASSWORD, a .creds file or an nkey seed)")
      ->required();
  app.add_option(
         "--durable", durable,
         "the name of this city view's consumer on the stream ([A-Za-z0-9_-]+); the same name after a "
         "restart continues where it stopped")
      ->required();
  app.add_option("--http", http, "where the page and /api/city are served, ADDR:PORT (port 0: any)");
  app.add_option("--data", data_dir, "directory of the city view's own store (LMDB)")->required();
  app.add_option("--refresh", refresh_ms, "milliseconds between recomputed figures when nothing happens")
      ->check(CLI::Range(100, 60'000));
  app.add_option("--batch", batch, "messages fetched at once")->check(CLI::Range(1, 1000));
  app.add_option(
         "--snapshot-every", snapshot_every,
         "a hall's snapshot replaces its events in the store after this many (a restart folds at most "
         "this many per hall)")
      ->check(CLI::Range(1, 100'000));
  CLI11_PARSE(app, argc, argv);

  if (!std::regex_match(durable, std::regex("[A-Za-z0-9_-]+"))) {
    std::cerr << "hallq-city: --durable \"" << durable << "\": 只能使用字母、数字、- 和 _\n";
    return 2;
  }
  const auto colon = http.rfind(':');
  int port = -1;
  try {
    if (colon != std::string::npos) port = std::stoi(http.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (colon == std::string::npos || port < 0 || port > 65535) {
    std::cerr << "hallq-city: --http \"" << http << "\": 应为 地址:端口，例如 127.0.0.1:8095\n";
    return 2;
  }

  try {
    replicate::NatsConnection::Options co;
    co.urls = replicate::split_urls(urls);
    co.credentials_file = credentials;
    co.name = "hallq-city " + durable;
    replicate::read_credentials(credentials);  // a clear error now rather than at connect
    replicate::NatsConnection conn(co);
    // Before any engine has replicated, the stream and the bucket do not
    // exist yet (the city role may not make them): wait for them.
    std::optional<replicate::HallDirectory> directory;
    std::optional<city::CityFeed> feed;
    for (bool logged = false;;) {
      try {
        if (!directory) directory.emplace(conn, replicate::kHallsBucket);
        feed.emplace(conn, city::CityFeed::Options{.durable = durable});
        break;
      } catch (const replicate::ReplicateError& e) {
        if (!missing(e.what())) throw;
        if (!logged)
          log(fmt::format("waiting for the stream {} and the bucket {} (no engine has replicated yet): {}",
                          replicate::kEventsStream, replicate::kHallsBucket, e.what()));
        logged = true;
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
    }
    if (!feed->acks_all())
      log(
          fmt::format("consumer {} acknowledges message by message (made with explicit acks by an earlier "
                      "hallq-city; a consumer made now acknowledges each batch at once)",
                      durable));
    city::CityStore store(data_dir);
    city::CityReplicas replicas;
    CityLoop loop(conn, *directory, *feed, store, replicas, static_cast<std::size_t>(snapshot_every));
    std::size_t stored_halls = 0, folded_events = 0;
    for (const city::CityStore::Saved& s : store.load()) {
      ++stored_halls;
      const std::string error = replicas.describe(s.hall, s.snapshot, s.revision);
      if (!error.empty()) {
        log("store: " + error);
        continue;
      }
      // The events kept after the snapshot, applied again; they were checked
      // when they came, so anything else is a damaged store: the hall stops
      // there (its engine's next snapshot covers the rest).
      std::size_t folded = 0;
      for (const std::string& bytes : s.events) {
        const auto o =
            replicas.offer(s.hall, bytes, fmt::format("store: hall {} event {}", s.hall, folded + 1));
        if (o.kind != city::CityReplicas::Outcome::Kind::kApplied &&
            o.kind != city::CityReplicas::Outcome::Kind::kHeld) {
          log(o.why + " (the hall's later kept events are not applied)");
          break;
        }
        ++folded;
      }
      folded_events += folded;
      loop.kept(s.hall, s.events.size());
    }
    if (stored_halls > 0)
      log(fmt::format("store: {} hall(s), {} event(s) after their snapshots folded", stored_halls,
                      folded_events));
    directory->watch();

    boost::asio::io_context io(1);
    city::CityServer server(io, {.host = http.substr(0, colon), .port = static_cast<std::uint16_t>(port)});
    server.update(loop.json(true));
    server.start();
    std::atomic<bool> stop{false};
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
      stop = true;
      server.stop();
    });
    std::thread io_thread([&io] { io.run(); });
    std::cout << fmt::format("hallq-city: ready http={}:{} durable={} halls={}", http.substr(0, colon),
                             server.port(), durable, replicas.ids().size())
              << std::endl;

    auto last_figures = Clock::now(), last_all = last_figures;
    bool unshown = false;  // changes not on the page yet
    while (!stop) {
      const auto started = Clock::now();
      // A fetch returns as soon as what the stream has is in (up to a batch), or with the first
      // messages that come while it waits. It waits briefly while changes are not on the page
      // yet, so that they go out in time. (Such short waits behind the stream used to crash the
      // view inside nats.c's own Fetch: engine/replicate/pull_fetcher.h.)
      const auto wait = unshown ? 20 : 200;
      unshown |= loop.round(batch, std::chrono::milliseconds(wait));
      const auto now = Clock::now();
      const bool all = now - last_all >= std::chrono::milliseconds(refresh_ms);
      if (all || (unshown && now - last_figures >= kFiguresEvery)) {
        boost::asio::post(io, [&server, json = loop.json(all)]() mutable { server.update(std::move(json)); });
        last_figures = now;
        if (all) last_all = now;
        unshown = false;
      }
      // The cluster unavailable: fetch returns at once; do not spin.
      if (!conn.connected() && Clock::now() - started < std::chrono::milliseconds(100))
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    io.stop();
    io_thread.join();
    // The last acknowledgements leave before the connection closes: the
    // consumer's position is where the store is.
    natsConnection_FlushTimeout(conn.raw(), 2000);
    const city::FeedFigures& f = loop.figures();
    std::cout << fmt::format("hallq-city: stopped: delivered {} applied {} held {} refused {} gaps {}",
                             f.delivered, f.applied, f.held, f.refused, f.gaps)
              << std::endl;
    return 0;
  } catch (const replicate::ReplicateError& e) {
    std::cerr << "hallq-city: " << e.what() << "\n";
    return 1;
  } catch (const store::StoreError& e) {
    std::cerr << "hallq-city: --data " << data_dir << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "hallq-city: " << e.what() << "\n";
    return 1;
  }
}
