// The connection: options from a credentials file and a URL list, reconnect
// forever with a doubling delay, one JetStream context.
#include "engine/replicate/nats_connection.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace hallq::replicate {
namespace {

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// Thread-local detail of the last failed nats.c call, if it says more than the status.
std::string last_error_detail(natsStatus s) {
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  if (text == nullptr || *text == '\0' || last != s) return {};
  return text;
}

int64_t reconnect_delay(natsConnection*, int attempts, void* closure) {
  const auto* o = static_cast<const NatsConnection::Options*>(closure);
  int64_t ms = o->reconnect_delay.count();
  for (int i = 1; i < attempts && ms < o->max_reconnect_delay.count(); ++i) ms *= 2;
  return std::min<int64_t>(ms, o->max_reconnect_delay.count());
}

void check(natsStatus s, const std::string& what) {
  if (s != NATS_OK) throw ReplicateError(fmt::format("{}: {}", what, natsStatus_GetText(s)));
}

}  // namespace

bool transient_status(natsStatus s, jsErrCode js_error) {
  switch (js_error) {
    case JSClusterNoPeersErr:
    case JSClusterNotAvailErr:
    case JSClusterNotLeaderErr:
    case JSStreamOfflineErr:
      return true;
    default:
      break;
  }
  switch (s) {
    case NATS_TIMEOUT:
    case NATS_NO_RESPONDERS:
    case NATS_NO_SERVER:
    case NATS_NOT_YET_CONNECTED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_IO_ERROR:
      return true;
    default:
      return false;
  }
}

NatsCredentials read_credentials(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ReplicateError(fmt::format("NATS credentials file {}: cannot be read", path));
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  NatsCredentials c;
  c.path = path;
  if (text.find("-----BEGIN NATS USER JWT-----") != std::string::npos) {
    c.kind = NatsCredentials::Kind::kCredsFile;
    return c;
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("SU", 0) == 0 && line.find(':') == std::string::npos) {
      c.kind = NatsCredentials::Kind::kNkeySeed;
      return c;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == line.size()) break;
    c.kind = NatsCredentials::Kind::kUserPassword;
    c.user = line.substr(0, colon);
    c.password = line.substr(colon + 1);
    return c;
  }
  throw ReplicateError(fmt::format(
      "NATS credentials file {}: expected USER:PASSWORD, a .creds file or an nkey seed (SU...)", path));
}

std::vector<std::string> split_urls(const std::string& list) {
  std::vector<std::string> urls;
  std::istringstream in(list);
  std::string u;
  while (std::getline(in, u, ',')) {
    u = trim(u);
    if (u.empty()) continue;
    const bool scheme = u.rfind("nats://", 0) == 0 || u.rfind("tls://", 0) == 0;
    const auto colon = u.rfind(':');
    const bool port =
        colon != std::string::npos && colon + 1 < u.size() && u.find("//") < colon &&
        std::all_of(u.begin() + colon + 1, u.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!scheme || !port) throw ReplicateError(fmt::format("NATS URL \"{}\": expected nats://HOST:PORT", u));
    urls.push_back(u);
  }
  if (urls.empty()) throw ReplicateError("no NATS URL given (expected nats://HOST:PORT[,...])");
  return urls;
}

NatsConnection::NatsConnection(Options options) : options_(std::move(options)) {
  if (options_.urls.empty()) throw ReplicateError("no NATS URL given");
  const std::string urls = fmt::format("{}", fmt::join(options_.urls, ","));
  try {
    check(natsOptions_Create(&opts_), "NATS options");
    std::vector<const char*> servers;
    for (const std::string& u : options_.urls) servers.push_back(u.c_str());
    check(natsOptions_SetServers(opts_, servers.data(), static_cast<int>(servers.size())), "NATS " + urls);
    check(natsOptions_SetName(opts_, options_.name.c_str()), "NATS name");
    check(natsOptions_SetTimeout(opts_, options_.request_timeout.count()), "NATS timeout");
    check(natsOptions_SetMaxReconnect(opts_, -1), "NATS reconnect");
    check(natsOptions_SetCustomReconnectDelay(opts_, reconnect_delay, &options_), "NATS reconnect delay");
    // A killed server closes its sockets; a partitioned one is noticed by pings.
    check(natsOptions_SetPingInterval(opts_, 2000), "NATS ping");
    check(natsOptions_SetMaxPingsOut(opts_, 2), "NATS ping");
    if (!options_.credentials_file.empty()) {
      const NatsCredentials c = read_credentials(options_.credentials_file);
      switch (c.kind) {
        case NatsCredentials::Kind::kUserPassword:
          check(natsOptions_SetUserInfo(opts_, c.user.c_str(), c.password.c_str()), "NATS user");
          break;
        case NatsCredentials::Kind::kCredsFile:
          check(natsOptions_SetUserCredentialsFromFiles(opts_, c.path.c_str(), nullptr),
                "NATS credentials " + c.path);
          break;
        case NatsCredentials::Kind::kNkeySeed: {
          // The public key is derived from the seed by the server's challenge
          // signature; nats.c needs it too: read it from the seed file's
          // companion "<file>.pub" if present, else the connection fails clearly.
          std::ifstream pub(c.path + ".pub");
          std::string pk;
          if (!(pub >> pk)) {
            throw ReplicateError(
                fmt::format("NATS nkey seed {}: the public key {}.pub is missing", c.path, c.path));
          }
          check(natsOptions_SetNKeyFromSeed(opts_, pk.c_str(), c.path.c_str()), "NATS nkey " + c.path);
          break;
        }
        case NatsCredentials::Kind::kNone:
          break;
      }
    }
    const natsStatus s = natsConnection_Connect(&nc_, opts_);
    if (s != NATS_OK) {
      const std::string detail = last_error_detail(s);
      throw ReplicateError(fmt::format("NATS {}: cannot connect: {}{}{}", urls, natsStatus_GetText(s),
                                       detail.empty() ? "" : ": ", detail),
                           transient_status(s));
    }
    jsOptions jo;
    check(jsOptions_Init(&jo), "JetStream options");
    jo.Wait = options_.request_timeout.count();
    check(natsConnection_JetStream(&js_, nc_, &jo), "NATS " + urls + ": JetStream context");
  } catch (...) {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
    if (opts_ != nullptr) natsOptions_Destroy(opts_);
    throw;
  }
}

NatsConnection::~NatsConnection() {
  jsCtx_Destroy(js_);
  natsConnection_Close(nc_);
  natsConnection_Destroy(nc_);
  natsOptions_Destroy(opts_);
}

bool NatsConnection::connected() const { return natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED; }

std::uint64_t NatsConnection::reconnects() const {
  natsStatistics* stats = nullptr;
  std::uint64_t n = 0;
  if (natsStatistics_Create(&stats) == NATS_OK && natsConnection_GetStats(nc_, stats) == NATS_OK)
    natsStatistics_GetCounts(stats, nullptr, nullptr, nullptr, nullptr, &n);
  natsStatistics_Destroy(stats);
  return n;
}

std::string NatsConnection::url() const {
  char buf[512] = {0};
  if (natsConnection_GetConnectedUrl(nc_, buf, sizeof buf) == NATS_OK && buf[0] != '\0') return buf;
  return fmt::format("{}", fmt::join(options_.urls, ","));
}

std::string NatsConnection::describe(natsStatus s, jsErrCode js_error) const {
  std::string out = fmt::format("NATS {}: {}", url(), natsStatus_GetText(s));
  if (js_error != 0) out += fmt::format(" (JetStream error {})", static_cast<int>(js_error));
  std::string detail = last_error_detail(s);
  const char* conn_error = nullptr;
  // A permissions violation arrives asynchronously; the request itself only times out.
  if (natsConnection_GetLastError(nc_, &conn_error) != NATS_OK && conn_error != nullptr &&
      *conn_error != '\0' && detail.find(conn_error) == std::string::npos) {
    detail += (detail.empty() ? "" : "; ") + std::string(conn_error);
  }
  if (!detail.empty()) out += ": " + detail;
  return out;
}

}  // namespace hallq::replicate
