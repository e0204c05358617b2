// Which endpoints count as loopback: hallqd refuses to listen beyond
// loopback without CURVE keys (curve_setup.h).
#include "engine/server/curve_setup.h"

#include <gtest/gtest.h>

namespace hallq::server {
namespace {

TEST(Endpoints, OnlyLoopbackCountsAsLoopback) {
  for (const char* ep : {"tcp://127.0.0.1:5570", "tcp://127.0.0.1:*", "tcp://localhost:5570",
                         "tcp://[::1]:5570", "ipc:///tmp/hallq.sock", "inproc://x"})
    EXPECT_TRUE(is_loopback_endpoint(ep)) << ep;
  for (const char* ep : {"tcp://*:5570", "tcp://0.0.0.0:5570", "tcp://192.168.1.10:5570", "tcp://eth0:5570",
                         "tcp://127.0.0.1.evil.example:5570", "tcp://127.0.0.1", "udp://127.0.0.1:5570"})
    EXPECT_FALSE(is_loopback_endpoint(ep)) << ep;
}

}  // namespace
}  // namespace hallq::server
