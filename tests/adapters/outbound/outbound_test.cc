// What the adapters that call out over HTTP share (adapters/outbound): the
// backoff's doubling, cap and seeded jitter; which addresses are http://
// ones; how the platform's answer is read (accept, retry, refuse) and its
// reason for a refusal.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/outbound/backoff.h"
#include "adapters/outbound/http_url.h"
#include "adapters/outbound/platform_answer.h"

namespace hallq::outbound {
namespace {

TEST(OutboundBackoff, DoublesUpToTheCapAndStartsOverAfterASuccess) {
  Backoff b(100, 1000, 0.0, 1);
  std::vector<long> got;
  for (int i = 0; i < 6; ++i) got.push_back(static_cast<long>(b.next().count()));
  EXPECT_EQ(got, (std::vector<long>{100, 200, 400, 800, 1000, 1000}));
  b.reset();
  EXPECT_EQ(b.next().count(), 100);
}

TEST(OutboundBackoff, JitterStaysWithinItsShareAndRepeatsForASeed) {
  Backoff a(1000, 1000, 0.2, 42), b(1000, 1000, 0.2, 42), c(1000, 1000, 0.2, 43);
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    const long x = static_cast<long>(a.next().count());
    EXPECT_GE(x, 800);
    EXPECT_LE(x, 1200);
    EXPECT_EQ(x, b.next().count());
    differs = differs || x != c.next().count();
  }
  EXPECT_TRUE(differs);
}

TEST(OutboundHttpUrl, HostPortAndTargetOrRefused) {
  HttpUrl u;
  ASSERT_TRUE(parse_http_url("http://10.0.0.5:9400/feed/events?x=1", u));
  EXPECT_EQ(u.host, "10.0.0.5");
  EXPECT_EQ(u.port, 9400);
  EXPECT_EQ(u.target, "/feed/events?x=1");
  ASSERT_TRUE(parse_http_url("http://platform.example", u));
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.target, "/");
  for (const char* bad : {"https://a/b", "http://", "http://user@a/b", "http://a:0/", "http://a:65536/",
                          "http://a:x/", "http://a/b c", "http://a/b#frag", "ftp://a", "http://:80/"}) {
    HttpUrl v{"kept", 1, "/kept"};
    EXPECT_FALSE(parse_http_url(bad, v)) << bad;
    EXPECT_EQ(v.host, "kept") << bad;
  }
}

HttpResult answer(int status, std::string body = "") {
  HttpResult r;
  r.status = status;
  r.body = std::move(body);
  if (status == 0) r.error = "Connection refused";
  return r;
}

TEST(OutboundPlatformAnswer, TwoHundredsAcceptedOutagesRetriedOtherStatusesRefused) {
  for (int s : {200, 201, 202, 204, 299}) EXPECT_EQ(classify(answer(s)), AnswerKind::kAccepted) << s;
  for (int s : {0, 408, 429, 500, 502, 503, 504}) EXPECT_EQ(classify(answer(s)), AnswerKind::kRetry) << s;
  for (int s : {400, 401, 403, 404, 409, 413, 422, 301, 100})
    EXPECT_EQ(classify(answer(s)), AnswerKind::kRefused) << s;
  EXPECT_EQ(why(answer(0)), "Connection refused");
  EXPECT_EQ(why(answer(503)), "HTTP 503");
}

TEST(OutboundPlatformAnswer, TheReasonFromTheJsonOrTheBodyOrTheStatus) {
  EXPECT_EQ(refusal_reason(answer(422, R"({"code":7,"message":"事项编码不存在"})")), "事项编码不存在");
  EXPECT_EQ(refusal_reason(answer(400, R"({"msg":"bad"})")), "bad");
  EXPECT_EQ(refusal_reason(answer(400, "plain words")), "plain words");
  EXPECT_EQ(refusal_reason(answer(400, std::string(600, 'x'))).size(), 500u);
  EXPECT_EQ(refusal_reason(answer(404)), "HTTP 404");
}

}  // namespace
}  // namespace hallq::outbound
