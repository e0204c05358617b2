// Fuzz target "http": the bytes a browser or script sends on one connection
// to hallqd's HTTP port, through what the engine does with them: the
// request reader (engine/server/http_request_parse.h: Boost.Beast's parser
// with the server's body and header limits, chunked bodies, pipelining) and
// HttpApi (routing, query strings, JSON bodies, logins, sessions, CSRF,
// Idempotency-Key) over a real Engine on a real LMDB store, with actions
// committed through a real Server's group commit (Server::submit, as in
// production: the io_context is run until the reply arrives).
//
// Input: byte 0 holds flags (bit 0: the API with managers' accounts, else the
// open loopback API; bits 1-6: a fragment size for the reader check below),
// the rest is the connection's bytes: at most kMaxRequests requests are
// answered. In those bytes {sa} and {ca} stand for the logged-in admin's
// session id and CSRF token, {sv} and {cv} for the viewer's (the harness logs
// both in), so that inputs reach what only a session may do.
//
// Properties checked besides "no crash, no sanitizer report":
//  - the reader gives the same requests and the same refusal whether the
//    bytes arrive at once or in fragments (but for a bad start line in a
//    header that never completes, see below);
//  - every response has a status in 200..599; a 4xx/5xx one is JSON with a
//    non-empty "error" and "message"; a JSON 2xx one is valid JSON;
//  - a request answered >= 400 changes nothing (every hall's committed seq
//    is unchanged);
//  - the reply is called exactly once; no exception escapes.
//
// State: the store, engine, server and APIs (a "world") are built in a temp
// dir created once per process and rebuilt from scratch every
// kInputsPerWorld (10,000) inputs, which bounds the disk and memory that accepted
// actions and audit records add (an LMDB store without fsync, 256 MiB map;
// at most kAuditKept audit records are stored per world).
// Within a world an input sees what earlier inputs committed (windows
// opened, notices set): a crash that needs such state reproduces when the
// inputs before it are replayed (libFuzzer's -runs on the corpus, or the
// regression runner); most reproduce from their file alone, as each world
// starts with the same mid-day state. The API's clock is the wall clock.
//
// Logins: the harness's accounts have Argon2id hashes at the minimum cost,
// so their checks are fast. A login naming any other user is checked by
// HttpApi against a dummy hash at the production cost (~0.1 s, 64 MiB): the
// libFuzzer binary skips such requests (HALLQ_FUZZ_SKIP_SLOW_LOGINS), the
// regression runner runs them.
#include <fmt/format.h>
#include <sodium.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/command.h"
#include "engine/protocol/request_codec.h"
#include "engine/server/accounts.h"
#include "engine/server/engine.h"
#include "engine/server/http_api.h"
#include "engine/server/http_request_parse.h"
#include "engine/server/http_server.h"
#include "engine/server/http_store.h"
#include "engine/server/server.h"
#include "engine/store/event_store.h"
#include "fuzz/fuzz_halls.h"

namespace {

using namespace hallq;
using server::HttpRequest;
using server::HttpRequestReader;
using server::HttpResponse;
using server::ParsedHttpRequest;
using json = nlohmann::json;

constexpr std::size_t kMaxRequests = 4;  // fewer than the 5 failed logins that lock an account out
constexpr std::uint64_t kInputsPerWorld = 10'000;
constexpr auto kReplyDeadline = std::chrono::seconds(10);
// A world's store keeps its first kAuditKept audit records besides the
// actions' (later ones are made as in production and dropped; an action's
// goes with its commit): GET /api/audit, which reads and
// re-parses up to 1,000 of them, would otherwise slow down as a world ages
// (with 256 kept it still took a sixth of the time).
constexpr std::uint64_t kAuditKept = 64;

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "http_fuzz: property failed: %s\n", why.c_str());
  std::abort();  // libFuzzer records the input
}

void check(bool ok, const std::string& why) {
  if (!ok) fail(why);
}

struct User {
  const char* name;
  const char* password;
  const char* session_token;  // placeholder in inputs
  const char* csrf_token;
  std::string session, csrf;  // current values
};

std::string fast_hash(const char* password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password, std::strlen(password), crypto_pwhash_argon2id_OPSLIMIT_MIN,
                            crypto_pwhash_argon2id_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) != 0)
    fail("crypto_pwhash_str_alg");
  return out;
}

// The process's fixed part: halls, accounts, the temp dir.
struct Process {
  std::filesystem::path dir;
  std::vector<std::shared_ptr<const core::HallConfig>> halls;
  std::optional<server::Accounts> accounts;
  std::vector<User> users = {{"admin", "pw-admin", "{sa}", "{ca}", {}, {}},
                             {"viewer", "pw-viewer", "{sv}", "{cv}", {}, {}}};
  std::uint64_t worlds = 0;
  const bool verbose = std::getenv("HALLQ_FUZZ_VERBOSE") != nullptr;  // each request and answer on stderr

  Process() {
    if (sodium_init() < 0) fail("sodium_init");
    char templ[] = "/tmp/hallq-http-fuzz-XXXXXX";
    if (mkdtemp(templ) == nullptr) fail("mkdtemp");
    dir = templ;
    halls = {fuzz::sample_config_ptr(0), fuzz::sample_config_ptr(1)};  // town, district
    const std::string text = fmt::format(
        "[[manager]]\nname = \"admin\"\nrole = \"admin\"\npassword_hash = \"{}\"\n\n"
        "[[manager]]\nname = \"viewer\"\nrole = \"viewer\"\nhalls = [\"town\"]\npassword_hash = \"{}\"\n",
        fast_hash("pw-admin"), fast_hash("pw-viewer"));
    accounts = server::Accounts::parse(text, "fuzz-accounts.toml");
  }
  ~Process() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

Process& process() {
  static Process p;
  return p;
}

// One store + engine + server + the two APIs, in a directory of its own.
struct World {
  std::filesystem::path dir;
  boost::asio::io_context io{1};
  std::unique_ptr<store::EventStore> store;
  std::unique_ptr<server::Engine> engine;
  std::unique_ptr<server::Server> server;
  std::unique_ptr<server::HttpApi> open_api, auth_api;
  std::uint64_t inputs = 0;
  std::uint64_t audit_records = 0;

  explicit World(Process& p) : dir(p.dir / fmt::format("world-{}", p.worlds++)) {
    store = std::make_unique<store::EventStore>(
        store::StoreOptions{.dir = dir.string(), .map_size = 256ull << 20, .durable = false});
    engine = std::make_unique<server::Engine>(p.halls, *store, server::EngineOptions{.advise_every = 0});
    server = std::make_unique<server::Server>(
        io, *engine,
        server::ServerOptions{
            .cmd_endpoint = "tcp://127.0.0.1:*",
            .pub_endpoint = "tcp://127.0.0.1:*",
            .heartbeat_ms = 3'600'000});  // no tick during a run: seq moves only by requests
    server->start();
    server::HttpApiOptions options;
    options.web_root = std::string(HALLQ_SOURCE_DIR) + "/displays/web/site";
    options.chart_js = std::string(HALLQ_SOURCE_DIR) + "/displays/web/site/dashboard.js";
    options.post = [this](std::function<void()> f) { boost::asio::post(io, std::move(f)); };
    server::use_store(options, *store, *server, p.halls);
    // At most kAuditKept records per world (a world lives for 10,000 inputs).
    options.audit = [this, append = options.audit](std::string record,
                                                   std::function<void(const std::string&)> done) {
      if (audit_records++ < kAuditKept) return append(std::move(record), std::move(done));
      done("");
    };
    open_api = std::make_unique<server::HttpApi>(*engine, *server, options);
    options.accounts = &*p.accounts;
    auth_api = std::make_unique<server::HttpApi>(*engine, *server, options);
    mid_day(p);
    for (User& u : p.users) login(u);
  }

  ~World() {
    auth_api.reset();
    open_api.reset();
    server->stop();
    server.reset();
    engine.reset();
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  // Runs the io_context until `done`; a reply that never comes is a failure.
  void run_until(const bool& done) {
    const auto deadline = std::chrono::steady_clock::now() + kReplyDeadline;
    while (!done) {
      io.run_one_for(std::chrono::milliseconds(100));
      check(std::chrono::steady_clock::now() < deadline, "no reply within 10 s");
    }
    io.poll();  // anything already due (a second reply would show below)
  }

  HttpResponse ask(server::HttpApi& api, const HttpRequest& req) {
    bool done = false;
    int calls = 0;
    HttpResponse res;
    api.handle(req, [&](HttpResponse r) {
      ++calls;
      done = true;
      res = std::move(r);
    });
    run_until(done);
    check(calls == 1, "reply called more than once");
    return res;
  }

  // The same state every world starts from: windows open, citizens waiting,
  // one called (whatever the wall clock says, the commands are the same).
  void mid_day(const Process& p) {
    int pending = 0, n = 0;
    auto submit = [&](const std::string& hall, core::CommandBody body) {
      ++pending;
      server->submit(protocol::encode_request(fmt::format("fuzz-setup-{}", n++), hall, std::move(body)),
                     [&pending](const std::string&) { --pending; });
    };
    for (const auto& cfg : p.halls) {
      const std::string staff = cfg->staff.empty() ? std::string() : cfg->staff.front().id;
      submit(cfg->id, core::OpenWindow{cfg->windows[0].id, staff});
      if (cfg->windows.size() > 1) submit(cfg->id, core::OpenWindow{cfg->windows[1].id, ""});
      for (std::size_t k = 0; k < 6; ++k)
        submit(cfg->id, core::IssueTicket{cfg->services[k % cfg->services.size()].id,
                                          k == 4 ? core::Priority::kPriority : core::Priority::kNormal});
      submit(cfg->id, core::CallNext{cfg->windows[0].id});
    }
    const auto deadline = std::chrono::steady_clock::now() + kReplyDeadline;
    while (pending > 0) {
      io.run_one_for(std::chrono::milliseconds(100));
      check(std::chrono::steady_clock::now() < deadline, "setup: no reply within 10 s");
    }
  }

  void login(User& u) {
    HttpRequest req;
    req.method = "POST";
    req.target = "/api/login";
    req.body = json{{"user", u.name}, {"password", u.password}}.dump();
    req.content_type = "application/json";
    req.peer = "127.0.0.1";
    const HttpResponse r = ask(*auth_api, req);
    check(r.status == 200, fmt::format("harness login of {}: {} {}", u.name, r.status, r.body));
    const json j = json::parse(r.body);
    const std::size_t eq = r.set_cookie.find('='), semi = r.set_cookie.find(';');
    u.session = r.set_cookie.substr(eq + 1, semi - eq - 1);
    u.csrf = j.at("csrf").get<std::string>();
  }

  void logout(const User& u) {
    HttpRequest req;
    req.method = "POST";
    req.target = "/api/logout";
    req.cookie = "hallq_session=" + u.session;
    (void)ask(*auth_api, req);
  }

  bool session_alive(const User& u) {
    HttpRequest req;
    req.method = "GET";
    req.target = "/api/session";
    req.cookie = "hallq_session=" + u.session;
    return ask(*auth_api, req).status == 200;
  }
};

std::unique_ptr<World>& world() {
  static std::unique_ptr<World> w;
  return w;
}

std::string substitute(std::string bytes, const std::vector<User>& users) {
  for (const User& u : users) {
    for (const auto& [token, value] :
         {std::pair{u.session_token, &u.session}, std::pair{u.csrf_token, &u.csrf}}) {
      const std::string_view t(token);
      for (std::size_t at = bytes.find(t); at != std::string::npos; at = bytes.find(t, at + value->size()))
        bytes.replace(at, t.size(), *value);
    }
  }
  return bytes;
}

// What the reader made of the bytes: the requests, then a refusal or not.
struct ReadOutcome {
  std::vector<ParsedHttpRequest> requests;
  std::optional<HttpResponse> refusal;
};

bool same(const ParsedHttpRequest& a, const ParsedHttpRequest& b) {
  const HttpRequest &x = a.request, &y = b.request;
  return x.method == y.method && x.target == y.target && x.body == y.body &&
         x.idempotency_key == y.idempotency_key && x.cookie == y.cookie && x.csrf_token == y.csrf_token &&
         x.origin == y.origin && x.host == y.host && a.version == b.version && a.keep_alive == b.keep_alive &&
         a.head == b.head && a.websocket_upgrade == b.websocket_upgrade && a.raw_header == b.raw_header;
}

// Feeds `bytes` as the session does (http_server.cc): what is buffered first,
// each complete request taken and the reader reset for the next, arriving
// `fragment` bytes at a time (0: all at once).
ReadOutcome read_connection(std::string_view bytes, std::size_t fragment) {
  ReadOutcome out;
  HttpRequestReader reader(server::HttpServerOptions{}.max_body);
  std::string buffer;
  std::size_t next = 0;
  while (true) {
    while (!buffer.empty()) {
      buffer.erase(0, reader.feed(buffer));
      if (reader.state() == HttpRequestReader::State::kRefused) {
        out.refusal = reader.refusal();
        return out;
      }
      if (reader.state() == HttpRequestReader::State::kNeedMore) break;
      out.requests.push_back(reader.take());
      if (out.requests.size() == kMaxRequests) return out;
      reader.reset();
    }
    if (next >= bytes.size()) return out;
    const std::size_t n = fragment == 0 ? bytes.size() : fragment;
    buffer.append(bytes.substr(next, n));
    next += n;
  }
}

void check_error_body(const HttpResponse& r, const std::string& what) {
  check(r.content_type.rfind("application/json", 0) == 0,
        what + ": error without a JSON type: " + r.content_type);
  const json j = json::parse(r.body, nullptr, false);
  check(j.is_object() && j.contains("error") && j["error"].is_string() &&
            !j["error"].get<std::string>().empty() && j.contains("message") && j["message"].is_string() &&
            !j["message"].get<std::string>().empty(),
        what + ": error body without error and message: " + r.body);
}

// A login the API would check against its dummy hash at production cost.
bool slow_login(const HttpRequest& req, const std::vector<User>& users) {
  if (req.method != "POST" || req.body.find("password") == std::string::npos) return false;
  const json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("user") || !body["user"].is_string() ||
      !body.contains("password") || !body["password"].is_string())
    return false;
  const std::string user = body["user"];
  for (const User& u : users)
    if (user == u.name) return false;
  return true;
}

// Whether `req` may be a login of `u` (a failed one counts towards a lockout).
bool names_user(const HttpRequest& req, const User& u) {
  if (req.method != "POST") return false;
  const json body = json::parse(req.body, nullptr, false);
  return req.body.find(u.name) != std::string::npos ||
         (body.is_object() && body.contains("user") && body["user"].is_string() && body["user"] == u.name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  Process& p = process();
  std::unique_ptr<World>& w = world();
  if (!w || w->inputs >= kInputsPerWorld) {
    w.reset();
    w = std::make_unique<World>(p);
  }
  ++w->inputs;
  const bool auth = data[0] & 1;
  const std::size_t fragment = (data[0] >> 1) & 0x3F;
  const std::string bytes =
      substitute(std::string(reinterpret_cast<const char*>(data + 1), size - 1), p.users);

  try {
    const ReadOutcome whole = read_connection(bytes, 0);
    if (fragment != 0) {
      const ReadOutcome pieces = read_connection(bytes, fragment);
      check(pieces.requests.size() == whole.requests.size(), "fragments give another number of requests");
      for (std::size_t i = 0; i < whole.requests.size(); ++i)
        check(same(pieces.requests[i], whole.requests[i]),
              fmt::format("fragments give another request {}", i));
      // Two tolerated differences, both about when a syntax error (400) is
      // seen: Beast looks at a start line before the whole header is in
      // only the first time (basic_parser::maybe_need_more), so a bad start
      // line in a header that never completes is refused at once or never,
      // depending on the first read; and a syntax error late in an over-long
      // chunk line is seen only if the line arrives whole, else the framing
      // limit (431) comes first. Otherwise both refuse alike.
      if (pieces.refusal && whole.refusal)
        check((pieces.refusal->status == whole.refusal->status &&
               pieces.refusal->body == whole.refusal->body) ||
                  (pieces.refusal->status != whole.refusal->status &&
                   (pieces.refusal->status == 400 || whole.refusal->status == 400)),
              fmt::format("fragments give another refusal: {} instead of {}", pieces.refusal->body,
                          whole.refusal->body));
      else if (pieces.refusal || whole.refusal)
        check((whole.refusal ? *whole.refusal : *pieces.refusal).status == 400,
              "only one of whole and fragments refuses, for a limit");
    }
    if (whole.refusal) {
      if (p.verbose)
        std::fprintf(stderr, "refused: %d %s\n", whole.refusal->status, whole.refusal->body.c_str());
      const int s = whole.refusal->status;
      check(s == 400 || s == 413 || s == 431, fmt::format("reader refusal with status {}", s));
      check_error_body(*whole.refusal, "reader refusal");
    }

    server::HttpApi& api = auth ? *w->auth_api : *w->open_api;
    std::vector<bool> relogin(p.users.size(), false);
    bool posted = false;  // only a POST can end a session (logout) or fail a login
    for (const ParsedHttpRequest& parsed : whole.requests) {
      HttpRequest req = parsed.request;
      req.peer = "127.0.0.1";
#ifdef HALLQ_FUZZ_SKIP_SLOW_LOGINS
      if (auth && slow_login(req, p.users)) continue;
#else
      (void)slow_login;
#endif
      posted = posted || req.method == "POST";
      for (std::size_t i = 0; i < p.users.size(); ++i)
        relogin[i] = relogin[i] || (auth && names_user(req, p.users[i]));
      if (parsed.websocket_upgrade) {
        // The session answers an upgrade itself (http_server.cc): with what
        // the API says of the hall named in the query.
        const std::size_t at = req.target.find("hall=");
        const std::string hall =
            at == std::string::npos ? "" : req.target.substr(at + 5, req.target.find('&', at) - at - 5);
        const std::string live = api.live_message(hall);
        check(live.empty() == (w->engine->hall(hall) == nullptr), "live_message for hall " + hall);
        if (!live.empty())
          check(!json::parse(live, nullptr, false).is_discarded(), "live_message is not JSON");
        HttpRequest probe;
        probe.cookie = req.cookie;
        (void)api.live_status(probe, hall);
        continue;
      }
      std::vector<core::Seq> before;
      for (const auto& cfg : p.halls) before.push_back(w->engine->hall(cfg->id)->seq());
      const HttpResponse r = w->ask(api, req);
      const std::string what = fmt::format("{} {}", req.method, req.target);
      if (p.verbose) std::fprintf(stderr, "%s -> %d %.200s\n", what.c_str(), r.status, r.body.c_str());
      check(r.status >= 200 && r.status <= 599, fmt::format("{}: status {}", what, r.status));
      if (r.status >= 400) {
        check_error_body(r, what);
        for (std::size_t i = 0; i < p.halls.size(); ++i)
          check(w->engine->hall(p.halls[i]->id)->seq() == before[i],
                fmt::format("{}: answered {} {} but hall {} moved from seq {} to {}", what, r.status, r.body,
                            p.halls[i]->id, before[i], w->engine->hall(p.halls[i]->id)->seq()));
      } else if (r.content_type.rfind("application/json", 0) == 0) {
        check(json::accept(r.body), what + ": 2xx JSON that does not parse");
      }
    }
    // Keep the harness's sessions alive (an input may log one out) and its
    // accounts unlocked: a failed login of theirs is reset by a good one.
    if (auth && posted) {
      for (std::size_t i = 0; i < p.users.size(); ++i) {
        const bool alive = w->session_alive(p.users[i]);
        if (alive && !relogin[i]) continue;
        if (alive) w->logout(p.users[i]);
        w->login(p.users[i]);
      }
    }
  } catch (const std::exception& e) {
    fail(std::string("exception escaped: ") + e.what());
  }
  return 0;
}
