// The TOML reader every config file goes through: the error's parts, the
// typed getters' checks and wording, unknown keys, sections and items.
#include "engine/config/toml_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

namespace hallq::config {
namespace {

// The message a reading step fails with, or "(no error)".
std::string error_of(const std::function<void()>& step) {
  try {
    step();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ConfigError, NamesFileLineMessageAndSuggestion) {
  const ConfigError e("conf/x.toml", 7, "unknown key \"hal\" in [kiosk]", "hall");
  EXPECT_STREQ(e.what(), "conf/x.toml:7: unknown key \"hal\" in [kiosk] (did you mean \"hall\"?)");
  EXPECT_EQ(e.file(), "conf/x.toml");
  EXPECT_EQ(e.line(), 7u);
  EXPECT_EQ(e.message(), "unknown key \"hal\" in [kiosk]");
  EXPECT_EQ(e.suggestion(), "hall");
  EXPECT_STREQ(ConfigError("conf/x.toml", 0, "cannot open: No such file or directory").what(),
               "conf/x.toml: cannot open: No such file or directory");
  EXPECT_STREQ(ConfigError("--key: needs the engine's key too").what(), "--key: needs the engine's key too");
}

TEST(TomlReader, FilesThatCannotBeReadAreNamed) {
  EXPECT_EQ(error_of([] { read_text_file("/nonexistent/x.toml"); }),
            "/nonexistent/x.toml: cannot open: No such file or directory");
  const std::string dir = std::filesystem::temp_directory_path().string();
  EXPECT_EQ(error_of([&] { read_text_file(dir); }), dir + ": cannot read: Is a directory");
}

TEST(TomlReader, SyntaxErrorsNameTheLine) {
  EXPECT_EQ(error_of([] { parse_toml("[a]\nx = \n", "s.toml"); }).rfind("s.toml:2: syntax error: ", 0), 0u);
  EXPECT_EQ(error_of([] {
              parse_toml("[a]\nx = \n", "s.toml", SyntaxWording::kWithColumn);
            }).rfind("s.toml:2: TOML syntax error (column ", 0),
            0u);
}

TEST(TomlReader, GettersCheckTypesAndRanges) {
  const toml::table root = parse_toml(
      "[s]\nname = \"n\"\nempty = \"\"\ncount = 12\nratio = 0.5\nflag = true\nlist = [\"a\", \"b\"]\n"
      "mixed = [\"a\", 1]\nnan = nan\n",
      "g.toml");
  const TableReader s = TableReader::document(root, "g.toml").section("s");
  EXPECT_EQ(s.string("name"), "n");
  EXPECT_EQ(s.string("absent", "fallback"), "fallback");
  EXPECT_EQ(s.integer("count", 0, 100), 12);
  EXPECT_EQ(s.integer("absent", 0, 100, 5), 5);
  EXPECT_DOUBLE_EQ(*s.number("count"), 12.0);  // an integer is a number too
  EXPECT_DOUBLE_EQ(s.number("ratio", 0, 1, 0), 0.5);
  EXPECT_TRUE(s.boolean("flag", false));
  EXPECT_EQ(s.strings("list"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.strings("absent"), std::nullopt);

  EXPECT_EQ(error_of([&] { s.string("count"); }), "g.toml:4: s.count: expected a string, got integer");
  EXPECT_EQ(error_of([&] { s.required_string("empty"); }), "g.toml:3: s.empty: must not be empty");
  EXPECT_EQ(error_of([&] { s.required_string("absent"); }),
            "g.toml:1: missing required key \"absent\" in [s]");
  EXPECT_EQ(error_of([&] { s.integer("count", 1, 9); }), "g.toml:4: s.count: 12 is out of range 1..9");
  EXPECT_EQ(error_of([&] { s.integer("ratio", 1, 9); }), "g.toml:5: s.ratio: expected an integer, got float");
  EXPECT_EQ(error_of([&] { s.number("nan"); }), "g.toml:9: s.nan: must be a finite number");
  EXPECT_EQ(error_of([&] { s.boolean("name", false); }),
            "g.toml:2: s.name: expected true or false, got string");
  EXPECT_EQ(error_of([&] { s.strings("mixed"); }), "g.toml:8: s.mixed: expected strings, got integer");
  EXPECT_EQ(error_of([&] { s.table("name"); }), "g.toml:2: s.name: expected a table [s.name], got string");

  // Screen files' wording: the type found is not named.
  const TableReader t = TableReader::document(root, "g.toml").terse().section("s");
  EXPECT_EQ(error_of([&] { t.integer("name", 0, 9); }), "g.toml:2: s.name: expected an integer");
  EXPECT_EQ(error_of([&] { t.strings("mixed"); }), "g.toml:8: s.mixed: expected an array of strings");
}

TEST(TomlReader, UnknownKeysAreRefusedWithASuggestion) {
  const toml::table root = parse_toml("[kiosk]\nhal = 1\n[printr]\n", "k.toml");
  const TableReader top = TableReader::document(root, "k.toml");
  EXPECT_EQ(error_of([&] {
              top.section("kiosk").allow_only({"hall", "engine"});
            }),
            "k.toml:2: unknown key \"hal\" in [kiosk] (did you mean \"hall\"?)");
  EXPECT_EQ(error_of([&] {
              top.allow_only({"kiosk", "printer"});
            }),
            "k.toml:3: unknown section \"printr\" (did you mean \"printer\"?)");
  EXPECT_EQ(error_of([&] { top.allow_only({"kiosk", "printr"}); }), "(no error)");
  constexpr std::string_view kAllowed[] = {"hall"};
  const std::optional<UnknownKey> unknown = top.section("kiosk").unknown_key(kAllowed);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->key, "hal");
  EXPECT_EQ(unknown->line, 2u);
  EXPECT_EQ(unknown->suggestion, "hall");
}

TEST(TomlReader, SectionsAndItemsNameThemselves) {
  const toml::table root =
      parse_toml("[a]\n[a.b]\nx = \"1\"\n[[w]]\nid = \"w1\"\nnumber = 1.5\ncolour = 1\n", "t.toml");
  const TableReader top = TableReader::document(root, "t.toml");
  EXPECT_FALSE(top.section("none").present());
  EXPECT_EQ(top.section("none").integer("x", 0, 9, 7), 7);  // an absent section's getters fall back
  EXPECT_EQ(error_of([&] { top.required_section("none"); }), "t.toml:1: missing required table [none]");
  EXPECT_EQ(error_of([&] { top.section("a").section("b").integer("x", 0, 9); }),
            "t.toml:3: a.b.x: expected an integer, got string");
  const std::vector<const toml::table*> items = top.tables("w");
  ASSERT_EQ(items.size(), 1u);
  const TableReader w = TableReader::item(*items[0], "t.toml", "w", "w \"w1\"");
  EXPECT_EQ(error_of([&] { w.integer("number", 1, 9); }),
            "t.toml:6: w \"w1\": number: expected an integer, got float");
  EXPECT_EQ(error_of([&] {
              w.allow_only({"id", "number"});
            }),
            "t.toml:7: w \"w1\": unknown key \"colour\" in [[w]]");
  EXPECT_EQ(error_of([&] { w.require("name"); }),
            "t.toml:4: w \"w1\": missing required key \"name\" in [[w]]");
  EXPECT_EQ(error_of([&] { top.tables("a"); }), "t.toml:1: a: expected an array of tables [[a]], got table");
}

}  // namespace
}  // namespace hallq::config
