// hallqd: the engine process. Loads the hall configs, recovers the store,
// serves commands and publishes events until SIGTERM or SIGINT.
//   hallqd --conf FILE... --data DIR [--cmd EP] [--pub EP] [--http HOST:PORT|off]
//          [--keys FILE [--engine-key FILE]]  (CURVE and enrolled device keys; needed beyond loopback)
//          [--replicate URLS --nats-credentials FILE --engine-id ID [--ack local|replicated]
//           [--standby | --standby-for HALL,...]]
// Prints a line containing "ready" once it listens (with the endpoints it
// bound, e.g. "http=127.0.0.1:8080"). Exit codes: 0 clean stop,
// 1 runtime failure (store, bind, corruption), 2 usage or configuration error.
#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <zmq.hpp>

#include "engine/config/config_loader.h"
#include "engine/config/data_dir.h"
#include "engine/core/calendar.h"
#include "engine/keys/person_hash.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/replicate/nats_connection.h"
#include "engine/server/accounts.h"
#include "engine/server/curve_setup.h"
#include "engine/server/divergence.h"
#include "engine/server/engine.h"
#include "engine/server/http_api.h"
#include "engine/server/http_server.h"
#include "engine/server/http_store.h"
#include "engine/server/replicator.h"
#include "engine/server/server.h"
#include "engine/server/standby.h"
#include "engine/store/event_store.h"

int main(int argc, char** argv) {
  using namespace hallq;
  CLI::App app{"hallqd: the hallq engine (queue calling for service halls)"};
  std::vector<std::string> conf_files;
  std::string data_dir;
  server::ServerOptions server_options;
  server::EngineOptions engine_options;
  std::size_t map_size_gib = 64;
  std::size_t map_limit_mib = 0;
  app.add_option("--conf", conf_files, "hall config files (TOML), one per hall")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--data", data_dir, "data directory of the LMDB store (created if missing)")->required();
  app.add_option("--cmd", server_options.cmd_endpoint, "command endpoint (ROUTER)")->capture_default_str();
  app.add_option("--pub", server_options.pub_endpoint, "event endpoint (PUB)")->capture_default_str();
  app.add_option("--snapshot-every", engine_options.snapshot_every,
                 "events between stored snapshots of a hall")
      ->capture_default_str();
  double advise_every_s = static_cast<double>(engine_options.advise_every) / core::kUsPerSecond;
  app.add_option("--advise-every", advise_every_s,
                 "seconds between tidal-window forecasts of each hall (0: never); checked at each heartbeat")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--map-size-gib", map_size_gib, "LMDB map size in GiB (sparse)")->capture_default_str();
  app.add_option("--map-limit-mib", map_limit_mib,
                 "largest LMDB map in MiB the engine grows to; beyond it commands are refused with 'storage' "
                 "(default: 1 TiB; the initial map is at most this)");
  std::string time_start;
  app.add_option(
      "--time-scale", server_options.time_scale,
      "simulated time for demos and soaks: the engine's clock runs this many times faster than real "
      "time (nights and day rolls included); never in a real hall");
  app.add_option(
      "--time-start", time_start,
      "with --time-scale: the simulated time to start at, \"YYYY-MM-DD HH:MM\" in the first hall's "
      "local time (default: now)");
  app.add_option("--max-batch", server_options.max_batch, "requests per group commit")->capture_default_str();
  app.add_flag("!--no-commit-here", server_options.commit_here,
               "always hand a batch's write to the commit thread, even a lone request's");
  std::string http = "127.0.0.1:8080";
  app.add_option("--http", http,
                 "HTTP API and dashboard HOST:PORT (loopback only; port 0: any free port; off: none)")
      ->capture_default_str();
  server::HttpApiOptions http_options{
      .web_root = config::web_root(), .chart_js = config::chart_js(), .history = {}};
  app.add_option("--web-root", http_options.web_root, "the dashboard's files")->capture_default_str();
  app.add_option("--chart-js", http_options.chart_js, "Chart.js (UMD build) served to the dashboard")
      ->capture_default_str();
  server::HttpServerOptions http_server_options;
  app.add_option("--http-max-connections", http_server_options.max_connections,
                 "HTTP and WebSocket connections at once; more are answered 503 and closed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--http-max-per-address", http_server_options.max_per_address,
                 "connections at once from one source address (behind a proxy: raise it)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--fd-reserve", http_server_options.fd_reserve,
                 "descriptors HTTP leaves free for ZeroMQ peers and the store (below RLIMIT_NOFILE)")
      ->capture_default_str();
  std::string accounts_file;
  app.add_option("--accounts", accounts_file,
                 "managers' accounts (TOML, hallq-passwd): logins for the HTTP API, which may then listen "
                 "beyond loopback")
      ->check(CLI::ExistingFile);
  std::string metrics_access, metrics_token_file;
  app.add_option("--metrics", metrics_access,
                 "who may read /metrics: open (anyone; only when HTTP listens on loopback) or login (a "
                 "manager's session, or the scrape token); default: open on loopback, login otherwise")
      ->check(CLI::IsMember({"open", "login"}));
  app.add_option("--metrics-token-file", metrics_token_file,
                 "a file holding the /metrics scrape token (sent as \"Authorization: Bearer TOKEN\"); "
                 "/metrics then needs it or a login")
      ->check(CLI::ExistingFile);
  std::string keys_file, engine_key_file;
  app.add_option(
         "--keys", keys_file,
         "enrolled device keys (TOML, hallq keys gen): CURVE encryption, ZAP authentication and role checks "
         "on both sockets, which may then listen beyond loopback (SECURITY.md)")
      ->check(CLI::ExistingFile);
  app.add_option("--engine-key", engine_key_file,
                 "the engine's CURVE secret key file (default: the keys file's [engine] secret_key_file)")
      ->check(CLI::ExistingFile);
  std::string person_salt_file;
  app.add_option("--person-salt", person_salt_file,
                 "the installation's salt for hashing ID numbers (hallq keys salt FILE): needed to book "
                 "appointments by ID number over HTTP")
      ->check(CLI::ExistingFile);
  std::string replicate_urls, nats_credentials, engine_id, ack_mode = "local";
  app.add_option("--replicate", replicate_urls,
                 "publish every committed batch's events to a NATS JetStream cluster, URL[,URL...] "
                 "(nats://HOST:PORT): stream HALLQ_EVENTS, one subject per hall (hallq.events.HALL), 3 "
                 "replicas; needs --nats-credentials and --engine-id");
  app.add_option("--nats-credentials", nats_credentials,
                 "with --replicate: a file with the NATS user's credentials (USER:PASSWORD, a .creds file or "
                 "an nkey seed); never on the command line");
  app.add_option("--engine-id", engine_id,
                 "with --replicate: this engine's name in the cluster ([a-z0-9-]+)");
  app.add_option("--ack", ack_mode,
                 "with --replicate: when a command is answered; local = after the LMDB commit, the stream "
                 "follows (LMDB is the outbox: what the stream lacks is republished at start and after an "
                 "outage); replicated = only once the stream holds the batch too (losing this machine "
                 "loses nothing acknowledged); a batch the stream has not confirmed within --ack-timeout "
                 "is answered replication_unavailable, and commands are refused, unapplied, until the "
                 "stream has taken everything committed")
      ->capture_default_str()
      ->check(CLI::IsMember({"local", "replicated"}));
  std::string advertise;
  app.add_option("--advertise", advertise,
                 "with --replicate: the command endpoint other engines and clients are told to reach this "
                 "engine at (default: the bound --cmd endpoint)");
  int lease_ms = 2000;
  app.add_option("--lease", lease_ms,
                 "with --replicate: milliseconds of each hall's ownership lease in the owners bucket, "
                 "renewed every quarter of it; a standby may take a hall over once it lapses")
      ->capture_default_str()
      ->check(CLI::Range(400, 600'000));
  app.add_flag("--lease-strict", server_options.lease_strict,
               "with --replicate: refuse a hall's commands (replication_unavailable) while its lease has "
               "passed without a renewal, until one succeeds (default: keep serving; the stream's "
               "expected-sequence check still fences a second engine)");
  bool standby = false;
  app.add_flag("--standby", standby,
               "with --replicate: a warm replica; follow the stream of the configured halls into this store "
               "(refusing their commands not_owner, naming the owner) and take over each hall whose "
               "owner's lease lapsed: catch up to the stream's last event, then serve it");
  std::string standby_for;
  app.add_option("--standby-for", standby_for,
                 "with --replicate: HALL[,HALL...] of the configured halls to follow as a warm replica "
                 "(as --standby does for all), serving the others: engines that stand by for each other's "
                 "halls, no machine idle")
      ->excludes("--standby");
  double start_timeout_s = 30;
  app.add_option(
         "--replicate-start-timeout", start_timeout_s,
         "with --replicate: seconds the start retries a cluster that does not answer yet (timeout, no "
         "responders, not connected: a just-started cluster elects its leaders late), each retry "
         "logged; wrong credentials, permissions or stream settings and another engine's live lease "
         "stop the start at once")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  int ack_timeout_ms = 2000;
  app.add_option("--ack-timeout", ack_timeout_ms,
                 "with --ack replicated: milliseconds a batch waits for the stream's confirmation")
      ->capture_default_str()
      ->check(CLI::Range(100, 60'000));
  int publish_retry_ms = static_cast<int>(server::ReplicatorOptions{}.publish_retry.count());
  app.add_option("--publish-retry", publish_retry_ms,
                 "with --replicate: milliseconds a round of publishes waits for the stream's "
                 "acknowledgements before it sends the missing events again, identical (same message ids "
                 "and expected sequences: nothing is stored twice); so a round sent while the stream's "
                 "leader is lost goes through soon after the election")
      ->capture_default_str()
      ->check(CLI::Range(10, 60'000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  server_options.ack_timeout = std::chrono::milliseconds(ack_timeout_ms);
  engine_options.advise_every = static_cast<core::TimeUs>(advise_every_s * core::kUsPerSecond);
  std::optional<server::ReplicatorOptions> replication;
  if (!replicate_urls.empty()) {
    if (nats_credentials.empty()) {
      std::cerr << "hallqd: --replicate 需要 --nats-credentials（NATS 用户凭据文件）\n";
      return 2;
    }
    if (engine_id.empty() || !std::all_of(engine_id.begin(), engine_id.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        })) {
      std::cerr << "hallqd: --replicate 需要 --engine-id（本引擎在集群中的名称，[a-z0-9-]+）\n";
      return 2;
    }
    try {
      replication.emplace();
      replication->connection.urls = replicate::split_urls(replicate_urls);
      replication->connection.credentials_file = nats_credentials;
      replication->connection.name = "hallqd " + engine_id;
      replicate::read_credentials(nats_credentials);  // a clear error now rather than at connect
      replication->engine_id = engine_id;
      replication->lease = std::chrono::milliseconds(lease_ms);
      replication->lease_strict = server_options.lease_strict;
      replication->publish_retry = std::chrono::milliseconds(publish_retry_ms);
      replication->startup_limit = std::chrono::milliseconds(static_cast<long>(start_timeout_s * 1000));
    } catch (const replicate::ReplicateError& e) {
      std::cerr << "hallqd: --replicate: " << e.what() << "\n";
      return 2;
    }
  } else if (!nats_credentials.empty() || !engine_id.empty() || !advertise.empty() || standby ||
             !standby_for.empty()) {
    std::cerr << "hallqd: --nats-credentials, --engine-id, --advertise, --standby and --standby-for only go "
                 "with --replicate\n";
    return 2;
  }
  const bool http_on = http != "off";
  if (http_on) {
    const std::size_t colon = http.rfind(':');
    unsigned long port = 0;
    try {
      if (colon == std::string::npos || colon == 0) throw std::invalid_argument("no port");
      std::size_t used = 0;
      port = std::stoul(http.substr(colon + 1), &used);
      if (used != http.size() - colon - 1 || port > 65535) throw std::invalid_argument("bad port");
    } catch (const std::exception&) {
      std::cerr << "hallqd: --http " << http << ": expected HOST:PORT (e.g. 127.0.0.1:8080) or off\n";
      return 2;
    }
    http_server_options.host = http.substr(0, colon);
    http_server_options.port = static_cast<std::uint16_t>(port);
  }

  std::vector<std::shared_ptr<const core::HallConfig>> halls;
  try {
    for (const std::string& f : conf_files) halls.push_back(config::load_hall_config(f));
  } catch (const config::ConfigError& e) {
    std::cerr << "hallqd: " << e.what() << "\n";
    return 2;
  }
  std::vector<std::string> warnings;
  if (std::string why = server::configure_curve(keys_file, engine_key_file, halls, server_options, &warnings);
      !why.empty()) {
    std::cerr << "hallqd: " << why << "\n";
    return 2;
  }
  for (const std::string& w : warnings) std::cerr << "hallqd: " << w << "\n";
  if (!time_start.empty()) {
    const auto day = time_start.size() == 16 && time_start[10] == ' ' && time_start[13] == ':'
                         ? core::parse_day(std::string_view(time_start).substr(0, 10))
                         : std::nullopt;
    int hour = -1, minute = -1;
    if (day) {
      hour = std::atoi(time_start.substr(11, 2).c_str());
      minute = std::atoi(time_start.substr(14, 2).c_str());
    }
    if (!day || server_options.time_scale <= 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
        !std::isdigit(static_cast<unsigned char>(time_start[11])) ||
        !std::isdigit(static_cast<unsigned char>(time_start[12])) ||
        !std::isdigit(static_cast<unsigned char>(time_start[14])) ||
        !std::isdigit(static_cast<unsigned char>(time_start[15]))) {
      std::cerr << "hallqd: --time-start " << time_start
                << ": expected \"YYYY-MM-DD HH:MM\" (a real date and time), and --time-scale\n";
      return 2;
    }
    server_options.time_start = halls.front()->day_start(*day) + (hour * 60 + minute) * core::kUsPerMinute;
  }
  if (server_options.time_scale < 0) {
    std::cerr << "hallqd: --time-scale must be positive\n";
    return 2;
  }
  if (server_options.time_scale > 0)
    std::cerr << "hallqd: simulated time at " << server_options.time_scale
              << "x (--time-scale): not for a real hall\n";
  std::optional<server::Accounts> accounts;
  std::optional<keys::PersonSalt> person_salt;
  try {
    if (!accounts_file.empty()) accounts = server::Accounts::load(accounts_file);
    if (!person_salt_file.empty()) person_salt = keys::PersonSalt::read_file(person_salt_file);
  } catch (const config::ConfigError& e) {
    std::cerr << "hallqd: " << e.what() << "\n";
    return 2;
  }
  // The halls this engine follows as a standby (--standby: all), and those it serves.
  std::vector<std::string> followed, owned;
  {
    std::vector<std::string> named;
    for (std::size_t at = 0; !standby_for.empty() && at <= standby_for.size();) {
      const std::size_t comma = std::min(standby_for.find(',', at), standby_for.size());
      named.push_back(standby_for.substr(at, comma - at));
      at = comma + 1;
    }
    for (const std::string& h : named) {
      if (std::none_of(halls.begin(), halls.end(), [&](const auto& c) { return c->id == h; })) {
        std::cerr << "hallqd: --standby-for: " << (h.empty() ? std::string("an empty hall id") : "hall " + h)
                  << " is not among the configured halls (--conf)\n";
        return 2;
      }
    }
    for (const auto& c : halls) {
      const bool follow = standby || std::find(named.begin(), named.end(), c->id) != named.end();
      (follow ? followed : owned).push_back(c->id);
    }
  }
  if (accounts) {
    for (const server::Account& a : accounts->all())
      for (const std::string& h : a.halls)
        if (std::none_of(halls.begin(), halls.end(), [&](const auto& c) { return c->id == h; })) {
          std::cerr << "hallqd: " << accounts_file << ": manager " << a.name << " names unknown hall " << h
                    << "\n";
          return 2;
        }
    http_server_options.allow_remote = true;
  }

  if (http_on) {
    boost::system::error_code ec;
    const bool loopback = http_server_options.host == "localhost" ||
                          (boost::asio::ip::make_address(http_server_options.host, ec).is_loopback() && !ec);
    if (metrics_access.empty()) metrics_access = loopback && metrics_token_file.empty() ? "open" : "login";
    if (metrics_access == "open" && (!loopback || !metrics_token_file.empty())) {
      std::cerr << "hallqd: --metrics open: only when HTTP listens on loopback and without a token\n";
      return 2;
    }
    http_options.metrics_need_login = metrics_access == "login";
    if (!metrics_token_file.empty()) {
      std::ifstream in(metrics_token_file);
      std::getline(in, http_options.metrics_token);
      while (!http_options.metrics_token.empty() &&
             std::isspace(static_cast<unsigned char>(http_options.metrics_token.back())))
        http_options.metrics_token.pop_back();
      if (http_options.metrics_token.size() < 16) {
        std::cerr << "hallqd: --metrics-token-file " << metrics_token_file
                  << ": the token must be at least 16 characters\n";
        return 2;
      }
    }
    if (http_options.metrics_need_login && !accounts && http_options.metrics_token.empty() && loopback) {
      std::cerr << "hallqd: --metrics login needs --accounts or --metrics-token-file\n";
      return 2;
    }
  }

  std::size_t map_size = map_size_gib << 30;
  if (map_limit_mib > 0) {
    engine_options.max_map_size = map_limit_mib << 20;
    map_size = std::min(map_size, engine_options.max_map_size);
  }
  // Every descriptor the system allows this process (the soft limit up to
  // the hard one); HTTP stays --fd-reserve below it.
  if (rlimit nofile{}; ::getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    if (nofile.rlim_cur < nofile.rlim_max) {
      const rlim_t was = nofile.rlim_cur;
      nofile.rlim_cur = nofile.rlim_max;
      if (::setrlimit(RLIMIT_NOFILE, &nofile) != 0) nofile.rlim_cur = was;
    }
    std::cerr << fmt::format(
        "hallqd: {} descriptors (RLIMIT_NOFILE); HTTP: at most {} connections, {} per "
        "address, {} descriptors kept free\n",
        nofile.rlim_cur, http_server_options.max_connections, http_server_options.max_per_address,
        http_server_options.fd_reserve);
  }
  // A file-size limit (ulimit -f) must look like a full disk, a refused
  // batch with EFBIG, not kill the engine with SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);

  try {
    store::EventStore store({.dir = data_dir, .map_size = map_size});
    server::Engine engine(halls, store, engine_options);
    boost::asio::io_context io(1);
    std::unique_ptr<server::Replicator> replicator;  // outlives the server, which holds it
    if (replication) {
      try {
        replicator = std::make_unique<server::Replicator>(*replication);
      } catch (const replicate::ReplicateError& e) {
        std::cerr << "hallqd: --replicate: " << e.what() << "\n";
        return 1;
      }
      server_options.replication = replicator.get();
      server_options.ack_replicated = ack_mode == "replicated";
    }
    server::Server server(io, engine, server_options);  // bound, not serving before start()
    std::unique_ptr<server::Standby> follower;          // --standby; stopped before the server
    if (replicator) {
      try {
        // Own the halls (advertising where clients reach this engine), then
        // republish what the stream lacks, before the first command.
        const std::string endpoint = advertise.empty() ? server.cmd_endpoint() : advertise;
        // The halls it serves: claimed, the store's events the stream lacks
        // republished. A hall another engine serves now (it took the hall
        // over, or was given it by hallq move-hall, while this engine was
        // down) is followed as a standby's instead, and so is one the stream
        // holds more of than the store (served elsewhere since): ready to be
        // taken back. A store that diverged from the stream (events that
        // never reached it, while another engine extended the hall) can
        // follow no more: that hall alone is refused, its diverged events
        // written aside and named.
        std::map<std::string, replicate::OwnerRecord> others = replicator->claim(owned, endpoint);
        std::vector<std::string> serving, following, refused;
        std::vector<std::pair<std::string, bool>> configured;  // hall, claimed (not a --standby[-for] hall)
        for (const std::string& id : owned) configured.emplace_back(id, true);
        for (const std::string& id : followed) configured.emplace_back(id, false);
        for (auto [id, claimed] : configured) {
          std::optional<replicate::OwnerRecord> other;
          if (claimed) {
            if (const auto it = others.find(id); it != others.end()) other = it->second;
          } else {
            other = replicator->live_owner(id);
          }
          const server::StoreVsStream s =
              claimed && replicator->reclaimed(id)
                  ? server::compare_with_stream_of_own(replicator->connection(), replication->stream.name,
                                                       store, id, replicator->start_deadline())
                  : server::compare_with_stream(replicator->connection(), replication->stream.name, store, id,
                                                replicator->start_deadline());
          if (!claimed && !other && s.standing == server::Standing::kAhead) {
            // A standby that served the hall and was stopped before the
            // stream had all of it, and no engine serves the hall now: the
            // store is its outbox, so this engine serves it, republishing.
            std::map<std::string, replicate::OwnerRecord> lost = replicator->claim({id}, endpoint);
            if (lost.empty()) {
              std::cerr << fmt::format(
                  "hallqd: hall {}: this store holds seq {}-{} the events stream lacks and no engine serves "
                  "it: serving it (republishing them) rather than standing by\n",
                  id, s.stream_last + 1, s.store_last);
              serving.push_back(id);
              continue;
            }
            other = lost.begin()->second;
            claimed = true;  // tried: its entry is another engine's
          }
          const bool diverged =
              s.standing == server::Standing::kForked || (other && s.standing == server::Standing::kAhead);
          const std::string owner_text =
              !other ? std::string("no engine now")
              : other->endpoint.empty()
                  ? "engine " + other->engine
                  : fmt::format("engine {} (endpoint {})", other->engine, other->endpoint);
          if (diverged) {
            const std::string file =
                server::keep_diverged(store, id, s.common, s.store_last, data_dir + "/diverged");
            std::cerr << fmt::format(
                "hallqd: hall {} is served by {}, and this store diverged from the events stream: its seq "
                "{}-{} never reached the stream, {} (an engine stopped before its last events were "
                "published, then taken over). Kept in this store and written to {} (and .txt); this "
                "engine neither serves nor follows hall {} (its commands refused not_owner). To follow it "
                "again, start this engine on a data dir without hall {}.\n",
                id, owner_text, s.common + 1, s.store_last,
                s.stream_last > s.common
                    ? fmt::format("which holds seq {}-{} of another history", s.common + 1, s.stream_last)
                    : fmt::format("which the serving engine extends from seq {} with events of its own",
                                  s.common + 1),
                file, id, id);
            replicator->refuse_hall(
                id,
                fmt::format("本机记录的第 {}-{} 号事件未进入事件流，已另存，本机不再受理此大厅", s.common + 1,
                            s.store_last),
                other.value_or(replicate::OwnerRecord{}));
            engine.set_following(id, true);  // not ticked either
            refused.push_back(id);
          } else if (!claimed) {
            following.push_back(id);  // --standby, --standby-for: as configured
          } else if (other) {
            std::cerr << fmt::format("hallqd: hall {} is served by {}: following it as a standby\n", id,
                                     owner_text);
            following.push_back(id);
          } else if (s.standing == server::Standing::kBehind) {
            std::cerr << fmt::format(
                "hallqd: hall {}: the events stream holds it up to seq {}, this store up to {} (another "
                "engine served it since): following it from the stream, serving it once caught up\n",
                id, s.stream_last, s.store_last);
            replicator->follow_instead(id);
            following.push_back(id);
          } else {
            serving.push_back(id);
          }
        }
        if (serving.empty() && following.empty())
          throw replicate::ReplicateError(
              fmt::format("this engine can neither serve nor follow any of its halls ({}): see above",
                          fmt::join(refused, ",")));
        followed = following;
        owned = serving;
        replicator->catch_up(store, owned);
        // Readers of the stream (the city view) fold each hall from here;
        // they need counts, not the citizens' phones and ID hashes.
        std::vector<std::pair<std::string, std::string>> snapshots;
        for (const std::string& id : owned)
          snapshots.emplace_back(id, protocol::encode_snapshot(*engine.hall(id), engine.epoch(), false,
                                                               protocol::PersonalData::kWithhold));
        if (!snapshots.empty()) {
          for (const std::string& error : replicator->put_snapshots(snapshots))
            std::cerr << "hallqd: --replicate: the city view cannot follow this hall until the next start: "
                      << error << "\n";
        }
        // The halls it stands by for: followed, each taken over once its
        // owner's lease lapses; and those it will lose while it runs
        // (followed back). A follower always, with no hall to begin with.
        follower = std::make_unique<server::Standby>(
            replicator->connection(), engine, server,
            [&io](std::function<void()> f) { boost::asio::post(io, std::move(f)); }, store, followed,
            // Waits on the replicator's lease thread: bounded well inside the
            // lease of the halls it holds (not caught up: tried again
            // at the next look, a quarter lease later).
            server::StandbyOptions{.catch_up_limit = std::chrono::milliseconds(lease_ms / 2)});
        const auto take_over = [&follower](const std::string& hall, std::uint64_t last, std::string* why,
                                           std::string* snapshot) {
          return follower->take_over(hall, last, why, snapshot);
        };
        if (!followed.empty()) {
          follower->check_store(store, replication->startup_limit);
          replicator->stand_by(followed, take_over);
        }
        // A hall lost while running: the engine's thread stops it (no ticks)
        // and tells its last sequence; followed if the store is a prefix of
        // the stream, else its diverged events are written aside and named.
        replicator->on_follow_back(
            [&io, &engine, &server, &store, &follower, &replicator, stream = replication->stream.name,
             dir = data_dir + "/diverged", lease_ms](const std::string& hall, std::string* why) {
              auto done = std::make_shared<std::promise<std::uint64_t>>();
              std::future<std::uint64_t> told = done->get_future();
              boost::asio::post(io, [&engine, &server, hall, done] {
                engine.set_following(hall, true);
                server.settle();  // the halls in memory equal the store
                const core::Hall* h = engine.hall(hall);
                done->set_value(h != nullptr ? h->seq() : 0);
              });
              if (told.wait_for(std::chrono::seconds(1)) != std::future_status::ready) {
                *why = "the engine's thread did not stop the hall in time";
                return false;
              }
              const std::uint64_t last = told.get();
              try {
                const server::StoreVsStream s = server::compare_with_stream(
                    replicator->connection(), stream, store, hall,
                    std::chrono::steady_clock::now() + std::chrono::milliseconds(lease_ms / 2), last);
                if (s.standing == server::Standing::kEqual || s.standing == server::Standing::kBehind) {
                  follower->follow(hall, last);
                  return true;
                }
                const std::string file = server::keep_diverged(store, hall, s.common, last, dir);
                *why = fmt::format(
                    "this store diverged from the events stream: its seq {}-{} never reached it (kept in "
                    "this "
                    "store and written to {}, and .txt)",
                    s.common + 1, last, file);
              } catch (const std::exception& e) {
                *why = e.what();
              }
              return false;
            },
            take_over);
      } catch (const replicate::ReplicateError& e) {
        std::cerr << "hallqd: --replicate: " << e.what() << "\n";
        return 1;
      }
      // hallq move-hall: the engine's thread stops the hall (no ticks) and
      // tells its last sequence, or serves it again if the move failed.
      replicator->on_hand_over(
          [&io, &engine](const std::string& hall, bool stop) -> std::optional<std::uint64_t> {
            auto done = std::make_shared<std::promise<std::uint64_t>>();
            std::future<std::uint64_t> told = done->get_future();
            boost::asio::post(io, [&engine, hall, stop, done] {
              engine.set_following(hall, stop);
              const core::Hall* h = engine.hall(hall);
              done->set_value(h != nullptr ? h->seq() : 0);
            });
            if (told.wait_for(std::chrono::seconds(1)) != std::future_status::ready) return std::nullopt;
            return told.get();
          });
      replicator->start();
      // --ack replicated: the server hands each batch over itself, before its replies.
      if (!server_options.ack_replicated)
        server.on_publish(
            [&replicator](const std::vector<server::Publication>& pubs) { replicator->enqueue(pubs); });
      http_options.extra_metrics = [&replicator, &follower] {
        std::string text = replicator->metrics_text();
        if (follower) text += follower->metrics_text();  // a standby's halls (none: the families alone)
        return text;
      };
      std::cerr << "hallqd: replicating to " << replicate_urls << " as engine " << engine_id << " (--ack "
                << ack_mode
                << (followed.empty() ? ""
                    : owned.empty()  ? ", standby"
                                     : fmt::format(", standby for {}", fmt::join(followed, ",")))
                << ")\n";
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      server.stop();
      io.stop();  // the HTTP server's connections end with the io_context
    });
    server.start();
    if (follower) follower->start();
    http_options.accounts = accounts ? &*accounts : nullptr;
    http_options.person_salt = person_salt ? &*person_salt : nullptr;
    http_options.post = [&io](std::function<void()> f) { boost::asio::post(io, std::move(f)); };
    server::use_store(http_options, store, server, halls);
    server::HttpApi api(engine, server, http_options);
    std::unique_ptr<server::HttpServer> http_server;
    std::string http_bound = "off";
    if (http_on) {
      try {
        http_server = std::make_unique<server::HttpServer>(io, api, server, http_server_options);
      } catch (const std::invalid_argument& e) {
        std::cerr << "hallqd: " << e.what() << "\n";
        return 2;
      }
      http_server->start();
      http_bound = fmt::format("{}:{}", http_server_options.host, http_server->port());
    }
    std::cout << fmt::format("hallqd ready cmd={} pub={} http={} halls={} data={}", server.cmd_endpoint(),
                             server.pub_endpoint(), http_bound, fmt::join(engine.hall_ids(), ","), data_dir)
              << std::endl;
    io.run();
    if (http_server) http_server->stop();
    engine.checkpoint();
    // Hand the halls over: what is committed goes out (bounded), then the
    // leases end so another engine may serve them at once.
    if (replicator) replicator->release(store, std::chrono::seconds(2));
    const auto& c = engine.counters();
    std::cout << fmt::format("hallqd stopped: {} requests, {} accepted, {} refused, {} malformed, {} batches",
                             c.requests, c.accepted, c.refused, c.malformed, c.batches)
              << std::endl;
    if (server_options.keys) {
      const auto sc = server.security_counters();
      std::cout << fmt::format(
                       "hallqd security: {} forbidden, {} handshakes refused, {} subscriptions refused",
                       sc.forbidden, sc.refused_handshakes, server.edge_counters().subscriptions_refused)
                << std::endl;
    }
    return 0;
  } catch (const zmq::error_t& e) {
    std::cerr << "hallqd: cannot listen: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "hallqd: " << e.what() << "\n";
    return 1;
  }
}
