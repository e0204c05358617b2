// How `hallq` words things for people: events, waits and ratings in
// Simplified Chinese, and column widths that count a Chinese character as two.
// A service or window is shown by its Chinese name with the id one types
// beside it, one format everywhere: "社保医保 social", "5 号窗口 w5".
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "engine/core/hall_config.h"
#include "engine/protocol/event_codec.h"

namespace hallq::cli {

// "社保医保 social": the service's name and id; the id alone if `config`
// (may be null) does not know it.
std::string service_label(const core::HallConfig* config, std::string_view id);

// "5 号窗口 w5": the window's number and id (`number` if `config` does not
// know the window; the id alone without either).
std::string window_label(const core::HallConfig* config, std::string_view id, int number = 0);

// "社保医保 social（1级）、税务 tax（2级）": what a window serves.
std::string serves_text(const core::HallConfig* config, std::span<const std::pair<std::string, int>> serves);

// "printer" -> "打印机"; other kinds as they are.
std::string device_kind_name(std::string_view kind);

// One line describing an event, e.g. "叫号：请 A012 号到 5 号窗口 w5 办理";
// services and windows labelled from `config` (the hall's; may be null).
std::string describe(const protocol::EventSummary& e, const core::HallConfig* config);

}  // namespace hallq::cli
