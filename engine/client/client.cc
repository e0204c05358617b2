#include "engine/client/client.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <random>
#include <stdexcept>

#include "engine/client/uninterrupted.h"
#include "engine/protocol/request_codec.h"

namespace hallq::client {

void apply_curve(zmq::socket_t& socket, const CurveOptions& curve) {
  if (!curve.enabled()) return;
  auto set = [&](int option, const std::string& key, const char* what) {
    // 41 bytes: the Z85 text and its NUL, as libzmq expects.
    if (key.size() != 40 || zmq_setsockopt(socket.handle(), option, key.c_str(), key.size() + 1) != 0)
      throw std::invalid_argument(fmt::format("CURVE {} is not 40 characters of Z85", what));
  };
  set(ZMQ_CURVE_SERVERKEY, curve.server_key, "server key");
  set(ZMQ_CURVE_PUBLICKEY, curve.public_key, "public key");
  set(ZMQ_CURVE_SECRETKEY, curve.secret_key, "secret key");
}

std::vector<std::string> split_endpoints(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = list.find(',', start);
    std::string one = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (one.empty())
      throw std::invalid_argument(fmt::format("engine endpoint list \"{}\" has an empty entry", list));
    out.push_back(std::move(one));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

Client::Client(zmq::context_t& ctx, std::string endpoint, ClientOptions options)
    : socket_(ctx, zmq::socket_type::dealer),
      endpoints_(split_endpoints(endpoint)),
      endpoint_(endpoints_.front()),
      options_(std::move(options)) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::rcvhwm, 0);
  if (options_.immediate) socket_.set(zmq::sockopt::immediate, 1);
  apply_curve(socket_, options_.curve);
  // A refused handshake (a key not enrolled, or plaintext against a CURVE
  // engine) leaves the DEALER without a peer, where a blocking send would
  // wait forever: bound every send by the timeout.
  socket_.set(zmq::sockopt::sndtimeo, static_cast<int>(options_.timeout.count()));
  socket_.connect(endpoint_);
  std::random_device rd;
  id_prefix_ = fmt::format("{:08x}{:08x}", rd(), rd());
}

std::string Client::next_request_id() { return fmt::format("{}-{}", id_prefix_, ++counter_); }

bool Client::send(std::string_view bytes, bool dontwait) {
  auto sent = send_uninterrupted(socket_, zmq::buffer(bytes.data(), bytes.size()),
                                 dontwait ? zmq::send_flags::dontwait : zmq::send_flags::none);
  return sent.has_value();
}

std::optional<protocol::DecodedReply> Client::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    int ready = 0;
    try {
      ready = zmq::poll(&item, 1, std::max(left, std::chrono::milliseconds(0)));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      if (left.count() <= 0) return std::nullopt;
      continue;  // a signal: wait again for what is left of the timeout
    }
    if (ready == 0) return std::nullopt;
    zmq::message_t msg;
    if (!recv_uninterrupted(socket_, msg, zmq::recv_flags::dontwait)) continue;
    // A DEALER talking to a ROUTER gets the bare payload; tolerate a leading empty frame.
    while (msg.more() && msg.size() == 0) {
      if (!recv_uninterrupted(socket_, msg, zmq::recv_flags::none)) break;
    }
    const protocol::Bytes bytes{static_cast<const std::uint8_t*>(msg.data()), msg.size()};
    if (protocol::inspect(bytes) == protocol::MessageKind::kReply) return protocol::decode_reply(bytes);
    // Not a reply: ignore it and keep waiting.
  }
}

std::optional<protocol::DecodedReply> Client::round_trip(const std::string& request,
                                                         const std::string& request_id) {
  const int attempts = std::max(options_.attempts, static_cast<int>(endpoints_.size()));
  for (int attempt = 0; attempt < attempts; ++attempt) {
    // No answer from this engine within the timeout: the next one of the list.
    if (attempt > 0 && endpoints_.size() > 1) {
      try {
        reconnect(next_endpoint());
      } catch (const zmq::error_t&) {
        // not an endpoint ZeroMQ can use: this attempt stays where the client is
      }
    }
    if (!send(request, options_.immediate)) continue;
    const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    while (true) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      auto reply = receive(left);
      if (!reply) break;
      if (reply->request_id == request_id) return reply;
      // A late answer to an earlier request: drop it.
    }
  }
  return std::nullopt;
}

std::optional<protocol::DecodedReply> Client::command(std::string_view hall, const core::CommandBody& cmd,
                                                      std::string request_id) {
  if (request_id.empty()) request_id = next_request_id();
  const std::string request = protocol::encode_request(request_id, hall, cmd);
  std::optional<protocol::DecodedReply> reply = round_trip(request, request_id);
  if (!reply || !options_.follow_owner || reply->code != core::ErrorCode::kNotOwner ||
      reply->owner_endpoint.empty() || reply->owner_endpoint == endpoint_)
    return reply;
  // One hop to the engine that serves the hall, with the same request id.
  const std::string from = endpoint_;
  if (options_.on_follow)
    options_.on_follow(hall, from, reply->owner_endpoint, reply->owner_engine);
  else
    std::cerr << fmt::format("hallq client: hall {} is served by engine {} at {}: following there (was {})\n",
                             hall, reply->owner_engine.empty() ? "?" : reply->owner_engine,
                             reply->owner_endpoint, from);
  try {
    reconnect(reply->owner_endpoint);
  } catch (const zmq::error_t&) {
    reconnect(from);  // not an endpoint ZeroMQ can reach: stay where the client was
    return reply;
  }
  std::optional<protocol::DecodedReply> followed = round_trip(request, request_id);
  if (followed) return followed;
  reconnect(from);  // the named engine did not answer: back to where the client was
  return reply;
}

std::string Client::next_endpoint() const {
  auto it = std::find(endpoints_.begin(), endpoints_.end(), endpoint_);
  // Where a not_owner led (not in the list): the list from its start.
  if (it == endpoints_.end() || ++it == endpoints_.end()) return endpoints_.front();
  return *it;
}

void Client::reconnect(const std::string& endpoint) {
  if (endpoint == endpoint_) return;
  socket_.connect(endpoint);  // first: one ZeroMQ cannot use throws, and the client stays where it was
  try {
    socket_.disconnect(endpoint_);
  } catch (const zmq::error_t&) {
    // not connected there (any more): nothing to undo
  }
  endpoint_ = endpoint;
}

std::optional<protocol::DecodedReply> Client::snapshot(std::string_view hall) {
  const std::string id = next_request_id();
  return round_trip(protocol::encode_snapshot_request(id, hall), id);
}

std::optional<protocol::DecodedReply> Client::ping() {
  const std::string id = next_request_id();
  return round_trip(protocol::encode_ping(id), id);
}

}  // namespace hallq::client
