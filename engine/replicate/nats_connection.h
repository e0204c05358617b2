// One connection to a NATS cluster with its JetStream context: the thin RAII
// layer over the nats.c client that the rest of engine/replicate builds on.
// Credentials come from a file, never from the command line; after the first
// connection it reconnects forever with a growing delay (capped), so a
// cluster outage is a state the owner polls (connected()), not an error.
//
// Thread: the nats.c handles are thread-safe; this object is made and
// destroyed on one thread and may be used from several in between.
// Errors: the constructor and read_credentials throw ReplicateError naming
// the URLs (or file) and the NATS status text.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace hallq::replicate {

// Start-up and configuration errors of this library (runtime outcomes such as
// "cluster unavailable" are values, see publisher.h). transient(): the
// cluster may well answer later (a timeout, no responders, no server
// reachable, a JetStream leader not elected yet), so a start may retry;
// false for what waiting does not mend (credentials or permissions refused,
// a stream configured otherwise, another engine's live lease).
class ReplicateError : public std::runtime_error {
 public:
  explicit ReplicateError(const std::string& what, bool transient = false)
      : std::runtime_error(what), transient_(transient) {}
  bool transient() const { return transient_; }

 private:
  bool transient_ = false;
};

// Whether a failed call's status (and JetStream error code) is one the
// cluster may mend by itself: timeout, no responders, not (yet) connected,
// no server reachable, JetStream temporarily unavailable or without a
// leader or peers yet.
bool transient_status(natsStatus s, jsErrCode js_error = static_cast<jsErrCode>(0));

// What a credentials file holds. Three forms, told apart by content:
//   USER:PASSWORD                          (first non-empty, non-# line)
//   a .creds file (-----BEGIN NATS USER JWT----- ... seed)
//   an nkey user seed (one line starting with "SU")
struct NatsCredentials {
  enum class Kind { kNone, kUserPassword, kCredsFile, kNkeySeed };
  Kind kind = Kind::kNone;
  std::string user, password;  // kUserPassword
  std::string path;            // kCredsFile, kNkeySeed: the file itself
};
// Reads and classifies `path`; throws ReplicateError if it cannot be read or
// holds none of the three forms.
NatsCredentials read_credentials(const std::string& path);

// "nats://a:4222,nats://b:4222" -> its URLs; throws ReplicateError on an empty
// list or an entry that is not nats://HOST:PORT (or tls://).
std::vector<std::string> split_urls(const std::string& list);

class NatsConnection {
 public:
  struct Options {
    std::vector<std::string> urls;
    std::string credentials_file;  // empty: no authentication
    std::string name = "hallq";    // shown by the server's monitoring (connz)
    // Timeout of JetStream API requests and of a publish's acknowledgement.
    std::chrono::milliseconds request_timeout{5000};
    // First delay between reconnect attempts; doubles up to max_reconnect_delay.
    std::chrono::milliseconds reconnect_delay{100};
    std::chrono::milliseconds max_reconnect_delay{2000};
  };

  // Connects to one of `options.urls` (throws ReplicateError if none answers
  // or the credentials are refused) and makes the JetStream context.
  explicit NatsConnection(Options options);
  ~NatsConnection();
  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;

  natsConnection* raw() const { return nc_; }
  jsCtx* js() const { return js_; }
  const Options& options() const { return options_; }

  // Connected now (false while reconnecting after an outage).
  bool connected() const;
  // How many times the connection has been re-established since it was made
  // (a change means replies to requests sent before it may never come).
  std::uint64_t reconnects() const;
  // The URL connected to, or the configured list when not connected.
  std::string url() const;
  // "nats://127.0.0.1:4222: <status text>[ (JetStream error N)][: <last error>]"
  // for a failed call's status (and JetStream error code, 0 if none).
  std::string describe(natsStatus s, jsErrCode js_error = static_cast<jsErrCode>(0)) const;

 private:
  Options options_;
  natsOptions* opts_ = nullptr;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

}  // namespace hallq::replicate
