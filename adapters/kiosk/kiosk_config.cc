#include "adapters/kiosk/kiosk_config.h"

#include <fmt/format.h>

#include <filesystem>

#include "engine/config/toml_reader.h"
#include "engine/core/command.h"
#include "engine/core/utf8.h"

namespace hallq::kiosk {
namespace {

// "appointments": read only to refuse it with its own message (old_book_message).
constexpr std::string_view kSections[] = {"kiosk", "priority", "appointments", "printer", "security"};
constexpr std::string_view kKioskKeys[] = {"hall",       "engine", "events", "services", "font",
                                           "font_index", "width",  "height", "device"};
constexpr std::string_view kPriorityKeys[] = {"age_threshold", "elderly_label", "categories"};
constexpr std::string_view kPrinterKeys[] = {
    "kind",         "path",         "host",       "port",           "timeout_ms",        "paper_mm",
    "qr_url",       "footer",       "on_failure", "reprint_within", "probe_interval_ms", "status_timeout_ms",
    "pending_file", "ticket_secret"};

std::string resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p.front() == '/' || base_dir.empty()) return p;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

// Why an [appointments] table is refused, and how its CSV moves to the
// engine. The old book (code,service,date,slot,name) has no ID numbers,
// which the engine needs (one booking per person and service a day, held
// by the number's salted hash): the import refuses such lines, so the
// message says so rather than promise an import.
std::string old_book_message(const std::string& hall, const std::string& file) {
  return fmt::format(
      "[appointments] 已停用：预约表现在由引擎保管（大厅配置的 [service.appointments]，签到时间也由它规定），"
      "取号机凭预约码向引擎签到，请删除此表。旧的 CSV 预约表可一次性导入引擎："
      "hallq appointments import HALL FILE --person-salt SALT（本机即 hallq appointments import {} {} "
      "--person-salt SALT）。注意：旧表只有 code,service,date,slot,name 五列，没有身份证号码，"
      "而引擎凭身份证号的散列保证一人一约，缺少 id_number 列的行不会导入（逐行报告原因）；"
      "须先为每行补上 id_number 列，否则这些群众需重新预约。日期须在今天起可预约的天数内，"
      "时段须是该事项的预约时段；原预约码未被占用时沿用。",
      hall, file.empty() ? "FILE" : file);
}

KioskConfig parse(const toml::table& root, const std::string& source, const std::string& base_dir) {
  const config::TableReader r = config::TableReader::document(root, source);
  r.allow_only(kSections);
  KioskConfig c;
  c.security = device::read_security(r);
  const config::TableReader k = r.required_section("kiosk");
  k.allow_only(kKioskKeys);
  c.hall = k.required_string("hall");
  c.engine = k.string("engine", c.engine);
  c.events = k.string("events", c.events);
  if (auto s = k.strings("services")) c.services = *s;
  c.font = resolve(base_dir, k.string("font", c.font));
  c.font_index = static_cast<int>(k.integer("font_index", 0, 64, c.font_index));
  c.width = static_cast<int>(k.integer("width", 320, 7680, c.width));
  c.height = static_cast<int>(k.integer("height", 240, 7680, c.height));
  c.device = k.string("device", fmt::format("kiosk-{}", c.hall));
  if (c.device.empty() || c.device.size() > core::kMaxDeviceIdBytes || !core::printable_utf8(c.device))
    k.fail("device", fmt::format("\"{}\": expected 1 to {} bytes of printable UTF-8", c.device,
                                 core::kMaxDeviceIdBytes));

  const config::TableReader p = r.section("priority");
  p.allow_only(kPriorityKeys);
  c.age_threshold = static_cast<int>(p.integer("age_threshold", 1, 150, c.age_threshold));
  c.elderly_label = p.string("elderly_label", c.elderly_label);
  if (auto s = p.strings("categories")) c.categories = *s;

  // The kiosk's old CSV book: the bookings now live in the engine.
  if (const config::TableReader a = r.section("appointments"); a.present()) {
    const toml::node* file = a.node("file");  // named in the message when it is a path
    a.fail_here(
        old_book_message(c.hall, file ? resolve(base_dir, file->value<std::string>().value_or("")) : ""));
  }

  const config::TableReader pr = r.section("printer");
  pr.allow_only(kPrinterKeys);
  const std::string kind = pr.string("kind", "file");
  if (kind == "file")
    c.printer.kind = PrinterKind::kFile;
  else if (kind == "device")
    c.printer.kind = PrinterKind::kDevice;
  else if (kind == "tcp")
    c.printer.kind = PrinterKind::kTcp;
  else
    pr.fail("kind", fmt::format("\"{}\" is not one of file, device, tcp", kind));
  if (c.printer.kind == PrinterKind::kTcp) {
    c.printer.host = pr.required_string("host");
    c.printer.port = static_cast<int>(pr.integer("port", 1, 65535, 9100));
    if (pr.string("path")) pr.fail("path", "a tcp printer has host and port, not a path");
  } else {
    c.printer.path = resolve(base_dir, pr.required_string("path"));
    if (pr.string("host")) pr.fail("host", fmt::format("a {} printer has a path, not a host", kind));
  }
  c.printer.timeout = std::chrono::milliseconds(pr.integer("timeout_ms", 100, 60000, 2000));
  c.paper_mm = static_cast<int>(pr.integer("paper_mm", 58, 80, 80));
  if (c.paper_mm != 58 && c.paper_mm != 80)
    pr.fail("paper_mm", fmt::format("{}: expected 58 or 80", c.paper_mm));
  c.qr_url = pr.string("qr_url", "");
  c.ticket_secret = resolve(base_dir, pr.string("ticket_secret", ""));
  if (c.qr_url.find("{token}") != std::string::npos && c.ticket_secret.empty())
    pr.fail("qr_url", "{token} needs ticket_secret = \"FILE\" (hallq keys ticket-secret FILE)");
  if (auto s = pr.strings("footer")) c.footer = *s;
  const std::string on_failure = pr.string("on_failure", "stop");
  if (on_failure == "stop")
    c.on_failure = KioskConfig::OnFailure::kStop;
  else if (on_failure == "screen")
    c.on_failure = KioskConfig::OnFailure::kScreen;
  else
    pr.fail("on_failure", fmt::format("\"{}\" is not one of stop, screen", on_failure));
  c.reprint_within = std::chrono::seconds(pr.integer("reprint_within", 0, 86400, 120));
  c.probe_interval = std::chrono::milliseconds(pr.integer("probe_interval_ms", 200, 3600000, 3000));
  c.printer.status_timeout = std::chrono::milliseconds(pr.integer("status_timeout_ms", 10, 5000, 300));
  c.pending_file = resolve(base_dir, pr.string("pending_file", ""));
  if (c.pending_file.empty()) c.pending_file = resolve(base_dir, fmt::format("kiosk-{}.pending", c.hall));
  return c;
}

}  // namespace

KioskConfig parse_kiosk_config(std::string_view text, const std::string& source) {
  return parse(config::parse_toml(text, source), source, "");
}

KioskConfig load_kiosk_config(const std::string& path) {
  return parse(config::parse_toml(config::read_text_file(path), path), path,
               std::filesystem::path(path).parent_path().string());
}

}  // namespace hallq::kiosk
