// hallq-upload's pure parts: config mistakes named with file, line and key; the durable cursor; the
// platform's reason made fit for hallqd (checked by the core's own rule); the key of a re-send.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "adapters/upload/rejection_reason.h"
#include "adapters/upload/upload_config.h"
#include "adapters/upload/upload_state.h"
#include "adapters/upload/uploader.h"
#include "engine/config/config_error.h"
#include "engine/core/upload_rejection.h"
#include "tests/support/temp_dir.h"

namespace hallq::upload {
namespace {

// The first send goes under the record id, the Nth re-send under ID~rN.
TEST(UploadSendKey, RecordIdThenOneKeyPerReSend) {
  EXPECT_EQ(send_key("town-E-12", 0), "town-E-12");
  EXPECT_EQ(send_key("town-E-12", 1), "town-E-12~r1");
  EXPECT_EQ(send_key("town-W-12-340", 27), "town-W-12-340~r27");
}

TEST(UploadRejectionReason, ControlCharactersMalformedBytesAndLengthMadeFit) {
  EXPECT_EQ(reason_for_engine("事项编码不存在", 422), "事项编码不存在");
  EXPECT_EQ(reason_for_engine("  line one\r\n\tline two\x7f \n", 400), "line one line two");
  EXPECT_EQ(reason_for_engine("bad \xff\xfe byte", 400), "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");
  EXPECT_EQ(reason_for_engine("\xC0\xAF overlong, \xED\xA0\x80 surrogate", 400),
            "\xEF\xBF\xBD\xEF\xBF\xBD overlong, \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD surrogate");
  EXPECT_EQ(reason_for_engine("", 404), "HTTP 404");
  EXPECT_EQ(reason_for_engine("\n\r\t ", 409), "HTTP 409");
  std::string long_chinese;
  for (int i = 0; i < 700; ++i) long_chinese += "拒";
  const std::string cut = reason_for_engine(long_chinese, 422);
  EXPECT_EQ(cut.size(), 500u * 3);
  // No trailing space where the cut falls on one.
  EXPECT_EQ(reason_for_engine(std::string(499, 'a') + " b", 422), std::string(499, 'a'));
  // Whatever the platform sends, hallqd's rule accepts the result.
  for (const std::string& raw : {long_chinese, std::string("\x01\x02"), std::string(1000, '\n') + "x",
                                 std::string("\xF4\x90\x80\x80 beyond U+10FFFF"), std::string(600, 'z')})
    EXPECT_EQ(core::upload_rejection_problem("town", "town-E-1", 422, reason_for_engine(raw, 422)), "")
        << raw;
}

const char* const kGood = R"([engine]
url = "http://127.0.0.1:8080"

[platform]
url = "http://10.0.0.5:9400/hcp/evaluations"

[upload]
halls = ["town"]
state_dir = "state"
)";

TEST(UploadConfig, ReadsDefaultsAndResolvesPathsBesideTheFile) {
  const UploadConfig c = parse_upload_config(kGood, "upload.toml", "/etc/hallq");
  EXPECT_EQ(c.engine.host, "127.0.0.1");
  EXPECT_EQ(c.engine.port, 8080);
  EXPECT_EQ(c.platform.host, "10.0.0.5");
  EXPECT_EQ(c.platform.port, 9400);
  EXPECT_EQ(c.platform.target, "/hcp/evaluations");
  EXPECT_EQ(c.state_dir, "/etc/hallq/state");
  EXPECT_EQ(c.halls, std::vector<std::string>{"town"});
  EXPECT_EQ(c.timeout_ms, 5000);
  EXPECT_EQ(c.engine_timeout_ms, 30000);
  EXPECT_EQ(c.initial_ms, 500);
  EXPECT_EQ(c.max_ms, 60000);
  EXPECT_TRUE(c.user.empty());
}

// Each mistake: the message starts with file:line and names the key.
TEST(UploadConfig, MistakesAreNamedWithFileLineAndKey) {
  struct Case {
    std::string from, to, expect;
  };
  const std::vector<Case> cases = {
      {"url = \"http://10.0.0.5:9400/hcp/evaluations\"", "url = \"https://platform.example.cn/hcp\"",
       "upload.toml:5: platform.url"},
      {"halls = [\"town\"]", "halls = []", "upload.toml:8: upload.halls"},
      {"halls = [\"town\"]", "halls = [\"Town Hall\"]", "upload.toml:8: upload.halls"},
      {"[upload]", "[uplaod]", "upload.toml:7: unknown section \"uplaod\""},
      {"url = \"http://127.0.0.1:8080\"", "url = \"http://127.0.0.1:8080\"\nuser = \"upl\"", "upload.toml:1"},
  };
  for (const Case& k : cases) {
    std::string text = kGood;
    text.replace(text.find(k.from), k.from.size(), k.to);
    try {
      parse_upload_config(text, "upload.toml", "");
      ADD_FAILURE() << "accepted: " << k.to;
    } catch (const config::ConfigError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(k.expect, 0), 0u) << e.what();
    }
  }
}

TEST(UploadState, KeepsTheCursorAcrossInstancesAndRefusesAGarbledOne) {
  testing::TempDir dir("hallq-upload-state");
  {
    UploadState s(dir.sub("state"));
    EXPECT_EQ(s.cursor("town"), 0u);
    s.set_cursor("town", 41);
    s.set_cursor("town", 42);
  }
  UploadState s(dir.sub("state"));
  EXPECT_EQ(s.cursor("town"), 42u);
  EXPECT_EQ(s.cursor("district"), 0u);
  std::ofstream(dir.sub("state/district.cursor")) << "4x2\n";
  EXPECT_THROW(s.cursor("district"), std::runtime_error);
}

}  // namespace
}  // namespace hallq::upload
