// Where things are on the kiosk's touch screen, and what a touch at (x, y)
// means. Pure: rectangles from the canvas size, the service tiles and the
// config; the SDL side (kiosk_screen) only draws them and forwards touches.
//
// Screen (portrait, any size): a header (hall name, clock, online state), a
// message line, the grid of service buttons (two columns), and a bottom row
// of priority-category buttons, the elderly (ID) path and appointment check-in.
// A digit pad replaces the grid while an ID number or code is typed.
#pragma once

#include <string>
#include <vector>

#include "adapters/kiosk/kiosk_config.h"
#include "adapters/kiosk/kiosk_session.h"

namespace hallq::kiosk {

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
  bool contains(int px, int py) const { return px >= x && px < x + w && py >= y && py < y + h; }
};

enum class PadKind { kNone, kId, kAppointment };

enum class ActionKind {
  kService,   // arg: service id
  kCategory,  // arg: priority category
  kOpenIdPad,
  kOpenApptPad,
  kPadKey,  // arg: "0".."9" or "X"
  kPadDelete,
  kPadOk,
  kPadCancel,
  kHome,  // back to the home screen
};

struct Button {
  Rect rect;
  ActionKind kind = ActionKind::kHome;
  std::string arg;
  std::string label, caption;  // caption: e.g. "前面 3 人 预计 12 分钟"
  bool disabled = false;       // drawn greyed (no open window); still tappable to get the reason
};

struct Layout {
  Rect header, message, pad_display;
  std::vector<Button> buttons;
};

// The pad's content while typing: what is typed so far, and the buttons.
struct PadState {
  PadKind kind = PadKind::kNone;
  std::string typed;
  // Applies a pad key; returns true when OK was pressed with a full entry.
  bool press(ActionKind kind, const std::string& arg);
  std::size_t max_length() const { return kind == PadKind::kId ? 18 : 6; }  // booking codes: 6 digits
  // What the display shows: an ID number with its middle hidden.
  std::string shown() const;
};

// `check_in`: offer appointment check-in (the hall takes bookings; KioskApp::takes_bookings).
Layout layout_screen(int width, int height, const std::vector<ServiceTile>& tiles, const KioskConfig& config,
                     const PadState& pad, bool show_home_button, bool check_in);

// The button under (x, y), or null.
const Button* hit(const Layout& layout, int x, int y);

}  // namespace hallq::kiosk
