// Turns a hall's TOML file into a validated HallConfig. toml++ only judges
// syntax, so this file checks every key and type itself, fills the model, and
// leaves the semantic rules to HallConfig::validate_and_index. Every error
// becomes "FILE:LINE: what", using the source region toml++ keeps per node, so
// the hall's IT staff can go straight to the line at fault.
#include "engine/core/config_loader.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hallq::core {
namespace {

using Keys = std::span<const std::string_view>;

constexpr std::string_view kTopKeys[] = {"hall", "rules", "service", "window", "staff"};
constexpr std::string_view kHallKeys[] = {"id",           "name",      "hours", "wait_target_min",
                                          "number_reset", "utc_offset"};
constexpr std::string_view kRulesKeys[] = {
    "policy",         "recall_limit", "reactivate_min", "reactivate_behind",
    "priority_ratio", "help_load",    "number_digits",  "max_tickets_per_service"};
constexpr std::string_view kServiceKeys[] = {"id", "name", "prefix", "kind", "expected_handle_min"};
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

// Levenshtein distance, small strings only: used to suggest the key or service
// a typo most likely meant.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean "x"?)" when one candidate is close to `word`, else "".
template <class Range>
std::string suggestion(std::string_view word, const Range& candidates) {
  std::string_view best;
  std::size_t best_distance = 3;  // more than two edits is a different word, not a typo
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance && d < c.size()) {
      best = c;
      best_distance = d;
    }
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean \"{}\"?)", best);
}

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::uint32_t line_of(const toml::source_region& where) {
  return where.begin.line > 0 ? where.begin.line : 1;
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

// One table being read: [hall], [rules], or one item of [[service]],
// [[window]], [[staff]]. Carries what messages need to name it.
struct Scope {
  const toml::table& table;
  std::string_view section;  // "hall", "window", ...
  bool is_item = false;      // an element of an array of tables
  std::string label;         // items: `window "w3"` or `window #3` before the id is known

  // How a message refers to one of the table's keys.
  std::string key_ref(std::string_view key) const {
    return is_item ? fmt::format("{}: {}", label, key) : fmt::format("{}.{}", section, key);
  }
  std::string header() const {
    return is_item ? fmt::format("[[{}]]", section) : fmt::format("[{}]", section);
  }
  // Prefix naming the item in messages about the table as a whole.
  std::string lead() const { return is_item ? label + ": " : std::string(); }
};

enum class Need { kRequired, kOptional };

class Loader {
 public:
  Loader(const toml::table& root, std::string_view source) : root_(root), source_(source) {}

  std::shared_ptr<HallConfig> load() {
    auto config = std::make_shared<HallConfig>();
    check_top_level();
    read_hall(*config);
    read_rules(*config);
    read_services(*config);
    read_windows(*config);
    read_staff(*config);
    if (std::optional<ConfigProblem> problem = config->validate_and_index()) report(*config, *problem);
    return config;
  }

 private:
  [[noreturn]] void fail(std::uint32_t line, std::string_view what) const {
    throw ConfigError(fmt::format("{}:{}: {}", source_, line, what));
  }
  [[noreturn]] void fail(const toml::source_region& where, std::string_view what) const {
    fail(line_of(where), what);
  }

  void check_top_level() const {
    for (auto&& [key, node] : root_) {
      const std::string_view k = key.str();
      if (contains(kTopKeys, k) || contains(kFutureSections, k)) continue;
      fail(key.source(), fmt::format("unknown top-level key \"{}\"{}", k, suggestion(k, kTopKeys)));
    }
  }

  void check_keys(const Scope& s, Keys allowed) const {
    for (auto&& [key, node] : s.table) {
      if (contains(allowed, key.str())) continue;
      fail(key.source(), fmt::format("{}unknown key \"{}\" in {}{}", s.lead(), key.str(), s.header(),
                                     suggestion(key.str(), allowed)));
    }
  }

  // The node under `key`, or null when optional and absent.
  const toml::node* find(const Scope& s, std::string_view key, Need need) const {
    const toml::node* node = s.table.get(key);
    if (!node && need == Need::kRequired)
      fail(s.table.source(), fmt::format("{}missing required key \"{}\" in {}", s.lead(), key, s.header()));
    return node;
  }

  [[noreturn]] void wrong_type(const Scope& s, std::string_view key, const toml::node& node,
                               std::string_view expected) const {
    fail(node.source(),
         fmt::format("{}: expected {}, got {}", s.key_ref(key), expected, type_name(node.type())));
  }

  bool read(const Scope& s, std::string_view key, std::string& out, Need need) const {
    const toml::node* node = find(s, key, need);
    if (!node) return false;
    const auto* value = node->as_string();
    if (!value) wrong_type(s, key, *node, "a string");
    out = value->get();
    return true;
  }

  bool read(const Scope& s, std::string_view key, int& out, Need need) const {
    const toml::node* node = find(s, key, need);
    if (!node) return false;
    const auto* value = node->as_integer();
    if (!value) wrong_type(s, key, *node, "an integer");
    const std::int64_t v = value->get();
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
      fail(node->source(), fmt::format("{}: {} is out of range", s.key_ref(key), v));
    out = static_cast<int>(v);
    return true;
  }

  // Minutes and similar quantities: an integer or a float, finite.
  bool read_number(const Scope& s, std::string_view key, double& out, Need need) const {
    const toml::node* node = find(s, key, need);
    if (!node) return false;
    if (const auto* i = node->as_integer()) {
      out = static_cast<double>(i->get());
    } else if (const auto* f = node->as_floating_point()) {
      out = f->get();
      if (!std::isfinite(out))
        fail(node->source(), fmt::format("{}: must be a finite number", s.key_ref(key)));
    } else {
      wrong_type(s, key, *node, "a number");
    }
    return true;
  }

  // Top-level table `name`, or null when optional and absent.
  const toml::table* top_table(std::string_view name, Need need) const {
    const toml::node* node = root_.get(name);
    if (!node) {
      if (need == Need::kRequired) fail(1, fmt::format("missing required table [{}]", name));
      return nullptr;
    }
    const toml::table* table = node->as_table();
    if (!table)
      fail(node->source(),
           fmt::format("{}: expected a table [{}], got {}", name, name, type_name(node->type())));
    return table;
  }

  // The items of [[name]]; absent means none (validate_and_index decides whether
  // that is allowed).
  std::vector<const toml::table*> top_items(std::string_view name) const {
    std::vector<const toml::table*> items;
    const toml::node* node = root_.get(name);
    if (!node) return items;
    const toml::array* array = node->as_array();
    if (!array)
      fail(node->source(), fmt::format("{}: expected an array of tables [[{}]], got {}", name, name,
                                       type_name(node->type())));
    for (const toml::node& element : *array) {
      const toml::table* table = element.as_table();
      if (!table)
        fail(element.source(),
             fmt::format("{}: expected each item to be a table, got {}", name, type_name(element.type())));
      items.push_back(table);
    }
    return items;
  }

  // A Scope for item `index` of [[section]], labelled by its id when it has one.
  Scope item_scope(const toml::table& table, std::string_view section, std::size_t index) const {
    Scope s{table, section, true, fmt::format("{} #{}", section, index + 1)};
    if (const toml::node* id = table.get("id"); id && id->is_string())
      s.label = fmt::format("{} \"{}\"", section, id->as_string()->get());
    return s;
  }

  void read_hall(HallConfig& c) const {
    const Scope s{*top_table("hall", Need::kRequired), "hall"};
    check_keys(s, kHallKeys);
    read(s, "id", c.id, Need::kRequired);
    read(s, "name", c.name, Need::kRequired);
    read_hours(s, c);
    read_number(s, "wait_target_min", c.wait_target_min, Need::kRequired);

    std::string reset;
    read(s, "number_reset", reset, Need::kRequired);
    if (reset != "daily")
      fail(find(s, "number_reset", Need::kRequired)->source(),
           fmt::format("hall.number_reset: \"{}\" is not supported (only \"daily\")", reset));

    std::string offset;
    if (read(s, "utc_offset", offset, Need::kOptional)) {
      const std::optional<int> minutes = parse_utc_offset(offset);
      if (!minutes)
        fail(find(s, "utc_offset", Need::kRequired)->source(),
             fmt::format("hall.utc_offset: \"{}\" must look like \"+08:00\" or \"-03:30\"", offset));
      c.utc_offset_min = *minutes;
    }
  }

  // Spans are checked here rather than left to validate_and_index so that the
  // message can quote the span and point at its own line.
  void read_hours(const Scope& s, HallConfig& c) const {
    const toml::node* node = find(s, "hours", Need::kRequired);
    const toml::array* spans = node->as_array();
    if (!spans) wrong_type(s, "hours", *node, "an array of \"HH:MM-HH:MM\" strings");
    if (spans->empty()) fail(node->source(), "hall.hours: needs at least one \"HH:MM-HH:MM\" span");
    std::string_view previous;
    for (const toml::node& element : *spans) {
      const auto* text = element.as_string();
      if (!text) wrong_type(s, "hours", element, "an array of \"HH:MM-HH:MM\" strings");
      const std::string_view span = text->get();
      const auto dash = span.find('-');
      const std::optional<int> start =
          dash == std::string_view::npos ? std::nullopt : parse_clock(span.substr(0, dash), false);
      const std::optional<int> end =
          dash == std::string_view::npos ? std::nullopt : parse_clock(span.substr(dash + 1), true);
      if (!start || !end)
        fail(element.source(), fmt::format("hall.hours: span \"{}\" must be \"HH:MM-HH:MM\"", span));
      if (*end <= *start)
        fail(element.source(), fmt::format("hall.hours: span \"{}\" does not end after it starts", span));
      if (!c.hours.empty() && *start < c.hours.back().end_min)
        fail(element.source(),
             fmt::format("hall.hours: span \"{}\" overlaps or precedes \"{}\"; list spans in order", span,
                         previous));
      c.hours.push_back({*start, *end});
      previous = span;
    }
  }

  void read_rules(HallConfig& c) const {
    const toml::table* table = top_table("rules", Need::kOptional);
    if (!table) return;
    const Scope s{*table, "rules"};
    check_keys(s, kRulesKeys);
    HallRules& r = c.rules;
    read(s, "policy", r.policy, Need::kOptional);
    read(s, "recall_limit", r.recall_limit, Need::kOptional);
    read(s, "reactivate_min", r.reactivate_min, Need::kOptional);
    read(s, "reactivate_behind", r.reactivate_behind, Need::kOptional);
    read(s, "priority_ratio", r.priority_ratio, Need::kOptional);
    read_number(s, "help_load", r.help_load, Need::kOptional);
    read(s, "number_digits", r.number_digits, Need::kOptional);
    read(s, "max_tickets_per_service", r.max_tickets_per_service, Need::kOptional);
  }

  void read_services(HallConfig& c) const {
    const std::vector<const toml::table*> items = top_items("service");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const Scope s = item_scope(*items[i], "service", i);
      check_keys(s, kServiceKeys);
      ServiceConfig& svc = c.services.emplace_back();
      read(s, "id", svc.id, Need::kRequired);
      read(s, "name", svc.name, Need::kRequired);
      read(s, "prefix", svc.prefix, Need::kRequired);
      std::string kind;
      read(s, "kind", kind, Need::kRequired);
      if (!parse(kind, svc.kind))
        fail(find(s, "kind", Need::kRequired)->source(),
             fmt::format("{}: unknown kind \"{}\" (instant or promise)", s.key_ref("kind"), kind));
      read_number(s, "expected_handle_min", svc.expected_handle_min, Need::kRequired);
    }
  }

  void read_windows(HallConfig& c) const {
    // First occurrence wins; a duplicated service id is validate_and_index's to report.
    std::unordered_map<std::string_view, ServiceIdx> service_ids;
    std::vector<std::string_view> service_names;
    for (std::size_t i = 0; i < c.services.size(); ++i) {
      service_ids.emplace(c.services[i].id, static_cast<ServiceIdx>(i));
      service_names.push_back(c.services[i].id);
    }

    const std::vector<const toml::table*> items = top_items("window");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const Scope s = item_scope(*items[i], "window", i);
      check_keys(s, kWindowKeys);
      WindowConfig& w = c.windows.emplace_back();
      read(s, "id", w.id, Need::kRequired);
      read(s, "number", w.number, Need::kRequired);
      read(s, "name", w.name, Need::kRequired);
      std::string kind;
      read(s, "kind", kind, Need::kRequired);
      if (!parse(kind, w.kind))
        fail(find(s, "kind", Need::kRequired)->source(),
             fmt::format("{}: unknown kind \"{}\" (classified, fallback, assist, instant or priority)",
                         s.key_ref("kind"), kind));

      const toml::node* serves_node = find(s, "serves", Need::kRequired);
      const toml::table* serves = serves_node->as_table();
      if (!serves) wrong_type(s, "serves", *serves_node, "a table { service = level }");
      for (auto&& [key, node] : *serves) {
        const auto found = service_ids.find(key.str());
        if (found == service_ids.end()) {
          report_service_problem(c);
          fail(key.source(), fmt::format("{}: unknown service \"{}\"{}", s.key_ref("serves"), key.str(),
                                         suggestion(key.str(), service_names)));
        }
        const auto* level = node.as_integer();
        if (!level)
          fail(node.source(), fmt::format("{}.{}: expected an integer skill level, got {}",
                                          s.key_ref("serves"), key.str(), type_name(node.type())));
        if (level->get() < 1 || level->get() > kMaxSkillLevel)
          fail(node.source(), fmt::format("{}.{}: skill level must be 1..{}, got {}", s.key_ref("serves"),
                                          key.str(), kMaxSkillLevel, level->get()));
        w.serves.push_back({found->second, static_cast<std::uint8_t>(level->get())});
      }
    }
  }

  void read_staff(HallConfig& c) const {
    const std::vector<const toml::table*> items = top_items("staff");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const Scope s = item_scope(*items[i], "staff", i);
      check_keys(s, kStaffKeys);
      StaffConfig& staff = c.staff.emplace_back();
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
    const std::optional<ConfigProblem> problem = services_only.validate_and_index();
    if (problem && problem->section != "window") report(c, *problem);
  }

  // Maps a validate_and_index problem back to the line of the offending key,
  // or of its item or section when the key is not in the file.
  [[noreturn]] void report(const HallConfig& c, const ConfigProblem& p) const {
    const toml::node* section = root_.get(p.section);
    const toml::node* where = section;
    if (section && p.index >= 0) {
      const toml::array* array = section->as_array();
      where = array ? array->get(static_cast<std::size_t>(p.index)) : nullptr;
      if (!where) where = section;
    }
    if (where && !p.key.empty()) {
      if (const toml::table* table = where->as_table()) {
        if (const toml::node* key_node = table->get(p.key)) where = key_node;
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
    fail(line, subject.empty() ? p.message : fmt::format("{}: {}", subject, p.message));
  }

  const toml::table& root_;
  std::string_view source_;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::shared_ptr<HallConfig> parse_hall_config(std::string_view toml_text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    const toml::source_position& at = e.source().begin;
    throw ConfigError(fmt::format("{}:{}: TOML syntax error (column {}): {}", source_name,
                                  at.line > 0 ? at.line : 1, at.column, e.description()));
  }
  return Loader(root, source_name).load();
}

std::shared_ptr<HallConfig> load_hall_config(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw ConfigError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::string text;
  char buffer[1 << 14];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  // fopen succeeds on a directory; the read is what fails (EISDIR).
  if (std::ferror(file.get()))
    throw ConfigError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  return parse_hall_config(text, path);
}

}  // namespace hallq::core
