// Every device program speaks Chinese on its command line, as `hallq` does:
// --help (each option described in Chinese, exit 0) and a usage mistake
// (what is wrong and where to read, exit 2). The real programs are run.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/support/run_program.h"

namespace hallq::testing {
namespace {

struct Program {
  const char* name;
  const char* path;
};
const Program kPrograms[] = {{"hallq-display", HALLQ_DISPLAY_PATH},
                             {"hallq-kiosk", HALLQ_KIOSK_PATH},
                             {"hallq-caller", HALLQ_CALLER_PATH},
                             {"hallq-keypad", HALLQ_KEYPAD_PATH},
                             {"hallq-speaker", HALLQ_SPEAKER_PATH}};

// A CJK Unified Ideograph (U+4E00..U+9FFF: three UTF-8 bytes, E4..E9 first).
bool has_chinese(const std::string& s) {
  for (std::size_t i = 0; i + 2 < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0xE4 && b <= 0xE9) return true;
  }
  return false;
}

TEST(DeviceHelpTest, HelpDescribesEveryOptionInChinese) {
  for (const Program& p : kPrograms) {
    const RunResult r = run_program(p.path, {"--help"});
    EXPECT_EQ(r.exit_code, 0) << p.name << r.err;
    EXPECT_EQ(r.out.rfind(std::string(p.name) + "：", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("用法：" + std::string(p.name) + " [选项]"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(std::string(p.name) + "：" + p.name), std::string::npos) << "named twice: " << r.out;
    EXPECT_EQ(r.out.find("旧写法"), std::string::npos) << "old spellings stay hidden: " << r.out;
    std::istringstream lines(r.out);
    std::string line;
    int options = 0;
    while (std::getline(lines, line)) {
      if (line.rfind("  -", 0) != 0) continue;
      ++options;
      EXPECT_TRUE(has_chinese(line)) << p.name << ": " << line;
    }
    EXPECT_GE(options, 5) << r.out;  // the common flags at least
    for (const char* shared : {"--config", "--engine", "--events", "--key", "--server-key"})
      EXPECT_NE(r.out.find(shared), std::string::npos) << p.name << " " << shared;
  }
}

TEST(DeviceHelpTest, AMistakeSaysWhatIsWrongInChineseAndExitsTwo) {
  for (const Program& p : kPrograms) {
    const RunResult r = run_program(p.path, {"--confg", "x.toml"});
    EXPECT_EQ(r.exit_code, 2) << p.name;
    EXPECT_NE(r.err.find("`--confg`"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("`--config`"), std::string::npos) << "the closest option suggested: " << r.err;
    EXPECT_NE(r.err.find(std::string("查看用法：") + p.name + " --help"), std::string::npos) << r.err;
    const RunResult stray = run_program(p.path, {"stray"});
    EXPECT_EQ(stray.exit_code, 2) << p.name;
    EXPECT_NE(stray.err.find("多余的参数 `stray`"), std::string::npos) << stray.err;
  }
}

}  // namespace
}  // namespace hallq::testing
