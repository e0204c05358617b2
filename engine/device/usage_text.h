// How `hallq` and the device programs word their command lines for people, in Simplified Chinese: the
// help of the program and of every verb (a CLI11 formatter), and the message
// of a parse error (unknown verb or option, missing or bad value), with the
// valid choices and the closest one to a typo. What one types (verbs, option
// names, ids, values) stays as typed, in backquotes.
//
// A positional's Chinese label is its type name (`->type_name("大厅")`);
// an option's value placeholder is its type name too, CLI11's own (TEXT,
// INT ...) shown in Chinese. Pure text; any thread.
#pragma once

#include <CLI/CLI.hpp>
#include <span>
#include <string>
#include <string_view>

namespace hallq::device {

// Installs the Chinese help formatter and -h,--help on `app`; call it before
// adding subcommands (they inherit both). Also names the program `name`.
void use_chinese_help(CLI::App& app, const std::string& name);

// Adds the positional "hall" (labelled 大厅) that most verbs start with.
void add_hall_argument(CLI::App* verb, std::string& hall);

// The Chinese message for the parse error `e` thrown by `app.parse`: what is
// wrong, the valid choices where there are some, and which --help to read.
// Several lines, each ending in '\n'.
std::string usage_error(const CLI::App& app, const CLI::ParseError& e);

// "没有事项 `socail`。可用的事项：…；您是不是要输入 `social`？" — an id that is
// not one of `ids` (labelled by `labels`, same order), in the words of `what`
// ("事项", "窗口"); the suggestion is the closest id (config::closest).
std::string unknown_id_text(std::string_view what, std::string_view id, std::span<const std::string> ids,
                            std::span<const std::string> labels);

}  // namespace hallq::device
