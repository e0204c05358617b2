#include "adapters/kiosk/ticket_layout.h"

#include <fmt/format.h>

#include "adapters/kiosk/escpos.h"

namespace hallq::kiosk {

std::string wait_text(std::int32_t s) {
  if (s < 0) return "暂无法预计";
  if (s < 60) return "即将叫号";
  return fmt::format("约 {} 分钟", (s + 59) / 60);
}

std::string expand_qr_template(std::string_view templ, const TicketInfo& t) {
  std::string out;
  for (std::size_t i = 0; i < templ.size();) {
    auto try_key = [&](std::string_view key, const std::string& value) {
      if (templ.substr(i, key.size()) != key) return false;
      out += value;
      i += key.size();
      return true;
    };
    if (try_key("{hall}", t.hall_id) || try_key("{number}", t.number) || try_key("{date}", t.date) ||
        try_key("{token}", t.token))
      continue;
    out.push_back(templ[i++]);
  }
  return out;
}

std::string layout_ticket(const TicketInfo& t, int number_size, int qr_module) {
  EscPos p;
  p.init().align(Align::kCenter).bold(true).size(1, 2).line(t.hall_name);
  p.bold(false).size(1, 1).line("排队取号凭条");
  p.feed(1);
  p.bold(true).size(number_size, number_size).line(t.number);
  p.size(2, 2).line(t.service_name);
  p.bold(false).size(1, 1);
  if (!t.priority_label.empty()) p.line(t.priority_label);
  p.feed(1).align(Align::kLeft);
  p.line(fmt::format("前面等候：{} 人", t.ahead));
  p.line(fmt::format("预计等待：{}", wait_text(t.predicted_wait_s)));
  p.line(fmt::format("取号时间：{} {}", t.date, t.time));
  if (!t.qr.empty()) {
    p.align(Align::kCenter).qr(t.qr, qr_module);
    p.line("扫码查看排队进度");
  }
  p.align(Align::kCenter);
  for (const std::string& f : t.footer) p.line(f);
  p.cut(3);
  return p.take();
}

}  // namespace hallq::kiosk
