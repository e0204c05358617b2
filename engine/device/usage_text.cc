// CLI11 words its help and errors in English; here they are worded again. The
// help is written from CLI11's description of the apps and options (names,
// descriptions, type names, defaults). A parse error carries only CLI11's
// English sentence, so its parts (option name, value, choices) are read back
// from the sentence by CLI11 2.x's fixed wording; an unrecognised sentence
// falls back to a Chinese message without its details.
#include "engine/device/usage_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "engine/config/suggest.h"
#include "engine/core/utf8.h"

namespace hallq::device {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// What stands for an option's value: its type name, CLI11's own in Chinese;
// validators' notes after ':' left out.
std::string value_label(const CLI::Option* o) {
  std::string t = o->get_type_name();
  t = t.substr(0, t.find(':'));
  if (t == "TEXT") return "文字";
  if (t == "INT" || t == "UINT") return "整数";
  if (t == "FLOAT" || t == "NUMBER") return "数值";
  return t;
}

bool is_flag(const CLI::Option* o) { return o->get_type_size_max() == 0; }
bool is_help(const CLI::App* app, const CLI::Option* o) { return o == app->get_help_ptr(); }

// "hallq keys gen": the names from the program down to `app`.
std::string path_name(const CLI::App* app) {
  std::string out = app->get_name();
  for (const CLI::App* p = app->get_parent(); p != nullptr; p = p->get_parent())
    out = p->get_name() + " " + out;
  return out;
}

std::string option_names(const CLI::Option* o) {
  std::string out;
  for (const std::string& s : o->get_snames()) out += (out.empty() ? "-" : ", -") + s;
  for (const std::string& l : o->get_lnames()) out += (out.empty() ? "--" : ", --") + l;
  return out;
}

std::string option_desc(const CLI::Option* o) {
  std::string d = o->get_description();
  if (o->get_required() && o->nonpositional()) d += "（必填）";
  if (!o->get_default_str().empty()) d += fmt::format("（默认 {}）", o->get_default_str());
  return d;
}

// Rows "  LEFT  RIGHT", LEFT padded to one column.
std::string rows(const std::vector<std::pair<std::string, std::string>>& items) {
  int width = 0;
  for (const auto& [left, right] : items) width = std::max(width, core::display_width(left));
  width = std::min(width, 26);
  std::string out;
  for (const auto& [left, right] : items) {
    out += "  " + core::pad_to_width(left, width) + "  ";
    if (core::display_width(left) > width)
      out += "\n  " + std::string(static_cast<std::size_t>(width) + 2, ' ');
    out += right + "\n";
  }
  return out;
}

std::string positional_usage(const CLI::Option* o) {
  std::string s = "<" + value_label(o) + ">";
  if (o->get_expected_max() > 1) s += "…";
  return o->get_required() ? s : "[" + s + "]";
}

class ChineseFormatter : public CLI::FormatterBase {
 public:
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode) const override {
    const bool top = app->get_parent() == nullptr;
    const auto positionals = app->get_options([](const CLI::Option* o) { return o->get_positional(); });
    // Options in no group are hidden (old spellings kept for a release).
    const auto options =
        app->get_options([](const CLI::Option* o) { return o->nonpositional() && !o->get_group().empty(); });
    const auto subs = app->get_subcommands([](const CLI::App*) { return true; });
    // Options of a program with verbs may stand anywhere on the line.
    const bool global = top && !subs.empty();

    std::string out = fmt::format("{}：{}\n\n用法：{}", name, app->get_description(), name);
    if (top) out += global ? " [全局选项]" : " [选项]";
    for (const CLI::Option* p : positionals) out += " " + positional_usage(p);
    if (!subs.empty()) out += " <命令> …";
    if (!top && options.size() > 1) out += " [选项]";
    out += "\n";

    if (!positionals.empty()) {
      std::vector<std::pair<std::string, std::string>> items;
      for (const CLI::Option* p : positionals) items.emplace_back("<" + value_label(p) + ">", option_desc(p));
      out += "\n参数：\n" + rows(items);
    }
    if (!subs.empty()) {
      std::vector<std::pair<std::string, std::string>> items;
      for (const CLI::App* s : subs) items.emplace_back(s->get_name(), s->get_description());
      out += "\n命令：\n" + rows(items);
    }
    std::vector<std::pair<std::string, std::string>> items;
    for (const CLI::Option* o : options) {
      if (is_help(app, o)) continue;
      items.emplace_back(option_names(o) + (is_flag(o) ? "" : " " + value_label(o)), option_desc(o));
    }
    if (const CLI::Option* h = app->get_help_ptr()) items.emplace_back(option_names(h), h->get_description());
    out += global ? "\n全局选项（放在命令行的任何位置都可以）：\n" : "\n选项：\n";
    out += rows(items);
    if (!subs.empty()) out += fmt::format("\n每个命令的用法：{} <命令> --help\n", name);
    if (!top && app->get_parent()->get_parent() == nullptr)
      out += "\n全局选项（--engine、--json、--timeout、--key …）见 hallq --help\n";
    return out;
  }
};

// The app CLI11 was working in: the last verb parsed, or the program.
const CLI::App* deepest(const CLI::App& app) {
  const CLI::App* cur = &app;
  for (auto subs = cur->get_subcommands(); !subs.empty(); subs = cur->get_subcommands()) cur = subs.front();
  return cur;
}

// The option called `name` ("--timeout", "level") in `app` or a parent.
const CLI::Option* find_option(const CLI::App* app, const std::string& name) {
  for (; app != nullptr; app = app->get_parent())
    if (const CLI::Option* o = app->get_option_no_throw(name)) return o;
  return nullptr;
}

// How a message names an option: a positional by its label, others as typed.
std::string what(const CLI::Option* o, const std::string& name) {
  if (o == nullptr) return fmt::format("`{}`", name);
  if (o->get_positional()) return fmt::format("参数 <{}>", value_label(o));
  return fmt::format("选项 `{}`", name);
}

// "`social`" … the tokens after "was not expected: " and the like.
std::vector<std::string> split(std::string_view s, std::string_view by) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const std::size_t at = s.find(by);
    if (at != 0) out.emplace_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + by.size());
  }
  return out;
}

std::string suggestion(std::string_view typed, const std::vector<std::string>& candidates) {
  std::vector<std::string_view> views(candidates.begin(), candidates.end());
  const std::string_view best = config::closest(typed, views);
  return best.empty() ? std::string() : fmt::format("您是不是要输入 `{}`？\n", best);
}

std::string unknown_verb(const CLI::App* cur, const std::string& typed) {
  std::vector<std::string> names;
  for (const CLI::App* s : cur->get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(s->get_name());
  std::string out = typed.empty() ? std::string("缺少命令。\n") : fmt::format("没有命令 `{}`。\n", typed);
  if (!typed.empty()) out += suggestion(typed, names);
  return out + fmt::format("可用的命令：{}\n", fmt::join(names, "、"));
}

std::string unknown_option(const CLI::App* cur, std::string typed) {
  typed = typed.substr(0, typed.find('='));
  std::vector<std::string> names;
  for (const CLI::App* a = cur; a != nullptr; a = a->get_parent())
    for (const CLI::Option* o : a->get_options())
      for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
  return fmt::format("不认识的选项 `{}`。\n", typed) + suggestion(typed, names);
}

// "0.100000" -> "0.1".
std::string trim_number(std::string n) {
  if (n.find('.') == std::string::npos) return n;
  while (n.back() == '0') n.pop_back();
  if (n.back() == '.') n.pop_back();
  return n;
}

bool has_cjk(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0xE0; });
}

std::string validation_text(const CLI::App* cur, const std::string& msg) {
  const std::size_t colon = msg.find(": ");
  if (colon == std::string::npos) return "取值不可用。\n";
  const std::string name = msg.substr(0, colon), rest = msg.substr(colon + 2);
  const CLI::Option* o = find_option(cur, name);
  const std::string subject = what(o, name);
  if (has_cjk(rest)) return fmt::format("{}：{}。\n", subject, rest);  // hallq's own check
  const std::size_t not_in = rest.find(" not in {");
  if (not_in != std::string::npos && rest.back() == '}') {
    const std::string value = rest.substr(0, not_in);
    const std::vector<std::string> choices = split(rest.substr(not_in + 9, rest.size() - not_in - 10), ",");
    return fmt::format("{} 不能取 `{}`。\n", subject, value) + suggestion(value, choices) +
           fmt::format("可选：{}\n", fmt::join(choices, "、"));
  }
  if (starts_with(rest, "Value ")) {
    const std::vector<std::string> w = split(rest, " ");  // Value V not in range A to B
    if (w.size() == 8)
      return fmt::format("{} 的取值 `{}` 超出范围（{} 到 {}）。\n", subject, w[1], trim_number(w[5]),
                         trim_number(w[7]));
  }
  for (const auto& [english, chinese] :
       {std::pair{"Directory does not exist: ", "目录不存在"},
        std::pair{"File does not exist: ", "文件不存在"}, std::pair{"Path does not exist: ", "路径不存在"}})
    if (starts_with(rest, english))
      return fmt::format("{}：{} `{}`。\n", subject, chinese, rest.substr(std::string_view(english).size()));
  return fmt::format("{} 的取值不可用（{}）。\n", subject, o ? o->get_description() : std::string());
}

}  // namespace

void use_chinese_help(CLI::App& app, const std::string& name) {
  app.name(name);
  app.formatter(std::make_shared<ChineseFormatter>());
  app.set_help_flag("-h,--help", "显示本说明");
}

void add_hall_argument(CLI::App* verb, std::string& hall) {
  verb->add_option("hall", hall, "大厅编号，如 town（hallq ping 列出）")->type_name("大厅")->required();
}

std::string usage_error(const CLI::App& app, const CLI::ParseError& e) {
  const CLI::App* cur = deepest(app);
  const std::string msg = e.what();
  std::string out;
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    if (starts_with(msg, "A subcommand") || starts_with(msg, "Requires at least")) {
      const std::vector<std::string> rest = cur->remaining();
      out = unknown_verb(cur, rest.empty() || starts_with(rest.front(), "-") ? "" : rest.front());
    } else if (msg.size() > 12 && msg.ends_with(" is required")) {
      const std::string name = msg.substr(0, msg.size() - 12);
      const CLI::Option* o = find_option(cur, name);
      out = fmt::format("缺少{}{}。\n", what(o, name), o ? "：" + o->get_description() : std::string());
    } else {
      out = "缺少必需的参数或选项。\n";
    }
  } else if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    const std::size_t colon = msg.find(": ");
    // CLI11 lists them last first.
    std::vector<std::string> extras = split(colon == std::string::npos ? "" : msg.substr(colon + 2), " ");
    std::reverse(extras.begin(), extras.end());
    for (const std::string& t : extras) {
      if (starts_with(t, "-"))
        out += unknown_option(cur, t);
      else if (cur == &app && !app.get_subcommands([](const CLI::App*) { return true; }).empty())
        out += unknown_verb(cur, t);
      else
        out += fmt::format("多余的参数 `{}`。\n", t);
    }
    if (out.empty()) out = "命令行中有多余的内容。\n";
  } else if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) {
    const std::string prefix = "Could not convert: ";
    const std::size_t eq = msg.find(" = ");
    if (starts_with(msg, prefix) && eq != std::string::npos) {
      const std::string name = msg.substr(prefix.size(), eq - prefix.size());
      const CLI::Option* o = find_option(cur, name);
      out = fmt::format("{} 的取值 `{}` 无法识别{}。\n", what(o, name), msg.substr(eq + 3),
                        o ? "（" + o->get_description() + "）" : std::string());
    } else {
      out = "有一个取值无法识别。\n";
    }
  } else if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    const std::size_t colon = msg.find(": ");
    const std::size_t to = msg.find(" arguments to ");
    std::string name = colon != std::string::npos ? msg.substr(0, colon) : "";
    if (to != std::string::npos) name = msg.substr(to + 14, msg.find(',', to) - to - 14);
    const CLI::Option* o = find_option(cur, name);
    out = name.empty() ? std::string("取值的个数不对。\n")
                       : fmt::format("{} 后面缺少取值{}。\n", what(o, name),
                                     o && !is_flag(o) ? "（" + value_label(o) + "）" : std::string());
  } else if (dynamic_cast<const CLI::ValidationError*>(&e) != nullptr) {
    out = validation_text(cur, msg);
  } else {
    out = "命令行有误。\n";
  }
  return out + fmt::format("查看用法：{} --help\n", path_name(cur));
}

std::string unknown_id_text(std::string_view what, std::string_view id, std::span<const std::string> ids,
                            std::span<const std::string> labels) {
  std::string out = fmt::format("没有{} `{}`。\n", what, id);
  out += suggestion(id, std::vector<std::string>(ids.begin(), ids.end()));
  return out + fmt::format("可用的{}：{}\n", what, fmt::join(labels, "、"));
}

}  // namespace hallq::device
