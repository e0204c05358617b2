#include "adapters/caller/caller_legend.h"

#include <fmt/format.h>

#include "engine/core/utf8.h"

namespace hallq::caller {

std::vector<std::string> legend_lines(const CallerConfig& config, const CallerSession& session,
                                      const WindowView* view, int width) {
  std::vector<std::string> lines;
  std::vector<std::string> items;
  if (!session.prompting()) {
    for (const KeySpec& spec : kKeyTable)
      items.push_back(fmt::format("{} {}", config.key_for(spec.key), spec.label));
    return wrap_items(items, width);
  }
  if (*session.prompting() == Key::kTransfer && view) {
    for (const ServiceChoice& c : view->services) items.push_back(choice_text(c));
    lines = wrap_items(items, width);
    items.clear();
  }
  for (const PromptKey& k : kPromptKeys) items.push_back(fmt::format("{} {}", k.text, k.label));
  for (std::string& line : wrap_items(items, width)) lines.push_back(std::move(line));
  return lines;
}

std::vector<std::string> wrap_items(const std::vector<std::string>& items, int width) {
  std::vector<std::string> lines;
  std::string line;
  int used = 0;
  for (const std::string& item : items) {
    const int w = core::display_width(item);
    if (!line.empty() && used + 2 + w <= width) {
      line += "  " + item;
      used += 2 + w;
      continue;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    line.clear();
    used = 0;
    std::vector<std::string> cut = wrap_text(item, width);
    for (std::size_t i = 0; i + 1 < cut.size(); ++i) lines.push_back(std::move(cut[i]));
    if (!cut.empty()) {
      line = std::move(cut.back());
      used = core::display_width(line);
    }
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

std::vector<std::string> wrap_text(std::string_view text, int width) {
  std::vector<std::string> lines(1);
  int used = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = 1;  // the bytes of one UTF-8 character
    while (i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) ++len;
    const std::string_view ch = text.substr(i, len);
    const int w = core::display_width(ch);
    if (used + w > width && used > 0) {
      lines.emplace_back();
      used = 0;
    }
    lines.back().append(ch);
    used += w;
    i += len;
  }
  return lines;
}

}  // namespace hallq::caller
