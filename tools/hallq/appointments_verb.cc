// The CSV import reads columns by the header's names, so an export with
// more columns (id_number, phone) and the kiosk's old five-column book both
// read; what cannot become a booking is reported line by line, never
// guessed.
#include "tools/hallq/appointments_verb.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <variant>
#include <vector>

#include "engine/core/booking.h"
#include "engine/core/calendar.h"
#include "engine/core/hall.h"
#include "engine/core/utf8.h"
#include "engine/device/usage_text.h"
#include "engine/keys/person_hash.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/snapshot_codec.h"

namespace hallq::cli {
namespace {

using json = nlohmann::json;

constexpr int kDone = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 2;
constexpr int kUnreachable = 3;

client::Client make_client(zmq::context_t& ctx, const std::string& engine, int timeout_ms,
                           const client::CurveOptions& curve) {
  client::ClientOptions o;
  o.attempts = 2;
  o.timeout = std::chrono::milliseconds(std::max(1, timeout_ms / o.attempts));
  o.curve = curve;
  return client::Client(ctx, engine, o);
}

int unreachable(const std::string& engine, int timeout_ms, bool as_json) {
  const std::string msg = fmt::format("引擎 {} 在 {} 毫秒内没有应答", engine, timeout_ms);
  if (as_json) {
    std::cout << json{{"ok", false}, {"error", "unreachable"}, {"message", msg}}.dump() << std::endl;
  } else {
    std::cerr << "无法连接：" << msg << std::endl;
  }
  return kUnreachable;
}

int refused(const protocol::DecodedReply& r, bool as_json) {
  if (as_json) {
    std::cout << json{{"ok", false}, {"error", core::to_string(r.code)}, {"message", r.message}}.dump()
              << std::endl;
  } else {
    std::cerr << "拒绝：" << r.message << "（" << core::to_string(r.code) << "）" << std::endl;
  }
  return kRefused;
}

// A replica of `hall` from its snapshot, or the exit code.
std::variant<std::unique_ptr<core::Hall>, int> replica_of(client::Client& c, const std::string& hall,
                                                          const std::string& engine, int timeout_ms,
                                                          bool as_json) {
  auto reply = c.snapshot(hall);
  if (!reply) return unreachable(engine, timeout_ms, as_json);
  if (!reply->ok()) return refused(*reply, as_json);
  protocol::DecodedSnapshot snap;
  if (protocol::inspect(protocol::as_bytes(reply->snapshot)) != protocol::MessageKind::kSnapshot ||
      !protocol::decode_snapshot(protocol::as_bytes(reply->snapshot), snap).ok()) {
    std::cerr << "引擎返回的快照无法解析" << std::endl;
    return kRefused;
  }
  auto h = std::make_unique<core::Hall>(snap.config, policy::find_policy(policy::kDefaultPolicy),
                                        &predict::default_predictor());
  h->import_state(std::move(snap.state));
  return h;
}

std::string state_text(core::BookingState s) {
  switch (s) {
    case core::BookingState::kBooked:
      return "待签到";
    case core::BookingState::kCheckedIn:
      return "已签到";
    case core::BookingState::kNoShow:
      return "未到";
  }
  return "";
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  for (std::string& f : out) {  // surrounding blanks are not part of a field
    while (!f.empty() && f.back() == ' ') f.pop_back();
    while (!f.empty() && f.front() == ' ') f.erase(f.begin());
  }
  return out;
}

}  // namespace

void add_appointments_verbs(CLI::App& app, AppointmentsArgs& args, std::string& hall,
                            std::optional<core::CommandBody>& command, const time::Clock& clock) {
  args.book = app.add_subcommand("book", "预约：按身份证号为群众预约一个时段（只发送号码的散列）");
  device::add_hall_argument(args.book, hall);
  args.book->add_option("service", args.service, "事项编号，如 social")->type_name("事项")->required();
  args.book->add_option("day", args.day, "日期，如 2026-12-04")->type_name("日期")->required();
  args.book->add_option("slot", args.slot, "时段开始时间，如 09:30")->type_name("时段")->required();
  args.book->add_option("--id-number", args.id_number, "身份证号码（18 位）")->type_name("号码")->required();
  args.book->add_option("--phone", args.phone, "手机号（可不填，用于提醒）")->type_name("手机号");
  args.book->add_option("--person-salt", args.salt_file, "身份证号散列用的盐文件（hallq keys salt 生成）")
      ->type_name("文件")
      ->required();
  args.book->callback([&args, &command, &clock] {
    keys::PersonSalt salt = [&] {
      try {
        return keys::PersonSalt::read_file(args.salt_file);
      } catch (const config::ConfigError& e) {
        throw CLI::ValidationError("--person-salt", e.what());
      }
    }();
    const core::CivilDate today = core::local_date(clock.now_us(), 8 * 60);
    auto r =
        keys::prepare_booking({args.service, args.day, args.slot, args.id_number, args.phone}, salt, today);
    if (const keys::FormError* e = std::get_if<keys::FormError>(&r))
      throw CLI::ValidationError(e->field, e->message);
    args.prepared = std::get<keys::PreparedBooking>(r);
    const keys::PreparedBooking& p = *args.prepared;
    // The sender picks the nonce; the engine moves past codes in use.
    const std::uint32_t nonce = static_cast<std::uint32_t>(clock.now_us() % core::kBookingCodes);
    command = core::Book{p.service, p.day, p.slot_min, p.person, p.phone, nonce};
  });

  CLI::App* appts = app.add_subcommand("appointments", "预约：查看、取消、签到、导入");
  appts->require_subcommand(1);
  args.list = appts->add_subcommand("list", "某天的预约（默认今天）及各时段的预约数");
  device::add_hall_argument(args.list, hall);
  args.list->add_option("--day", args.list_day, "日期，如 2026-12-04")->type_name("日期");
  auto code_verb = [&](const char* name, const char* help, auto make) {
    CLI::App* sub = appts->add_subcommand(name, help);
    device::add_hall_argument(sub, hall);
    sub->add_option("code", args.code, "6 位预约码")->type_name("预约码")->required();
    sub->callback([&args, &command, make] {
      const std::uint32_t code = core::parse_booking_code(args.code);
      if (code == 0)
        throw CLI::ValidationError("code", fmt::format("预约码须为 6 位数字，而不是 `{}`", args.code));
      command = make(code);
    });
  };
  code_verb("cancel", "取消一个预约（签到前）",
            [](std::uint32_t c) { return core::CommandBody(core::CancelBooking{c}); });
  code_verb("checkin", "预约签到：在签到时间内换成预约号",
            [](std::uint32_t c) { return core::CommandBody(core::CheckIn{c}); });
  args.import_csv =
      appts->add_subcommand("import", "一次性导入取号机旧的 CSV 预约表（逐行报告导入或拒绝的原因）");
  device::add_hall_argument(args.import_csv, hall);
  args.import_csv->add_option("file", args.csv_file, "CSV 文件")->type_name("文件")->required();
  args.import_csv
      ->add_option("--person-salt", args.salt_file, "身份证号散列用的盐文件（hallq keys salt 生成）")
      ->type_name("文件")
      ->required();
}

int run_appointments_list(const AppointmentsArgs& args, const std::string& hall, const std::string& engine,
                          int timeout_ms, const client::CurveOptions& curve, bool as_json,
                          const time::Clock& clock) {
  zmq::context_t ctx;
  client::Client c = make_client(ctx, engine, timeout_ms, curve);
  auto replica = replica_of(c, hall, engine, timeout_ms, as_json);
  if (const int* rc = std::get_if<int>(&replica)) return *rc;
  const core::Hall& h = *std::get<std::unique_ptr<core::Hall>>(replica);
  std::int64_t day = h.config().local_day(clock.now_us());
  if (!args.list_day.empty()) {
    const std::optional<std::int64_t> d = core::parse_day(args.list_day);
    if (!d) {
      std::cerr << fmt::format("日期须写成 YYYY-MM-DD，如 2026-12-04，而不是 `{}`\n", args.list_day);
      return kUsage;
    }
    day = *d;
  }
  const core::HallConfig& cfg = h.config();
  json list = json::array();
  std::ostringstream text;
  int n = 0;
  for (const core::Booking& b : h.bookings()) {
    if (b.day != day) continue;
    ++n;
    const core::Ticket* t = b.state == core::BookingState::kCheckedIn ? h.find_ticket(b.ticket) : nullptr;
    const std::string number = t != nullptr ? h.number_of(*t) : std::string();
    list.push_back({{"code", b.code},
                    {"service", cfg.services[b.service].id},
                    {"slot", core::format_slot_time(b.slot_min)},
                    {"state", core::to_string(b.state)},
                    {"person", b.person.substr(0, 8)},
                    {"phone", core::mask_phone(b.phone)},
                    {"number", number}});
    text << fmt::format("{}  {}  {}  {}{}  {}\n", b.code, core::format_slot_time(b.slot_min),
                        core::pad_to_width(cfg.services[b.service].name, 16), state_text(b.state),
                        number.empty() ? "" : fmt::format("（{}）", number),
                        b.phone.empty() ? "" : core::mask_phone(b.phone));
  }
  if (as_json) {
    std::cout
        << json{{"ok", true}, {"hall", hall}, {"day", core::format_date(day)}, {"bookings", list}}.dump()
        << std::endl;
  } else {
    std::cout << fmt::format("{} {} 的预约：{} 个\n", cfg.name, core::format_date(day), n) << text.str()
              << std::flush;
  }
  return kDone;
}

int run_appointments_import(const AppointmentsArgs& args, const std::string& hall, const std::string& engine,
                            int timeout_ms, const client::CurveOptions& curve, bool as_json,
                            const time::Clock& clock) {
  std::optional<keys::PersonSalt> salt;
  try {
    salt = keys::PersonSalt::read_file(args.salt_file);
  } catch (const config::ConfigError& e) {
    std::cerr << "盐文件无法读取：" << e.what() << "\n";
    return kUsage;
  }
  std::ifstream in(args.csv_file, std::ios::binary);
  if (!in) {
    std::cerr << fmt::format("无法读取 {}\n", args.csv_file);
    return kUsage;
  }
  zmq::context_t ctx;
  client::Client c = make_client(ctx, engine, timeout_ms, curve);
  // The hall must exist before any line is sent (and its clock gives "today").
  auto replica = replica_of(c, hall, engine, timeout_ms, as_json);
  if (const int* rc = std::get_if<int>(&replica)) return *rc;
  const core::Hall& h = *std::get<std::unique_ptr<core::Hall>>(replica);
  const core::CivilDate today = core::local_date(clock.now_us(), h.config().utc_offset_min);

  std::map<std::string, std::size_t> column;  // name -> index
  std::string line;
  int line_no = 0, imported = 0, refused_lines = 0;
  auto report = [&](int no, const std::string& old_code, bool ok, const std::string& code,
                    const std::string& why) {
    ok ? ++imported : ++refused_lines;
    if (as_json) {
      json j = {{"line", no}, {"old_code", old_code}, {"imported", ok}};
      if (ok) j["code"] = code;
      if (!ok) j["reason"] = why;
      std::cout << j.dump() << "\n";
    } else if (ok) {
      std::cout << fmt::format(
          "第 {} 行：已导入，预约码 {}{}\n", no, code,
          code == old_code ? "（沿用原预约码）" : fmt::format("（原预约码 {} 已被占用）", old_code));
    } else {
      std::cout << fmt::format("第 {} 行：未导入：{}\n", no, why);
    }
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> f = split_csv_line(line);
    if (column.empty()) {
      for (std::size_t i = 0; i < f.size(); ++i) column[f[i]] = i;
      for (const char* need : {"code", "service", "date", "slot"})
        if (!column.count(need)) {
          std::cerr << fmt::format(
              "{}：第 1 行须为表头，含 code、service、date、slot（可有 name、id_number、phone），缺少 {}\n",
              args.csv_file, need);
          return kUsage;
        }
      continue;
    }
    auto field = [&](const char* name) -> std::string {
      auto it = column.find(name);
      return it != column.end() && it->second < f.size() ? f[it->second] : std::string();
    };
    const std::string old_code = field("code");
    if (f.size() != column.size()) {
      report(line_no, old_code, false, "",
             fmt::format("应有 {} 列，这一行有 {} 列", column.size(), f.size()));
      continue;
    }
    const std::string id = field("id_number");
    if (id.empty()) {
      report(line_no, old_code, false, "",
             "没有身份证号码（id_number 列），无法保证一人一约，请让群众重新预约");
      continue;
    }
    const std::string slot_range = field("slot");
    const std::string slot = slot_range.substr(0, slot_range.find('-'));
    auto prepared =
        keys::prepare_booking({field("service"), field("date"), slot, id, field("phone")}, *salt, today);
    if (const keys::FormError* e = std::get_if<keys::FormError>(&prepared)) {
      report(line_no, old_code, false, "", e->message);
      continue;
    }
    const keys::PreparedBooking& p = std::get<keys::PreparedBooking>(prepared);
    // The old code where it is free, so that citizens keep the code they were given.
    const std::uint32_t old = core::parse_booking_code(old_code);
    const std::uint32_t nonce =
        old != 0 ? old - core::kFirstBookingCode : static_cast<std::uint32_t>(line_no) * 7919u;
    // One request id per file line: running the import again answers each
    // line as the first time instead of booking twice.
    const std::string request_id = fmt::format("import:{}:{}", old_code, p.person.substr(0, 16));
    auto reply =
        c.command(hall, core::Book{p.service, p.day, p.slot_min, p.person, p.phone, nonce}, request_id);
    if (!reply) return unreachable(engine, timeout_ms, as_json);
    if (!reply->ok()) {
      report(line_no, old_code, false, "",
             fmt::format("{}（{}）", reply->message, core::to_string(reply->code)));
      continue;
    }
    std::string code;
    for (const std::string& bytes : reply->events) {
      const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(bytes));
      if (e.kind == "booking_made") code = std::to_string(e.booking);
    }
    report(line_no, old_code, true, code, "");
  }
  if (as_json) {
    std::cout << json{{"ok", refused_lines == 0}, {"imported", imported}, {"refused", refused_lines}}.dump()
              << std::endl;
  } else {
    std::cout << fmt::format("共导入 {} 个，未导入 {} 个\n", imported, refused_lines) << std::flush;
  }
  return refused_lines == 0 ? kDone : kRefused;
}

}  // namespace hallq::cli
