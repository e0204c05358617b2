#include "engine/server/http_history.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/core/calendar.h"
#include "engine/stats/history.h"
#include "engine/stats/stats_json.h"
#include "engine/store/event_store.h"

namespace hallq::server {
namespace {

constexpr std::int64_t kMaxDays = 366;

std::int64_t day_of(const std::map<std::string, std::string>& query, const std::string& key) {
  const auto it = query.find(key);
  if (it == query.end()) throw std::invalid_argument(fmt::format("缺少参数 {}（YYYY-MM-DD）", key));
  const std::optional<std::int64_t> day = core::parse_day(it->second);
  if (!day) throw std::invalid_argument(fmt::format("{}={} 不是有效日期（YYYY-MM-DD）", key, it->second));
  return *day;
}

}  // namespace

HistorySource make_history_source(const store::EventStore& store,
                                  std::vector<std::shared_ptr<const core::HallConfig>> halls) {
  return [&store, halls = std::move(halls)](std::string_view hall_id,
                                            const std::map<std::string, std::string>& query) -> std::string {
    std::shared_ptr<const core::HallConfig> config;
    for (const auto& h : halls)
      if (h->id == hall_id) config = h;
    if (!config) throw std::invalid_argument(fmt::format("没有大厅“{}”", hall_id));
    for (const auto& [key, value] : query)
      if (key != "from" && key != "to" && key != "date" && key != "by")
        throw std::invalid_argument(fmt::format("未知参数 {}（可用 from, to, date, by）", key));

    const std::string by = query.count("by") ? query.at("by") : (query.count("date") ? "hour" : "day");
    stats::Period period;
    if (by == "hour")
      period = stats::Period::kHour;
    else if (by == "day")
      period = stats::Period::kDay;
    else if (by == "month")
      period = stats::Period::kMonth;
    else
      throw std::invalid_argument(fmt::format("by={} 无效（hour, day 或 month）", by));

    std::int64_t first = 0, last = 0;
    if (query.count("date")) {
      if (query.count("from") || query.count("to"))
        throw std::invalid_argument("date 与 from/to 不能同时使用");
      first = last = day_of(query, "date");
    } else {
      first = day_of(query, "from");
      last = day_of(query, "to");
    }
    if (first > last) throw std::invalid_argument("from 晚于 to");
    if (last - first + 1 > kMaxDays) throw std::invalid_argument(fmt::format("范围超过 {} 天", kMaxDays));
    if (period == stats::Period::kHour && last != first)
      throw std::invalid_argument("按小时统计只支持一天（date=YYYY-MM-DD）");

    const stats::HistoryResult history =
        stats::read_history(store, config, {.first_day = first, .last_day = last, .period = period});
    nlohmann::json out = stats::stats_json(history.stats, *config);
    out["hall"] = config->id;
    out["from"] = core::format_date(first);
    out["to"] = core::format_date(last);
    out["events"] = history.events_read;
    return out.dump();
  };
}

}  // namespace hallq::server
