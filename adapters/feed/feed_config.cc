#include "adapters/feed/feed_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <limits>
#include <regex>

#include "engine/config/side_files.h"
#include "engine/config/toml_reader.h"
#include "engine/replicate/nats_connection.h"

namespace hallq::feed {
namespace {

using config::is_hall_id;
using config::resolve_beside;

FeedConfig parse(const toml::table& root, const std::string& source, const std::string& base_dir) {
  const config::TableReader r = config::TableReader::document(root, source);
  r.allow_only({"nats", "feed", "platform", "backoff"});
  FeedConfig c;

  const config::TableReader n = r.required_section("nats");
  n.allow_only({"urls", "credentials_file", "durable", "ack_wait_s"});
  try {
    c.nats_urls = replicate::split_urls(n.required_string("urls"));
  } catch (const replicate::ReplicateError&) {
    n.fail("urls", "应为 nats://主机:端口，多个以逗号分隔");
  }
  c.credentials_file = resolve_beside(base_dir, n.required_string("credentials_file"));
  try {
    replicate::read_credentials(c.credentials_file);
  } catch (const replicate::ReplicateError&) {
    n.fail("credentials_file",
           fmt::format("读不出 NATS 凭据 {}（USER:PASSWORD、.creds 文件或 nkey 种子）", c.credentials_file));
  }
  c.durable = n.required_string("durable");
  if (c.durable.empty() || c.durable.size() > 64 ||
      !std::regex_match(c.durable, std::regex("[A-Za-z0-9_-]+")))
    n.fail("durable", "只能使用字母、数字、- 和 _（至多 64 个）");
  c.ack_wait_s = static_cast<int>(n.integer("ack_wait_s", 5, 86'400, 60));

  const config::TableReader f = r.required_section("feed");
  f.allow_only({"halls", "batch", "poll_ms", "utc_offset_min"});
  const std::optional<std::vector<std::string>> halls = f.strings("halls");
  if (!halls || halls->empty()) f.fail("halls", "须列出至少一个大厅编号");
  for (const std::string& h : *halls)
    if (!is_hall_id(h)) f.fail("halls", fmt::format("\"{}\" 不是大厅编号（小写字母、数字和 -）", h));
  for (std::size_t i = 0; i < halls->size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if ((*halls)[i] == (*halls)[j]) f.fail("halls", fmt::format("大厅 \"{}\" 列了两次", (*halls)[i]));
  c.halls = *halls;
  c.batch = static_cast<int>(f.integer("batch", 1, 1000, 64));
  c.poll_ms = static_cast<int>(f.integer("poll_ms", 10, 60'000, 500));
  c.utc_offset_min = static_cast<int>(f.integer("utc_offset_min", -12 * 60, 14 * 60, 8 * 60));

  const config::TableReader p = r.required_section("platform");
  p.allow_only({"url", "token_file", "auth_header", "timeout_ms"});
  if (!outbound::parse_http_url(p.required_string("url"), c.platform))
    p.fail("url", "不是 http://主机[:端口]/路径 形式的地址（https 请经本机 TLS 代理）");
  c.auth_header = p.string("auth_header", "Authorization");
  if (!std::regex_match(c.auth_header, std::regex("[A-Za-z0-9-]{1,64}")))
    p.fail("auth_header", "应为 HTTP 头的名字，如 Authorization 或 X-Api-Key");
  if (p.has("token_file")) {
    c.token =
        config::read_secret_file(p, "token_file", resolve_beside(base_dir, p.required_string("token_file")));
  } else if (p.has("auth_header")) {
    p.fail("auth_header", "没有 token_file 时不能给出");
  }
  c.timeout_ms = static_cast<int>(p.integer("timeout_ms", 100, 600'000, 5000));
  // An exchange must end well within the ack wait, or the server hands the message out again meanwhile.
  if (c.ack_wait_s * 1000 < 2 * c.timeout_ms)
    n.fail("ack_wait_s", fmt::format("须至少是 platform.timeout_ms 的两倍（{} 毫秒）", 2 * c.timeout_ms));

  const config::TableReader b = r.section("backoff");
  b.allow_only({"initial_ms", "max_ms", "jitter", "seed"});
  c.initial_ms = static_cast<int>(b.integer("initial_ms", 1, 3'600'000, 500));
  c.max_ms = static_cast<int>(b.integer("max_ms", 1, 3'600'000, 60000));
  if (c.max_ms < c.initial_ms)
    b.fail("max_ms", fmt::format("不能小于 backoff.initial_ms（{}）", c.initial_ms));
  c.jitter = b.number("jitter", 0, 1, 0.2);
  c.seed = static_cast<std::uint64_t>(b.integer("seed", 0, std::numeric_limits<std::int64_t>::max(), 1));
  return c;
}

}  // namespace

FeedConfig parse_feed_config(std::string_view text, const std::string& source, const std::string& base_dir) {
  return parse(config::parse_toml(text, source), source, base_dir);
}

FeedConfig load_feed_config(const std::string& path) {
  return parse(config::parse_toml(config::read_text_file(path), path), path,
               std::filesystem::path(path).parent_path().string());
}

}  // namespace hallq::feed
