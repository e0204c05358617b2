#include "engine/server/http_actions.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "engine/core/command.h"
#include "engine/protocol/message.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/server/server.h"
#include "engine/view/json_view.h"

namespace hallq::server {
namespace {

using nlohmann::json;

HttpError not_found(std::string_view path) {
  return {404, "not_found", fmt::format("没有这个地址：{}", path)};
}

// An action whose audit record the store did not take.
HttpResponse not_kept(const std::string& failure) {
  return error_response({503, "storage", fmt::format("审计日志无法写入，操作未执行：{}", failure)});
}

HttpResponse answer(const std::string& bytes, const HttpActions::Answer& accepted) {
  const protocol::DecodedReply r = protocol::decode_reply(protocol::as_bytes(bytes));
  if (!r.ok()) return error_response(refusal(r));
  if (accepted) return accepted(r);
  return json_response(
      200, json{{"ok", true}, {"duplicate", r.duplicate}, {"events", view::events_json(r.events)}});
}

}  // namespace

bool HttpActions::is_action(const std::vector<std::string>& parts) {
  const std::string_view what = parts.size() > 3 ? std::string_view(parts[3]) : std::string_view();
  return (parts.size() == 4 && what == "notice") ||
         (parts.size() == 6 && (what == "windows" || what == "advisories" || what == "staff"));
}

void HttpActions::act(const core::Hall& hall, std::string_view path, const std::vector<std::string>& parts,
                      const HttpRequest& req, const Record& record, HttpReply reply) {
  auto fail = [&](HttpError e) { refuse(record, std::move(e), std::move(reply)); };
  json body = json::object();
  if (!req.body.empty()) {
    body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return fail({400, "malformed", "请求内容须为 JSON 对象"});
  }
  auto text_field = [&](const char* key, std::string& out, bool required) -> bool {
    if (!body.contains(key)) return !required;
    if (!body[key].is_string()) return false;
    out = body[key].get<std::string>();
    return true;
  };

  const std::string& hall_id = hall.config().id;
  const std::string& what = parts[3];
  std::string staff, text, window;
  std::vector<std::pair<std::string, int>> serves;
  core::CommandBody command;
  if (parts.size() == 4 && what == "notice") {
    if (!text_field("text", text, true)) return fail({400, "bad_argument", "缺少字符串字段 text"});
    command = core::SetNotice{text};
  } else if (parts.size() == 6 && what == "windows") {
    window = parts[4];
    const std::string& verb = parts[5];
    if (verb == "open") {
      if (!text_field("staff", staff, false)) return fail({400, "bad_argument", "staff 须为字符串"});
      command = core::OpenWindow{window, staff};
    } else if (verb == "close") {
      command = core::CloseWindow{window};
    } else if (verb == "pause") {
      command = core::PauseWindow{window};
    } else if (verb == "resume") {
      command = core::ResumeWindow{window};
    } else if (verb == "finish") {
      // The hall's case system (or a manager) finishes the window's ticket with its 办件编号.
      if (!text_field("case", text, false)) return fail({400, "bad_argument", "case 须为字符串（办件编号）"});
      command = core::Finish{window, text};
    } else if (verb == "skills") {
      if (!body.contains("serves") || !body["serves"].is_object() || body["serves"].empty())
        return fail({400, "bad_argument", "serves 须为 {\"事项\": 级别} 对象"});
      for (const auto& [id, level] : body["serves"].items()) {
        if (!level.is_number_integer())
          return fail({400, "bad_argument", fmt::format("事项 {} 的级别须为整数", id)});
        serves.emplace_back(id, level.get<int>());
      }
      core::SetWindowSkills c{window, {}};
      for (const auto& [id, level] : serves) c.serves.emplace_back(id, level);
      command = std::move(c);
    } else {
      return fail(not_found(path));
    }
  } else if (parts.size() == 6 && what == "advisories" && parts[5] == "accept") {
    const std::optional<std::uint64_t> id = parse_number(parts[4], true);
    if (!id || *id > 0xFFFFFFFFu)
      return fail({400, "bad_argument", fmt::format("建议编号须为数字，收到“{}”", parts[4])});
    if (!text_field("staff", staff, false)) return fail({400, "bad_argument", "staff 须为字符串"});
    command = core::AcceptAdvisory{static_cast<std::uint32_t>(*id), staff};
  } else if (parts.size() == 6 && what == "staff" && parts[5] == "move") {
    // One command: the engine closes the staff's window and opens the new one
    // together, or refuses both (already_there, window_busy ...).
    staff = parts[4];
    if (!text_field("window", window, true)) return fail({400, "bad_argument", "缺少字符串字段 window"});
    command = core::MoveStaff{staff, window};
  } else {
    return fail(not_found(path));
  }
  submit(hall_id, command, req.idempotency_key, record, std::move(reply));
}

void HttpActions::refuse(const Record& record, HttpError e, HttpReply reply) {
  if (!record) return reply(error_response(e));
  server_.audit(record(e.status, e.code), [this, e, reply = std::move(reply)](const std::string& failure) {
    reply(written_(failure) ? error_response(e) : not_kept(failure));
  });
}

void HttpActions::submit(const std::string& hall, const core::CommandBody& command, const std::string& key,
                         const Record& record, HttpReply reply, Answer accepted) {
  ++actions_;
  const std::string id = key.empty() ? fmt::format("{}-{}", boot_, next_request_++) : "http:" + key;
  if (id.size() > core::kMaxRequestIdLength)
    return refuse(record, {400, "bad_argument", "Idempotency-Key 过长"}, std::move(reply));
  std::string request = protocol::encode_request(id, hall, command);
  if (!record)
    return server_.submit(std::move(request),
                          [reply, accepted](const std::string& bytes) { reply(answer(bytes, accepted)); });
  server_.submit_audited(
      std::move(request),
      [record](const core::Status& outcome) {
        return outcome.ok() ? record(200, "ok")
                            : record(status_of(outcome.code()), core::to_string(outcome.code()));
      },
      [this, reply, accepted](const std::string& bytes, const std::string& failure) {
        reply(written_(failure) ? answer(bytes, accepted) : not_kept(failure));
      });
}

}  // namespace hallq::server
