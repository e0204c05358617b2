// Turns a hall's TOML file into a validated HallConfig. The TOML reader
// (toml_reader.h) checks every key and type and names the line at fault; this
// file fills the model and leaves the semantic rules to
// HallConfig::validate_and_index, whose problems it maps back to their lines.
#include "engine/config/config_loader.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/config/suggest.h"
#include "engine/config/toml_reader.h"
#include "engine/core/calendar.h"

namespace hallq::config {
namespace {

using core::HallConfig;
using Keys = std::span<const std::string_view>;

constexpr std::string_view kTopKeys[] = {"hall", "rules", "service", "window", "staff", "evaluation"};
constexpr std::string_view kHallKeys[] = {"id",         "name",         "hours",           "days",
                                          "closed",     "extra_days",   "wait_target_min", "number_reset",
                                          "utc_offset", "division_code"};
constexpr std::string_view kRulesKeys[] = {
    "policy",    "recall_limit",  "reactivate_min",          "reactivate_behind", "priority_ratio",
    "help_load", "number_digits", "max_tickets_per_service", "remote_call_share"};
constexpr std::string_view kServiceKeys[] = {
    "id",           "name",   "prefix",    "kind",           "expected_handle_min",
    "appointments", "remote", "item_code", "department_code"};
constexpr std::string_view kEvaluationKeys[] = {"reasons_version", "reasons", "supplement_days",
                                                "follow_up_working_days", "due_soon_working_days"};
constexpr std::string_view kReasonKeys[] = {"code", "text"};
constexpr std::string_view kRemoteKeys[] = {"enabled", "hours", "daily_quota", "grace_min"};
constexpr std::string_view kAppointmentKeys[] = {
    "slot_min",           "capacity",       "hours", "days", "session", "check_in_before_min",
    "check_in_after_min", "book_ahead_days"};
constexpr std::string_view kSessionKeys[] = {"days", "hours"};
constexpr std::string_view kWindowKeys[] = {"id", "number", "name", "kind", "serves"};
constexpr std::string_view kStaffKeys[] = {"id", "name"};

// Sections that later issues add for displays and devices; their loaders read
// them from the same file, so the hall loader must let them pass.
constexpr std::string_view kFutureSections[] = {"screen", "screens", "speaker", "kiosk",
                                                "keypad", "caller",  "device",  "devices",
                                                "notice", "display", "displays"};

constexpr int kMaxSkillLevel = 9;

bool contains(Keys keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// "HH:MM" with two-digit fields; "24:00" only when `allow_24` (the end of a day).
std::optional<int> parse_clock(std::string_view text, bool allow_24) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24))) return std::nullopt;
  return h * 60 + m;
}

// "+08:00" / "-03:30" -> minutes east of UTC. The range is validate_and_index's.
std::optional<int> parse_utc_offset(std::string_view text) {
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  const std::optional<int> minutes = parse_clock(text.substr(1), false);
  if (!minutes) return std::nullopt;
  return text[0] == '-' ? -*minutes : *minutes;
}

// Weekday names in calendar.h's order (0 Sunday).
constexpr std::string_view kWeekdayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::optional<unsigned> parse_weekday(std::string_view name) {
  for (unsigned d = 0; d < 7; ++d)
    if (kWeekdayNames[d] == name) return d;
  return std::nullopt;
}

// "mon-fri" (a range, wrapping past Sunday: "fri-mon"), or one name "sat" ->
// the bits of HallConfig::weekdays.
std::optional<std::uint8_t> parse_weekday_range(std::string_view text) {
  const auto dash = text.find('-');
  const std::optional<unsigned> from = parse_weekday(text.substr(0, dash));
  const std::optional<unsigned> to =
      dash == std::string_view::npos ? from : parse_weekday(text.substr(dash + 1));
  if (!from || !to) return std::nullopt;
  std::uint8_t bits = 0;
  for (unsigned d = *from;; d = (d + 1) % 7) {
    bits |= static_cast<std::uint8_t>(1u << d);
    if (d == *to) break;
  }
  return bits;
}

constexpr std::string_view kDaysForm =
    "\"mon-fri\" (a range of sun mon tue wed thu fri sat) or a list [\"mon\", \"wed\"]";

// `key` = "mon-fri" or ["mon", "tue", ...] -> HallConfig::weekdays bits; nullopt when absent.
std::optional<std::uint8_t> read_weekdays(const TableReader& r, std::string_view key) {
  const toml::node* node = r.node(key);
  if (!node) return std::nullopt;
  if (const auto* text = node->as_string()) {
    const std::optional<std::uint8_t> bits = parse_weekday_range(text->get());
    if (!bits) r.fail(key, fmt::format("\"{}\" is not a range of days: write {}", text->get(), kDaysForm));
    return bits;
  }
  const toml::array* list = node->as_array();
  if (!list) r.fail_type(key, kDaysForm);
  if (list->empty()) r.fail(key, "names no day");
  std::uint8_t bits = 0;
  for (const toml::node& element : *list) {
    const auto* name = element.as_string();
    const std::optional<unsigned> day = name ? parse_weekday(name->get()) : std::nullopt;
    if (!day)
      r.fail_at(
          element.source(),
          fmt::format("{}: {} is not a day: use sun mon tue wed thu fri sat", r.ref(key),
                      name ? fmt::format("\"{}\"", name->get()) : std::string(type_name(element.type()))));
    if (bits & (1u << *day))
      r.fail_at(element.source(), fmt::format("{}: \"{}\" is listed twice", r.ref(key), name->get()));
    bits |= static_cast<std::uint8_t>(1u << *day);
  }
  return bits;
}

// `key` = ["2026-10-01", ...] (strings or TOML dates) -> ascending day numbers.
std::vector<std::int64_t> read_dates(const TableReader& r, std::string_view key) {
  std::vector<std::int64_t> days;
  const toml::node* node = r.node(key);
  if (!node) return days;
  const toml::array* list = node->as_array();
  if (!list) r.fail_type(key, "an array of dates \"YYYY-MM-DD\"");
  if (list->size() > core::kMaxListedDays) r.fail(key, fmt::format("at most {} dates", core::kMaxListedDays));
  for (const toml::node& element : *list) {
    std::optional<std::int64_t> day;
    if (const auto* text = element.as_string()) day = core::parse_day(text->get());
    if (const auto* date = element.as_date()) {
      const toml::date d = date->get();
      const core::CivilDate c{d.year, d.month, d.day};
      if (core::valid_date(c) && c.year >= 1970 && c.year <= 2999) day = core::day_number(c);
    }
    if (!day)
      r.fail_at(element.source(),
                fmt::format("{}: expected a date \"YYYY-MM-DD\" (1970..2999), got {}", r.ref(key),
                            element.is_string() ? fmt::format("\"{}\"", element.as_string()->get())
                                                : std::string(type_name(element.type()))));
    const auto at = std::lower_bound(days.begin(), days.end(), *day);
    if (at != days.end() && *at == *day)
      r.fail_at(element.source(), fmt::format("{}: {} is listed twice", r.ref(key), core::format_date(*day)));
    days.insert(at, *day);
  }
  return days;
}

enum class Need { kRequired, kOptional };

void read(const TableReader& r, std::string_view key, std::string& out, Need need) {
  if (need == Need::kRequired) r.require(key);
  if (std::optional<std::string> v = r.string(key)) out = std::move(*v);
}

void read(const TableReader& r, std::string_view key, int& out, Need need) {
  if (need == Need::kRequired) r.require(key);
  if (std::optional<std::int64_t> v =
          r.integer(key, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()))
    out = static_cast<int>(*v);
}

// Minutes and similar quantities: an integer or a float, finite.
void read(const TableReader& r, std::string_view key, double& out, Need need) {
  if (need == Need::kRequired) r.require(key);
  if (std::optional<double> v = r.number(key)) out = *v;
}

// An item's required `kind` (core::parse), or a failure listing the `choices`.
template <class Kind>
void read_kind(const TableReader& r, Kind& out, std::string_view choices) {
  std::string kind;
  read(r, "kind", kind, Need::kRequired);
  if (!parse(kind, out)) r.fail("kind", fmt::format("unknown kind \"{}\" ({})", kind, choices));
}

class Loader {
 public:
  Loader(const toml::table& root, std::string_view source)
      : root_(root), source_(source), top_(TableReader::document(root, source)) {}

  std::shared_ptr<HallConfig> load() {
    auto config = std::make_shared<HallConfig>();
    check_top_level();
    read_hall(*config);
    read_rules(*config);
    read_services(*config);
    read_windows(*config);
    read_staff(*config);
    read_evaluation(*config);
    if (std::optional<core::ConfigProblem> problem = config->validate_and_index()) report(*config, *problem);
    return config;
  }

 private:
  void check_top_level() const {
    for (auto&& [key, node] : root_) {
      const std::string_view k = key.str();
      if (contains(kTopKeys, k) || contains(kFutureSections, k)) continue;
      top_.fail_at(key.source(), fmt::format("unknown top-level key \"{}\"", k), closest(k, kTopKeys));
    }
  }

  // The items of [[section]], each read by a reader labelled by its id when
  // it has one (`window "w3"`), else by its place (`window #3`).
  std::vector<TableReader> items(std::string_view section) const {
    std::vector<TableReader> out;
    const std::vector<const toml::table*> tables = top_.tables(section);
    for (std::size_t i = 0; i < tables.size(); ++i) {
      std::string label = fmt::format("{} #{}", section, i + 1);
      if (const toml::node* id = tables[i]->get("id"); id && id->is_string())
        label = fmt::format("{} \"{}\"", section, id->as_string()->get());
      out.push_back(TableReader::item(*tables[i], source_, std::string(section), std::move(label)));
    }
    return out;
  }

  void read_hall(HallConfig& c) const {
    const TableReader s = top_.required_section("hall");
    s.allow_only(kHallKeys);
    read(s, "id", c.id, Need::kRequired);
    read(s, "name", c.name, Need::kRequired);
    read_hours(s, c);
    if (std::optional<std::uint8_t> days = read_weekdays(s, "days")) c.weekdays = *days;
    c.closed_days = read_dates(s, "closed");
    c.extra_days = read_dates(s, "extra_days");
    read(s, "wait_target_min", c.wait_target_min, Need::kRequired);

    std::string reset;
    read(s, "number_reset", reset, Need::kRequired);
    if (reset != "daily")
      s.fail("number_reset", fmt::format("\"{}\" is not supported (only \"daily\")", reset));

    std::string offset;
    read(s, "utc_offset", offset, Need::kOptional);
    if (s.has("utc_offset")) {
      const std::optional<int> minutes = parse_utc_offset(offset);
      if (!minutes)
        s.fail("utc_offset", fmt::format("\"{}\" must look like \"+08:00\" or \"-03:30\"", offset));
      c.utc_offset_min = *minutes;
    }
    read(s, "division_code", c.division_code, Need::kOptional);
  }

  // [evaluation]: every key optional; `reasons` replaces the default list whole.
  void read_evaluation(HallConfig& c) const {
    const TableReader s = top_.section("evaluation");
    s.allow_only(kEvaluationKeys);
    core::EvaluationConfig& e = c.evaluation;
    read(s, "reasons_version", e.reasons_version, Need::kOptional);
    read(s, "supplement_days", e.supplement_days, Need::kOptional);
    read(s, "follow_up_working_days", e.follow_up_working_days, Need::kOptional);
    read(s, "due_soon_working_days", e.due_soon_working_days, Need::kOptional);
    if (!s.has("reasons")) return;
    const std::vector<const toml::table*> reasons = s.tables("reasons");
    if (reasons.empty()) s.fail("reasons", "needs at least one {code = \"..\", text = \"..\"}");
    e.reasons.clear();
    for (std::size_t i = 0; i < reasons.size(); ++i) {
      const TableReader r = TableReader::item(*reasons[i], source_, "evaluation.reasons",
                                              fmt::format("evaluation.reasons #{}", i + 1));
      r.allow_only(kReasonKeys);
      core::EvaluationReason& reason = e.reasons.emplace_back();
      read(r, "code", reason.code, Need::kRequired);
      read(r, "text", reason.text, Need::kRequired);
    }
  }

  // Spans are checked here rather than left to validate_and_index so that the
  // message can quote the span and point at its own line.
  static std::vector<core::TimeSpan> read_spans(const TableReader& s, std::string_view key) {
    constexpr std::string_view kSpans = "an array of \"HH:MM-HH:MM\" strings";
    std::vector<core::TimeSpan> out;
    s.require(key);
    const toml::array* spans = s.node(key)->as_array();
    if (!spans) s.fail_type(key, kSpans);
    if (spans->empty()) s.fail(key, "needs at least one \"HH:MM-HH:MM\" span");
    std::string_view previous;
    for (const toml::node& element : *spans) {
      const auto* text = element.as_string();
      if (!text)
        s.fail_at(element.source(),
                  fmt::format("{}: expected {}, got {}", s.ref(key), kSpans, type_name(element.type())));
      const std::string_view span = text->get();
      const auto fail = [&](std::string_view what) {
        s.fail_at(element.source(), fmt::format("{}: span \"{}\" {}", s.ref(key), span, what));
      };
      const auto dash = span.find('-');
      const std::optional<int> start =
          dash == std::string_view::npos ? std::nullopt : parse_clock(span.substr(0, dash), false);
      const std::optional<int> end =
          dash == std::string_view::npos ? std::nullopt : parse_clock(span.substr(dash + 1), true);
      if (!start || !end) fail("must be \"HH:MM-HH:MM\"");
      if (*end <= *start) fail("does not end after it starts");
      if (!out.empty() && *start < out.back().end_min)
        fail(fmt::format("overlaps or precedes \"{}\"; list spans in order", previous));
      out.push_back({*start, *end});
      previous = span;
    }
    return out;
  }

  void read_hours(const TableReader& s, HallConfig& c) const { c.hours = read_spans(s, "hours"); }

  // [service.appointments] of the service just read (index `service`), with
  // its [[service.appointments.session]] tables.
  void read_appointments(const TableReader& item, HallConfig& c, core::ServiceIdx service) const {
    const TableReader s = item.section("appointments");
    if (!s.present()) return;
    s.allow_only(kAppointmentKeys);
    core::AppointmentConfig& a = c.appointments.emplace_back();
    a.service = service;
    read(s, "slot_min", a.slot_min, Need::kRequired);
    read(s, "capacity", a.capacity, Need::kRequired);
    a.hours = read_spans(s, "hours");
    if (std::optional<std::uint8_t> days = read_weekdays(s, "days")) a.weekdays = *days;
    read(s, "check_in_before_min", a.check_in_before_min, Need::kOptional);
    read(s, "check_in_after_min", a.check_in_after_min, Need::kOptional);
    read(s, "book_ahead_days", a.book_ahead_days, Need::kOptional);
    const std::vector<const toml::table*> sessions = s.tables("session");
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      const TableReader r = TableReader::item(*sessions[i], source_, "service.appointments.session",
                                              fmt::format("{}.session #{}", s.section_name(), i + 1));
      r.allow_only(kSessionKeys);
      core::AppointmentSession& session = a.sessions.emplace_back();
      session.hours = read_spans(r, "hours");
      if (std::optional<std::uint8_t> days = read_weekdays(r, "days")) session.weekdays = *days;
    }
  }

  // [service.remote] of the service just read (index `service`); `enabled =
  // false` keeps the section in the file but takes no remote tickets.
  void read_remote(const TableReader& item, HallConfig& c, core::ServiceIdx service) const {
    const TableReader s = item.section("remote");
    if (!s.present()) return;
    s.allow_only(kRemoteKeys);
    core::RemoteConfig r;
    r.service = service;
    r.hours = read_spans(s, "hours");
    read(s, "daily_quota", r.daily_quota, Need::kRequired);
    read(s, "grace_min", r.grace_min, Need::kOptional);
    if (s.boolean("enabled", true)) c.remote.push_back(std::move(r));
  }

  void read_rules(HallConfig& c) const {
    const TableReader s = top_.section("rules");
    s.allow_only(kRulesKeys);
    core::HallRules& r = c.rules;
    read(s, "policy", r.policy, Need::kOptional);
    read(s, "recall_limit", r.recall_limit, Need::kOptional);
    read(s, "reactivate_min", r.reactivate_min, Need::kOptional);
    read(s, "reactivate_behind", r.reactivate_behind, Need::kOptional);
    read(s, "priority_ratio", r.priority_ratio, Need::kOptional);
    read(s, "help_load", r.help_load, Need::kOptional);
    read(s, "number_digits", r.number_digits, Need::kOptional);
    read(s, "max_tickets_per_service", r.max_tickets_per_service, Need::kOptional);
    read(s, "remote_call_share", r.remote_call_share, Need::kOptional);
  }

  void read_services(HallConfig& c) const {
    for (const TableReader& s : items("service")) {
      s.allow_only(kServiceKeys);
      core::ServiceConfig& svc = c.services.emplace_back();
      read(s, "id", svc.id, Need::kRequired);
      read(s, "name", svc.name, Need::kRequired);
      read(s, "prefix", svc.prefix, Need::kRequired);
      read_kind(s, svc.kind, "instant or promise");
      read(s, "expected_handle_min", svc.expected_handle_min, Need::kRequired);
      read(s, "item_code", svc.item_code, Need::kOptional);
      read(s, "department_code", svc.department_code, Need::kOptional);
      read_appointments(s, c, static_cast<core::ServiceIdx>(c.services.size() - 1));
      read_remote(s, c, static_cast<core::ServiceIdx>(c.services.size() - 1));
    }
  }

  void read_windows(HallConfig& c) const {
    // First occurrence wins; a duplicated service id is validate_and_index's to report.
    std::unordered_map<std::string_view, core::ServiceIdx> service_ids;
    std::vector<std::string_view> service_names;
    for (std::size_t i = 0; i < c.services.size(); ++i) {
      service_ids.emplace(c.services[i].id, static_cast<core::ServiceIdx>(i));
      service_names.push_back(c.services[i].id);
    }

    for (const TableReader& s : items("window")) {
      s.allow_only(kWindowKeys);
      core::WindowConfig& w = c.windows.emplace_back();
      read(s, "id", w.id, Need::kRequired);
      read(s, "number", w.number, Need::kRequired);
      read(s, "name", w.name, Need::kRequired);
      read_kind(s, w.kind, "classified, fallback, assist, instant or priority");

      s.require("serves");
      const toml::table* serves = s.node("serves")->as_table();
      if (!serves) s.fail_type("serves", "a table { service = level }");
      const std::string ref = s.ref("serves");
      for (auto&& [key, node] : *serves) {
        const auto found = service_ids.find(key.str());
        if (found == service_ids.end()) {
          report_service_problem(c);
          s.fail_at(key.source(), fmt::format("{}: unknown service \"{}\"", ref, key.str()),
                    closest(key.str(), service_names));
        }
        const auto* level = node.as_integer();
        if (!level)
          s.fail_at(node.source(), fmt::format("{}.{}: expected an integer skill level, got {}", ref,
                                               key.str(), type_name(node.type())));
        if (level->get() < 1 || level->get() > kMaxSkillLevel)
          s.fail_at(node.source(), fmt::format("{}.{}: skill level must be 1..{}, got {}", ref, key.str(),
                                               kMaxSkillLevel, level->get()));
        w.serves.push_back({found->second, static_cast<std::uint8_t>(level->get())});
      }
    }
  }

  void read_staff(HallConfig& c) const {
    for (const TableReader& s : items("staff")) {
      s.allow_only(kStaffKeys);
      core::StaffConfig& staff = c.staff.emplace_back();
      read(s, "id", staff.id, Need::kRequired);
      read(s, "name", staff.name, Need::kRequired);
    }
  }

  // A window naming an unknown service is often the echo of a broken
  // [[service]] (a mistyped or duplicated id); report that root cause first.
  void report_service_problem(const HallConfig& c) const {
    HallConfig services_only = c;
    services_only.windows.clear();
    services_only.staff.clear();
    const std::optional<core::ConfigProblem> problem = services_only.validate_and_index();
    if (problem && problem->section != "window") report(c, *problem);
  }

  // Maps a validate_and_index problem back to the line of the offending key,
  // or of its item or section when the key is not in the file.
  [[noreturn]] void report(const HallConfig& c, const core::ConfigProblem& p) const {
    const toml::node* section = root_.get(p.section);
    const toml::node* where = section;
    if (section && p.index >= 0) {
      const toml::array* array = section->as_array();
      where = array ? array->get(static_cast<std::size_t>(p.index)) : nullptr;
      if (!where) where = section;
    }
    if (where && !p.key.empty()) {
      if (const toml::table* table = where->as_table()) {
        if (const toml::node* key_node = table->at_path(p.key).node()) where = key_node;
      }
    }
    const std::uint32_t line = where ? line_of(where->source()) : 1;

    std::string subject;
    if (p.index >= 0) {
      std::string_view id;
      const auto at = static_cast<std::size_t>(p.index);
      if (p.section == "service" && at < c.services.size()) id = c.services[at].id;
      if (p.section == "window" && at < c.windows.size()) id = c.windows[at].id;
      if (p.section == "staff" && at < c.staff.size()) id = c.staff[at].id;
      subject = fmt::format("{} \"{}\"", p.section, id);
      if (!p.key.empty()) subject += fmt::format(": {}", p.key);
    } else if (!p.key.empty()) {
      subject = fmt::format("{}.{}", p.section, p.key);
    }
    throw ConfigError(std::string(source_), line,
                      subject.empty() ? p.message : fmt::format("{}: {}", subject, p.message));
  }

  const toml::table& root_;
  std::string_view source_;
  TableReader top_;
};

}  // namespace

std::shared_ptr<HallConfig> parse_hall_config(std::string_view toml_text, std::string_view source_name) {
  const toml::table root = parse_toml(toml_text, source_name, SyntaxWording::kWithColumn);
  return Loader(root, source_name).load();
}

std::shared_ptr<HallConfig> load_hall_config(const std::string& path) {
  return parse_hall_config(read_text_file(path), path);
}

}  // namespace hallq::config
