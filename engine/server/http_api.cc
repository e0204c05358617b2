#include "engine/server/http_api.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "engine/client/hall_summary.h"
#include "engine/client/json_view.h"
#include "engine/client/live_stats.h"
#include "engine/core/calendar.h"
#include "engine/core/command.h"
#include "engine/core/utf8.h"
#include "engine/predict/forecast.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/server/engine.h"
#include "engine/server/server.h"

namespace hallq::server {
namespace {

using core::ErrorCode;
using nlohmann::json;

// Text from a request (a percent-decoded path, a body that is not JSON) may
// be any bytes: invalid UTF-8 is replaced (U+FFFD), as dump() would throw.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

HttpResponse json_response(int status, const json& body) {
  return {status, "application/json; charset=utf-8", dump(body)};
}

HttpResponse error(int status, std::string_view code, std::string_view message) {
  return json_response(status, json{{"error", code}, {"message", message}});
}

int status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kUnknownHall:
    case ErrorCode::kUnknownWindow:
    case ErrorCode::kUnknownTicket:
    case ErrorCode::kUnknownService:
    case ErrorCode::kUnknownAdvisory:
      return 404;
    case ErrorCode::kBadArgument:
    case ErrorCode::kMalformed:
    case ErrorCode::kTooLarge:
      return 400;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kStorage:
      return 503;
    default:
      return 409;
  }
}

std::string percent_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() + 0 &&
               std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

// "/a/b/c" -> {"a", "b", "c"}, each percent-decoded.
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const std::size_t j = path.find('/', i);
    const std::string_view part =
        path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (!part.empty()) parts.push_back(percent_decode(part));
    if (j == std::string_view::npos) break;
    i = j;
  }
  return parts;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    const std::size_t amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (!pair.empty())
      out[percent_decode(pair.substr(0, eq))] =
          eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::string_view content_type_of(std::string_view file) {
  auto ends = [&](std::string_view ext) {
    return file.size() >= ext.size() && file.substr(file.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json")) return "application/json; charset=utf-8";
  if (ends(".png")) return "image/png";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// A file name under the web root: letters, digits, '-', '_', '.', '/', no "..".
bool safe_relative(std::string_view p) {
  if (p.empty() || p.find("..") != std::string_view::npos || p.front() == '/') return false;
  for (char c : p)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/'))
      return false;
  return true;
}

json live_json(const client::LiveStats& l) {
  json windows = json::array(), services = json::array(), alerts = json::array();
  for (const client::WindowLive& w : l.windows)
    windows.push_back({{"id", w.id},
                       {"finished", w.finished},
                       {"mean_handle_s", w.mean_handle_s},
                       {"utilisation", w.utilisation}});
  for (const client::ServiceLive& s : l.services) {
    services.push_back({{"id", s.id},
                        {"issued", s.issued},
                        {"called", s.called},
                        {"finished", s.finished},
                        {"mean_wait_s", s.mean_wait_s},
                        {"over_target_share", s.over_target_share},
                        {"mean_handle_s", s.mean_handle_s}});
  }
  for (const client::Alert& a : l.alerts)
    alerts.push_back(
        {{"kind", a.kind}, {"service", a.service}, {"window", a.window}, {"message", a.message}});
  return {{"windows", windows},
          {"services", services},
          {"ratings", l.ratings},
          {"satisfied", l.satisfied},
          {"not_rated", l.not_rated},
          {"satisfaction", l.satisfaction},
          {"issued", l.issued},
          {"called", l.called},
          {"no_shows", l.no_shows},
          {"left", l.left},
          {"no_show_rate", l.no_show_rate},
          {"give_up_rate", l.give_up_rate},
          {"alerts", alerts}};
}

json hall_json(const core::Hall& hall, core::TimeUs now) {
  json j = client::to_json(client::summarize(hall, now));
  j["live"] = live_json(client::live_stats(hall, now));
  j["wait_target_min"] = hall.config().wait_target_min;
  // The hall's own calendar day (its time zone, not the browser's), for history queries.
  j["local_date"] = core::format_date(hall.config().local_day(now));
  return j;
}

json tickets_json(const core::Hall& hall, core::TimeUs now, bool waiting_only) {
  const core::HallConfig& cfg = hall.config();
  const core::TimeUs midnight = cfg.day_start(cfg.local_day(now));
  const predict::Forecast f = predict::forecast(hall, now);
  std::map<core::TicketId, const predict::TicketForecast*> by_id;
  for (const predict::TicketForecast& tf : f.tickets) by_id[tf.ticket] = &tf;
  json out = json::array();
  for (const core::Ticket& t : hall.tickets()) {
    if (t.issued_at < midnight) continue;
    if (waiting_only && t.state != core::TicketState::kWaiting) continue;
    json j = {{"id", t.id},
              {"number", hall.number_of(t)},
              {"service", cfg.services[t.service].id},
              {"priority", core::to_string(t.priority)},
              {"state", core::to_string(t.state)},
              {"issued_at_us", t.issued_at},
              {"predicted_wait_at_issue_s", t.predicted_wait_s}};
    if (t.window != core::kNoWindow) j["window"] = cfg.windows[t.window].id;
    if (t.first_called_at) j["waited_s"] = (t.first_called_at - t.issued_at) / core::kUsPerSecond;
    if (t.state == core::TicketState::kWaiting) {
      j["waited_s"] = (now - t.issued_at) / core::kUsPerSecond;
      if (auto it = by_id.find(t.id); it != by_id.end()) {
        j["ahead"] = it->second->ahead;
        j["predicted_wait_s"] = it->second->wait_s;
      }
    }
    if (t.state == core::TicketState::kRated) j["rating"] = t.rating;
    out.push_back(std::move(j));
  }
  return out;
}

json staff_json(const core::Hall& hall) {
  const core::HallConfig& cfg = hall.config();
  json out = json::array();
  auto where = [&](std::string_view staff) -> json {
    for (std::size_t i = 0; i < cfg.windows.size(); ++i) {
      const core::Window& w = hall.window(static_cast<core::WindowIdx>(i));
      if (w.state != core::WindowState::kClosed && hall.staff_id(w.staff) == staff) return cfg.windows[i].id;
    }
    return nullptr;
  };
  for (const core::StaffConfig& s : cfg.staff)
    out.push_back({{"id", s.id}, {"name", s.name}, {"window", where(s.id)}});
  return out;
}

}  // namespace

HttpApi::HttpApi(Engine& engine, Server& server, HttpApiOptions options)
    : engine_(engine),
      server_(server),
      options_(std::move(options)),
      boot_(fmt::format("http-{}", options_.wall_clock->now_us())) {
  if (options_.accounts != nullptr) {
    if (!options_.post) throw std::invalid_argument("HttpApi: accounts need HttpApiOptions::post");
    checker_ = std::make_unique<PasswordChecker>(options_.post);
    dummy_hash_ = hash_password("no such user");
  }
}

namespace {

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t semi = header.find(';');
    std::string_view item = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.size() > name.size() && item.substr(0, name.size()) == name && item[name.size()] == '=')
      return std::string(item.substr(name.size() + 1));
  }
  return {};
}

constexpr std::string_view kSessionCookie = "hallq_session";

json session_json(const Session& s) {
  return {{"auth", true},
          {"user", s.account->name},
          {"role", to_string(s.account->role)},
          {"halls", s.account->halls},
          {"csrf", s.csrf}};
}

}  // namespace

const Session* HttpApi::session_of(const HttpRequest& req) {
  if (options_.accounts == nullptr) return nullptr;
  const std::string id = cookie_value(req.cookie, kSessionCookie);
  return id.empty() ? nullptr : sessions_.find(id, SessionTable::Clock::now());
}

bool HttpApi::allows_live(const HttpRequest& req, std::string_view hall) {
  if (options_.accounts == nullptr) return true;
  const Session* s = session_of(req);
  return s != nullptr && s->account->may_see(hall);
}

void HttpApi::write_audit(const std::string& user, const HttpRequest& req, std::string_view hall, int status,
                          std::string_view result) {
  if (!options_.audit) return;
  const std::size_t qmark = req.target.find('?');
  json body = json::parse(req.body, nullptr, false);
  if (body.is_object() && body.contains("password")) body["password"] = "***";
  json record = {
      {"time_us", options_.wall_clock->now_us()}, {"user", user}, {"peer", req.peer}, {"method", req.method},
      {"path", req.target.substr(0, qmark)},      {"hall", hall}, {"status", status}, {"result", result}};
  if (!req.body.empty()) record["body"] = body.is_discarded() ? json(req.body.substr(0, 512)) : body;
  try {
    options_.audit(dump(record));
  } catch (const std::exception& e) {
    std::cerr << "hallqd: audit log: " << e.what() << ": " << dump(record) << std::endl;
  }
}

void HttpApi::login(const HttpRequest& req, std::function<void(HttpResponse)> reply) {
  const json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("user") || !body["user"].is_string() ||
      !body.contains("password") || !body["password"].is_string())
    return reply(error(400, "malformed", "请求内容须为 {\"user\": 用户名, \"password\": 密码}"));
  const std::string user = body["user"];
  const auto now = SessionTable::Clock::now();
  if (sessions_.locked(user, now)) {
    write_audit(user, req, "", 429, "locked");
    return reply(error(429, "too_many_attempts", "登录失败次数过多，请稍后再试"));
  }
  const Account* account = options_.accounts->find(user);
  const std::string hash = account != nullptr ? account->password_hash : dummy_hash_;
  const bool queued = checker_->check(hash, body["password"], [this, req, user, account, reply](bool ok) {
    if (!ok || account == nullptr) {
      sessions_.failed(user, SessionTable::Clock::now());
      write_audit(user, req, "", 401, "login_failed");
      return reply(error(401, "bad_credentials", "用户名或密码错误"));
    }
    sessions_.succeeded(user);
    const Session& s = sessions_.create(*account, SessionTable::Clock::now());
    write_audit(user, req, "", 200, "login");
    HttpResponse r = json_response(200, session_json(s));
    r.set_cookie = fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict", kSessionCookie, s.id);
    reply(std::move(r));
  });
  if (!queued) reply(error(503, "busy", "登录请求过多，请稍后再试"));
}

std::string HttpApi::live_message(std::string_view hall_id) const {
  const core::Hall* hall = engine_.hall(hall_id);
  if (hall == nullptr) return {};
  return dump(json{{"type", "summary"}, {"data", hall_json(*hall, server_.now())}});
}

void HttpApi::handle(const HttpRequest& req, std::function<void(HttpResponse)> reply) {
  ++counters_.requests;
  const bool auth = options_.accounts != nullptr;
  auto answer = [&](HttpResponse r) {
    if (r.status >= 400) ++counters_.errors;
    reply(std::move(r));
  };
  const std::size_t qmark = req.target.find('?');
  const std::string_view path = std::string_view(req.target).substr(0, qmark);
  const auto query = parse_query(qmark == std::string::npos ? std::string_view()
                                                            : std::string_view(req.target).substr(qmark + 1));
  const std::vector<std::string> parts = split_path(path);
  // Path parts name halls, windows, staff: they end up in commands, events
  // and JSON, so they must be text (a staff id is not checked by the core).
  for (const std::string& part : parts)
    if (!core::printable_utf8(part))
      return answer(error(400, "bad_argument", "地址须为 UTF-8 文字，不含控制字符"));
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  const core::TimeUs now = server_.now();

  // --- static files and metrics
  if (parts.empty() || parts[0] == "static" || parts[0] == "vendor") {
    if (!get) return answer(error(405, "method_not_allowed", "只支持 GET"));
    std::string file, body;
    if (parts.empty()) {
      file = options_.web_root.empty() ? "" : options_.web_root + "/index.html";
    } else if (parts[0] == "vendor" && parts.size() == 2 && parts[1] == "chart.umd.js") {
      file = options_.chart_js;
    } else if (parts[0] == "static" && !options_.web_root.empty()) {
      std::string rel;
      for (std::size_t i = 1; i < parts.size(); ++i) rel += (i > 1 ? "/" : "") + parts[i];
      if (safe_relative(rel)) file = options_.web_root + "/" + rel;
    }
    if (file.empty() || !read_file(file, body))
      return answer(error(404, "not_found", fmt::format("没有 {}", path)));
    return answer({200, std::string(content_type_of(file)), std::move(body)});
  }
  if (parts.size() == 1 && parts[0] == "metrics") {
    if (!get) return answer(error(405, "method_not_allowed", "只支持 GET"));
    return answer({200, "text/plain; version=0.0.4; charset=utf-8", metrics_text(now)});
  }
  // --- logins
  if (parts.size() == 2 && parts[0] == "api" &&
      (parts[1] == "login" || parts[1] == "logout" || parts[1] == "session")) {
    if (parts[1] == "session") {
      if (!get) return answer(error(405, "method_not_allowed", "只支持 GET"));
      if (!auth)
        return answer(json_response(
            200, json{{"auth", false}, {"role", "admin"}, {"halls", json::array()}, {"csrf", ""}}));
      const Session* s = session_of(req);
      return answer(s ? json_response(200, session_json(*s)) : error(401, "login_required", "请先登录"));
    }
    if (!post) return answer(error(405, "method_not_allowed", "只支持 POST"));
    if (!auth) return answer(error(404, "not_found", "未启用登录（hallqd 没有 --accounts）"));
    if (parts[1] == "login")
      return login(req, [this, reply](HttpResponse r) {
        if (r.status >= 400) ++counters_.errors;
        reply(std::move(r));
      });
    const Session* s = session_of(req);
    if (s != nullptr) {
      write_audit(s->account->name, req, "", 200, "logout");
      sessions_.remove(std::string(s->id));
    }
    HttpResponse r = json_response(200, json{{"ok", true}});
    r.set_cookie = fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", kSessionCookie);
    return answer(std::move(r));
  }
  if (parts[0] != "api" || parts.size() < 2 || (parts[1] != "halls" && parts[1] != "audit"))
    return answer(error(404, "not_found", fmt::format("没有这个地址：{}", path)));
  const Session* session = session_of(req);
  if (auth && session == nullptr) return answer(error(401, "login_required", "请先登录"));
  const std::string user = session ? session->account->name : "(loopback)";
  const bool admin = !auth || session->account->role == Role::kAdmin;

  // --- the audit log
  if (parts[1] == "audit") {
    if (!get) return answer(error(405, "method_not_allowed", "只支持 GET"));
    if (parts.size() != 2) return answer(error(404, "not_found", fmt::format("没有这个地址：{}", path)));
    if (!admin) return answer(error(403, "forbidden", "只有管理员可以查看审计日志"));
    if (!options_.read_audit) return answer(error(501, "not_implemented", "审计日志不可用"));
    std::uint64_t from = 1, limit = 200;
    try {
      if (query.count("from")) from = std::stoull(query.at("from"));
      if (query.count("limit")) limit = std::min<std::uint64_t>(std::stoull(query.at("limit")), 1000);
    } catch (const std::exception&) {
      return answer(error(400, "bad_argument", "from 和 limit 须为数字"));
    }
    json records = json::array();
    options_.read_audit(from, [&](std::uint64_t n, std::string_view bytes) {
      json r = json::parse(bytes, nullptr, false);
      if (r.is_discarded()) r = json::object();
      r["n"] = n;
      records.push_back(std::move(r));
      return records.size() < limit;
    });
    return answer(json_response(200, records));
  }

  // --- reads
  if (parts.size() == 2) {
    if (!get) return answer(error(405, "method_not_allowed", "只支持 GET"));
    json halls = json::array();
    for (const std::string& id : engine_.hall_ids()) {
      if (session != nullptr && !session->account->may_see(id)) continue;
      const core::Hall* h = engine_.hall(id);
      const client::HallSummary s = client::summarize(*h, now);
      std::uint32_t open = 0;
      for (const auto& w : s.windows) open += w.state != "closed";
      halls.push_back(
          {{"id", s.id}, {"name", s.name}, {"seq", s.seq}, {"waiting", s.waiting}, {"open_windows", open}});
    }
    return answer(json_response(200, halls));
  }
  const std::string& hall_id = parts[2];
  const core::Hall* hall = engine_.hall(hall_id);
  if (hall == nullptr) return answer(error(404, "unknown_hall", fmt::format("没有大厅“{}”", hall_id)));
  if (session != nullptr && !session->account->may_see(hall_id))
    return answer(error(403, "forbidden", fmt::format("{} 无权查看大厅“{}”", user, hall_id)));
  if (parts.size() == 3) {
    if (!get) return answer(error(405, "method_not_allowed", "只支持 GET"));
    return answer(json_response(200, hall_json(*hall, now)));
  }
  const std::string& what = parts[3];
  if (get) {
    if (parts.size() == 4 && what == "tickets") {
      const std::string state = query.count("state") ? query.at("state") : "all";
      if (state != "all" && state != "waiting")
        return answer(error(400, "bad_argument", "state 只能是 waiting 或 all"));
      return answer(json_response(200, tickets_json(*hall, now, state == "waiting")));
    }
    if (parts.size() == 4 && what == "staff") return answer(json_response(200, staff_json(*hall)));
    if (parts.size() == 4 && what == "history") {
      if (!options_.history) return answer(error(501, "not_implemented", "历史统计不可用"));
      try {
        return answer({200, "application/json; charset=utf-8", options_.history(hall_id, query)});
      } catch (const std::invalid_argument& e) {
        return answer(error(400, "bad_argument", e.what()));
      } catch (const std::exception& e) {
        return answer(error(500, "internal", e.what()));
      }
    }
    if (post) return answer(error(405, "method_not_allowed", "只支持 GET"));
  }

  // --- manager actions
  if (!post) {
    const bool known = (parts.size() == 4 && (what == "notice")) ||
                       (parts.size() == 6 && (what == "windows" || what == "advisories" || what == "staff"));
    return answer(known ? error(405, "method_not_allowed", "只支持 POST")
                        : error(404, "not_found", fmt::format("没有这个地址：{}", path)));
  }
  auto deny = [&](std::string_view code, const std::string& message) {
    write_audit(user, req, hall_id, 403, code);
    return answer(error(403, code, message));
  };
  if (!admin) return deny("forbidden", fmt::format("{} 是只读账号，不能操作", user));
  if (auth && req.csrf_token != session->csrf) return deny("csrf", "缺少或错误的 X-CSRF-Token（请刷新页面）");
  if (auth && !req.origin.empty() && req.origin != "http://" + req.host &&
      req.origin != "https://" + req.host)
    return deny("csrf", fmt::format("来源 {} 与本站不符", req.origin));
  // From here on every answer is an action's outcome: audited before it is sent.
  reply = [this, user, req, hall_id, reply = std::move(reply)](HttpResponse r) {
    const json j = json::parse(r.body, nullptr, false);
    const std::string result =
        r.status == 200 ? "ok"
                        : (j.is_object() && j.contains("error") ? j["error"].get<std::string>() : "error");
    write_audit(user, req, hall_id, r.status, result);
    reply(std::move(r));
  };
  json body = json::object();
  if (!req.body.empty()) {
    body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return answer(error(400, "malformed", "请求内容须为 JSON 对象"));
  }
  auto text_field = [&](const char* key, std::string& out, bool required) -> bool {
    if (!body.contains(key)) return !required;
    if (!body[key].is_string()) return false;
    out = body[key].get<std::string>();
    return true;
  };

  std::string staff, text, window;
  std::vector<std::pair<std::string, int>> serves;
  core::CommandBody command;
  if (parts.size() == 4 && what == "notice") {
    if (!text_field("text", text, true)) return answer(error(400, "bad_argument", "缺少字符串字段 text"));
    command = core::SetNotice{text};
  } else if (parts.size() == 6 && what == "windows") {
    window = parts[4];
    const std::string& verb = parts[5];
    if (verb == "open") {
      if (!text_field("staff", staff, false)) return answer(error(400, "bad_argument", "staff 须为字符串"));
      command = core::OpenWindow{window, staff};
    } else if (verb == "close") {
      command = core::CloseWindow{window};
    } else if (verb == "pause") {
      command = core::PauseWindow{window};
    } else if (verb == "resume") {
      command = core::ResumeWindow{window};
    } else if (verb == "skills") {
      if (!body.contains("serves") || !body["serves"].is_object() || body["serves"].empty())
        return answer(error(400, "bad_argument", "serves 须为 {\"事项\": 级别} 对象"));
      for (const auto& [id, level] : body["serves"].items()) {
        if (!level.is_number_integer())
          return answer(error(400, "bad_argument", fmt::format("事项 {} 的级别须为整数", id)));
        serves.emplace_back(id, level.get<int>());
      }
      core::SetWindowSkills c{window, {}};
      for (const auto& [id, level] : serves) c.serves.emplace_back(id, level);
      command = std::move(c);
    } else {
      return answer(error(404, "not_found", fmt::format("没有这个地址：{}", path)));
    }
  } else if (parts.size() == 6 && what == "advisories" && parts[5] == "accept") {
    std::uint32_t id = 0;
    try {
      std::size_t used = 0;
      const unsigned long v = std::stoul(parts[4], &used);
      if (used != parts[4].size() || v > 0xFFFFFFFFul) throw std::out_of_range("id");
      id = static_cast<std::uint32_t>(v);
    } catch (const std::exception&) {
      return answer(error(400, "bad_argument", fmt::format("建议编号须为数字，收到“{}”", parts[4])));
    }
    if (!text_field("staff", staff, false)) return answer(error(400, "bad_argument", "staff 须为字符串"));
    command = core::AcceptAdvisory{id, staff};
  } else if (parts.size() == 6 && what == "staff" && parts[5] == "move") {
    staff = parts[4];
    if (!text_field("window", window, true))
      return answer(error(400, "bad_argument", "缺少字符串字段 window"));
    const core::HallConfig& cfg = hall->config();
    if (!cfg.find_window(window))
      return answer(error(404, "unknown_window", fmt::format("没有窗口“{}”", window)));
    // Where the staff is now: that window is closed first (it must be free).
    std::string from;
    for (std::size_t i = 0; i < cfg.windows.size(); ++i) {
      const core::Window& w = hall->window(static_cast<core::WindowIdx>(i));
      if (w.state != core::WindowState::kClosed && hall->staff_id(w.staff) == staff) from = cfg.windows[i].id;
    }
    if (from == window) return answer(error(409, "already_there", fmt::format("{} 已在该窗口", staff)));
    ++counters_.actions;
    const std::string key = req.idempotency_key;
    auto open = [this, hall_id, window, staff, key, reply](const std::string& close_reply) {
      if (!close_reply.empty()) {
        const protocol::DecodedReply r = protocol::decode_reply(protocol::as_bytes(close_reply));
        if (!r.ok()) {
          ++counters_.errors;
          return reply(error(status_of(r.code), core::to_string(r.code), r.message));
        }
      }
      const std::string id =
          key.empty() ? fmt::format("{}-{}-open", boot_, next_request_++) : "http:" + key + ":open";
      server_.submit(protocol::encode_request(id, hall_id, core::OpenWindow{window, staff}),
                     [this, reply](const std::string& bytes) {
                       const protocol::DecodedReply r = protocol::decode_reply(protocol::as_bytes(bytes));
                       json events = json::array();
                       for (const std::string& e : r.events)
                         events.push_back(client::to_json(protocol::describe_event(protocol::as_bytes(e))));
                       if (!r.ok()) ++counters_.errors;
                       reply(r.ok() ? json_response(200, json{{"ok", true}, {"events", events}})
                                    : error(status_of(r.code), core::to_string(r.code), r.message));
                     });
    };
    if (from.empty()) return open({});
    const std::string id =
        key.empty() ? fmt::format("{}-{}-close", boot_, next_request_++) : "http:" + key + ":close";
    server_.submit(protocol::encode_request(id, hall_id, core::CloseWindow{from}), std::move(open));
    return;
  } else {
    return answer(error(404, "not_found", fmt::format("没有这个地址：{}", path)));
  }

  ++counters_.actions;
  const std::string id = req.idempotency_key.empty() ? fmt::format("{}-{}", boot_, next_request_++)
                                                     : "http:" + req.idempotency_key;
  if (id.size() > core::kMaxRequestIdLength)
    return answer(error(400, "bad_argument", "Idempotency-Key 过长"));
  server_.submit(protocol::encode_request(id, hall_id, command), [this, reply](const std::string& bytes) {
    const protocol::DecodedReply r = protocol::decode_reply(protocol::as_bytes(bytes));
    if (!r.ok()) {
      ++counters_.errors;
      return reply(error(status_of(r.code), core::to_string(r.code), r.message));
    }
    json events = json::array();
    for (const std::string& e : r.events)
      events.push_back(client::to_json(protocol::describe_event(protocol::as_bytes(e))));
    reply(json_response(200, json{{"ok", true}, {"duplicate", r.duplicate}, {"events", events}}));
  });
}

std::string HttpApi::metrics_text(std::int64_t now) const {
  std::string out;
  auto family = [&](std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  const Engine::Counters& c = engine_.counters();
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
  family("hallq_http_requests_total", "counter", "HTTP requests answered");
  out += fmt::format("hallq_http_requests_total {}\n", counters_.requests);
  family("hallq_http_errors_total", "counter", "HTTP requests answered with a 4xx or 5xx status");
  out += fmt::format("hallq_http_errors_total {}\n", counters_.errors);

  struct Row {
    std::string labels;
    double value;
  };
  std::map<std::string, std::vector<Row>> rows;
  for (const std::string& id : engine_.hall_ids()) {
    const core::Hall& hall = *engine_.hall(id);
    const client::HallSummary s = client::summarize(hall, now);
    const client::LiveStats l = client::live_stats(hall, now);
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
