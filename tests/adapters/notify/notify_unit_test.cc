// hallq-notify's pure parts: message and body templates, the config's checks
// (each mistake named with its key and line, in Chinese), the gateway's
// request (Idempotency-Key, headers, escaped body), what an answer means,
// the backoff, and the sent-log across a reopen and a torn last line.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "adapters/notify/gateway_request.h"
#include "adapters/notify/message_template.h"
#include "adapters/notify/notify_config.h"
#include "adapters/notify/sent_log.h"
#include "engine/config/config_error.h"
#include "tests/support/temp_dir.h"

namespace hallq::notify {
namespace testing = hallq::testing;
namespace {

const std::string kGood = R"([notify]
hall = "town"

[near]
people = 3
template = "{number}号前面还有{ahead}人，请回到{hall_name}大厅"

[called]
template = "请{number}号到{window}号窗口办理"

[gateway]
url = "http://127.0.0.1:8099/sms/send?v=1"
body = '{"mobile":"{phone}","content":"{text}"}'

[gateway.headers]
X-App-Id = { value = "hallq" }
)";

std::string error_of(const std::string& text, const std::string& base_dir = "/nonexistent") {
  try {
    parse_notify_config(text, "notify.toml", base_dir);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(NotifyTemplate, FillsPlaceholdersAndLeavesOtherBracesAlone) {
  std::string error;
  const auto t = MessageTemplate::parse(R"({"to":"{phone}","n":{n}})", kBodyPlaceholders, error);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(error,
            "不认识的占位符 "
            "{n}（可用：{phone}、{text}、{number}、{window}、{ahead}、{kind}、{hall_name}、{hall}、{key}）");
  const auto body = MessageTemplate::parse(R"({"to":"{phone}","text":"{text}"})", kBodyPlaceholders, error);
  ASSERT_TRUE(body.has_value()) << error;
  EXPECT_EQ(body->render({{"phone", "13812345678"}, {"text", "请到\"5\"号窗口"}}, json_escape),
            R"({"to":"13812345678","text":"请到\"5\"号窗口"})");
  EXPECT_EQ(form_escape("a b&请"), "a+b%26%E8%AF%B7");
}

TEST(NotifyConfig, ReadsTheExampleAndTheDefaults) {
  const NotifyConfig c = parse_notify_config(kGood, "notify.toml", "/etc/hallq");
  EXPECT_EQ(c.hall, "town");
  EXPECT_EQ(c.near_rule, NearRule::kPeople);
  EXPECT_EQ(c.near_threshold, 3);
  EXPECT_EQ(c.gateway.host, "127.0.0.1");
  EXPECT_EQ(c.gateway.port, 8099);
  EXPECT_EQ(c.gateway.target, "/sms/send?v=1");
  EXPECT_EQ(c.sent_log, "/etc/hallq/notify-town.sent");
  EXPECT_EQ(c.max_attempts, 6);
  ASSERT_EQ(c.headers.size(), 1u);
  EXPECT_EQ(c.headers[0].first, "X-App-Id");
  // The shipped example reads as it is (its token file beside it).
  const std::string example = std::string(HALLQ_SOURCE_DIR) + "/conf/devices/notify.toml";
  EXPECT_NO_THROW(load_notify_config(example));
}

TEST(NotifyConfig, EachMistakeIsNamedWithItsKeyAndLine) {
  EXPECT_EQ(error_of(replace(kGood, "http://127.0.0.1:8099/sms/send?v=1", "https://sms.example.cn/send")),
            "notify.toml:12: gateway.url: \"https://sms.example.cn/send\" 不是 http://主机[:端口]/路径 "
            "形式的地址（https 请经本机 TLS 代理）");
  EXPECT_EQ(error_of(replace(kGood, "请{number}号到{window}号窗口办理", "请到{windw}号窗口")),
            "notify.toml:9: called.template: 不认识的占位符 "
            "{windw}（可用：{number}、{window}、{hall_name}、{service}）");
  EXPECT_EQ(
      error_of(replace(kGood, "people = 3", "people = 3\nminutes = 5")),
      "notify.toml:4: [near]: 须给出 people（前面还有几人时提醒）或 minutes（预计几分钟内叫到时提醒）之一");
  EXPECT_EQ(
      error_of(
          replace(kGood, "X-App-Id = { value = \"hallq\" }", "Authorization = { value = \"Bearer abc\" }")),
      "notify.toml:16: gateway.headers.Authorization.value: 密钥不能写在配置里：请用 file = \"密钥文件\" "
      "读取（文件权限 0600）");
  EXPECT_EQ(
      error_of(replace(kGood, "body = '{\"mobile\":\"{phone}\",\"content\":\"{text}\"}'", "body = '{text}'")),
      "notify.toml:13: gateway.body: 须含 {phone}（收信人的手机号）");
  EXPECT_EQ(error_of(replace(kGood, "[gateway]\n", "[gateway]\nmethod = \"GET\"\n")),
            "notify.toml:12: gateway.method: \"GET\"：只能是 POST 或 PUT");
  // [turn] is optional; given, its text must say by when.
  EXPECT_FALSE(parse_notify_config(kGood, "notify.toml").turn);
  const std::string turn = "[turn]\ntemplate = \"{number}号已到号，请于{deadline}前签到\"\n\n[gateway]";
  EXPECT_TRUE(parse_notify_config(replace(kGood, "[gateway]", turn), "notify.toml").turn);
  EXPECT_EQ(error_of(replace(kGood, "[gateway]", "[turn]\ntemplate = \"{number}号已到号\"\n\n[gateway]")),
            "notify.toml:12: turn.template: 须含 {deadline}（几点前签到，逾时作废）");
  EXPECT_EQ(
      error_of(replace(kGood, "[gateway]", "[turn]\ntemplate = \"{deadline}前到{window}\"\n\n[gateway]")),
      "notify.toml:12: turn.template: 不认识的占位符 "
      "{window}（可用：{number}、{deadline}、{code}、{hall_name}、{service}）");
  EXPECT_NE(error_of(replace(kGood, "[called]", "[caled]")).find("notify.toml:8: unknown section \"caled\""),
            std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "url =", "ulr =")).find("unknown key \"ulr\" in [gateway]"),
            std::string::npos);
  EXPECT_NE(
      error_of(replace(kGood, "X-App-Id = { value = \"hallq\" }", "X-Token = { file = \"nope.token\" }"))
          .find("notify.toml:16: gateway.headers.X-Token.file: 无法读取密钥文件"),
      std::string::npos);
}

TEST(NotifyConfig, SecretHeadersComeFromFiles) {
  testing::TempDir dir("hallq-notify-unit");
  std::ofstream(dir.sub("sms.token")) << "s3cret\n";
  const NotifyConfig c =
      parse_notify_config(replace(kGood, "X-App-Id = { value = \"hallq\" }",
                                  "Authorization = { file = \"sms.token\", prefix = \"Bearer \" }"),
                          "notify.toml", dir.path());
  ASSERT_EQ(c.headers.size(), 1u);
  EXPECT_EQ(c.headers[0].second, "Bearer s3cret");
}

TEST(NotifyGateway, RequestCarriesTheKeyTheHeadersAndTheEscapedBody) {
  const NotifyConfig c = parse_notify_config(kGood, "notify.toml");
  Reminder r;
  r.kind = ReminderKind::kCalled;
  r.key = "town/2026-12-04/A003/called";
  r.phone = "13812345678";
  r.number = "A003";
  r.window = 5;
  r.text = "请A003号到5号窗口办理";
  const auto req = gateway_request(c, "商家镇便民服务中心", r);
  EXPECT_EQ(req.method_string(), "POST");
  EXPECT_EQ(req.target(), "/sms/send?v=1");
  EXPECT_EQ(req["Host"], "127.0.0.1:8099");
  EXPECT_EQ(req["Idempotency-Key"], "town/2026-12-04/A003/called");
  EXPECT_EQ(req["X-App-Id"], "hallq");
  EXPECT_EQ(req["Content-Type"], "application/json");
  const auto j = nlohmann::json::parse(req.body());
  EXPECT_EQ(j["mobile"], "13812345678");
  EXPECT_EQ(j["content"], "请A003号到5号窗口办理");
}

TEST(NotifyGateway, OnlyTransientAnswersAreRetried) {
  EXPECT_EQ(classify(200), Verdict::kDelivered);
  EXPECT_EQ(classify(202), Verdict::kDelivered);
  EXPECT_EQ(classify(0), Verdict::kRetry);
  EXPECT_EQ(classify(500), Verdict::kRetry);
  EXPECT_EQ(classify(503), Verdict::kRetry);
  EXPECT_EQ(classify(408), Verdict::kRetry);
  EXPECT_EQ(classify(429), Verdict::kRetry);
  EXPECT_EQ(classify(400), Verdict::kRefused);
  EXPECT_EQ(classify(401), Verdict::kRefused);
  EXPECT_EQ(classify(404), Verdict::kRefused);
  EXPECT_EQ(classify(301), Verdict::kRefused);
}

TEST(NotifyGateway, BackoffDoublesWithinItsJitterUpToTheBound) {
  NotifyConfig c;
  c.initial_ms = 100;
  c.max_ms = 1000;
  c.jitter = 0.2;
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    const double expected[] = {100, 200, 400, 800, 1000, 1000};
    for (int f = 1; f <= 6; ++f) {
      const auto d = backoff_delay(f, c, rng).count();
      EXPECT_GE(d, expected[f - 1] * 0.8 - 1) << f;
      EXPECT_LE(d, expected[f - 1] * 1.2 + 1) << f;
    }
  }
  c.jitter = 0;
  EXPECT_EQ(backoff_delay(3, c, rng).count(), 400);
}

TEST(NotifySentLog, KeysSurviveAReopenAndATornLastLine) {
  testing::TempDir dir("hallq-notify-log");
  const std::string path = dir.sub("sent");
  {
    SentLog log(path);
    EXPECT_EQ(log.size(), 0u);
    log.append(
        {"town/2026-12-04/A003/near", "sent", "near", "A003", "138****5678", "还有 1 人", 200, 1, "x"});
    EXPECT_TRUE(log.contains("town/2026-12-04/A003/near"));
  }
  std::ofstream(path, std::ios::app) << R"({"key":"town/2026-12-04/A003/cal)";  // a crash mid-line
  {
    SentLog log(path);
    EXPECT_EQ(log.size(), 1u);
    EXPECT_TRUE(log.contains("town/2026-12-04/A003/near"));
    EXPECT_FALSE(log.contains("town/2026-12-04/A003/called"));
    log.append({"town/2026-12-04/A003/called", "sent", "called", "A003", "138****5678", "请到", 200, 2, "y"});
  }
  SentLog log(path);
  EXPECT_EQ(log.size(), 2u);
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("13812345678"), std::string::npos);
}

}  // namespace
}  // namespace hallq::notify
