#include "engine/server/http_history.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "engine/core/calendar.h"
#include "engine/stats/history.h"
#include "engine/stats/stats_json.h"
#include "engine/store/event_store.h"

namespace hallq::server {
namespace {

constexpr std::int64_t kMaxDays = 366;

// The day of `key` in `query`, or why there is none (`error`).
std::optional<std::int64_t> day_of(const std::map<std::string, std::string>& query, const std::string& key,
                                   std::string& error) {
  const auto it = query.find(key);
  if (it == query.end()) {
    error = fmt::format("缺少参数 {}（YYYY-MM-DD）", key);
    return std::nullopt;
  }
  const std::optional<std::int64_t> day = core::parse_day(it->second);
  if (!day) error = fmt::format("{}={} 不是有效日期（YYYY-MM-DD）", key, it->second);
  return day;
}

}  // namespace

HistoryReader make_history_reader(const store::EventStore& store,
                                  std::vector<std::shared_ptr<const core::HallConfig>> halls) {
  return [&store, halls = std::move(halls)](
             std::string_view hall_id, const std::map<std::string, std::string>& query) -> HistoryAnswer {
    auto bad = [](std::string why) { return HistoryAnswer{.json = {}, .bad_query = std::move(why)}; };
    std::shared_ptr<const core::HallConfig> config;
    for (const auto& h : halls)
      if (h->id == hall_id) config = h;
    if (!config) return bad(fmt::format("没有大厅“{}”", hall_id));
    for (const auto& [key, value] : query)
      if (key != "from" && key != "to" && key != "date" && key != "by")
        return bad(fmt::format("未知参数 {}（可用 from, to, date, by）", key));

    const std::string by = query.count("by") ? query.at("by") : (query.count("date") ? "hour" : "day");
    stats::Period period;
    if (by == "hour")
      period = stats::Period::kHour;
    else if (by == "day")
      period = stats::Period::kDay;
    else if (by == "month")
      period = stats::Period::kMonth;
    else
      return bad(fmt::format("by={} 无效（hour, day 或 month）", by));

    std::string error;
    std::optional<std::int64_t> first, last;
    if (query.count("date")) {
      if (query.count("from") || query.count("to")) return bad("date 与 from/to 不能同时使用");
      first = last = day_of(query, "date", error);
    } else {
      first = day_of(query, "from", error);
      if (first) last = day_of(query, "to", error);
    }
    if (!first || !last) return bad(error);
    if (*first > *last) return bad("from 晚于 to");
    if (*last - *first + 1 > kMaxDays) return bad(fmt::format("范围超过 {} 天", kMaxDays));
    if (period == stats::Period::kHour && *last != *first)
      return bad("按小时统计只支持一天（date=YYYY-MM-DD）");

    const stats::HistoryResult history =
        stats::read_history(store, config, {.first_day = *first, .last_day = *last, .period = period});
    nlohmann::json out = stats::stats_json(history.stats, *config);
    out["hall"] = config->id;
    out["from"] = core::format_date(*first);
    out["to"] = core::format_date(*last);
    out["events"] = history.events_read;
    return {.json = out.dump()};
  };
}

}  // namespace hallq::server
