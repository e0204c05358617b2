// The request-id memory against a reference model (a map and a FIFO): many
// times its capacity of inserts, so eviction and backward-shift deletion run
// over every part of the index.
#include "engine/core/request_memory.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <unordered_map>

namespace hallq::core {
namespace {

TEST(RequestMemory, AgreesWithAReferenceModelOverManyEvictions) {
  RequestMemory memory;
  std::unordered_map<std::string, RequestRecord> model;
  std::deque<std::string> order;
  std::mt19937_64 rng(42);
  std::vector<std::string> issued;
  const std::size_t cap = RequestMemory::kCapacity;
  for (std::size_t i = 0; i < cap * 12; ++i) {
    // Ids of varied length, some repeated (a retry: must not be stored twice).
    std::string id = (rng() % 8 == 0 && !issued.empty())
                         ? issued[rng() % issued.size()]
                         : "k" + std::to_string(rng() % 100000) + "-" + std::to_string(i);
    const RequestRecord rec{i + 1, static_cast<std::uint32_t>(1 + i % 3)};
    memory.remember(id, rec);
    if (!model.count(id)) {
      model[id] = rec;
      order.push_back(id);
      issued.push_back(id);
      if (order.size() > cap) {
        model.erase(order.front());
        order.pop_front();
      }
    }
    ASSERT_EQ(memory.size(), order.size());
    if (i % 97 == 0) {
      // Probe a remembered id, a forgotten one and one never seen.
      const std::string& known = order[rng() % order.size()];
      const RequestRecord* got = memory.find(known);
      ASSERT_NE(got, nullptr) << known;
      EXPECT_EQ(got->first_seq, model[known].first_seq);
      const std::string& any = issued[rng() % issued.size()];
      EXPECT_EQ(memory.find(any) != nullptr, model.count(any) == 1) << any;
      EXPECT_EQ(memory.find("never-" + std::to_string(i)), nullptr);
    }
  }
  // Oldest first, exactly the model's order.
  std::size_t k = 0;
  memory.for_each([&](std::string_view id, const RequestRecord& r) {
    ASSERT_LT(k, order.size());
    EXPECT_EQ(id, order[k]);
    EXPECT_EQ(r.first_seq, model[order[k]].first_seq);
    ++k;
  });
  EXPECT_EQ(k, order.size());
}

TEST(RequestMemory, IgnoresEmptyAndOverlongIds) {
  RequestMemory memory;
  memory.remember("", {1, 1});
  memory.remember(std::string(kMaxRequestIdLength + 1, 'x'), {2, 1});
  memory.remember(std::string(kMaxRequestIdLength, 'y'), {3, 1});
  EXPECT_EQ(memory.size(), 1u);
  EXPECT_EQ(memory.find(std::string(kMaxRequestIdLength, 'y'))->first_seq, 3u);
  memory.clear();
  EXPECT_EQ(memory.find(std::string(kMaxRequestIdLength, 'y')), nullptr);
}

}  // namespace
}  // namespace hallq::core
