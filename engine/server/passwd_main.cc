// hallq-passwd: prints a [[manager]] entry for hallqd's accounts file with
// the password's Argon2id hash (accounts.h). The password is read from the
// terminal without echo (asked twice), or as the first line of stdin.
//   hallq-passwd NAME [--role admin|viewer|uploader] [--hall ID]... >> conf/managers.toml
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "engine/server/accounts.h"

namespace {

std::string read_secret(const char* prompt) {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hallq-passwd: a manager account entry (Argon2id password hash) for hallqd --accounts"};
  std::string name, role = "viewer";
  std::vector<std::string> halls;
  app.add_option("name", name, "the manager's login name (a-z 0-9 . _ -)")->required();
  app.add_option("--role", role,
                 "admin (read and act), viewer (read only) or uploader (hallq-upload: reads the "
                 "evaluation records, records the platform's rejections)")
      ->check(CLI::IsMember({"admin", "viewer", "uploader"}))
      ->capture_default_str();
  app.add_option("--hall", halls, "a hall the manager may see (repeat; none: every hall)");
  CLI11_PARSE(app, argc, argv);

  const std::string password = read_secret("密码: ");
  if (isatty(STDIN_FILENO) && read_secret("再输入一次: ") != password) {
    std::cerr << "hallq-passwd: the two passwords differ\n";
    return 1;
  }
  if (password.size() < 8) {
    std::cerr << "hallq-passwd: use at least 8 characters\n";
    return 2;
  }
  std::string halls_toml;
  for (const std::string& h : halls) halls_toml += fmt::format("{}\"{}\"", halls_toml.empty() ? "" : ", ", h);
  std::string entry = fmt::format("[[manager]]\nname = \"{}\"\nrole = \"{}\"\n", name, role);
  if (!halls.empty()) entry += fmt::format("halls = [{}]\n", halls_toml);
  entry += fmt::format("password_hash = \"{}\"\n", hallq::server::hash_password(password));
  try {
    hallq::server::Accounts::parse(entry, "entry");  // the same checks hallqd makes
  } catch (const hallq::config::ConfigError& e) {
    std::cerr << "hallq-passwd: " << e.what() << "\n";
    return 2;
  }
  std::cout << entry << std::endl;
  return 0;
}
