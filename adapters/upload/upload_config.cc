#include "adapters/upload/upload_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <limits>

#include "engine/config/side_files.h"
#include "engine/config/toml_reader.h"

namespace hallq::upload {
namespace {

using config::is_hall_id;
using config::resolve_beside;

UploadConfig parse(const toml::table& root, const std::string& source, const std::string& base_dir) {
  const config::TableReader r = config::TableReader::document(root, source);
  r.allow_only({"engine", "platform", "upload", "backoff"});
  UploadConfig c;

  const config::TableReader e = r.required_section("engine");
  e.allow_only({"url", "user", "password_file", "timeout_ms"});
  c.engine_timeout_ms = static_cast<int>(e.integer("timeout_ms", 100, 600'000, 30000));
  if (!outbound::parse_http_url(e.required_string("url"), c.engine))
    e.fail("url", "不是 http://主机[:端口] 形式的地址");
  if (e.has("user") != e.has("password_file"))
    e.fail_here("[engine]: user 与 password_file 须同时给出或都不给");
  if (e.has("user")) {
    c.user = e.required_string("user");
    c.password = config::read_secret_file(e, "password_file",
                                          resolve_beside(base_dir, e.required_string("password_file")));
  }

  const config::TableReader p = r.required_section("platform");
  p.allow_only({"url", "token_file", "timeout_ms"});
  if (!outbound::parse_http_url(p.required_string("url"), c.platform))
    p.fail("url", "不是 http://主机[:端口]/路径 形式的地址（https 请经本机 TLS 代理）");
  if (p.has("token_file"))
    c.token =
        config::read_secret_file(p, "token_file", resolve_beside(base_dir, p.required_string("token_file")));
  c.timeout_ms = static_cast<int>(p.integer("timeout_ms", 100, 600'000, 5000));

  const config::TableReader u = r.required_section("upload");
  u.allow_only({"halls", "state_dir", "page", "poll_ms"});
  const std::optional<std::vector<std::string>> halls = u.strings("halls");
  if (!halls || halls->empty()) u.fail("halls", "须列出至少一个大厅编号");
  for (const std::string& h : *halls)
    if (!is_hall_id(h)) u.fail("halls", fmt::format("\"{}\" 不是大厅编号（小写字母、数字和 -）", h));
  c.halls = *halls;
  c.state_dir = resolve_beside(base_dir, u.required_string("state_dir"));
  c.page = static_cast<int>(u.integer("page", 1, 1000, 100));
  c.poll_ms = static_cast<int>(u.integer("poll_ms", 10, 3'600'000, 2000));

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

UploadConfig parse_upload_config(std::string_view text, const std::string& source,
                                 const std::string& base_dir) {
  return parse(config::parse_toml(text, source), source, base_dir);
}

UploadConfig load_upload_config(const std::string& path) {
  return parse(config::parse_toml(config::read_text_file(path), path), path,
               std::filesystem::path(path).parent_path().string());
}

}  // namespace hallq::upload
