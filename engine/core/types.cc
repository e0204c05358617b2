// Names of the shared enums: English for the wire and configs, Chinese for people.
#include "engine/core/types.h"

#include <array>

namespace hallq::core {
namespace {

template <class E, std::size_t N>
bool parse_names(std::string_view text, const std::array<std::string_view, N>& names, E& out) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) {
      out = static_cast<E>(i);
      return true;
    }
  }
  return false;
}

constexpr std::array<std::string_view, 3> kPriority = {"normal", "priority", "appointment"};
constexpr std::array<std::string_view, 3> kPriorityZh = {"普通", "优先", "预约"};
constexpr std::array<std::string_view, 10> kTicketState = {
    "waiting", "called", "serving", "held", "done", "rated", "no_show", "left", "expired", "not_arrived"};
constexpr std::array<std::string_view, 10> kTicketStateZh = {
    "等候中", "已叫号", "办理中", "挂起", "已办结", "已评价", "过号", "已离开", "已过期", "未签到"};
constexpr std::array<std::string_view, 3> kWindowState = {"closed", "open", "paused"};
constexpr std::array<std::string_view, 5> kWindowKind = {"classified", "fallback", "assist", "instant",
                                                         "priority"};
constexpr std::array<std::string_view, 2> kServiceKind = {"instant", "promise"};
constexpr std::array<std::string_view, 3> kLeaveReason = {"cancelled", "gave_up", "not_printed"};
constexpr std::array<std::string_view, 2> kAdvisoryAction = {"open", "lend"};
constexpr std::array<std::string_view, 6> kDeviceState = {"ok",         "paper_low", "paper_out",
                                                          "cover_open", "offline",   "unreachable"};
constexpr std::array<std::string_view, 6> kDeviceStateZh = {"正常",   "纸将尽", "缺纸",
                                                            "盖未关", "故障",   "无法连接"};
constexpr std::array<std::string_view, 4> kEvaluationChannel = {"keypad", "phone", "tablet", "terminal"};
constexpr std::array<std::string_view, 4> kEvaluationChannelZh = {"评价器", "扫码", "窗口平板", "其他终端"};

template <std::size_t N, class E>
std::string_view name_of(const std::array<std::string_view, N>& names, E e) {
  const auto i = static_cast<std::size_t>(e);
  return i < N ? names[i] : std::string_view("?");
}

}  // namespace

std::string_view to_string(Priority p) { return name_of(kPriority, p); }
std::string_view to_string(TicketState s) { return name_of(kTicketState, s); }
std::string_view to_string(WindowState s) { return name_of(kWindowState, s); }
std::string_view to_string(WindowKind k) { return name_of(kWindowKind, k); }
std::string_view to_string(ServiceKind k) { return name_of(kServiceKind, k); }
std::string_view to_string(LeaveReason r) { return name_of(kLeaveReason, r); }
std::string_view to_string(AdvisoryAction a) { return name_of(kAdvisoryAction, a); }
std::string_view to_string(DeviceState s) { return name_of(kDeviceState, s); }
std::string_view to_string(EvaluationChannel c) { return name_of(kEvaluationChannel, c); }
std::string_view display_name(Priority p) { return name_of(kPriorityZh, p); }
std::string_view display_name(TicketState s) { return name_of(kTicketStateZh, s); }
std::string_view display_name(DeviceState s) { return name_of(kDeviceStateZh, s); }
std::string_view display_name(EvaluationChannel c) { return name_of(kEvaluationChannelZh, c); }

bool parse(std::string_view text, Priority& out) { return parse_names(text, kPriority, out); }
bool parse(std::string_view text, WindowKind& out) { return parse_names(text, kWindowKind, out); }
bool parse(std::string_view text, ServiceKind& out) { return parse_names(text, kServiceKind, out); }
bool parse(std::string_view text, DeviceState& out) { return parse_names(text, kDeviceState, out); }
bool parse(std::string_view text, EvaluationChannel& out) {
  return parse_names(text, kEvaluationChannel, out);
}

}  // namespace hallq::core
