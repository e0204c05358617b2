// What a program's config names beside itself (engine/config/side_files.h):
// paths resolved against the config's folder, secrets' first lines, the hall
// id rule the engine's own (core::HallConfig) refuses outside of.
#include "engine/config/side_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/config/config_error.h"

namespace hallq::config {
namespace {

TEST(SideFiles, RelativePathsAreBesideTheConfig) {
  EXPECT_EQ(resolve_beside("/etc/hallq", "feed.creds"), "/etc/hallq/feed.creds");
  EXPECT_EQ(resolve_beside("/etc/hallq", "/var/lib/hallq/x"), "/var/lib/hallq/x");
  EXPECT_EQ(resolve_beside("", "feed.creds"), "feed.creds");
  EXPECT_EQ(resolve_beside("/etc/hallq", ""), "");
}

TEST(SideFiles, TheSecretIsTheFirstLineAndAnEmptyOneIsNamed) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("hallq-side-files-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/token") << "s3cret \r\nsecond line\n";
  std::ofstream(dir + "/empty") << "\nnot this\n";
  const toml::table root = parse_toml("[platform]\ntoken_file = \"token\"\n", "feed.toml");
  const TableReader t = TableReader::document(root, "feed.toml").section("platform");
  EXPECT_EQ(read_secret_file(t, "token_file", dir + "/token"), "s3cret");
  try {
    read_secret_file(t, "token_file", dir + "/empty");
    ADD_FAILURE() << "an empty secret was taken";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("feed.toml:2: platform.token_file: 文件 " + dir + "/empty 是空的"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(read_secret_file(t, "token_file", dir + "/missing"), ConfigError);
  std::filesystem::remove_all(dir);
}

TEST(SideFiles, HallIdsAsTheEngineTakesThem) {
  for (const char* id : {"town", "district-2", "a", "0"}) EXPECT_TRUE(is_hall_id(id)) << id;
  for (const std::string& id :
       std::vector<std::string>{"", "Town", "town_1", "town.1", "镇", std::string(65, 'a')})
    EXPECT_FALSE(is_hall_id(id)) << id;
  EXPECT_TRUE(is_hall_id(std::string(64, 'a')));
}

}  // namespace
}  // namespace hallq::config
