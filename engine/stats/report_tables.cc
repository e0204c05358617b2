#include "engine/stats/report_tables.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/core/html_escape.h"
#include "engine/core/rating.h"

namespace hallq::stats {
namespace {

using json = nlohmann::json;

constexpr std::string_view kFigureColumns =
    "issued,called,served,transferred,no_shows,left,gave_up,cancelled,expired,"
    "wait_mean_min,wait_p90_min,wait_max_min,over_target,over_target_share,"
    "handle_mean_min,handle_p90_min,rated,rating_5,rating_4,rating_3,rating_2,rating_1,not_rated,"
    "satisfaction,no_show_rate,left_rate,open_h,paused_h,busy_h,utilisation,"
    "good,bad,good_rate,bad_rate,work_orders,called_back,callback_rate,reached,rectified,rectify_rate,"
    "overdue";

std::string num(double v, int decimals) {
  if (std::isnan(v)) return {};
  return fmt::format("{:.{}f}", v, decimals);
}

std::string text(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string figure_fields(const Figures& f) {
  const std::string verdicts =
      fmt::format("{},{},{},{},{},{},{},{},{},{},{}", f.good, f.bad, num(f.good_rate, 4), num(f.bad_rate, 4),
                  f.work_orders, f.called_back, num(f.callback_rate, 4), f.reached, f.rectified,
                  num(f.rectify_rate, 4), f.overdue);
  return fmt::format(
      "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
      f.issued, f.called, f.served, f.transferred, f.no_shows, f.left, f.gave_up, f.cancelled, f.expired,
      num(f.wait_mean_min, 2), num(f.wait_p90_min, 2), num(f.wait_max_min, 2), f.over_target,
      num(f.over_target_share, 4), num(f.handle_mean_min, 2), num(f.handle_p90_min, 2), f.rated, f.ratings[5],
      f.ratings[4], f.ratings[3], f.ratings[2], f.ratings[1], f.ratings[0], num(f.satisfaction, 4),
      num(f.no_show_rate, 4), num(f.left_rate, 4), num(f.open_s / 3600, 2), num(f.paused_s / 3600, 2),
      num(f.busy_s / 3600, 2), num(f.utilisation, 4), verdicts);
}

// Figures shown in the HTML tables, Chinese.
std::string cell_min(double v) { return std::isnan(v) ? "—" : fmt::format("{:.1f}", v); }
std::string cell_pct(double v) { return std::isnan(v) ? "—" : fmt::format("{:.1f}%", v * 100); }

constexpr std::string_view kTableHead =
    "<th>取号</th><th>叫号</th><th>办结</th><th>转办</th><th>过号</th><th>离开</th><th>过期</th>"
    "<th>平均等待<br>(分)</th><th>90%等待<br>(分)</th><th>超时比例</th><th>平均办理<br>(分)</th>"
    "<th>90%办理<br>(分)</th><th>评价数</th><th>满意率</th><th>过号率</th>";

std::string table_cells(const Figures& f) {
  return fmt::format(
      "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
      "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
      f.issued, f.called, f.served, f.transferred, f.no_shows, f.left, f.expired, cell_min(f.wait_mean_min),
      cell_min(f.wait_p90_min), cell_pct(f.over_target_share), cell_min(f.handle_mean_min),
      cell_min(f.handle_p90_min), f.rated, cell_pct(f.satisfaction), cell_pct(f.no_show_rate));
}

// The 好差评 table: ratings and the 差评 work orders.
constexpr std::string_view kVerdictHead =
    "<th>评价数</th><th>好评</th><th>差评</th><th>好评率</th><th>差评率</th><th>差评工单</th>"
    "<th>已回访</th><th>回访率</th><th>已整改</th><th>整改率</th><th>逾期</th>";

std::string verdict_cells(const Figures& f) {
  return fmt::format(
      "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
      "<td>{}</td><td>{}</td>",
      f.rated, f.good, f.bad, cell_pct(f.good_rate), cell_pct(f.bad_rate), f.work_orders, f.called_back,
      cell_pct(f.callback_rate), f.rectified, cell_pct(f.rectify_rate), f.overdue);
}

json nullable(double v) { return std::isnan(v) ? json(nullptr) : json(std::round(v * 100) / 100); }

}  // namespace

std::string_view figure_columns() { return kFigureColumns; }

std::string staff_display_name(const core::HallConfig& hall, std::string_view staff_id) {
  if (staff_id.empty()) return "未登记";
  if (const core::StaffConfig* s = hall.find_staff(staff_id); s != nullptr && !s->name.empty())
    return s->name;
  return std::string(staff_id);
}

std::string csv_by_service(const Stats& stats, const core::HallConfig& hall) {
  std::string out = fmt::format("service,name,prefix,{}\n", kFigureColumns);
  for (std::size_t i = 0; i < hall.services.size(); ++i) {
    const core::ServiceConfig& s = hall.services[i];
    out += fmt::format("{},{},{},{}\n", text(s.id), text(s.name), text(s.prefix),
                       figure_fields(stats.total.services[i]));
  }
  return out;
}

std::string csv_by_window(const Stats& stats, const core::HallConfig& hall) {
  std::string out = fmt::format("window,number,name,{}\n", kFigureColumns);
  for (std::size_t i = 0; i < hall.windows.size(); ++i) {
    const core::WindowConfig& w = hall.windows[i];
    out += fmt::format("{},{},{},{}\n", text(w.id), w.number, text(w.name),
                       figure_fields(stats.total.windows[i]));
  }
  return out;
}

std::string csv_by_staff(const Stats& stats, const core::HallConfig& hall) {
  std::string out = fmt::format("staff,name,{}\n", kFigureColumns);
  for (std::size_t i = 0; i < stats.staff_ids.size(); ++i) {
    out +=
        fmt::format("{},{},{}\n", text(stats.staff_ids[i]),
                    text(staff_display_name(hall, stats.staff_ids[i])), figure_fields(stats.total.staff[i]));
  }
  return out;
}

std::string csv_by_period(const Stats& stats) {
  std::string out = fmt::format("period,{}\n", kFigureColumns);
  for (const Slice& s : stats.slices) out += fmt::format("{},{}\n", text(s.label), figure_fields(s.hall));
  return out;
}

std::string render_html(const Stats& stats, const core::HallConfig& hall, const HtmlOptions& o) {
  const Figures& t = stats.total.hall;
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += fmt::format("<title>{} {} {}</title>\n", core::html_escape(hall.name), core::html_escape(o.title),
                   core::html_escape(o.range_label));
  h += R"(<style>
@page { size: A4; margin: 15mm 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; font-size: 10pt; color: #111; margin: 0 auto; max-width: 190mm; }
.hall { font-size: 14pt; text-align: center; margin-top: 4mm; }
h1 { font-size: 18pt; text-align: center; margin: 4mm 0 1mm; }
.sub { text-align: center; color: #444; margin-bottom: 5mm; }
h2 { font-size: 13pt; border-bottom: 1.5pt solid #b71c1c; padding-bottom: 1mm; margin: 6mm 0 3mm; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 3mm; }
th, td { border: 0.5pt solid #999; padding: 1mm 1.2mm; text-align: right; }
th { background: #f1f1f1; text-align: center; font-weight: 600; }
td.name { text-align: left; white-space: nowrap; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; margin-bottom: 3mm; }
.kpi { border: 0.5pt solid #bbb; padding: 2mm; text-align: center; }
.kpi b { display: block; font-size: 15pt; }
.chart { position: relative; height: 62mm; width: 100%; margin-bottom: 3mm; break-inside: avoid; }
.note { color: #555; font-size: 8pt; }
section { break-inside: avoid-page; }
@media print { .chart canvas { max-width: 100% !important; } }
</style>
)";
  h += "</head>\n<body>\n";
  h += fmt::format("<div class=\"hall\">{}</div>\n<h1>{}</h1>\n", core::html_escape(hall.name),
                   core::html_escape(o.title));
  h +=
      fmt::format("<div class=\"sub\">统计期间：{}　服务承诺等待时限：{} 分钟　生成时间：{}</div>\n",
                  core::html_escape(o.range_label), stats.wait_target_min, core::html_escape(o.generated_at));

  h += "<section><h2>一、总体情况</h2>\n<div class=\"kpis\">\n";
  auto kpi = [&](std::string_view label, const std::string& value) {
    h += fmt::format("<div class=\"kpi\">{}<b>{}</b></div>\n", label, value);
  };
  kpi("取号", std::to_string(t.issued));
  kpi("办结", std::to_string(t.served));
  kpi("平均等待（分）", cell_min(t.wait_mean_min));
  kpi("90%等待（分）", cell_min(t.wait_p90_min));
  kpi("超时比例", cell_pct(t.over_target_share));
  kpi("平均办理（分）", cell_min(t.handle_mean_min));
  kpi("满意率", cell_pct(t.satisfaction));
  kpi("过号", std::to_string(t.no_shows));
  h += "</div>\n";
  if (!stats.slices.empty()) h += "<div class=\"chart\"><canvas id=\"c_period\"></canvas></div>\n";
  h += "</section>\n";

  auto table = [&](std::string_view title, std::string_view first_col, const std::vector<std::string>& names,
                   const std::vector<Figures>& rows) {
    h += fmt::format("<section><h2>{}</h2>\n<table>\n<tr><th>{}</th>{}</tr>\n", title, first_col, kTableHead);
    for (std::size_t i = 0; i < rows.size(); ++i)
      h += fmt::format("<tr><td class=\"name\">{}</td>{}</tr>\n", core::html_escape(names[i]),
                       table_cells(rows[i]));
    h += fmt::format("<tr><th>合计</th>{}</tr>\n</table>\n", table_cells(t));
  };

  std::vector<std::string> service_names, window_names, staff_names;
  for (const auto& s : hall.services) service_names.push_back(fmt::format("{}（{}）", s.name, s.prefix));
  for (const auto& w : hall.windows) window_names.push_back(fmt::format("{}号 {}", w.number, w.name));
  for (const auto& id : stats.staff_ids) staff_names.push_back(staff_display_name(hall, id));

  table("二、按事项", "事项", service_names, stats.total.services);
  h += "<div class=\"chart\"><canvas id=\"c_service\"></canvas></div>\n</section>\n";
  table("三、按窗口", "窗口", window_names, stats.total.windows);
  h += "<table>\n<tr><th>窗口</th><th>在岗（时）</th><th>暂停（时）</th><th>办理中（时）</th><th>利用率</"
       "th></tr>\n";
  for (std::size_t i = 0; i < hall.windows.size(); ++i) {
    const Figures& f = stats.total.windows[i];
    h += fmt::format(
        "<tr><td class=\"name\">{}</td><td>{:.1f}</td><td>{:.1f}</td><td>{:.1f}</td><td>{}</td></tr>\n",
        core::html_escape(window_names[i]), f.open_s / 3600, f.paused_s / 3600, f.busy_s / 3600,
        cell_pct(f.utilisation));
  }
  h += "</table>\n<div class=\"chart\"><canvas id=\"c_window\"></canvas></div>\n</section>\n";
  table("四、按工作人员", "工作人员", staff_names, stats.total.staff);
  h += "</section>\n";

  // 好差评: the levels (best to 未评价), the rates, the 差评 work orders; then
  // the same per service, window and staff. Counts and rates only: no
  // comments, no callback or rectification notes.
  constexpr int kRatingOrder[] = {5, 4, 3, 2, 1, 0};
  std::string rating_labels;
  h += "<section><h2>五、好差评</h2>\n<div class=\"kpis\">\n";
  kpi("好评率", cell_pct(t.good_rate));
  kpi("差评率", cell_pct(t.bad_rate));
  kpi("回访率", cell_pct(t.callback_rate));
  kpi("整改率", cell_pct(t.rectify_rate));
  kpi("差评工单", std::to_string(t.work_orders));
  kpi("已回访", std::to_string(t.called_back));
  kpi("已整改", std::to_string(t.rectified));
  kpi("逾期", std::to_string(t.overdue));
  h += "</div>\n<table>\n<tr>";
  for (int level : kRatingOrder) {
    h += fmt::format("<th>{}</th>", core::rating_name(level));
    rating_labels += fmt::format("{}'{}'", rating_labels.empty() ? "" : ", ", core::rating_name(level));
  }
  h += "<th>满意率</th></tr>\n";
  h += fmt::format(
      "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n</table>\n",
      t.ratings[5], t.ratings[4], t.ratings[3], t.ratings[2], t.ratings[1], t.ratings[0],
      cell_pct(t.satisfaction));
  h += "<div class=\"chart\"><canvas id=\"c_rating\"></canvas></div>\n</section>\n";
  auto verdicts = [&](std::string_view title, std::string_view first_col,
                      const std::vector<std::string>& names, const std::vector<Figures>& rows) {
    h += fmt::format("<section><h2>{}</h2>\n<table>\n<tr><th>{}</th>{}</tr>\n", title, first_col,
                     kVerdictHead);
    for (std::size_t i = 0; i < rows.size(); ++i)
      h += fmt::format("<tr><td class=\"name\">{}</td>{}</tr>\n", core::html_escape(names[i]),
                       verdict_cells(rows[i]));
    h += fmt::format("<tr><th>合计</th>{}</tr>\n</table>\n</section>\n", verdict_cells(t));
  };
  verdicts("六、好差评（按事项）", "事项", service_names, stats.total.services);
  verdicts("七、好差评（按窗口）", "窗口", window_names, stats.total.windows);
  verdicts("八、好差评（按工作人员）", "工作人员", staff_names, stats.total.staff);
  h += "<p class=\"note\">说明：等待时间为取号至首次叫号；办理时间为开始办理至办结（暂停挂起的时间不计）；"
       "超时比例为等待超过服务承诺时限的叫号人数占比；满意率即好评率，为“非常满意”与“满意”占全部评价（不含未"
       "评价）的比"
       "例，差评率为“不满意”与“非常不满意”的占比，评价计入评价当时所在的期间；"
       "每条差评生成一张差评工单，回访率、整改率为本期差评工单中截至统计期末已回访、已整改的比例；"
       "逾期为本期内到期（整改期限当日结束）而未整改的工单数，逾期后整改的仍计为逾期；"
       "过号率为过号人数占叫号人数的比例。各项定义详见 engine/stats/README.md。</p>\n";

  // Chart data.
  json period = {{"labels", json::array()},
                 {"issued", json::array()},
                 {"served", json::array()},
                 {"wait_mean", json::array()},
                 {"wait_p90", json::array()}};
  for (const Slice& s : stats.slices) {
    period["labels"].push_back(s.label);
    period["issued"].push_back(s.hall.issued);
    period["served"].push_back(s.hall.served);
    period["wait_mean"].push_back(nullable(s.hall.wait_mean_min));
    period["wait_p90"].push_back(nullable(s.hall.wait_p90_min));
  }
  json service = {{"labels", service_names}, {"wait_mean", json::array()}, {"wait_p90", json::array()}};
  for (const Figures& f : stats.total.services) {
    service["wait_mean"].push_back(nullable(f.wait_mean_min));
    service["wait_p90"].push_back(nullable(f.wait_p90_min));
  }
  json window = {{"labels", window_names}, {"utilisation", json::array()}, {"served", json::array()}};
  for (const Figures& f : stats.total.windows) {
    window["utilisation"].push_back(nullable(f.utilisation * 100));
    window["served"].push_back(f.served);
  }
  json data = {
      {"period", period},
      {"service", service},
      {"window", window},
      {"ratings", {t.ratings[5], t.ratings[4], t.ratings[3], t.ratings[2], t.ratings[1], t.ratings[0]}},
      {"target", stats.wait_target_min}};
  std::string data_text = data.dump();
  // Inside <script>, "</" could end the element.
  for (std::size_t p = 0; (p = data_text.find("</", p)) != std::string::npos; p += 3)
    data_text.replace(p, 2, "<\\/");

  std::string lib = o.chart_js;
  for (std::size_t p = 0; (p = lib.find("</script", p)) != std::string::npos; p += 9)
    lib.replace(p, 8, "<\\/script");
  h += "<script>\n" + lib + "\n</script>\n";
  h += "<script>\nconst DATA = " + data_text + ";\n";
  h += R"JS(Chart.defaults.animation = false;
Chart.defaults.responsive = true;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
function chart(id, config) { const el = document.getElementById(id); if (el) new Chart(el, config); }
chart('c_period', { data: { labels: DATA.period.labels, datasets: [
  { type: 'bar', label: '取号', data: DATA.period.issued, backgroundColor: '#90caf9', yAxisID: 'n' },
  { type: 'bar', label: '办结', data: DATA.period.served, backgroundColor: '#1565c0', yAxisID: 'n' },
  { type: 'line', label: '平均等待（分）', data: DATA.period.wait_mean, borderColor: '#e65100', yAxisID: 'm' },
  { type: 'line', label: '90%等待（分）', data: DATA.period.wait_p90, borderColor: '#b71c1c', borderDash: [4, 3], yAxisID: 'm' } ] },
  options: { scales: { n: { position: 'left', title: { display: true, text: '人数' } },
                       m: { position: 'right', title: { display: true, text: '分钟' }, grid: { drawOnChartArea: false } } } } });
chart('c_service', { type: 'bar', data: { labels: DATA.service.labels, datasets: [
  { label: '平均等待（分）', data: DATA.service.wait_mean, backgroundColor: '#ef6c00' },
  { label: '90%等待（分）', data: DATA.service.wait_p90, backgroundColor: '#b71c1c' } ] },
  options: { plugins: { title: { display: true, text: '各事项等待时间（承诺时限 ' + DATA.target + ' 分钟）' } } } });
chart('c_window', { type: 'bar', data: { labels: DATA.window.labels, datasets: [
  { label: '利用率（%）', data: DATA.window.utilisation, backgroundColor: '#2e7d32' } ] },
  options: { scales: { y: { min: 0, max: 100 } }, plugins: { title: { display: true, text: '窗口利用率' } } } });
)JS";
  h += "chart('c_rating', { type: 'doughnut', data: { labels: [" + rating_labels + "],\n";
  h +=
      R"JS(  datasets: [ { data: DATA.ratings, backgroundColor: ['#1b5e20', '#66bb6a', '#fdd835', '#fb8c00', '#c62828', '#bdbdbd'] } ] },
  options: { plugins: { legend: { position: 'right' } } } });
</script>
</body>
</html>
)JS";
  return h;
}

}  // namespace hallq::stats
