// Writes the binary seed corpora of the fuzz targets: valid encoded messages
// as the engine and its clients exchange them, so the fuzzers start from deep
// inside the decoders instead of guessing FlatBuffers layouts.
//   request/   every command kind (town and district ids), a snapshot
//              request, a ping, events of a mid-day hall, a heartbeat, replies
//   snapshot/  mid-day snapshots of the three sample halls, with and without
//              request memory, and an empty hall's
//   http/      raw HTTP requests (a flags byte first, http_fuzz.cc): every
//              route of http_api.h, GET and POST, with and without session
//              cookies, CSRF tokens and Idempotency-Key, chunked, pipelined,
//              bad JSON, over-long headers and bodies, garbage
// Usage: hallq_fuzz_corpus_gen OUT_DIR  (e.g. fuzz/corpus). Deterministic:
// the same tree writes the same files. Exit 1 on a write failure.
#include <fmt/format.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "fuzz/fuzz_halls.h"

namespace {

using namespace hallq;
namespace fs = std::filesystem;

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
}

// A person's hash as the HTTP layer makes it (HMAC-SHA256 of an ID number, hex).
constexpr std::string_view kPerson = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

std::vector<core::CommandBody> commands(const core::HallConfig& c) {
  const std::string_view w = c.windows.front().id;
  const std::string_view s = c.services.front().id;
  const std::string_view s2 = c.services.back().id;
  const std::string_view staff = c.staff.empty() ? std::string_view() : std::string_view(c.staff.front().id);
  const std::string_view reason = c.evaluation.reasons.empty()
                                      ? std::string_view("x")
                                      : std::string_view(c.evaluation.reasons.front().code);
  core::Evaluate poor{"A001", 1, w, {reason}, "窗口人员态度差", core::EvaluationChannel::kPhone};
  core::Evaluate supplement = poor;
  supplement.day = 20'428;  // 补充评价 of an earlier day's ticket
  // The commands hold views: the record ids live as long as the program.
  static std::deque<std::string> ids;
  const std::string& rejected = ids.emplace_back(fmt::format("{}-E-1", c.id));
  const std::string& step = ids.emplace_back(fmt::format("{}-W-1-9", c.id));
  return {core::IssueTicket{s, core::Priority::kNormal}, core::IssueTicket{s2, core::Priority::kAppointment},
          core::OpenWindow{w, staff}, core::CloseWindow{w}, core::PauseWindow{w}, core::ResumeWindow{w},
          core::CallNext{w}, core::CallTicket{w, "A001"}, core::Recall{w}, core::StartService{w},
          core::SkipTicket{w}, core::Reactivate{"A002"}, core::HoldTicket{w}, core::UnholdTicket{"A001"},
          core::Transfer{w, s2}, core::Finish{w}, core::Evaluate{"A001", 5, w},
          core::Cancel{"A003", core::LeaveReason::kCancelled}, core::SetWindowSkills{w, {{s, 1}, {s2, 2}}},
          core::AcceptAdvisory{1, staff}, core::SetNotice{"今日下午社保窗口暂停办理，请到兜底综合窗口。"},
          core::MoveStaff{staff.empty() ? std::string_view("s1") : staff, c.windows.back().id},
          core::ReportDevice{"kiosk-1", "printer", core::DeviceState::kPaperOut, "roll paper end"},
          core::Book{s, 20'429, 9 * 60 + 30, kPerson, "13800138000", 4242},
          core::Book{s2, 20'430, 14 * 60, kPerson, "", 7}, core::CancelBooking{104'242},
          core::CheckIn{104'242},
          // Appended after the older kinds, so that the older seeds keep their names.
          core::IssueRemote{s, kPerson, "13800138000", 99}, poor, supplement,
          core::RecordCallback{1, false, "电话无人接听", "chief"},
          core::RecordRectification{1, "已批评教育", "chief"},
          core::RecordUploadRejection{rejected, 422, "事项编码不存在"}, core::RequestUploadResend{rejected},
          core::RecordUploadAcceptance{step, 1}};
}

void requests(const fs::path& dir) {
  for (std::size_t h = 0; h < 2; ++h) {  // town, district
    const core::HallConfig& c = fuzz::sample_config(h);
    const auto cmds = commands(c);
    for (std::size_t i = 0; i < cmds.size(); ++i) {
      write(dir, fmt::format("{}-{:02}-{}", c.id, i, core::verb(cmds[i])),
            protocol::encode_request(fmt::format("seed-{}-{}", h, i), c.id, cmds[i]));
    }
    write(dir, fmt::format("{}-snapshot-request", c.id),
          protocol::encode_snapshot_request("seed-snap", c.id));
  }
  write(dir, "ping", protocol::encode_ping("seed-ping"));

  // What comes back: events of a mid-day hall going on, a heartbeat, replies.
  auto hall = fuzz::mid_day_hall(0);
  std::vector<core::Event> out;
  const core::TimeUs now = fuzz::mid_day_now();
  for (const auto& body : commands(hall->config())) (void)hall->apply(core::Command{"seed", body}, now, out);
  std::vector<std::string> events;
  for (const core::Event& e : out) events.push_back(protocol::encode_event(*hall, e, "seed"));
  for (std::size_t i = 0; i < events.size() && i < 12; ++i)
    write(dir, fmt::format("event-{:02}", i), events[i]);
  write(dir, "heartbeat", protocol::encode_heartbeat({"town", hall->seq(), 42, now}));
  protocol::ReplySpec spec;
  spec.request_id = "seed";
  if (!events.empty()) spec.events = {events.front()};
  write(dir, "reply-events", protocol::encode_reply(spec));
  protocol::ReplySpec refused;
  refused.request_id = "seed";
  refused.code = core::ErrorCode::kQueueEmpty;
  refused.message = "没有等候的群众";
  write(dir, "reply-refused", protocol::encode_reply(refused));
}

void snapshots(const fs::path& dir) {
  for (std::size_t h = 0; h < fuzz::kSampleHalls; ++h) {
    auto hall = fuzz::mid_day_hall(h);
    write(dir, fmt::format("{}-mid-day", hall->config().id), protocol::encode_snapshot(*hall, 7, false));
    write(dir, fmt::format("{}-mid-day-requests", hall->config().id),
          protocol::encode_snapshot(*hall, 7, true));
  }
  {  // the hall's devices (kiosk printers) as they last reported
    auto hall = fuzz::mid_day_hall(0);
    std::vector<core::Event> out;
    for (const core::ReportDevice& r :
         {core::ReportDevice{"kiosk-1", "printer", core::DeviceState::kPaperOut, "roll paper end"},
          core::ReportDevice{"kiosk-2", "printer", core::DeviceState::kOk, ""}})
      (void)hall->apply(core::Command{"", r}, fuzz::mid_day_now(), out);
    write(dir, "town-devices", protocol::encode_snapshot(*hall, 7, false));
  }
  auto cfg = fuzz::sample_config_ptr(0);
  core::Hall empty(cfg, policy::find_policy("balanced"), &predict::default_predictor());
  write(dir, "town-empty", protocol::encode_snapshot(empty, 1, false));
}

}  // namespace

// One HTTP seed: the flags byte of http_fuzz.cc (bit 0: the API with
// accounts; bits 1-6: a fragment size), then the raw request(s).
void http_seed(const fs::path& dir, const std::string& name, bool auth, unsigned fragment,
               const std::string& bytes) {
  write(dir, name, std::string(1, static_cast<char>((auth ? 1 : 0) | (fragment << 1))) + bytes);
}

// A request with a Content-Length body (none if empty and not POST).
std::string http_req(const std::string& method, const std::string& target,
                     const std::vector<std::string>& headers = {}, const std::string& body = "") {
  std::string out = fmt::format("{} {} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n", method, target);
  for (const std::string& h : headers) out += h + "\r\n";
  if (!body.empty() || method == "POST") out += fmt::format("Content-Length: {}\r\n", body.size());
  return out + "\r\n" + body;
}

void http_requests(const fs::path& dir) {
  const std::vector<std::string> admin = {"Cookie: hallq_session={sa}", "X-CSRF-Token: {ca}",
                                          "Origin: http://127.0.0.1:8080"};
  const std::vector<std::string> viewer = {"Cookie: hallq_session={sv}", "X-CSRF-Token: {cv}"};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  // Reads, open API.
  http_seed(dir, "get-halls", false, 0, http_req("GET", "/api/halls"));
  http_seed(dir, "get-hall", false, 0, http_req("GET", "/api/halls/town"));
  http_seed(dir, "get-tickets-waiting", false, 0, http_req("GET", "/api/halls/town/tickets?state=waiting"));
  http_seed(dir, "get-tickets-all-district", false, 0,
            http_req("GET", "/api/halls/district/tickets?state=all"));
  http_seed(dir, "get-tickets-bad-state", false, 0, http_req("GET", "/api/halls/town/tickets?state=gone"));
  http_seed(dir, "get-staff", false, 0, http_req("GET", "/api/halls/town/staff"));
  http_seed(dir, "get-history-days", false, 0,
            http_req("GET", "/api/halls/town/history?from=2026-11-20&to=2026-11-24"));
  http_seed(dir, "get-history-hours", false, 0,
            http_req("GET", "/api/halls/district/history?date=2026-11-24&by=hour"));
  http_seed(dir, "get-history-bad-date", false, 0,
            http_req("GET", "/api/halls/town/history?from=2026-02-30&to=2026-03-01"));
  http_seed(dir, "get-unknown-hall", false, 0, http_req("GET", "/api/halls/nosuch"));
  http_seed(dir, "get-percent-encoded", false, 0,
            http_req("GET", "/api/halls/%74own//tickets?state=%77aiting&x=1+2"));
  http_seed(dir, "get-metrics", false, 0, http_req("GET", "/metrics"));
  http_seed(dir, "get-index", false, 0, http_req("GET", "/"));
  http_seed(dir, "get-static", false, 0, http_req("GET", "/static/dashboard.css"));
  http_seed(dir, "get-static-dotdot", false, 0, http_req("GET", "/static/../../etc/passwd"));
  http_seed(dir, "get-vendor", false, 0, http_req("GET", "/vendor/chart.umd.js"));
  http_seed(dir, "get-session-open", false, 0, http_req("GET", "/api/session"));
  http_seed(dir, "get-audit-open", false, 0, http_req("GET", "/api/audit?from=1&limit=5"));
  http_seed(dir, "get-audit-bad-args", false, 0, http_req("GET", "/api/audit?from=x&limit=-1"));
  http_seed(dir, "head-hall-http10", false, 0,
            "HEAD /api/halls/town HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
  // Actions, open API.
  http_seed(dir, "post-open", false, 0,
            http_req("POST", "/api/halls/town/windows/w3/open", {"Idempotency-Key: k-open-w3"},
                     R"({"staff": "s07"})"));
  http_seed(dir, "post-close", false, 0, http_req("POST", "/api/halls/town/windows/w2/close"));
  http_seed(dir, "post-pause", false, 0, http_req("POST", "/api/halls/town/windows/w1/pause"));
  http_seed(dir, "post-resume", false, 0,
            http_req("POST", "/api/halls/district/windows/w1/resume", {}, "{}"));
  http_seed(
      dir, "post-skills", false, 0,
      http_req("POST", "/api/halls/town/windows/w2/skills", {}, R"({"serves": {"estate": 1, "social": 2}})"));
  http_seed(dir, "post-skills-bad-level", false, 0,
            http_req("POST", "/api/halls/town/windows/w2/skills", {}, R"({"serves": {"social": "x"}})"));
  http_seed(dir, "post-advisory", false, 0,
            http_req("POST", "/api/halls/town/advisories/1/accept", {}, R"({"staff": "s01"})"));
  http_seed(dir, "post-advisory-bad-id", false, 0,
            http_req("POST", "/api/halls/town/advisories/99999999999/accept", {}, "{}"));
  http_seed(
      dir, "post-move", false, 0,
      http_req("POST", "/api/halls/town/staff/s01/move", {"Idempotency-Key: k-move"}, R"({"window": "w4"})"));
  http_seed(dir, "post-move-to-open-window", false, 0,
            http_req("POST", "/api/halls/town/staff/s01/move", {}, R"({"window": "w2"})"));
  http_seed(dir, "post-notice", false, 0,
            http_req("POST", "/api/halls/town/notice", {}, R"({"text": "今日下午社保系统升级"})"));
  http_seed(dir, "post-notice-control-char", false, 0,
            http_req("POST", "/api/halls/town/notice", {}, R"({"text": "bad\u0007bell"})"));
  http_seed(dir, "post-bad-json", false, 0,
            http_req("POST", "/api/halls/town/windows/w1/open", {}, "{not json"));
  http_seed(dir, "post-array-body", false, 0,
            http_req("POST", "/api/halls/town/windows/w1/open", {}, "[1,2]"));
  http_seed(
      dir, "post-long-idempotency-key", false, 0,
      http_req("POST", "/api/halls/town/windows/w1/pause", {"Idempotency-Key: " + std::string(80, 'k')}));
  http_seed(dir, "post-read-route", false, 0, http_req("POST", "/api/halls/town", {}, "{}"));
  http_seed(dir, "put-notice", false, 0, http_req("PUT", "/api/halls/town/notice", {}, "{}"));
  http_seed(dir, "post-logout-open", false, 0, http_req("POST", "/api/logout"));
  // Framing: chunked, pipelined, limits, garbage.
  http_seed(dir, "post-notice-chunked", false, 5,
            "POST /api/halls/town/notice HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            "a;ext=1\r\n{\"text\": \"\r\n8\r\nnotice\"}\r\n0\r\nX-Trailer: t\r\n\r\n");
  http_seed(dir, "pipelined", false, 3,
            http_req("GET", "/api/halls") + http_req("POST", "/api/halls/town/windows/w1/pause") +
                http_req("POST", "/api/halls/town/windows/w1/resume") + http_req("GET", "/api/halls/town"));
  http_seed(dir, "header-too-large", false, 0,
            http_req("GET", "/api/halls", {"X-Filler: " + std::string(9000, 'f')}));
  http_seed(dir, "body-too-large", false, 0,
            "POST /api/halls/town/notice HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 70000\r\n\r\n{");
  http_seed(dir, "chunk-too-large", false, 0,
            "POST /api/halls/town/notice HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            "20000\r\n{");
  http_seed(dir, "chunk-extension-too-long", false, 9,
            "POST /api/halls/town/notice HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            "2;x=" +
                std::string(9000, 'e') + "\r\n{}\r\n0\r\n\r\n");
  http_seed(dir, "garbage-tls-hello", false, 0,
            std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  http_seed(dir, "bad-version", false, 0, "GET /api/halls HTTP/9.9\r\nHost: x\r\n\r\n");
  http_seed(dir, "incomplete", false, 1, "GET /api/halls HTTP/1.1\r\nHost: 127.0");
  http_seed(dir, "websocket-upgrade", false, 0,
            http_req("GET", "/ws?hall=town",
                     {"Upgrade: websocket", "Connection: Upgrade",
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"}));
  // Logins and sessions (the API with accounts).
  http_seed(dir, "login-admin", true, 0,
            http_req("POST", "/api/login", {}, R"({"user": "admin", "password": "pw-admin"})"));
  http_seed(dir, "login-wrong-password", true, 0,
            http_req("POST", "/api/login", {}, R"({"user": "viewer", "password": "nope"})"));
  http_seed(dir, "login-unknown-user", true, 0,
            http_req("POST", "/api/login", {}, R"({"user": "nobody", "password": "x"})"));
  http_seed(dir, "login-malformed", true, 0, http_req("POST", "/api/login", {}, R"({"user": 1})"));
  http_seed(dir, "session-admin", true, 0,
            http_req("GET", "/api/session", {"Cookie: a=b; hallq_session={sa}"}));
  http_seed(dir, "session-none", true, 0, http_req("GET", "/api/session"));
  http_seed(dir, "halls-viewer", true, 0, http_req("GET", "/api/halls", viewer));
  http_seed(dir, "hall-viewer-forbidden", true, 0, http_req("GET", "/api/halls/district", viewer));
  http_seed(dir, "hall-no-session", true, 0, http_req("GET", "/api/halls/town"));
  http_seed(dir, "audit-admin", true, 0, http_req("GET", "/api/audit?from=1&limit=10", admin));
  http_seed(dir, "audit-viewer", true, 0, http_req("GET", "/api/audit", viewer));
  http_seed(dir, "action-admin", true, 0,
            http_req("POST", "/api/halls/town/windows/w3/open", with(admin, {"Idempotency-Key: k-auth-open"}),
                     R"({"staff": "s07"})"));
  http_seed(dir, "action-admin-notice", true, 4,
            http_req("POST", "/api/halls/district/notice", admin, R"({"text": "系统维护"})"));
  http_seed(dir, "action-admin-move", true, 0,
            http_req("POST", "/api/halls/town/staff/s01/move", admin, R"({"window": "w5"})"));
  http_seed(dir, "action-admin-no-csrf", true, 0,
            http_req("POST", "/api/halls/town/windows/w1/pause", {"Cookie: hallq_session={sa}"}));
  http_seed(dir, "action-admin-other-origin", true, 0,
            http_req("POST", "/api/halls/town/windows/w1/pause",
                     {"Cookie: hallq_session={sa}", "X-CSRF-Token: {ca}", "Origin: http://evil.example"}));
  http_seed(dir, "action-viewer", true, 0, http_req("POST", "/api/halls/town/windows/w1/pause", viewer));
  http_seed(dir, "action-no-session", true, 0, http_req("POST", "/api/halls/town/windows/w1/pause"));
  http_seed(dir, "logout-admin", true, 0, http_req("POST", "/api/logout", {"Cookie: hallq_session={sa}"}));
  // 好差评 (issue 21): records, work orders, the upload's rejections, re-sends and acceptances.
  http_seed(dir, "records", true, 0,
            http_req("GET", "/api/halls/town/evaluation-records?after=0&limit=50", admin));
  http_seed(dir, "records-bad-args", true, 0,
            http_req("GET", "/api/halls/town/evaluation-records?after=-1&limit=x", admin));
  http_seed(dir, "work-orders", true, 0, http_req("GET", "/api/halls/town/work-orders", viewer));
  http_seed(dir, "work-order-callback", true, 0,
            http_req("POST", "/api/halls/town/work-orders/1/callback", admin,
                     R"({"reached": false, "note": "电话无人接听"})"));
  http_seed(dir, "work-order-rectification", true, 0,
            http_req("POST", "/api/halls/town/work-orders/1/rectification", admin, R"({"note": "已整改"})"));
  http_seed(dir, "work-order-bad-body", true, 0,
            http_req("POST", "/api/halls/town/work-orders/x/callback", admin, R"({"reached": "yes"})"));
  http_seed(dir, "upload-rejections", true, 0,
            http_req("GET", "/api/halls/town/upload-rejections?days=30", viewer));
  http_seed(dir, "upload-rejection-report", true, 0,
            http_req("POST", "/api/halls/town/upload-rejections", admin,
                     R"({"record_id": "town-E-1", "status": 422, "reason": "事项编码不存在"})"));
  http_seed(dir, "upload-resend", true, 0,
            http_req("POST", "/api/halls/town/upload-rejections/town-E-1/resend",
                     with(admin, {"Idempotency-Key: k-resend"}), "{}"));
  http_seed(
      dir, "upload-accepted", true, 0,
      http_req("POST", "/api/halls/town/upload-rejections/town-E-1/accepted", admin, R"({"resend": 1})"));
  http_seed(dir, "upload-accepted-bad", true, 0,
            http_req("POST", "/api/halls/town/upload-rejections/town-W-1-9/accepted", admin,
                     R"({"resend": 0, "extra": true})"));
  http_seed(dir, "websocket-upgrade-session", true, 0,
            http_req("GET", "/ws?hall=town",
                     {"Upgrade: websocket", "Connection: Upgrade",
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
                      "Cookie: hallq_session={sv}"}));
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " OUT_DIR\n";
    return 2;
  }
  try {
    requests(fs::path(argv[1]) / "request");
    snapshots(fs::path(argv[1]) / "snapshot");
    http_requests(fs::path(argv[1]) / "http");
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
