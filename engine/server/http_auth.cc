#include "engine/server/http_auth.h"

#include <fmt/format.h>
#include <sodium.h>

#include <cctype>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/core/booking.h"
#include "engine/core/resident_id.h"

namespace hallq::server {
namespace {

using nlohmann::json;

constexpr std::string_view kSessionCookie = "hallq_session";
constexpr std::size_t kMaxUserBytes = 128;
constexpr std::size_t kMaxFieldBytes = 256;  // each string in an audit record
constexpr std::size_t kMaxBodyMembers = 8;
constexpr core::TimeUs kSampleEvery = 60 * core::kUsPerSecond;

// `text` cut to at most `limit` bytes (dump() replaces a cut UTF-8 sequence).
std::string bounded(std::string_view text, std::size_t limit = kMaxFieldBytes) {
  return text.size() <= limit ? std::string(text) : std::string(text.substr(0, limit)) + "…";
}

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

json session_json(const Session& s) {
  return {{"auth", true},
          {"user", s.account->name},
          {"role", to_string(s.account->role)},
          {"halls", s.account->halls},
          {"csrf", s.csrf}};
}

HttpError only(std::string_view method) {
  return {405, "method_not_allowed", fmt::format("只支持 {}", method)};
}

bool same_origin(const HttpRequest& req) {
  return req.origin.empty() || req.origin == "http://" + req.host || req.origin == "https://" + req.host;
}

// The media type of a Content-Type header, lower case, without parameters.
std::string media_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  while (!content_type.empty() && content_type.front() == ' ') content_type.remove_prefix(1);
  std::string out(content_type);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<HttpError> HttpAuth::cross_site(const HttpRequest& req) {
  if (!same_origin(req)) return HttpError{403, "csrf", fmt::format("来源 {} 与本站不符", req.origin)};
  // A cross-site form can send text/plain, form data or multipart without a
  // preflight, never application/json: an action's body must be JSON.
  const std::string type = media_type(req.content_type);
  if (type.empty() ? !req.body.empty() : type != "application/json")
    return HttpError{415, "unsupported_media_type", "请求内容须为 JSON（Content-Type: application/json）"};
  return std::nullopt;
}

bool HttpAuth::scrape_token_ok(const HttpRequest& req) const {
  if (metrics_token_.empty()) return false;
  const std::string expected = "Bearer " + metrics_token_;
  return req.authorization.size() == expected.size() &&
         sodium_memcmp(req.authorization.data(), expected.data(), expected.size()) == 0;
}

HttpAuth::HttpAuth(const HttpApiOptions& options, WallClock wall_clock, HttpApi::Counters& counters)
    : accounts_(options.accounts),
      audit_(options.audit),
      counters_(counters),
      wall_clock_(std::move(wall_clock)),
      metrics_token_(options.metrics_token) {
  if (accounts_ != nullptr) {
    if (!options.post) throw std::invalid_argument("HttpApi: accounts need HttpApiOptions::post");
    checker_ = std::make_unique<PasswordChecker>(options.post);
    dummy_hash_ = hash_password("no such user");
  }
}

const Session* HttpAuth::session_of(const HttpRequest& req) {
  if (accounts_ == nullptr) return nullptr;
  const std::string id = cookie_value(req.cookie, kSessionCookie);
  return id.empty() ? nullptr : sessions_.find(id, SessionTable::Clock::now());
}

void HttpAuth::handle(const HttpRequest& req, std::string_view route, HttpReply reply) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (route == "session") {
    if (!get) return reply(error_response(only("GET")));
    if (!enabled())
      return reply(json_response(
          200, json{{"auth", false}, {"role", "admin"}, {"halls", json::array()}, {"csrf", ""}}));
    const Session* s = session_of(req);
    if (s == nullptr) refused_anonymously(req, "login_required");
    return reply(s ? json_response(200, session_json(*s))
                   : error_response({401, "login_required", "请先登录"}));
  }
  if (req.method != "POST") return reply(error_response(only("POST")));
  if (!enabled()) return reply(error_response({404, "not_found", "未启用登录（hallqd 没有 --accounts）"}));
  if (std::optional<HttpError> e = cross_site(req)) {
    refused_anonymously(req, e->code);
    return reply(error_response(*e));
  }
  if (route == "login") return login(req, std::move(reply));
  HttpResponse r = json_response(200, json{{"ok", true}});
  r.set_cookie = fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", kSessionCookie);
  if (const Session* s = session_of(req)) {
    const std::string user = s->account->name, id = s->id;
    sessions_.remove(id);
    if (on_logout) on_logout(id);
    return audit(user, req, "", 200, "logout", [reply, r] { reply(r); });
  }
  reply(std::move(r));
}

void HttpAuth::login(const HttpRequest& req, HttpReply reply) {
  const json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("user") || !body["user"].is_string() ||
      !body.contains("password") || !body["password"].is_string())
    return reply(error_response({400, "malformed", "请求内容须为 {\"user\": 用户名, \"password\": 密码}"}));
  const std::string user = body["user"];
  if (user.size() > kMaxUserBytes) return reply(error_response({400, "bad_argument", "用户名过长"}));
  // Counted before the check: parallel guesses get no more checks than the limit.
  const std::chrono::seconds wait = throttle_.begin(user, req.peer, LoginThrottle::Clock::now());
  if (wait.count() > 0) {
    refused_anonymously(req, "locked");
    HttpResponse r =
        json_response(429, json{{"error", "too_many_attempts"},
                                {"message", fmt::format("登录失败次数过多，请 {} 秒后再试", wait.count())},
                                {"retry_after_s", wait.count()}});
    return reply(std::move(r));
  }
  const Account* account = accounts_->find(user);
  const std::string hash = account != nullptr ? account->password_hash : dummy_hash_;
  const bool queued = checker_->check(hash, body["password"], [this, req, user, account, reply](bool ok) {
    if (!ok || account == nullptr) {
      throttle_.failed(user, req.peer, LoginThrottle::Clock::now());
      return audit(user, req, "", 401, "login_failed", [reply] {
        reply(error_response({401, "bad_credentials", "用户名或密码错误"}));
      });
    }
    throttle_.succeeded(user, req.peer);
    const Session& s = sessions_.create(*account, SessionTable::Clock::now());
    HttpResponse r = json_response(200, session_json(s));
    r.set_cookie = fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict", kSessionCookie, s.id);
    audit(user, req, "", 200, "login", [reply, r] { reply(r); });
  });
  if (!queued) {
    throttle_.abandoned(user, req.peer);
    refused_anonymously(req, "busy");
    reply(error_response({503, "busy", "登录请求过多，请稍后再试"}));
  }
}

std::variant<Caller, HttpError> HttpAuth::identify(const HttpRequest& req) {
  if (!enabled()) return Caller{nullptr, "(loopback)", true};
  const Session* session = session_of(req);
  if (session == nullptr) {
    refused_anonymously(req, "login_required");
    return HttpError{401, "login_required", "请先登录"};
  }
  return Caller{session, session->account->name, session->account->role == Role::kAdmin,
                session->account->role == Role::kUploader};
}

std::optional<HttpError> HttpAuth::confine(const Caller& caller, const std::vector<std::string>& parts,
                                           std::string_view method) {
  if (!caller.uploader) return std::nullopt;
  const bool halls = parts.size() == 4 && parts[0] == "api" && parts[1] == "halls";
  if (halls && ((parts[3] == "evaluation-records" && (method == "GET" || method == "HEAD")) ||
                (parts[3] == "upload-rejections" && method == "POST")))
    return std::nullopt;
  // The platform's acceptance of a re-sent record (http_upload_rejections.h).
  if (parts.size() == 6 && parts[0] == "api" && parts[1] == "halls" && parts[3] == "upload-rejections" &&
      parts[5] == "accepted" && method == "POST")
    return std::nullopt;
  return HttpError{
      403, "forbidden",
      fmt::format("{} 是上报账号，只能读取评价记录（evaluation-records）、登记被拒记录和平台接受",
                  caller.user)};
}

std::optional<HttpError> HttpAuth::may_act(const Caller& caller, const HttpRequest& req) {
  if (!caller.admin && !caller.uploader)
    return HttpError{403, "forbidden", fmt::format("{} 是只读账号，不能操作", caller.user)};
  // With or without logins: a browser's cross-site request cannot act.
  if (std::optional<HttpError> e = cross_site(req)) return e;
  if (caller.session == nullptr) return std::nullopt;  // the open API
  if (req.csrf_token != caller.session->csrf)
    return HttpError{403, "csrf", "缺少或错误的 X-CSRF-Token（请刷新页面）"};
  return std::nullopt;
}

std::string HttpAuth::session_id(const HttpRequest& req) {
  const Session* s = session_of(req);
  return s != nullptr ? s->id : std::string();
}

bool HttpAuth::session_alive(const std::string& id) const {
  return sessions_.alive(id, SessionTable::Clock::now());
}

int HttpAuth::live_status(const HttpRequest& req, std::string_view hall, bool known) {
  const Session* s = session_of(req);
  const std::string user = s != nullptr ? s->account->name : enabled() ? "" : "(loopback)";
  auto refuse = [&](int status, std::string_view reason) {
    if (user.empty())
      refused_anonymously(req, reason);
    else
      audit(user, req, hall, status, reason);
    return status;
  };
  if (!same_origin(req)) return refuse(403, "csrf");
  if (!enabled()) return known ? 0 : refuse(404, "unknown_hall");
  if (s == nullptr) return refuse(401, "login_required");
  if (!s->account->may_see(hall) || s->account->role == Role::kUploader) return refuse(403, "forbidden");
  return known ? 0 : refuse(404, "unknown_hall");
}

std::string HttpAuth::record(const std::string& user, const HttpRequest& req, std::string_view hall,
                             int status, std::string_view result) const {
  const std::size_t qmark = req.target.find('?');
  json record = {{"time_us", wall_clock_()},
                 {"user", bounded(user)},
                 {"peer", req.peer},
                 {"method", bounded(req.method)},
                 {"path", bounded(std::string_view(req.target).substr(0, qmark))},
                 {"hall", bounded(hall)},
                 {"status", status},
                 {"result", result}};
  if (!req.body.empty()) {
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_object()) {
      json kept = json::object();
      for (const auto& [key, value] : body.items()) {
        if (kept.size() == kMaxBodyMembers) {
          kept["..."] = body.size() - kMaxBodyMembers;
          break;
        }
        // Secrets and personal data never reach the log: a booking's ID
        // number and phone only masked (http_booking.h).
        const bool text = value.is_string();
        kept[bounded(key)] =
            key == "password" ? json("***")
            : key == "id_number"
                ? json(text ? core::mask_resident_id(bounded(value.get<std::string>())) : std::string("***"))
            : key == "phone"
                ? json(text ? core::mask_phone(bounded(value.get<std::string>())) : std::string("***"))
            : text                 ? json(bounded(value.get<std::string>()))
            : value.is_primitive() ? value
                                   : json(bounded(dump(value)));
      }
      record["body"] = std::move(kept);
    } else {
      record["body"] = json{{"bytes", req.body.size()}};
    }
  }
  return dump(record);
}

bool HttpAuth::written(const std::string& failure) {
  if (failure.empty()) {
    if (audit_failing_) std::cerr << "hallqd: audit log works again" << std::endl;
    audit_failing_ = false;
    return true;
  }
  ++counters_.audit_failures;
  if (!audit_failing_) {
    std::cerr.clear();
    std::cerr << "hallqd: audit log failing, actions refused until it works again: " << failure << std::endl;
  }
  audit_failing_ = true;
  return false;
}

void HttpAuth::audit(const std::string& user, const HttpRequest& req, std::string_view hall, int status,
                     std::string_view result, std::function<void()> then) {
  if (!audit_) {
    if (then) then();
    return;
  }
  audit_(record(user, req, hall, status, result), [this, then = std::move(then)](const std::string& failure) {
    written(failure);
    if (then) then();
  });
}

std::function<std::string(int, std::string_view)> HttpAuth::action_record(const std::string& user,
                                                                          const HttpRequest& req,
                                                                          std::string_view hall) const {
  if (!audit_) return nullptr;
  return [this, user, req, hall = std::string(hall)](int status, std::string_view result) {
    return record(user, req, hall, status, result);
  };
}

void HttpAuth::refused_anonymously(const HttpRequest& req, std::string_view reason) {
  ++counters_.anonymous_refusals[std::string(reason)];
  auto it = samples_.find(reason);
  if (it == samples_.end()) it = samples_.emplace(std::string(reason), Sample{}).first;
  Sample& s = it->second;
  const core::TimeUs now = wall_clock_();
  if (s.count > 0 && now - s.since >= kSampleEvery) {
    // The minute before, as one record: how many, and the last one's source.
    json summary = {{"time_us", now}, {"user", s.user},   {"peer", s.peer},       {"hall", ""},
                    {"status", 0},    {"result", reason}, {"anonymous", s.count}, {"since_us", s.since}};
    if (audit_) audit_(dump(summary), [this](const std::string& failure) { written(failure); });
    s.count = 0;
  }
  if (s.count == 0) s.since = now;
  ++s.count;
  s.peer = req.peer;
  const json body = json::parse(req.body, nullptr, false);
  s.user = body.is_object() && body.contains("user") && body["user"].is_string()
               ? bounded(body["user"].get<std::string>(), kMaxUserBytes)
               : "";
}

}  // namespace hallq::server
