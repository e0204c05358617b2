#include "engine/server/http_metrics.h"

#include <fmt/format.h>

#include <map>
#include <utility>
#include <vector>

#include "engine/server/engine.h"
#include "engine/view/hall_summary.h"
#include "engine/view/live_stats.h"

namespace hallq::server {

std::string metrics_text(const Engine& engine, const HttpApi::Counters& http,
                         const Server::EdgeCounters& edge, core::TimeUs now,
                         const std::function<bool(std::string_view)>& visible) {
  std::string out;
  auto family = [&](std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  const Engine::Counters& c = engine.counters();
  const std::pair<const char*, std::uint64_t> counters[] = {
      {"requests", c.requests},     {"accepted", c.accepted},
      {"refused", c.refused},       {"malformed", c.malformed},
      {"duplicates", c.duplicates}, {"batches", c.batches},
      {"events", c.events},         {"storage_failures", c.storage_failures},
      {"snapshots", c.snapshots},   {"snapshot_failures", c.snapshot_failures}};
  for (const auto& [name, value] : counters) {
    const std::string metric = fmt::format("hallq_engine_{}_total", name);
    family(metric, "counter", fmt::format("engine {} since start", name));
    out += fmt::format("{} {}\n", metric, value);
  }
  family("hallq_store_commits_total", "counter",
         "LMDB write transactions committed since start (a group commit's events and audit records are one)");
  out += fmt::format("hallq_store_commits_total {}\n", engine.store_stats().commits);
  family("hallq_zmq_replies_dropped_total", "counter",
         "replies dropped: the peer left that many unread (full queue) or had gone, by reason");
  out += fmt::format("hallq_zmq_replies_dropped_total{{reason=\"unread\"}} {}\n", edge.replies_dropped);
  out += fmt::format("hallq_zmq_replies_dropped_total{{reason=\"gone\"}} {}\n", edge.replies_unroutable);
  family("hallq_zmq_requests_limited_total", "counter",
         "requests refused unhandled: the connection's share of snapshots was spent");
  out += fmt::format("hallq_zmq_requests_limited_total{{reason=\"snapshots\"}} {}\n", edge.snapshots_refused);
  family("hallq_zmq_subscriptions_refused_total", "counter",
         "event subscriptions refused: the topic is outside the key's halls");
  out += fmt::format("hallq_zmq_subscriptions_refused_total {}\n", edge.subscriptions_refused);
  family("hallq_http_requests_total", "counter", "HTTP requests answered");
  out += fmt::format("hallq_http_requests_total {}\n", http.requests);
  family("hallq_http_errors_total", "counter", "HTTP requests answered with a 4xx or 5xx status");
  out += fmt::format("hallq_http_errors_total {}\n", http.errors);
  family("hallq_http_anonymous_refusals_total", "counter",
         "HTTP requests refused without a session, by reason (sampled into the audit log)");
  for (const auto& [reason, n] : http.anonymous_refusals)
    out += fmt::format("hallq_http_anonymous_refusals_total{{reason=\"{}\"}} {}\n", reason, n);
  family("hallq_http_connections_refused_total", "counter",
         "HTTP connections answered 503 and closed at once, by the cap they met");
  for (const auto& [cap, n] : http.connections_refused)
    out += fmt::format("hallq_http_connections_refused_total{{cap=\"{}\"}} {}\n", cap, n);
  family("hallq_http_accept_backoffs_total", "counter",
         "times accepting paused because the process had no descriptor left");
  out += fmt::format("hallq_http_accept_backoffs_total {}\n", http.accept_backoffs);
  family("hallq_http_audit_failures_total", "counter", "audit records the store refused");
  out += fmt::format("hallq_http_audit_failures_total {}\n", http.audit_failures);

  struct Row {
    std::string labels;
    double value;
  };
  std::map<std::string, std::vector<Row>> rows;
  for (const std::string& id : engine.hall_ids()) {
    if (!visible(id)) continue;
    const core::Hall& hall = *engine.hall(id);
    const view::HallSummary s = view::summarize(hall, now);
    const view::LiveStats l = view::live_stats(hall, now);
    rows["hallq_hall_seq"].push_back({fmt::format("hall=\"{}\"", id), static_cast<double>(s.seq)});
    rows["hallq_hall_satisfaction_ratio"].push_back({fmt::format("hall=\"{}\"", id), l.satisfaction});
    rows["hallq_hall_alerts"].push_back(
        {fmt::format("hall=\"{}\"", id), static_cast<double>(l.alerts.size())});
    for (const auto& sv : s.services) {
      const std::string labels = fmt::format("hall=\"{}\",service=\"{}\"", id, sv.id);
      rows["hallq_waiting"].push_back({labels, static_cast<double>(sv.waiting)});
      rows["hallq_predicted_wait_seconds"].push_back({labels, static_cast<double>(sv.predicted_wait_s)});
      rows["hallq_longest_wait_seconds"].push_back({labels, static_cast<double>(sv.longest_wait_s)});
    }
    for (const auto& w : s.windows) {
      const std::string labels = fmt::format("hall=\"{}\",window=\"{}\"", id, w.id);
      rows["hallq_window_open"].push_back({labels, w.state == "closed" ? 0.0 : 1.0});
      rows["hallq_window_busy"].push_back({labels, w.state == "busy" ? 1.0 : 0.0});
      rows["hallq_window_served_today"].push_back({labels, static_cast<double>(w.served)});
    }
  }
  const std::map<std::string, std::string> help = {
      {"hallq_hall_seq", "the hall's last event sequence number"},
      {"hallq_hall_satisfaction_ratio", "share of today's ratings that are 4 or 5"},
      {"hallq_hall_alerts", "alerts open now (long waits, long queues, idle windows)"},
      {"hallq_waiting", "people waiting per service"},
      {"hallq_predicted_wait_seconds", "a newcomer's predicted wait per service"},
      {"hallq_longest_wait_seconds", "the longest wait of those waiting per service"},
      {"hallq_window_open", "1 if the window is open (paused included)"},
      {"hallq_window_busy", "1 if the window has a current ticket"},
      {"hallq_window_served_today", "tickets the window finished today"}};
  for (const auto& [metric, list] : rows) {
    family(metric, "gauge", help.at(metric));
    for (const Row& r : list) out += fmt::format("{}{{{}}} {}\n", metric, r.labels, r.value);
  }
  return out;
}

}  // namespace hallq::server
