// One pass over the text with string_views and from_chars: the 770 KB bank
// trace parses in a few milliseconds, and every message can name its line.
#include "tools/replay/trace.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace hallq::replay {
namespace {

constexpr std::string_view kHeader = "time_s,event,ticket,service,priority,handle_s,patience_s,absent,window";
constexpr std::size_t kColumns = 9;
enum Column : std::size_t {
  kTime,
  kEvent,
  kTicket,
  kService,
  kPriority,
  kHandle,
  kPatience,
  kAbsent,
  kWindow
};
constexpr std::array<std::string_view, kColumns> kColumnNames = {
    "time_s", "event", "ticket", "service", "priority", "handle_s", "patience_s", "absent", "window"};

constexpr std::array<std::string_view, 5> kEventNames = {"arrive", "open", "close", "pause", "resume"};

class Parser {
 public:
  Parser(std::string_view source, const core::HallConfig& config) : source_(source), config_(config) {}

  Trace parse(std::string_view text) {
    Trace trace;
    trace.source = std::string(source_);
    trace.hall = config_.id;
    trace.rows.reserve(text.size() / 32);  // rows are 35-45 bytes
    first_line_.reserve(text.size() / 32);
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a BOM from spreadsheet tools
    bool header_seen = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_;
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (!header_seen) {
        if (line != kHeader) fail(fmt::format("expected the header \"{}\"", kHeader));
        header_seen = true;
        continue;
      }
      if (line.empty()) continue;
      parse_row(line, trace);
    }
    if (!header_seen) {
      line_ = 1;
      fail("empty trace: expected the header line");
    }
    return trace;
  }

 private:
  [[noreturn]] void fail(std::string_view what) const {
    throw TraceError(fmt::format("{}:{}: {}", source_, line_, what));
  }

  double number(std::string_view field, Column c) const {
    if (field.empty()) fail(fmt::format("{}: missing", kColumnNames[c]));
    double v = 0;
    const char* first = field.data();
    const char* last = field.data() + field.size();
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr != last || !std::isfinite(v)) {
      fail(fmt::format("{}: \"{}\" is not a number", kColumnNames[c], field));
    }
    return v;
  }

  void parse_row(std::string_view line, Trace& trace) {
    std::array<std::string_view, kColumns> f;
    std::size_t n = 0;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = line.find(',', start);
      if (n < kColumns) f[n] = line.substr(start, comma == std::string_view::npos ? comma : comma - start);
      ++n;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (n != kColumns) fail(fmt::format("expected {} fields, found {}", kColumns, n));

    TraceRow row;
    row.line = line_;
    row.time_s = number(f[kTime], kTime);
    if (!trace.rows.empty() && row.time_s < trace.rows.back().time_s) {
      fail(fmt::format("time goes backwards ({} after {} on line {})", f[kTime], trace.rows.back().time_s,
                       trace.rows.back().line));
    }
    std::size_t e = 0;
    while (e < kEventNames.size() && kEventNames[e] != f[kEvent]) ++e;
    if (e == kEventNames.size()) fail(fmt::format("unknown event \"{}\"", f[kEvent]));
    row.event = static_cast<TraceEvent>(e);

    if (row.event == TraceEvent::kArrive) {
      parse_arrival(f, row);
      ++trace.arrivals;
    } else {
      for (Column c : {kTicket, kService, kPriority, kHandle, kPatience, kAbsent}) {
        if (!f[c].empty()) fail(fmt::format("{}: not used by {} rows", kColumnNames[c], f[kEvent]));
      }
      if (f[kWindow].empty()) fail(fmt::format("window: missing ({} rows name a window)", f[kEvent]));
      auto w = config_.find_window(f[kWindow]);
      if (!w) fail(fmt::format("window \"{}\" is not in hall {}", f[kWindow], config_.id));
      row.window = *w;
    }
    trace.rows.push_back(std::move(row));
  }

  void parse_arrival(const std::array<std::string_view, kColumns>& f, TraceRow& row) {
    if (f[kTicket].empty()) fail("ticket: missing for an arrive row");
    auto [it, inserted] = first_line_.try_emplace(f[kTicket], line_);
    if (!inserted) fail(fmt::format("duplicate ticket \"{}\" (first on line {})", f[kTicket], it->second));
    row.ticket = std::string(f[kTicket]);

    if (f[kService].empty()) fail("service: missing for an arrive row");
    auto s = config_.find_service(f[kService]);
    if (!s) fail(fmt::format("service \"{}\" is not in hall {}", f[kService], config_.id));
    row.service = *s;

    if (!core::parse(f[kPriority], row.priority)) {
      fail(fmt::format("priority: \"{}\" is not normal, priority or appointment", f[kPriority]));
    }
    row.handle_s = number(f[kHandle], kHandle);
    if (row.handle_s < 0) fail(fmt::format("handle_s: {} is negative", f[kHandle]));
    if (!f[kPatience].empty()) {
      row.patience_s = number(f[kPatience], kPatience);
      if (*row.patience_s < 0) fail(fmt::format("patience_s: {} is negative", f[kPatience]));
    }
    if (f[kAbsent] == "1") {
      row.absent = true;
    } else if (!f[kAbsent].empty() && f[kAbsent] != "0") {
      fail(fmt::format("absent: \"{}\" is not 0 or 1", f[kAbsent]));
    }
    if (!f[kWindow].empty()) fail("window: not used by arrive rows");
  }

  std::string_view source_;
  const core::HallConfig& config_;
  std::uint32_t line_ = 0;
  std::unordered_map<std::string_view, std::uint32_t> first_line_;  // ticket id -> line; views into the text
};

}  // namespace

std::string_view to_string(TraceEvent e) {
  const auto i = static_cast<std::size_t>(e);
  return i < kEventNames.size() ? kEventNames[i] : std::string_view("?");
}

Trace parse_trace(std::string_view text, std::string_view source_name, const core::HallConfig& config) {
  return Parser(source_name, config).parse(text);
}

Trace load_trace(const std::string& path, const core::HallConfig& config) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TraceError(fmt::format("{}: cannot open the trace", path));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw TraceError(fmt::format("{}: cannot read the trace", path));
  const std::string text = std::move(buffer).str();
  return parse_trace(text, path, config);
}

}  // namespace hallq::replay
