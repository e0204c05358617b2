#include "engine/server/http_evaluations.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/stats/evaluation_log.h"
#include "engine/store/event_store.h"

namespace hallq::server {
namespace {

constexpr std::uint64_t kMaxLimit = 1000;

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

HistoryReader make_records_reader(const store::EventStore& store,
                                  std::vector<std::shared_ptr<const core::HallConfig>> halls) {
  return [&store, halls = std::move(halls)](
             std::string_view hall_id, const std::map<std::string, std::string>& query) -> HistoryAnswer {
    auto bad = [](std::string why) { return HistoryAnswer{.json = {}, .bad_query = std::move(why)}; };
    std::shared_ptr<const core::HallConfig> config;
    for (const auto& h : halls)
      if (h->id == hall_id) config = h;
    if (!config) return bad(fmt::format("没有大厅“{}”", hall_id));
    std::uint64_t after = 0, limit = 100;
    for (const auto& [key, value] : query) {
      const std::optional<std::uint64_t> v = number(value);
      if (key == "after") {
        if (!v) return bad(fmt::format("after={} 不是有效的事件序号（非负整数）", value));
        after = *v;
      } else if (key == "limit") {
        if (!v || *v < 1 || *v > kMaxLimit)
          return bad(fmt::format("limit={} 无效（1 到 {}）", value, kMaxLimit));
        limit = *v;
      } else {
        return bad(fmt::format("未知参数 {}（可用 after, limit）", key));
      }
    }
    const stats::RecordPage page = stats::read_records_after(store, config, after, limit);
    std::string json = fmt::format(R"({{"hall":{},"after":{},"scanned_to":{},"last_seq":{},"records":[)",
                                   nlohmann::json(config->id).dump(), after, page.scanned_to, page.last_seq);
    for (std::size_t i = 0; i < page.records.size(); ++i) {
      if (i > 0) json += ',';
      json += stats::record_json(page.records[i]);
    }
    json += "]}";
    return {.json = std::move(json)};
  };
}

}  // namespace hallq::server
