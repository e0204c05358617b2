// The command side of the client library: a DEALER socket to the engine's
// ROUTER. Every request carries a request id; a request that times out is
// resent with the SAME id, so the engine applies it at most once (a retry of
// an issued ticket returns the same ticket, never a second one).
//
// A command refused not_owner whose reply names the owner's endpoint (hallqd
// --replicate: a standby, or an engine whose hall was taken over) is
// followed: the client reconnects to that endpoint and sends the same
// request, with the same id, once more. At most one hop per command (two
// engines naming each other cannot make it loop); each hop is told to
// on_follow (default: one line on stderr). If the named engine does not
// answer, the client goes back to where it was and returns the not_owner
// reply (a retry with the same id is safe either way). The client then stays
// with the engine it followed to; endpoint() says which. CURVE keys are kept:
// following across engines needs them to share the engine key.
//
// Several engines: `endpoint` may list them, comma-separated (an owner and
// its standbys, hallqd --replicate). An attempt that gets no answer within
// the timeout is sent again, with the same id, to the next engine of the
// list (attempts: at least one per engine), so a device whose engine was
// killed reaches the standby that took its halls over; the client stays
// with the engine that answered.
//
// Thread: a Client is used by one thread at a time (ZeroMQ sockets are not
// thread-safe). The zmq::context_t must outlive it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "engine/core/command.h"
#include "engine/protocol/reply_codec.h"

namespace hallq::client {

// CURVE encryption and authentication, for an engine started with --keys:
// the engine's public key and this device's own enrolled key pair, each 40
// characters of Z85. An empty server_key means plaintext (loopback engines).
// A key the engine does not know never gets a connection: requests time out.
struct CurveOptions {
  std::string server_key;
  std::string public_key;
  std::string secret_key;
  bool enabled() const { return !server_key.empty(); }
};

// "tcp://a:5570,tcp://b:5570" -> its entries; throws std::invalid_argument
// for an empty entry.
std::vector<std::string> split_endpoints(const std::string& list);

// Sets `curve` on a socket before it connects; nothing if not enabled.
// Throws std::invalid_argument for a key that is not 40 Z85 characters.
void apply_curve(zmq::socket_t& socket, const CurveOptions& curve);

struct ClientOptions {
  std::chrono::milliseconds timeout{1500};  // per attempt
  int attempts = 3;                         // sends of the same request before giving up
  bool immediate = false;                   // true: do not queue while disconnected (ZMQ_IMMEDIATE)
  CurveOptions curve;                       // plaintext unless curve.server_key is set
  bool follow_owner = true;                 // follow not_owner to the owner's endpoint (once per command)
  // Each hop: the hall, the endpoint left and the one followed to, the
  // owner's engine id. Empty: a line on stderr.
  std::function<void(std::string_view hall, const std::string& from, const std::string& to,
                     const std::string& engine)>
      on_follow;
};

class Client {
 public:
  // `endpoint`: one ZeroMQ endpoint, or several comma-separated (above).
  // Throws std::invalid_argument for an empty entry.
  Client(zmq::context_t& ctx, std::string endpoint, ClientOptions options = {});

  // Sends `cmd` for `hall` and waits for the reply; nullopt if the engine did
  // not answer within attempts x timeout. `request_id` empty: a fresh id.
  std::optional<protocol::DecodedReply> command(std::string_view hall, const core::CommandBody& cmd,
                                                std::string request_id = {});
  std::optional<protocol::DecodedReply> snapshot(std::string_view hall);
  std::optional<protocol::DecodedReply> ping();

  // A request id unique to this client: a random prefix per client and a counter.
  std::string next_request_id();

  // Raw, asynchronous use (load generators, subscribers): send an encoded
  // request without waiting (false if it could not be queued), and receive
  // the next verified reply within `timeout` (a signal does not end the wait: EINTR is retried).
  bool send(std::string_view bytes, bool dontwait = false);
  std::optional<protocol::DecodedReply> receive(std::chrono::milliseconds timeout);
  zmq::socket_t& socket() { return socket_; }
  // The engine in use now (one of the list).
  const std::string& endpoint() const { return endpoint_; }
  // The list as given, and a switch to its entry `i` (a subscriber whose
  // publisher went silent moves both sockets to the next engine).
  const std::vector<std::string>& endpoints() const { return endpoints_; }
  void use_endpoint(std::size_t i) { reconnect(endpoints_.at(i)); }

 private:
  std::optional<protocol::DecodedReply> round_trip(const std::string& request, const std::string& request_id);
  void reconnect(const std::string& endpoint);
  std::string next_endpoint() const;

  zmq::socket_t socket_;
  std::vector<std::string> endpoints_;  // as given; endpoint_ is one of them, or where a not_owner led
  std::string endpoint_;
  ClientOptions options_;
  std::string id_prefix_;
  std::uint64_t counter_ = 0;
};

}  // namespace hallq::client
