// Lookups fail closed and alike: a hall that is not served and a token that
// does not match answer the same 404, and both count against the address,
// so neither hall ids nor tickets can be enumerated from outside.
#include "adapters/citizen/citizen_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "adapters/citizen/embedded_site.h"
#include "adapters/citizen/ticket_view.h"
#include "engine/core/booking.h"
#include "engine/core/calendar.h"
#include "engine/core/html_escape.h"
#include "engine/core/rating.h"
#include "engine/core/resident_id.h"
#include "engine/core/ticket.h"
#include "engine/keys/checkin_token.h"
#include "engine/keys/ticket_token.h"

namespace hallq::citizen {

using server::HttpRequest;
using server::HttpResponse;

namespace {

constexpr std::int64_t kForecastMaxAgeUs = 10'000'000;

// `hall_name`, where given, names the hall the answer is about (the 503s).
HttpResponse json_error(int status, std::string_view code, std::string_view message,
                        std::string_view hall_name = {}) {
  nlohmann::json j{{"error", code}, {"message", message}};
  if (!hall_name.empty()) j["hall_name"] = hall_name;
  return {status, "application/json; charset=utf-8", j.dump()};
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The page for an error: the message and, if given, a line under it, in the
// page's style, without script. `hall_name` heads it where the gateway knows
// the hall (CitizenApi::lookup says when); "" names none.
HttpResponse html_error(int status, std::string_view message, std::string_view hall_name = {},
                        std::string_view detail = {}) {
  const std::string name = core::html_escape(hall_name);
  return {status, "text/html; charset=utf-8",
          fmt::format("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                      "<title>{}</title><link rel=\"icon\" href=\"data:,\">"
                      "<link rel=\"stylesheet\" href=\"/static/ticket.css\"></head>"
                      "<body><main class=\"card error\">{}<p id=\"error\">{}</p>{}</main></body></html>",
                      name.empty() ? "排队查询" : name,
                      name.empty() ? "" : "<header><p id=\"hall-name\">" + name + "</p></header>",
                      core::html_escape(message),
                      detail.empty() ? "" : "<p id=\"error-detail\">" + core::html_escape(detail) + "</p>")};
}

// "12月2日", as the engine names a day in its refusals.
std::string month_day(std::int64_t day) {
  const core::CivilDate d = core::civil_date(day);
  return fmt::format("{}月{}日", d.month, d.day);
}

bool id_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; }

bool valid_hall_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!id_char(c)) return false;
  return true;
}

bool valid_token_text(std::string_view s) {
  if (s.size() != keys::kTicketTokenLength) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

constexpr std::string_view kCheckInExpired = "签到二维码已过期，请扫描大厅屏幕上的最新二维码";

bool valid_number(std::string_view s) {
  std::string_view prefix;
  std::uint32_t n = 0;
  return s.size() <= 12 && core::split_number(s, prefix, n);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

// Query parameters without percent-decoding: every value the routes accept
// is plain ASCII, so an encoded one is malformed anyway. nullopt: a key given twice.
std::optional<std::map<std::string, std::string, std::less<>>> parse_query(std::string_view q) {
  std::map<std::string, std::string, std::less<>> out;
  if (q.empty()) return out;
  for (std::string_view part : split(q, '&')) {
    if (part.empty()) continue;
    const std::size_t eq = part.find('=');
    std::string key(part.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    if (!out.emplace(std::move(key), std::move(value)).second) return std::nullopt;
  }
  return out;
}

std::string_view param(const std::map<std::string, std::string, std::less<>>& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? std::string_view() : std::string_view(it->second);
}

std::string host_of_origin(std::string_view origin) {
  const std::size_t at = origin.find("://");
  return at == std::string_view::npos ? std::string() : std::string(origin.substr(at + 3));
}

// A POST from a page of this gateway: the browser names the page's origin,
// which must be the public URL's or the Host the request itself names.
bool same_origin(const HttpRequest& req, const std::string& public_origin) {
  const std::string origin_host = host_of_origin(req.origin);
  return !req.origin.empty() && ((!public_origin.empty() && req.origin == public_origin) ||
                                 (!req.host.empty() && origin_host == req.host));
}

// "09:00-12:00、14:00-16:00".
std::string spans_text(const std::vector<core::TimeSpan>& spans) {
  std::string out;
  for (const core::TimeSpan& h : spans)
    out += fmt::format("{}{:02}:{:02}-{:02}:{:02}", out.empty() ? "" : "、", h.start_min / 60,
                       h.start_min % 60, h.end_min / 60, h.end_min % 60);
  return out;
}

// The name of hall `id` if it is a hall this gateway serves: as its
// replica's config gives it, or before there is one (the engine not reached,
// or not knowing the hall) as the gateway's [hall_names] does; "" otherwise.
// For the error pages of a link whose hall part is all the gateway knows
// (400, 429) and the 503s: a served hall's id is no secret (its /r/HALL page
// answers anyone), a ticket is.
std::string served_hall_name(const CitizenConfig& config, const HallSource& source, std::string_view id) {
  if (!valid_hall_id(id) || std::find(config.halls.begin(), config.halls.end(), id) == config.halls.end())
    return "";
  if (const core::Hall* hall = source.hall(id)) return hall->config().name;
  const auto it = config.hall_names.find(id);
  return it == config.hall_names.end() ? "" : it->second;
}

}  // namespace

HttpResponse CitizenApi::streams_busy(std::string_view hall) const {
  return json_error(503, "busy", "当前查看的人数过多，请稍后刷新", served_hall_name(config_, source_, hall));
}

struct CitizenApi::Lookup {
  HttpResponse error{0, {}, {}, {}};  // status 0: found
  const core::Hall* hall = nullptr;
  const core::Ticket* ticket = nullptr;        // today's ticket
  const core::RateableTicket* past = nullptr;  // an earlier day's, open to 补充评价 (Days::kRateable)
  std::int64_t day = 0;                        // an earlier day's link: its day (Days::kAnyPast)
  bool failed() const { return error.status != 0; }
};

CitizenApi::CitizenApi(const CitizenConfig& config, std::string secret, HallSource& source)
    : config_(config),
      secret_(std::move(secret)),
      source_(source),
      throttle_(config.limits.token_failures_burst, config.limits.token_failures_per_minute),
      remote_budget_(config.limits.remote_burst, config.limits.remote_per_hour / 60.0),
      checkin_budget_(config.limits.checkin_burst, config.limits.checkin_per_hour / 60.0),
      public_origin_(origin_of(config.public_url)) {}

std::string CitizenApi::client_address(const HttpRequest& r) const {
  if (r.forwarded_for.empty()) return r.peer;
  bool trusted = false;
  for (const std::string& p : config_.trusted_proxies) trusted = trusted || p == r.peer;
  if (!trusted) return r.peer;
  std::string_view f = r.forwarded_for;
  const std::size_t comma = f.rfind(',');
  if (comma != std::string_view::npos) f = f.substr(comma + 1);
  while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.remove_prefix(1);
  while (!f.empty() && (f.back() == ' ' || f.back() == '\t')) f.remove_suffix(1);
  if (f.empty() || f.size() > 64) return r.peer;
  return std::string(f);
}

const predict::TicketForecast* CitizenApi::forecast_of(const core::Hall& hall, core::TicketId id,
                                                       bool without_remotes) {
  ForecastCache& c = forecasts_[hall.config().id];
  const core::TimeUs now = source_.now();
  if (c.seq != hall.seq() || c.at == 0 || now - c.at > kForecastMaxAgeUs || now < c.at) {
    const predict::Forecast f = predict::forecast(hall, now);
    c.seq = hall.seq();
    c.at = now;
    c.by_ticket.clear();
    for (const predict::TicketForecast& t : f.tickets) c.by_ticket.emplace(t.ticket, t);
    for (const predict::TicketForecast& t : f.awaiting) c.by_ticket.emplace(t.ticket, t);  // not checked in
    c.calibration = view::RangeCalibration::learn(hall);
    c.without_remotes.clear();
    if (!f.awaiting.empty()) {
      const predict::Forecast g = predict::forecast(hall, now, {.awaiting_remotes = false});
      for (const predict::TicketForecast& t : g.tickets) c.without_remotes.emplace(t.ticket, t);
    }
  }
  const auto& by = without_remotes ? c.without_remotes : c.by_ticket;
  auto it = by.find(id);
  return it == by.end() ? nullptr : &it->second;
}

const view::RangeCalibration* CitizenApi::calibration_of(const core::Hall& hall) {
  const auto it = forecasts_.find(hall.config().id);
  return it == forecasts_.end() ? nullptr : &it->second.calibration;
}

std::string CitizenApi::ticket_json(std::string_view hall_id, std::string_view number) {
  const core::Hall* hall = source_.hall(hall_id);
  if (hall == nullptr) return "";
  const core::Ticket* t = hall->find_number(number);
  if (t == nullptr) return "";
  const predict::TicketForecast* f = forecast_of(*hall, t->id);
  return to_json(
             ticket_view(*hall, *t, f, source_.now(), forecast_of(*hall, t->id, true), calibration_of(*hall)))
      .dump();
}

bool CitizenApi::is_today(std::string_view hall_id, std::string_view date) const {
  const core::Hall* hall = source_.hall(hall_id);
  return hall != nullptr && core::format_date(hall->day()) == date;
}

std::string CitizenApi::lapsed_json(std::string_view hall_id, std::string_view date, std::string_view number,
                                    std::string_view last) {
  const core::Hall* hall = source_.hall(hall_id);
  if (hall == nullptr || last.empty()) return "";
  const auto day = core::parse_day(date);
  if (!day || hall->day() <= *day) return "";  // the same day: the ticket is missing for another reason
  const nlohmann::json was = nlohmann::json::parse(last, nullptr, false);
  if (!was.is_object() || was.value("final", true)) return "";
  return to_json(lapsed_ticket_view(*hall, std::string(number), was.value("service", std::string()),
                                    was.value("kind", std::string()), std::string(date)))
      .dump();
}

// The lookup every ticket route makes (see the header for its order).
CitizenApi::Lookup CitizenApi::lookup(std::string_view hall, std::string_view date, std::string_view number,
                                      std::string_view token, const std::string& client,
                                      std::int64_t steady_us, bool page, Days days) {
  Lookup l;
  // The page names the hall (`hall_name`) where the gateway knows it: from the link's hall part
  // (429, 400: served_hall_name), from the token once it is checked (410, 404 of a number not
  // issued today); never on the 404 of a token that does not match, which must read the same
  // whatever hall the link names, so that it tells neither whether the ticket exists nor whose.
  auto refuse = [&](int status, std::string_view code, std::string_view message, bool count,
                    std::string_view hall_name = {}, std::string_view detail = {}) {
    if (count) throttle_.failed(client, steady_us);
    l.error = page ? html_error(status, message, hall_name, detail) : json_error(status, code, message);
  };
  if (!throttle_.allowed(client, steady_us)) {
    refuse(429, "too_many_requests", "查询失败次数过多，请稍后再试", false,
           page ? served_hall_name(config_, source_, hall) : "");
    return l;
  }
  if (!valid_hall_id(hall) || !core::parse_day(date) || !valid_number(number) || !valid_token_text(token)) {
    refuse(400, "bad_link", "链接不完整或有误，请重新扫描号票上的二维码", true,
           page ? served_hall_name(config_, source_, hall) : "");
    return l;
  }
  bool served = false;
  for (const std::string& h : config_.halls) served = served || h == hall;
  if (!served || !keys::verify_ticket_token(secret_, hall, date, number, token)) {
    refuse(404, "not_found", "找不到这张号票：链接无效，请重新扫描号票上的二维码", true);
    return l;
  }
  l.hall = source_.hall(hall);
  if (l.hall == nullptr) {  // the token is checked: the hall may be named
    const std::string name = served_hall_name(config_, source_, hall);
    if (page)
      l.error = html_error(503, "系统连接中，请稍后刷新", name);
    else
      l.error = json_error(503, "unavailable", "系统连接中，请稍后刷新", name);
    return l;
  }
  if (core::format_date(l.hall->day()) != date) {
    const std::int64_t day = *core::parse_day(date), today = l.hall->day();
    // The hall's day, or the engine's date where the hall has none yet (no event so far).
    const std::int64_t now_day = today != 0 ? today : l.hall->config().local_day(source_.now());
    if (days == Days::kAnyPast && day < now_day) {
      l.day = day;
      return l;
    }
    if (days == Days::kRateable && day < today &&
        today - day <= l.hall->config().evaluation.supplement_days) {
      for (const core::RateableTicket& r : l.hall->rateable())
        if (r.day == day && l.hall->printed_number(r.ticket) == number) l.past = &r;
      if (l.past != nullptr) return l;
    }
    const std::string& name = l.hall->config().name;
    if (day > now_day) {  // a kiosk's clock ahead of the engine's
      refuse(410, "expired", "这张号票不是今天的，已经失效", false, name);
      return l;
    }
    // An earlier day's number: the page says what an open page of it says (号码已失效), or, past
    // the days of 补充评价, that it is too late for that too (in the engine's words for it).
    const int supplement_days = l.hall->config().evaluation.supplement_days;
    const std::string detail =
        supplement_days > 0 && now_day - day > supplement_days
            ? fmt::format("{} 的号已过补充评价期限（办理后 {} 天内）", month_day(day), supplement_days)
            : std::string(kLapsedDetail);
    refuse(410, "expired", page ? kLapsedHeadline : "这张号票不是今天的，已经失效", false, name, detail);
    return l;
  }
  l.ticket = l.hall->find_number(number);
  if (l.ticket == nullptr) refuse(404, "not_found", "今天没有这个号码", false, l.hall->config().name);
  return l;
}

CitizenAnswer CitizenApi::handle(const HttpRequest& req, std::int64_t steady_us) {
  CitizenAnswer a;
  a.client = client_address(req);
  const std::string_view target = req.target;
  const std::size_t qmark = target.find('?');
  const std::string_view path = target.substr(0, qmark);
  const std::string_view query =
      qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  std::vector<std::string_view> parts = split(path, '/');
  if (!parts.empty() && parts.front().empty()) parts.erase(parts.begin());
  const bool page = !parts.empty() && parts[0] == "t";

  auto lookup = [&](std::string_view hall, std::string_view date, std::string_view number,
                    std::string_view token, Days days) {
    return this->lookup(hall, date, number, token, a.client, steady_us, page, days);
  };

  if (page) {
    if (!get) {
      a.response = html_error(405, "不支持的请求方式");
      return a;
    }
    std::string_view token;
    std::optional<std::map<std::string, std::string, std::less<>>> q = parse_query(query);
    if (parts.size() == 5) {
      token = parts[4];
    } else if (parts.size() == 4 && q) {
      token = param(*q, "k");
    }
    if ((parts.size() != 4 && parts.size() != 5) || !q) {
      throttle_.failed(a.client, steady_us);
      a.response = html_error(400, "链接不完整或有误，请重新扫描号票上的二维码",
                              parts.size() >= 2 ? served_hall_name(config_, source_, parts[1]) : "");
      return a;
    }
    Lookup l = lookup(parts[1], parts[2], parts[3], token, Days::kRateable);
    if (l.failed()) {
      a.response = std::move(l.error);
      return a;
    }
    const predict::TicketForecast* f = l.past != nullptr ? nullptr : forecast_of(*l.hall, l.ticket->id);
    const TicketView v = l.past != nullptr
                             ? past_ticket_view(*l.hall, *l.past)
                             : ticket_view(*l.hall, *l.ticket, f, source_.now(),
                                           forecast_of(*l.hall, l.ticket->id, true), calibration_of(*l.hall));
    std::string html(site_file("ticket.html"));
    html = replace_all(std::move(html), "{{number}}", core::html_escape(v.number));
    html = replace_all(std::move(html), "{{service}}", core::html_escape(v.service));
    html = replace_all(std::move(html), "{{hall_name}}", core::html_escape(v.hall_name));
    html = replace_all(std::move(html), "{{headline}}", core::html_escape(v.headline));
    html = replace_all(std::move(html), "{{detail}}", core::html_escape(v.detail));
    html = replace_all(std::move(html), "{{past}}", v.past ? "1" : "");
    a.response = {200, "text/html; charset=utf-8", std::move(html)};
    return a;
  }

  if (parts.size() == 2 && parts[0] == "static") {
    if (!get) {
      a.response = json_error(405, "method_not_allowed", "不支持的请求方式");
      return a;
    }
    const std::string_view body = parts[1] == "ticket.js" || parts[1] == "ticket.css" ||
                                          parts[1] == "remote.js" || parts[1] == "checkin.js" ||
                                          parts[1] == "remember.js"
                                      ? site_file(parts[1])
                                      : "";
    if (body.empty()) {
      a.response = json_error(404, "not_found", "没有这个文件");
      return a;
    }
    a.response = {200,
                  parts[1].ends_with(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
                  std::string(body)};
    return a;
  }

  if (parts.size() == 1 && parts[0] == "healthz") {
    nlohmann::json halls = nlohmann::json::object();
    for (const std::string& h : config_.halls) halls[h] = source_.hall(h) != nullptr;
    a.response = {200, "application/json; charset=utf-8",
                  nlohmann::json{{"ok", true}, {"halls", halls}}.dump()};
    return a;
  }

  if (parts.size() == 2 && parts[0] == "r") {
    a.response = get ? remote_page(parts[1]) : html_error(405, "不支持的请求方式");
    return a;
  }
  if (parts.size() == 2 && parts[0] == "api" && parts[1] == "remote") {
    a.response = post ? take_remote(req, a.client, steady_us)
                      : json_error(405, "method_not_allowed", "不支持的请求方式");
    return a;
  }

  if (parts.size() == 2 && parts[0] == "c") {
    a.response =
        get ? checkin_page(parts[1], query, a.client, steady_us) : html_error(405, "不支持的请求方式");
    return a;
  }
  if (parts.size() == 2 && parts[0] == "api" && parts[1] == "checkin") {
    a.response =
        post ? check_in(req, a.client, steady_us) : json_error(405, "method_not_allowed", "不支持的请求方式");
    return a;
  }

  const bool ticket_route = parts.size() == 1 && parts[0] == "events";
  const bool api_ticket = parts.size() == 2 && parts[0] == "api" && parts[1] == "ticket";
  const bool api_cancel = parts.size() == 2 && parts[0] == "api" && parts[1] == "cancel";
  if (parts.size() == 2 && parts[0] == "api" && parts[1] == "evaluate") {
    a.response = post ? evaluate(req, query, a.client, steady_us)
                      : json_error(405, "method_not_allowed", "不支持的请求方式");
    return a;
  }
  if (!ticket_route && !api_ticket && !api_cancel) {
    a.response = json_error(404, "not_found", "没有这个页面，请扫描号票上的二维码");
    return a;
  }
  if ((api_cancel && !post) || (!api_cancel && !get)) {
    a.response = json_error(405, "method_not_allowed", "不支持的请求方式");
    return a;
  }
  const auto q = parse_query(query);
  if (!q) {
    throttle_.failed(a.client, steady_us);
    a.response = json_error(400, "bad_link", "链接不完整或有误，请重新扫描号票上的二维码");
    return a;
  }
  if (api_cancel) {
    // Same origin only: a browser names the page's origin on every POST.
    if (!same_origin(req, public_origin_)) {
      a.response = json_error(403, "csrf", "请在号票页面上操作");
      return a;
    }
    if (req.content_type.rfind("application/json", 0) != 0) {
      a.response = json_error(415, "unsupported_media_type", "请求格式不正确");
      return a;
    }
  }
  Lookup l = lookup(param(*q, "hall"), param(*q, "date"), param(*q, "number"), param(*q, "k"),
                    api_ticket ? Days::kRateable : Days::kToday);
  if (l.failed()) {
    a.response = std::move(l.error);
    return a;
  }
  if (l.past != nullptr) {  // GET /api/ticket of an earlier day's ticket
    a.response = {200, "application/json; charset=utf-8", to_json(past_ticket_view(*l.hall, *l.past)).dump()};
    return a;
  }
  const std::string number = l.hall->number_of(*l.ticket);
  const std::string hall_id = l.hall->config().id;
  if (ticket_route) {
    a.stream = true;
    a.hall = hall_id;
    a.number = number;
    a.date = core::format_date(l.hall->day());
    return a;
  }
  if (api_cancel) {
    const auto outcome = source_.cancel(hall_id, number);
    if (!outcome) {
      a.response = json_error(503, "unavailable", "系统繁忙，请稍后再试", l.hall->config().name);
      return a;
    }
    if (outcome->code != core::ErrorCode::kOk) {
      a.response = json_error(409, "refused", "当前状态不能取消排队");
      return a;
    }
  }
  const std::string j = ticket_json(hall_id, number);
  a.response = j.empty() ? json_error(503, "unavailable", "系统连接中，请稍后刷新",
                                      served_hall_name(config_, source_, hall_id))
                         : HttpResponse{200, "application/json; charset=utf-8", j};
  return a;
}

HttpResponse CitizenApi::remote_page(std::string_view hall_id) {
  bool served = false;
  for (const std::string& h : config_.halls) served = served || h == hall_id;
  if (!valid_hall_id(hall_id) || !served)
    return html_error(404, "没有这个大厅，请扫描大厅公布的网上取号二维码");
  const core::Hall* hall = source_.hall(hall_id);
  if (hall == nullptr)
    return html_error(503, "系统连接中，请稍后刷新", served_hall_name(config_, source_, hall_id));
  const core::HallConfig& cfg = hall->config();
  std::string options;
  for (const core::RemoteConfig& r : cfg.remote) {
    options +=
        fmt::format("<option value=\"{}\">{}（{}）</option>", core::html_escape(cfg.services[r.service].id),
                    core::html_escape(cfg.services[r.service].name), spans_text(r.hours));
  }
  if (options.empty()) return html_error(404, fmt::format("{}暂不提供网上取号，请到大厅现场取号", cfg.name));
  std::string html(site_file("remote.html"));
  html = replace_all(std::move(html), "{{hall}}", core::html_escape(cfg.id));
  html = replace_all(std::move(html), "{{hall_name}}", core::html_escape(cfg.name));
  html = replace_all(std::move(html), "{{options}}", options);
  return {200, "text/html; charset=utf-8", std::move(html)};
}

HttpResponse CitizenApi::take_remote(const HttpRequest& req, const std::string& client,
                                     std::int64_t steady_us) {
  if (!same_origin(req, public_origin_)) return json_error(403, "csrf", "请在网上取号页面上操作");
  if (req.content_type.rfind("application/json", 0) != 0)
    return json_error(415, "unsupported_media_type", "请求格式不正确");
  if (!remote_budget_.allowed(client, steady_us))
    return json_error(429, "too_many_requests", "取号请求过于频繁，请稍后再试");
  remote_budget_.failed(client, steady_us);  // every try counts, taken or refused

  // The body: a JSON object of these keys only, each a short string.
  const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  auto bad_request = [] { return json_error(400, "bad_request", "请求格式不正确"); };
  if (body.is_discarded() || !body.is_object()) return bad_request();
  std::map<std::string, std::string, std::less<>> f;
  for (const auto& [key, value] : body.items()) {
    if (key != "hall" && key != "service" && key != "id_number" && key != "phone") return bad_request();
    if (!value.is_string() || value.get_ref<const std::string&>().size() > 64) return bad_request();
    f[key] = value.get<std::string>();
  }
  const std::string_view hall_id = param(f, "hall");
  bool served = false;
  for (const std::string& h : config_.halls) served = served || h == hall_id;
  if (!valid_hall_id(hall_id) || !served) return json_error(404, "not_found", "没有这个大厅");
  const core::Hall* hall = source_.hall(hall_id);
  if (hall == nullptr)
    return json_error(503, "unavailable", "系统连接中，请稍后再试",
                      served_hall_name(config_, source_, hall_id));
  if (!salt_)
    return json_error(503, "no_salt", "本网关未配置身份证号码散列用的盐（person_salt），暂不能网上取号");
  const core::HallConfig& cfg = hall->config();
  const std::string_view service = param(f, "service");
  const std::optional<core::ServiceIdx> s = valid_hall_id(service) ? cfg.find_service(service) : std::nullopt;
  if (!s || cfg.remote_of(*s) == nullptr) return json_error(400, "bad_service", "请选择可网上取号的事项");
  const core::TimeUs now = source_.now();
  const std::int64_t today = cfg.local_day(now);
  const std::string_view id_number = param(f, "id_number");
  const core::IdCheck id = core::check_resident_id(id_number, core::civil_date(today));
  if (!id.ok()) return json_error(400, "bad_id_number", core::describe(id.problem));
  const std::string_view phone = param(f, "phone");
  if (!core::valid_phone(phone))
    return json_error(400, "bad_phone", "手机号须为 11 位数字，以 1 开头（可不填）");

  const std::string person = keys::person_hash(*salt_, id_number);
  std::random_device random;
  const auto outcome =
      source_.issue_remote(hall_id, core::IssueRemote{cfg.services[*s].id, person, phone, random()});
  if (!outcome) return json_error(503, "unavailable", "系统繁忙，请稍后再试", cfg.name);
  switch (outcome->code) {
    case core::ErrorCode::kOk:
      break;
    case core::ErrorCode::kAlreadyBooked:
    case core::ErrorCode::kLimitReached:
    case core::ErrorCode::kNotCheckInTime:
      return json_error(409, "refused", outcome->message);
    case core::ErrorCode::kBadArgument:
    case core::ErrorCode::kUnknownService:
      return json_error(400, "refused", outcome->message);
    default:
      return json_error(503, "unavailable", "系统繁忙，请稍后再试", cfg.name);
  }
  const std::string date = core::format_date(today);
  const std::string token = keys::ticket_token(secret_, hall_id, date, outcome->number);
  return {201, "application/json; charset=utf-8",
          nlohmann::json{{"number", outcome->number},
                         {"link", fmt::format("/t/{}/{}/{}?k={}", hall_id, date, outcome->number, token)}}
              .dump()};
}

HttpResponse CitizenApi::checkin_page(std::string_view hall_id, std::string_view query,
                                      const std::string& client, std::int64_t steady_us) {
  if (!throttle_.allowed(client, steady_us))
    return html_error(429, "查询失败次数过多，请稍后再试", served_hall_name(config_, source_, hall_id));
  bool served = false;
  for (const std::string& h : config_.halls) served = served || h == hall_id;
  if (!valid_hall_id(hall_id) || !served) {
    throttle_.failed(client, steady_us);
    return html_error(404, "没有这个大厅，请扫描大厅屏幕上的签到二维码");
  }
  const core::Hall* hall = source_.hall(hall_id);
  if (hall == nullptr)
    return html_error(503, "系统连接中，请稍后刷新", served_hall_name(config_, source_, hall_id));
  const auto q = parse_query(query);
  const std::string_view token = q ? param(*q, "k") : std::string_view();
  if (!valid_token_text(token) ||
      !keys::verify_checkin_token(secret_, hall_id, source_.now(), hall->config().utc_offset_min, token)) {
    throttle_.failed(client, steady_us);
    return html_error(403, kCheckInExpired, hall->config().name);
  }
  const core::HallConfig& cfg = hall->config();
  std::string html(site_file("checkin.html"));
  html = replace_all(std::move(html), "{{hall}}", core::html_escape(cfg.id));
  html = replace_all(std::move(html), "{{hall_name}}", core::html_escape(cfg.name));
  // Today as the tickets' links name it (take_remote), by the engine's clock.
  html = replace_all(std::move(html), "{{date}}", core::format_date(cfg.local_day(source_.now())));
  html = replace_all(std::move(html), "{{token}}", core::html_escape(token));
  return {200, "text/html; charset=utf-8", std::move(html)};
}

HttpResponse CitizenApi::check_in(const HttpRequest& req, const std::string& client, std::int64_t steady_us) {
  if (!same_origin(req, public_origin_)) return json_error(403, "csrf", "请在签到页面上操作");
  if (req.content_type.rfind("application/json", 0) != 0)
    return json_error(415, "unsupported_media_type", "请求格式不正确");
  if (!checkin_budget_.allowed(client, steady_us))
    return json_error(429, "too_many_requests", "签到请求过于频繁，请稍后再试");
  checkin_budget_.failed(client, steady_us);  // every try counts

  const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  auto bad_request = [] { return json_error(400, "bad_request", "请求格式不正确"); };
  if (body.is_discarded() || !body.is_object()) return bad_request();
  std::map<std::string, std::string, std::less<>> f;
  for (const auto& [key, value] : body.items()) {
    if (key != "hall" && key != "date" && key != "number" && key != "k" && key != "c") return bad_request();
    if (!value.is_string() || value.get_ref<const std::string&>().size() > 64) return bad_request();
    f[key] = value.get<std::string>();
  }
  Lookup l =
      lookup(param(f, "hall"), param(f, "date"), param(f, "number"), param(f, "k"), client, steady_us, false);
  if (l.failed()) return std::move(l.error);
  const core::HallConfig& cfg = l.hall->config();
  const std::string_view c = param(f, "c");
  if (!valid_token_text(c) ||
      !keys::verify_checkin_token(secret_, cfg.id, source_.now(), cfg.utc_offset_min, c)) {
    throttle_.failed(client, steady_us);
    return json_error(403, "checkin_expired", kCheckInExpired);
  }
  const std::string number = l.hall->number_of(*l.ticket);
  const core::RemoteTicket* remote = l.hall->find_remote(l.ticket->id);
  if (remote == nullptr)
    return json_error(409, "not_remote", fmt::format("{} 不是网上取号的号票，无需签到", number));
  if (remote->state == core::RemoteState::kDropped)
    return json_error(409, "dropped", fmt::format("{} 未按时签到，号码已作废，请重新取号", number));
  if (remote->state == core::RemoteState::kCheckedIn)
    return json_error(409, "checked_in", fmt::format("{} 已签到，请留意叫号", number));
  if (l.ticket->state != core::TicketState::kNotArrived)
    return json_error(409, "not_awaiting", fmt::format("{} 已取消，不能签到，如需办理请重新取号", number));
  const std::string hall_id = cfg.id;
  const auto outcome = source_.check_in(hall_id, remote->code);
  if (!outcome) return json_error(503, "unavailable", "系统繁忙，请稍后再试", cfg.name);
  if (outcome->code != core::ErrorCode::kOk) return json_error(409, "refused", outcome->message);
  const std::string j = ticket_json(hall_id, number);
  return j.empty() ? json_error(503, "unavailable", "系统连接中，请稍后刷新", cfg.name)
                   : HttpResponse{200, "application/json; charset=utf-8", j};
}

HttpResponse CitizenApi::evaluate(const HttpRequest& req, std::string_view query, const std::string& client,
                                  std::int64_t steady_us) {
  if (!same_origin(req, public_origin_)) return json_error(403, "csrf", "请在号票页面上操作");
  if (req.content_type.rfind("application/json", 0) != 0)
    return json_error(415, "unsupported_media_type", "请求格式不正确");
  const auto q = parse_query(query);
  if (!q) {
    throttle_.failed(client, steady_us);
    return json_error(400, "bad_link", "链接不完整或有误，请重新扫描号票上的二维码");
  }
  Lookup l = lookup(param(*q, "hall"), param(*q, "date"), param(*q, "number"), param(*q, "k"), client,
                    steady_us, false, Days::kAnyPast);
  if (l.failed()) return std::move(l.error);
  const core::HallConfig& cfg = l.hall->config();

  // The body; what is wrong with it counts against the address like a bad link.
  auto bad = [&](std::string_view code, std::string_view message) {
    throttle_.failed(client, steady_us);
    return json_error(400, code, message);
  };
  const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return bad("bad_request", "请求格式不正确");
  for (const auto& [key, value] : body.items()) {
    if (key != "level" && key != "reasons" && key != "comment") return bad("bad_request", "请求格式不正确");
  }
  const auto level_it = body.find("level");
  if (level_it == body.end() || !level_it->is_number_integer() || level_it->get<std::int64_t>() < 1 ||
      level_it->get<std::int64_t>() > core::kBestRating)
    return bad("bad_level", "评价等级须为 1 至 5（5 非常满意 … 1 非常不满意）");
  const int level = static_cast<int>(level_it->get<std::int64_t>());
  std::vector<std::string> reasons;
  if (const auto it = body.find("reasons"); it != body.end()) {
    if (!it->is_array() || it->size() > cfg.evaluation.reasons.size())
      return bad("bad_request", "请求格式不正确");
    for (const nlohmann::json& r : *it) {
      if (!r.is_string() || r.get_ref<const std::string&>().size() > 16)
        return bad("bad_reason", "差评原因不正确");
      const std::string& code = r.get_ref<const std::string&>();
      const bool known = std::any_of(cfg.evaluation.reasons.begin(), cfg.evaluation.reasons.end(),
                                     [&](const core::EvaluationReason& e) { return e.code == code; });
      if (!known) return bad("bad_reason", "差评原因不在本大厅的原因列表中，请刷新页面后重新选择");
      if (std::find(reasons.begin(), reasons.end(), code) != reasons.end())
        return bad("bad_reason", "差评原因重复");
      reasons.push_back(code);
    }
  }
  std::string comment;
  if (const auto it = body.find("comment"); it != body.end()) {
    if (!it->is_string()) return bad("bad_request", "请求格式不正确");
    comment = it->get<std::string>();
    // nlohmann's parser has checked the UTF-8: count the code points.
    const auto characters = std::count_if(comment.begin(), comment.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    });
    if (std::any_of(comment.begin(), comment.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }))
      return bad("bad_comment", "意见不能含换行等控制字符");
    if (characters > static_cast<std::ptrdiff_t>(core::kMaxEvaluationComment))
      return bad("bad_comment", fmt::format("意见最多 {} 字，请删减后再提交", core::kMaxEvaluationComment));
  }
  if (level > 2 && (!reasons.empty() || !comment.empty()))
    return bad("bad_request", "只有“不满意”和“非常不满意”可选差评原因或填写意见");

  const std::string number(param(*q, "number"));
  const std::string hall_id = cfg.id;
  core::Evaluate command{number, level, {}, {}, comment, core::EvaluationChannel::kPhone, l.day};
  command.reasons.assign(reasons.begin(), reasons.end());
  const auto outcome = source_.evaluate(hall_id, command);
  if (!outcome) return json_error(503, "unavailable", "系统繁忙，请稍后再试", cfg.name);
  if (outcome->code == core::ErrorCode::kAlreadyRated)
    return json_error(409, "already_rated", outcome->message);
  if (outcome->code != core::ErrorCode::kOk) return json_error(409, "refused", outcome->message);
  // The page's ticket, rated: from the replica (which has the rating, or soon will).
  const core::Hall* hall = source_.hall(hall_id);
  if (hall != nullptr && l.day != 0) {
    for (const core::RateableTicket& r : hall->rateable())
      if (r.day == l.day && hall->printed_number(r.ticket) == number) {
        TicketView v = past_ticket_view(*hall, r);
        if (v.rating == 0) {  // the replica is a moment behind: the engine has accepted it
          v.rating = level;
          v.can_rate = false;
          v.reasons.clear();
          v.detail = "感谢您的评价";
        }
        return {200, "application/json; charset=utf-8", to_json(v).dump()};
      }
  }
  const std::string j = l.day != 0 ? "" : ticket_json(hall_id, number);
  return j.empty() ? HttpResponse{200, "application/json; charset=utf-8",
                                  nlohmann::json{{"number", number},
                                                 {"rating", level},
                                                 {"rating_name", core::rating_name(level)},
                                                 {"can_rate", false}}
                                      .dump()}
                   : HttpResponse{200, "application/json; charset=utf-8", j};
}

}  // namespace hallq::citizen
