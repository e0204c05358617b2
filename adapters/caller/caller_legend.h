// The key legend at the foot of the caller's screen: every key the input
// handler acts on now (CallerSession::accepts), each with what it does,
// wrapped to the terminal's width in display columns (a CJK character takes
// two). Not prompting: the keys of config.keys in kKeyTable's order
// ("n 呼叫下一位"); at a prompt: the prompt keys (kPromptKeys, "回车 确认"),
// after the choices at the transfer prompt ("A 社保医保  B 不动产登记 ...").
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/caller/caller_config.h"
#include "adapters/caller/caller_session.h"

namespace hallq::caller {

// `view` null: no replica yet (no choices to list).
std::vector<std::string> legend_lines(const CallerConfig& config, const CallerSession& session,
                                      const WindowView* view, int width);

// `items` joined by two spaces into lines of at most `width` display columns
// (an item wider than `width` alone on its line, cut by wrap_text).
std::vector<std::string> wrap_items(const std::vector<std::string>& items, int width);
// `text` cut into lines of at most `width` display columns, between characters.
std::vector<std::string> wrap_text(std::string_view text, int width);

}  // namespace hallq::caller
