// What a kiosk ticket says and how it is laid out on the thermal paper, as
// ESC/POS bytes: the hall's name, the number in large type, the service, the
// priority class, people ahead, the predicted wait, the time of issue, a QR
// code (the printer's own QR command) and a footer. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hallq::kiosk {

struct TicketInfo {
  std::string hall_id, hall_name;
  std::string number;          // "A012"
  std::string service_name;    // "社保医保"
  std::string priority_label;  // empty for a normal ticket, else e.g. "优先（老年人）"
  std::uint32_t ahead = 0;
  std::int32_t predicted_wait_s = 0;  // < 0: unknown
  std::string date;                   // "2025-03-01" (hall's local date)
  std::string time;                   // "09:12"
  std::string token;                  // the ticket's page token (engine/keys/ticket_token.h); may be empty
  std::string qr;                     // payload; empty: no QR code
  std::vector<std::string> footer;
};

// "约 12 分钟" / "即将叫号" / "暂无法预计".
std::string wait_text(std::int32_t predicted_wait_s);

// Replaces {hall}, {number}, {date} and {token} in `templ`.
std::string expand_qr_template(std::string_view templ, const TicketInfo& t);

// The ticket's ESC/POS bytes (init ... cut). `number_size` is the character
// multiplier of the number (1..8); 58 mm paper fits 4, 80 mm fits 5.
std::string layout_ticket(const TicketInfo& t, int number_size = 4, int qr_module = 6);

}  // namespace hallq::kiosk
