// hallq-citizen: the public gateway that serves citizens' phones (the live
// ticket page behind each ticket's QR code) from the internet, behind a TLS
// reverse proxy, while hallqd stays on the hall's LAN.
//   hallq-citizen --config conf/devices/citizen.toml [--listen HOST:PORT]
//                 [--engine EP] [--events EP] [--key FILE --server-key FILE|Z85]
// It is a device like any other to the engine (engine/device/device_program.h):
// a subscriber keeping replicas of its halls and a command client, with its
// own CURVE key enrolled as role `citizen`. Prints one line
// "hallq-citizen ready http=HOST:PORT halls=..." once it listens.
// Exit codes: 0 stopped by SIGTERM/SIGINT, 1 runtime failure, 2 usage or
// configuration error.
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <iostream>
#include <zmq.hpp>

#include "adapters/citizen/citizen_api.h"
#include "adapters/citizen/citizen_config.h"
#include "adapters/citizen/citizen_server.h"
#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/device/device_program.h"
#include "engine/device/signals.h"
#include "engine/keys/person_hash.h"
#include "engine/keys/ticket_token.h"
#include "engine/protocol/event_codec.h"

namespace {

using namespace hallq;

// The halls as the subscriber holds them, and cancels through the engine.
class EngineHalls final : public citizen::HallSource, public client::Subscriber::Listener {
 public:
  EngineHalls(zmq::context_t& ctx, const citizen::CitizenConfig& config, const client::CurveOptions& curve)
      : client_(ctx, config.engine, options(curve)),
        subscriber_(ctx, config.engine, config.events, config.halls, this, sub_options(curve)) {}

  // The replica once it has had its first snapshot: while it resyncs (a gap,
  // an engine restart) it is a moment behind, which a page shows better than
  // an error.
  const core::Hall* hall(std::string_view id) const override { return subscriber_.hall(id); }
  core::TimeUs now() const override { return subscriber_.engine_clock().now_us(); }
  std::optional<Outcome> cancel(std::string_view hall, std::string_view number) override {
    auto r = client_.command(hall, core::Cancel{std::string(number)});
    if (!r) return std::nullopt;
    // Answer with the ticket as cancelled: wait (briefly) for the replica to
    // apply the event the engine has already published.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (r->ok() && std::chrono::steady_clock::now() < deadline) {
      const core::Hall* h = subscriber_.hall(hall);
      const core::Ticket* t = h != nullptr ? h->find_number(number) : nullptr;
      if (t == nullptr || t->state == core::TicketState::kLeft) break;
      subscriber_.poll(std::chrono::milliseconds(10));
    }
    return Outcome{r->code, r->message};
  }

  std::optional<Outcome> issue_remote(std::string_view hall, const core::IssueRemote& command) override {
    auto r = client_.command(hall, command);
    if (!r) return std::nullopt;
    Outcome o{r->code, r->message, {}};
    for (const std::string& bytes : r->events) {
      const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(bytes));
      if (e.kind == "remote_ticket_issued") o.number = e.number;
    }
    // Answer once the replica has the ticket, so its page opens at once.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (r->ok() && !o.number.empty() && std::chrono::steady_clock::now() < deadline) {
      const core::Hall* h = subscriber_.hall(hall);
      if (h != nullptr && h->find_number(o.number) != nullptr) break;
      subscriber_.poll(std::chrono::milliseconds(10));
    }
    return o;
  }

  std::optional<Outcome> check_in(std::string_view hall, std::uint32_t code) override {
    auto r = client_.command(hall, core::CheckIn{code});
    if (!r) return std::nullopt;
    // Answer with the ticket in its line: wait (briefly) for the replica.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (r->ok() && std::chrono::steady_clock::now() < deadline) {
      const core::Hall* h = subscriber_.hall(hall);
      const core::RemoteTicket* remote = h != nullptr ? h->find_remote_code(code) : nullptr;
      if (remote == nullptr || remote->state != core::RemoteState::kAwaiting) break;
      subscriber_.poll(std::chrono::milliseconds(10));
    }
    return Outcome{r->code, r->message, {}};
  }

  std::optional<Outcome> evaluate(std::string_view hall, const core::Evaluate& command) override {
    auto r = client_.command(hall, command);
    if (!r) return std::nullopt;
    // Answer with the ticket rated: wait (briefly) for the replica.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (r->ok() && std::chrono::steady_clock::now() < deadline) {
      const core::Hall* h = subscriber_.hall(hall);
      if (h == nullptr) break;
      bool rated = false;
      if (command.day == 0) {
        const core::Ticket* t = h->find_number(command.number);
        rated = t == nullptr || (t->state == core::TicketState::kRated && t->rating == command.level);
      } else {
        rated = true;
        for (const core::RateableTicket& e : h->rateable())
          if (e.day == command.day && h->printed_number(e.ticket) == command.number) rated = e.rating != 0;
      }
      if (rated) break;
      subscriber_.poll(std::chrono::milliseconds(10));
    }
    return Outcome{r->code, r->message, {}};
  }

  void on_reset(const core::Hall& hall) override { changed(hall.config().id); }
  void on_event(const core::Hall& hall, const protocol::DecodedEvent&, protocol::Bytes) override {
    changed(hall.config().id);
  }
  void on_connection(std::string_view hall, bool) override { changed(hall); }

  void attach(citizen::CitizenServer* server) { server_ = server; }
  client::Subscriber& subscriber() { return subscriber_; }

 private:
  static client::ClientOptions options(const client::CurveOptions& curve) {
    client::ClientOptions o;
    o.timeout = std::chrono::milliseconds(1000);
    o.attempts = 2;
    o.curve = curve;
    return o;
  }
  static client::SubscriberOptions sub_options(const client::CurveOptions& curve) {
    client::SubscriberOptions o;
    o.curve = curve;
    return o;
  }
  void changed(std::string_view hall) {
    if (server_ != nullptr) server_->hall_changed(hall);
  }

  client::Client client_;
  client::Subscriber subscriber_;
  citizen::CitizenServer* server_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  device::DeviceProgram program({.name = "hallq-citizen",
                                 .description = "群众服务网关：市民用手机查看号票的实时排队页面",
                                 .config_help = "网关的配置（conf/devices/citizen.toml）"});
  std::string listen;
  program.cli()
      .add_option("--listen", listen, "HTTP 监听地址 HOST:PORT（覆盖配置；端口 0：任选空闲端口）")
      ->type_name("地址");
  return program.run(argc, argv, [&] {
    citizen::CitizenConfig config = citizen::load_citizen_config(program.options().config);
    if (!listen.empty()) {
      const std::size_t colon = listen.rfind(':');
      if (colon == std::string::npos) throw device::UsageError("--listen: expected HOST:PORT");
      config.listen_host = listen.substr(0, colon);
      try {
        const int port = std::stoi(listen.substr(colon + 1));
        if (port < 0 || port > 65535) throw std::out_of_range("port");
        config.listen_port = static_cast<std::uint16_t>(port);
      } catch (const std::logic_error&) {
        throw device::UsageError("--listen: expected HOST:PORT");
      }
    }
    const device::LoadedCurve keys = program.apply_overrides({config.engine, config.events, config.security});
    const std::string secret = keys::read_ticket_secret_file(config.ticket_secret_file);

    zmq::context_t ctx;
    EngineHalls halls(ctx, config, keys.curve);
    citizen::CitizenApi api(config, secret, halls);
    if (!config.person_salt_file.empty())
      api.set_person_salt(keys::PersonSalt::read_file(config.person_salt_file));
    boost::asio::io_context io;
    citizen::CitizenServerOptions so;
    so.host = config.listen_host;
    so.port = config.listen_port;
    so.max_connections = config.limits.max_connections;
    so.max_streams = config.limits.max_streams;
    so.max_streams_per_address = config.limits.max_streams_per_address;
    so.max_body = config.limits.max_body;
    citizen::CitizenServer server(io, api, so);
    halls.attach(&server);
    server.start();
    std::string hall_list;
    for (const std::string& h : config.halls) hall_list += (hall_list.empty() ? "" : ",") + h;
    std::cout << fmt::format("hallq-citizen ready http={}:{} halls={}", config.listen_host, server.port(),
                             hall_list)
              << std::endl;
    // One thread: HTTP handlers, then the engine's messages (which mark halls
    // changed), then the pushes of what changed.
    while (!device::stop_requested()) {
      io.poll();
      halls.subscriber().poll(std::chrono::milliseconds(5));
      server.flush();
    }
    const auto& c = server.counters();
    std::cout << fmt::format(
                     "hallq-citizen stopped: requests={} streams_opened={} streams_refused={} pushes={} "
                     "throttled={}",
                     c.requests, c.streams_opened, c.streams_refused, c.pushes, api.throttle().refused())
              << std::endl;
    server.stop();
    io.poll();
    return device::kExitOk;
  });
}
