#include "adapters/notify/notify_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "engine/config/toml_reader.h"

namespace hallq::notify {
namespace {

constexpr std::string_view kSections[] = {"notify", "near", "called", "turn", "gateway", "retry", "security"};
constexpr std::string_view kNotifyKeys[] = {"hall", "engine", "events", "sent_log"};
constexpr std::string_view kNearKeys[] = {"people", "minutes", "template"};
constexpr std::string_view kCalledKeys[] = {"template"};
constexpr std::string_view kTurnKeys[] = {"template"};
constexpr std::string_view kGatewayKeys[] = {"url",    "method",     "content_type", "body",
                                             "escape", "timeout_ms", "headers"};
constexpr std::string_view kHeaderKeys[] = {"value", "file", "prefix"};
constexpr std::string_view kRetryKeys[] = {"max_attempts", "initial_ms", "max_ms", "jitter"};

std::string resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p.front() == '/' || base_dir.empty()) return p;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

bool hall_id_ok(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool secret_header(std::string_view name) {
  const std::string n = lower(name);
  if (n == "authorization" || n == "proxy-authorization" || n == "cookie") return true;
  for (std::string_view word : {"token", "secret", "key", "password", "signature", "sign"})
    if (n.find(word) != std::string::npos) return true;
  return false;
}

bool header_name_ok(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool header_value_ok(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

MessageTemplate read_template(const config::TableReader& r, std::string_view key,
                              std::span<const std::string_view> allowed) {
  const std::string text = r.required_string(key);
  std::string error;
  std::optional<MessageTemplate> t = MessageTemplate::parse(text, allowed, error);
  if (!t) r.fail(key, error);
  return *t;
}

void read_headers(const config::TableReader& g, const std::string& base_dir, NotifyConfig& c) {
  const toml::table* headers = g.table("headers");
  if (headers == nullptr) return;
  const config::TableReader h(*headers, g.source(), g.section_name() + ".headers");
  for (const auto& [k, node] : *headers) {
    const std::string name(k.str());
    if (!header_name_ok(name)) h.fail(name, "不是合法的 HTTP 头名称");
    const std::string n = lower(name);
    if (n == "idempotency-key" || n == "content-type" || n == "content-length" || n == "host")
      h.fail(name, "由 hallq-notify 自己设置，不能在配置中给出（Content-Type 见 gateway.content_type）");
    const toml::table* t = node.as_table();
    if (t == nullptr) h.fail(name, "应为 { value = \"...\" } 或 { file = \"...\" }");
    const config::TableReader one(*t, g.source(), h.section_name() + "." + name);
    one.allow_only(kHeaderKeys);
    const bool has_value = one.has("value"), has_file = one.has("file");
    if (has_value == has_file)
      one.fail_here(fmt::format("{}.{}: 须给出 value 或 file 之一", h.section_name(), name));
    std::string value;
    if (has_value) {
      if (secret_header(name))
        one.fail("value", "密钥不能写在配置里：请用 file = \"密钥文件\" 读取（文件权限 0600）");
      value = one.string("value", "");
    } else {
      const std::string path = resolve(base_dir, one.required_string("file"));
      std::string secret;
      try {
        secret = config::read_text_file(path);
      } catch (const config::ConfigError& e) {
        one.fail("file", fmt::format("无法读取密钥文件 {}", path));
      }
      while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' || secret.back() == ' '))
        secret.pop_back();
      if (secret.empty()) one.fail("file", fmt::format("密钥文件 {} 是空的", path));
      value = one.string("prefix", "") + secret;
    }
    if (!header_value_ok(value)) one.fail(has_value ? "value" : "file", "头的值不能含换行或 NUL");
    c.headers.emplace_back(name, std::move(value));
  }
}

NotifyConfig parse(const toml::table& root, const std::string& source, const std::string& base_dir) {
  const config::TableReader r = config::TableReader::document(root, source);
  r.allow_only(kSections);
  NotifyConfig c;
  c.security = device::read_security(r);

  const config::TableReader n = r.required_section("notify");
  n.allow_only(kNotifyKeys);
  c.hall = n.required_string("hall");
  if (!hall_id_ok(c.hall))
    n.fail("hall", fmt::format("\"{}\" 不是大厅编号（小写字母、数字、- 和 _）", c.hall));
  c.engine = n.string("engine", c.engine);
  c.events = n.string("events", c.events);
  c.sent_log = resolve(base_dir, n.string("sent_log", fmt::format("notify-{}.sent", c.hall)));

  const config::TableReader near = r.required_section("near");
  near.allow_only(kNearKeys);
  if (near.has("people") == near.has("minutes"))
    near.fail_here("[near]: 须给出 people（前面还有几人时提醒）或 minutes（预计几分钟内叫到时提醒）之一");
  if (near.has("people")) {
    c.near_rule = NearRule::kPeople;
    c.near_threshold = static_cast<int>(*near.integer("people", 0, 1000));
  } else {
    c.near_rule = NearRule::kMinutes;
    c.near_threshold = static_cast<int>(*near.integer("minutes", 1, 600));
  }
  c.near_text = read_template(near, "template", kNearPlaceholders);

  const config::TableReader called = r.required_section("called");
  called.allow_only(kCalledKeys);
  c.called_text = read_template(called, "template", kCalledPlaceholders);
  if (!c.called_text.uses("window")) called.fail("template", "须含 {window}（请到几号窗口）");

  if (r.has("turn")) {
    const config::TableReader turn = r.required_section("turn");
    turn.allow_only(kTurnKeys);
    c.turn = true;
    c.turn_text = read_template(turn, "template", kTurnPlaceholders);
    if (!c.turn_text.uses("deadline")) turn.fail("template", "须含 {deadline}（几点前签到，逾时作废）");
  }

  const config::TableReader g = r.required_section("gateway");
  g.allow_only(kGatewayKeys);
  c.url = g.required_string("url");
  if (!parse_gateway_url(c.url, c.gateway))
    g.fail("url",
           fmt::format("\"{}\" 不是 http://主机[:端口]/路径 形式的地址（https 请经本机 TLS 代理）", c.url));
  c.method = g.string("method", "POST");
  if (c.method != "POST" && c.method != "PUT")
    g.fail("method", fmt::format("\"{}\"：只能是 POST 或 PUT", c.method));
  c.content_type = g.string("content_type", "application/json");
  if (!header_value_ok(c.content_type) || c.content_type.empty())
    g.fail("content_type", "不是合法的 Content-Type");
  c.body = read_template(g, "body", kBodyPlaceholders);
  if (!c.body.uses("phone")) g.fail("body", "须含 {phone}（收信人的手机号）");
  if (!c.body.uses("text")) g.fail("body", "须含 {text}（提醒的内容）");
  const std::string escape = g.string("escape", "json");
  if (escape == "json") {
    c.escape = BodyEscape::kJson;
  } else if (escape == "form") {
    c.escape = BodyEscape::kForm;
  } else if (escape == "none") {
    c.escape = BodyEscape::kNone;
  } else {
    g.fail("escape", fmt::format("\"{}\"：只能是 json、form 或 none", escape));
  }
  c.timeout_ms = static_cast<int>(g.integer("timeout_ms", 100, 120000, 5000));
  read_headers(g, base_dir, c);

  const config::TableReader rt = r.section("retry");
  rt.allow_only(kRetryKeys);
  c.max_attempts = static_cast<int>(rt.integer("max_attempts", 1, 100, 6));
  c.initial_ms = static_cast<int>(rt.integer("initial_ms", 10, 3'600'000, 1000));
  c.max_ms = static_cast<int>(rt.integer("max_ms", 10, 3'600'000, 60000));
  if (c.max_ms < c.initial_ms)
    rt.fail("max_ms", fmt::format("不能小于 retry.initial_ms（{}）", c.initial_ms));
  c.jitter = rt.number("jitter", 0, 1, 0.2);
  return c;
}

}  // namespace

bool parse_gateway_url(std::string_view url, GatewayUrl& out) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return false;
  const std::string_view rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, slash);
  std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (target.front() == '?') target.insert(target.begin(), '/');
  if (authority.empty() || authority.find_first_of("@ \t#") != std::string_view::npos) return false;
  if (target.find_first_of(" \t\r\n#") != std::string::npos) return false;
  std::string_view host = authority, port_text;
  if (authority.front() == '[') {  // [IPv6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return false;
    if (!after.empty()) port_text = after.substr(1);
    if (after == ":") return false;
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
    if (port_text.empty()) return false;
  }
  int port = 80;
  if (!port_text.empty()) {
    if (port_text.size() > 5) return false;
    port = 0;
    for (char ch : port_text) {
      if (ch < '0' || ch > '9') return false;
      port = port * 10 + (ch - '0');
    }
    if (port < 1 || port > 65535) return false;
  }
  if (host.empty()) return false;
  out.host = std::string(host);
  out.port = static_cast<std::uint16_t>(port);
  out.target = std::move(target);
  return true;
}

NotifyConfig parse_notify_config(std::string_view text, const std::string& source,
                                 const std::string& base_dir) {
  return parse(config::parse_toml(text, source), source, base_dir);
}

NotifyConfig load_notify_config(const std::string& path) {
  return parse(config::parse_toml(config::read_text_file(path), path), path,
               std::filesystem::path(path).parent_path().string());
}

}  // namespace hallq::notify
