// HttpApi, the request dispatcher: splits the target into path parts and
// query, and sends each route to its handler (static files, metrics,
// logins, the audit log, reads, actions). Handlers return HttpOutcome values
// or reply through the HttpReply they are given; every answer passes the
// counting below once; an action's and a logged-in caller's refusal also
// the audit log, before they leave.
#include <fmt/format.h>

#include <cctype>
#include <exception>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "engine/core/utf8.h"
#include "engine/server/engine.h"
#include "engine/server/http_actions.h"
#include "engine/server/http_api.h"
#include "engine/server/http_auth.h"
#include "engine/server/http_booking.h"
#include "engine/server/http_metrics.h"
#include "engine/server/http_reply.h"
#include "engine/server/http_static.h"
#include "engine/server/http_upload_rejections.h"
#include "engine/server/http_views.h"
#include "engine/server/http_work_orders.h"
#include "engine/server/resend_gate.h"
#include "engine/server/server.h"

namespace hallq::server {
namespace {

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

HttpQuery parse_query(std::string_view q) {
  HttpQuery out;
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

HttpError only(std::string_view method) {
  return {405, "method_not_allowed", fmt::format("只支持 {}", method)};
}
HttpError not_found(std::string_view path) {
  return {404, "not_found", fmt::format("没有这个地址：{}", path)};
}

}  // namespace

HttpApi::HttpApi(Engine& engine, Server& server, HttpApiOptions options)
    : engine_(engine),
      server_(server),
      options_(std::move(options)),
      auth_(std::make_unique<HttpAuth>(
          options_, [clock = options_.wall_clock] { return clock->now_us(); }, counters_)),
      views_(std::make_unique<HttpViews>(engine_, options_)),
      actions_(std::make_unique<HttpActions>(
          server_, fmt::format("http-{}", options_.wall_clock->now_us()), counters_.actions,
          [this](const std::string& failure) { return auth_->written(failure); })),
      booking_(std::make_unique<HttpBooking>(*actions_, options_.person_salt)),
      work_orders_(std::make_unique<HttpWorkOrders>(*actions_)),
      resend_gate_(std::make_unique<ResendGate>()) {}

HttpApi::~HttpApi() = default;

std::string HttpApi::session_id(const HttpRequest& req) { return auth_->session_id(req); }
bool HttpApi::session_alive(const std::string& id) const { return auth_->session_alive(id); }
void HttpApi::on_logout(std::function<void(const std::string&)> f) { auth_->on_logout = std::move(f); }

int HttpApi::live_status(const HttpRequest& req, std::string_view hall) {
  const int status = auth_->live_status(req, hall, engine_.hall(hall) != nullptr);
  return status == 0 && !server_.stale_reason(hall).empty() ? 409 : status;
}

std::string HttpApi::live_message(std::string_view hall) const {
  server_.settle();  // memory as durable as what has been published
  return views_->live_message(hall, server_.now());
}

void HttpApi::reply_read(const Caller& caller, const HttpRequest& req, std::string_view hall, HttpResponse r,
                         const HttpReply& done) {
  if (r.status >= 400 && caller.session != nullptr)
    return reply_audited(caller.user, req, hall, std::move(r), done);
  done(std::move(r));
}

void HttpApi::reply_audited(const std::string& user, const HttpRequest& req, std::string_view hall,
                            HttpResponse r, const HttpReply& done) {
  const nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  const std::string result = j.is_object() && j.contains("error") ? j["error"].get<std::string>() : "error";
  auth_->audit(user, req, hall, r.status, result, [done, r = std::move(r)] { done(r); });
}

void HttpApi::handle(const HttpRequest& req, std::function<void(HttpResponse)> reply) {
  ++counters_.requests;
  HttpReply done = [this, reply = std::move(reply)](HttpResponse r) {
    if (r.status >= 400) ++counters_.errors;
    reply(std::move(r));
  };
  auto answer = [&](HttpOutcome outcome) { done(to_response(std::move(outcome))); };
  const std::size_t qmark = req.target.find('?');
  const std::string_view path = std::string_view(req.target).substr(0, qmark);
  const HttpQuery query = parse_query(
      qmark == std::string::npos ? std::string_view() : std::string_view(req.target).substr(qmark + 1));
  const std::vector<std::string> parts = split_path(path);
  // Path parts name halls, windows, staff: they end up in commands, events
  // and JSON, so they must be text (a staff id is not checked by the core).
  for (const std::string& part : parts)
    if (!core::printable_utf8(part))
      return answer(HttpError{400, "bad_argument", "地址须为 UTF-8 文字，不含控制字符"});
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  const core::TimeUs now = server_.now();

  // --- static files and metrics
  if (parts.empty() || parts[0] == "static" || parts[0] == "vendor") {
    if (!get) return answer(only("GET"));
    return answer(static_file(options_, parts, path));
  }
  // A read sees only what is durable, with the engine's commit thread idle.
  // Actions, logins and logouts do not wait here: their commands and audit
  // records join the open batch, so concurrent ones share a group commit.
  if (get) server_.settle();
  if (parts.size() == 1 && parts[0] == "metrics") {
    if (!get) return answer(only("GET"));
    // Open, or for the scrape token (every hall) or a session (its halls).
    std::function<bool(std::string_view)> visible = [](std::string_view) { return true; };
    if ((options_.metrics_need_login || !options_.metrics_token.empty()) && !auth_->scrape_token_ok(req)) {
      if (!auth_->enabled()) return answer(HttpError{401, "login_required", "需要 /metrics 的访问令牌"});
      std::variant<Caller, HttpError> who = auth_->identify(req);
      if (HttpError* e = std::get_if<HttpError>(&who)) return answer(std::move(*e));
      if (std::optional<HttpError> e = HttpAuth::confine(std::get<Caller>(who), parts, req.method))
        return answer(std::move(*e));
      visible = [caller = std::get<Caller>(who)](std::string_view hall) { return caller.may_see(hall); };
    }
    // A hall neither served nor followed here (replication) has no figures of its own here.
    std::string text = metrics_text(
        engine_, counters_, server_.edge_counters(), now,
        [&](std::string_view hall) { return visible(hall) && server_.stale_reason(hall).empty(); });
    if (options_.extra_metrics) text += options_.extra_metrics();
    return answer(HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", std::move(text)});
  }
  // --- logins
  if (parts.size() == 2 && parts[0] == "api" &&
      (parts[1] == "login" || parts[1] == "logout" || parts[1] == "session"))
    return auth_->handle(req, parts[1], std::move(done));
  if (parts[0] != "api" || parts.size() < 2 || (parts[1] != "halls" && parts[1] != "audit"))
    return answer(not_found(path));
  std::variant<Caller, HttpError> who = auth_->identify(req);
  if (HttpError* e = std::get_if<HttpError>(&who)) return answer(std::move(*e));
  const Caller& caller = std::get<Caller>(who);
  // From here on the caller is known: every refusal of a read is audited.
  const std::string_view about = parts.size() > 2 ? std::string_view(parts[2]) : std::string_view();
  auto answer_read = [&](HttpOutcome outcome) {
    reply_read(caller, req, about, to_response(std::move(outcome)), done);
  };
  // hallq-upload's account reads records and reports rejections, nothing else.
  if (std::optional<HttpError> e = HttpAuth::confine(caller, parts, req.method))
    return answer_read(std::move(*e));

  // --- the audit log
  if (parts[1] == "audit") {
    if (!get) return answer_read(only("GET"));
    if (parts.size() != 2) return answer_read(not_found(path));
    return answer_read(views_->audit_log(caller, query));
  }

  // --- reads
  if (parts.size() == 2) {
    if (!get) return answer_read(only("GET"));
    return answer_read(views_->halls(
        caller, now, [this](std::string_view id) { return !server_.stale_reason(id).empty(); }));
  }
  const std::string& hall_id = parts[2];
  // Visibility first: a caller limited to some halls gets the same 403 for
  // an unknown hall as for another's, so hall ids cannot be probed.
  if (!caller.may_see(hall_id))
    return answer_read(HttpError{403, "forbidden", fmt::format("{} 无权查看大厅“{}”", caller.user, hall_id)});
  const core::Hall* hall = engine_.hall(hall_id);
  if (hall == nullptr)
    return answer_read(HttpError{404, "unknown_hall", fmt::format("没有大厅“{}”", hall_id)});
  // Neither served nor followed here (replication): what this engine holds
  // of the hall is stale; the answer names who serves it.
  if (std::string why = server_.stale_reason(hall_id); !why.empty())
    return answer_read(HttpError{409, "not_owner", std::move(why)});
  if (parts.size() == 3) {
    if (!get) return answer_read(only("GET"));
    return answer_read(views_->hall(*hall, now));
  }
  const std::string& what = parts[3];
  if (get && parts.size() == 4) {
    if (what == "tickets") return answer_read(views_->tickets(*hall, query, now));
    if (what == "staff") return answer_read(views_->staff(*hall));
    if (what == "history") {
      if (!options_.history) return answer_read(HttpError{501, "not_implemented", "历史统计不可用"});
      return options_.history(
          hall_id, query,
          [this, alive = std::weak_ptr<int>(alive_), caller, req, hall_id, done](HistoryAnswer a) {
            if (alive.expired()) return;  // the API is gone
            reply_read(caller, req, hall_id, to_response(HttpViews::history(std::move(a))), done);
          });
    }
    if (what == "evaluation-records") {
      if (!options_.evaluation_records)
        return answer_read(HttpError{501, "not_implemented", "评价记录不可用"});
      return options_.evaluation_records(
          hall_id, query,
          [this, alive = std::weak_ptr<int>(alive_), caller, req, hall_id, done](HistoryAnswer a) {
            if (alive.expired()) return;  // the API is gone
            reply_read(caller, req, hall_id, to_response(HttpViews::history(std::move(a))), done);
          });
    }
  }

  // --- records the 好差评 platform refused: the list, and the report below
  const bool rejections = is_upload_rejections(parts);
  const bool resend = is_upload_resend(parts);
  const bool acceptance = is_upload_acceptance(parts);
  if (get && rejections) {
    if (!options_.upload_rejections)
      return answer_read(HttpError{501, "not_implemented", "上报被拒记录不可用"});
    return options_.upload_rejections(
        hall_id, query,
        [this, alive = std::weak_ptr<int>(alive_), caller, req, hall_id, done](HistoryAnswer a) {
          if (alive.expired()) return;  // the API is gone
          reply_read(caller, req, hall_id, to_response(HttpViews::history(std::move(a))), done);
        });
  }

  // --- appointments (预约): reads, and the writes below
  const bool booking = HttpBooking::is_booking(parts);
  if (get && booking) return answer_read(booking_->read(*hall, parts, query, now, caller.admin));

  // --- 差评工单: the list, and the follow-up steps below
  const bool work_order = HttpWorkOrders::is_work_order(parts);
  if (get && work_order) {
    if (parts.size() != 4)
      return answer_read(HttpWorkOrders::is_step(parts) ? only("POST") : not_found(path));
    return answer_read(work_orders_->read(*hall, now));
  }

  // --- manager actions
  if (!post && !(booking && req.method == "DELETE"))
    return answer_read(booking                ? only("GET, POST, DELETE")
                       : rejections           ? only("GET, POST")
                       : resend || acceptance ? only("POST")
                       : HttpActions::is_action(parts) || HttpWorkOrders::is_step(parts) ? only("POST")
                                                                                         : not_found(path));
  if (std::optional<HttpError> denied = auth_->may_act(caller, req))
    return reply_audited(caller.user, req, hall_id, error_response(*denied), done);
  // From here on every answer is an action's outcome, whose record is
  // written with it (a store that cannot take it refuses the action).
  if (resend || acceptance) {
    HttpActions::Record record = auth_->action_record(caller.user, req, hall_id);
    if (!options_.upload_resend_check)
      return actions_->refuse(record, {501, "not_implemented", "重新上报不可用"}, std::move(done));
    const std::string record_id = parts[4];
    // The read of the log and the commit of one record's request are not
    // interleaved with another's (resend_gate.h): the next request's read
    // sees this one's event, so of two at the same instant one gets 409.
    // A report of the platform's acceptance goes through the same gate.
    return resend_gate_->run(
        hall_id, record_id,
        [this, alive = std::weak_ptr<int>(alive_), req, hall_id, record_id, record, acceptance,
         done](ResendGate::Finished finished) {
          HttpReply reply = [done, finished](HttpResponse r) {
            done(std::move(r));
            finished();
          };
          options_.upload_resend_check(
              hall_id, {{"record_id", record_id}},
              [this, alive, req, hall_id, record_id, record, acceptance, reply](const HistoryAnswer& check) {
                if (alive.expired()) return;  // the API is gone
                const core::Hall* h = engine_.hall(hall_id);
                if (h == nullptr) return reply(error_response({404, "unknown_hall", "没有大厅"}));
                if (acceptance)
                  return record_upload_acceptance(*actions_, *h, record_id, req, check, record, reply);
                request_upload_resend(*actions_, *h, record_id, req, check, record, reply);
              });
        });
  }
  if (rejections)
    return record_upload_rejection(*actions_, *hall, req, auth_->action_record(caller.user, req, hall_id),
                                   std::move(done));
  if (work_order)
    return work_orders_->act(*hall, path, parts, req, caller.user,
                             auth_->action_record(caller.user, req, hall_id), std::move(done));
  if (booking)
    return booking_->act(*hall, path, parts, req, auth_->action_record(caller.user, req, hall_id),
                         std::move(done), now);
  actions_->act(*hall, path, parts, req, auth_->action_record(caller.user, req, hall_id), std::move(done));
}

}  // namespace hallq::server
