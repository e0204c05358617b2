// What CURVE costs on loopback: the real hallqd started without and with
// --keys, driven by one client.
//   - ping round trips, one at a time (transport + crypto, no commit);
//   - issue commands with `window` requests in flight (group commit).
// Usage: hallq_curve_bench [requests] [window]; prints one line per mode.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/keys/curve_keys.h"
#include "engine/protocol/request_codec.h"
#include "tests/support/engine_process.h"
#include "tests/support/temp_dir.h"

using namespace hallq;
using Clock = std::chrono::steady_clock;

namespace {

struct Result {
  double ping_us = 0, issues_per_s = 0;
};

Result run(bool curve, int requests, int window) {
  hallq::testing::TempDir dir("hallq-curve-bench");
  std::vector<std::string> extra = {"--http", "off"};
  client::ClientOptions options{.timeout = std::chrono::milliseconds(5000), .attempts = 1};
  if (curve) {
    const keys::CurveKeyPair engine = keys::generate_key_pair(), device = keys::generate_key_pair();
    (void)keys::write_key_files(dir.path(), "engine", engine, "bench");
    std::ofstream(dir.path() + "/keys.toml")
        << "[engine]\nsecret_key_file = \"engine.key\"\n[[key]]\nname = \"m1\"\n"
        << "public_key = \"" << device.public_key << "\"\nrole = \"manager\"\nhalls = [\"town\"]\n";
    extra.insert(extra.end(), {"--keys", dir.path() + "/keys.toml"});
    options.curve = {engine.public_key, device.public_key, device.secret_key};
  }
  hallq::testing::EngineProcess engine({std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml"},
                                       dir.path() + "/data", extra);
  zmq::context_t ctx;
  client::Client c(ctx, engine.cmd(), options);
  if (!c.ping()) std::abort();
  Result r;
  const int pings = 2000;
  auto t0 = Clock::now();
  for (int i = 0; i < pings; ++i)
    if (!c.ping()) std::abort();
  r.ping_us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / pings;
  const char* services[] = {"social", "estate", "business", "police", "civil", "consult", "tax"};
  int sent = 0, received = 0;
  t0 = Clock::now();
  while (received < requests) {
    while (sent < requests && sent - received < window) {
      const std::string id = c.next_request_id();
      if (!c.send(protocol::encode_request(id, "town", core::IssueTicket{services[sent % 7]}))) std::abort();
      ++sent;
    }
    auto reply = c.receive(std::chrono::milliseconds(5000));
    if (!reply || !reply->ok()) std::abort();
    ++received;
  }
  r.issues_per_s = requests / std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const int requests = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int window = argc > 2 ? std::atoi(argv[2]) : 64;
  for (bool curve : {false, true}) {
    const Result r = run(curve, requests, window);
    std::printf("%-9s ping round trip %6.1f us   issue %8.0f /s (%d requests, %d in flight)\n",
                curve ? "curve" : "plaintext", r.ping_us, r.issues_per_s, requests, window);
  }
}
