// The synthetic hall (synthetic_hall.h).
#include "tests/support/synthetic_hall.h"

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace hallq::testing {

std::shared_ptr<core::HallConfig> make_synthetic_hall(int windows, int services,
                                                      std::vector<core::TimeSpan> hours) {
  // Letters without I and O, which read as 1 and 0 on a ticket.
  static constexpr std::string_view kLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  auto cfg = std::make_shared<core::HallConfig>();
  cfg->id = "big";
  cfg->name = "基准测试大厅";
  cfg->hours = std::move(hours);
  cfg->wait_target_min = 20;
  for (int s = 0; s < services; ++s) {
    core::ServiceConfig sc;
    sc.id = fmt::format("s{:02}", s + 1);
    sc.name = fmt::format("事项{:02}", s + 1);
    sc.prefix = s < static_cast<int>(kLetters.size())
                    ? std::string(1, kLetters[s])
                    : fmt::format("{}{}", kLetters[s / kLetters.size() - 1], kLetters[s % kLetters.size()]);
    sc.kind = s % 3 == 0 ? core::ServiceKind::kPromise : core::ServiceKind::kInstant;
    sc.expected_handle_min = 3 + (s * 7) % 18;
    cfg->services.push_back(std::move(sc));
  }
  for (int w = 0; w < windows; ++w) {
    core::WindowConfig wc;
    wc.id = fmt::format("w{}", w + 1);
    wc.number = w + 1;
    wc.name = fmt::format("综合窗口{}", w + 1);
    const auto primary = static_cast<core::ServiceIdx>(w % services);
    wc.serves.push_back({primary, 1});
    if (w % 20 == 19) {
      wc.kind = core::WindowKind::kFallback;
      for (int s = 0; s < services; ++s)
        if (s != primary) wc.serves.push_back({static_cast<core::ServiceIdx>(s), 2});
    } else {
      wc.kind = core::WindowKind::kClassified;
      if (services > 1) wc.serves.push_back({static_cast<core::ServiceIdx>((w + 1) % services), 2});
      if (services > 2) wc.serves.push_back({static_cast<core::ServiceIdx>((w + 7) % services), 3});
    }
    cfg->windows.push_back(std::move(wc));
  }
  if (auto problem = cfg->validate_and_index())
    throw std::logic_error(fmt::format("synthetic hall: {}: {}", problem->section, problem->message));
  return cfg;
}

}  // namespace hallq::testing
