#include "tests/support/json_lines.h"

namespace hallq::testing {

using nlohmann::json;

json wait_json(ChildProcess& program, const std::function<bool(const json&)>& match,
               std::chrono::milliseconds limit) {
  const std::optional<std::string> line =
      program.wait_line([&](const std::string& l) { return match(json::parse(l, nullptr, false)); }, limit);
  return line ? json::parse(*line, nullptr, false) : json(nullptr);
}

json wait_json_event(ChildProcess& program, const std::string& event, std::chrono::milliseconds limit) {
  return wait_json(
      program, [&](const json& j) { return j.is_object() && j.value("event", "") == event; }, limit);
}

std::vector<json> json_lines(const ChildProcess& program) {
  std::vector<json> out;
  for (const std::string& line : program.lines()) out.push_back(json::parse(line, nullptr, false));
  return out;
}

}  // namespace hallq::testing
