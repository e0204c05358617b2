#include "adapters/kiosk/escpos_decoder.h"

#include <fmt/format.h>

#include <stdexcept>

#include "adapters/kiosk/gb18030.h"

// GCC 12 reports a false -Wmaybe-uninitialized inside std::variant<..., std::string, ...>
// moves when the vector grows (GCC bug 105562 family); the code initialises every alternative.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace hallq::kiosk {
namespace {

class Decoder {
 public:
  explicit Decoder(std::string_view b) : b_(b) {}

  DecodedPrint run() {
    try {
      while (pos_ < b_.size()) step();
      if (!pending_.empty()) flush_line();  // text without LF is printed when the buffer fills; keep it
    } catch (const std::exception& e) {
      out_.error = fmt::format("byte {}: {}", pos_, e.what());
    }
    return std::move(out_);
  }

 private:
  std::uint8_t at(std::size_t i) const {
    if (i >= b_.size()) throw std::runtime_error("truncated command");
    return static_cast<std::uint8_t>(b_[i]);
  }

  void flush_line() {
    PrintedLine l = style_;
    l.text = chinese_ ? gb18030_to_utf8(pending_) : pending_;
    pending_.clear();
    out_.items.push_back(std::move(l));
  }

  void step() {
    const std::uint8_t c = at(pos_);
    if (c == 0x0A) {
      flush_line();
      ++pos_;
    } else if (c == 0x1B) {
      esc();
    } else if (c == 0x1D) {
      gs();
    } else if (c == 0x1C) {
      const std::uint8_t n = at(pos_ + 1);
      if (n == 0x26)
        chinese_ = true;
      else if (n == 0x2E)
        chinese_ = false;
      else
        throw std::runtime_error(fmt::format("unknown command FS {:02X}", n));
      pos_ += 2;
    } else if (c < 0x20) {
      throw std::runtime_error(fmt::format("unexpected control byte {:02X}", c));
    } else {
      pending_.push_back(static_cast<char>(c));
      ++pos_;
    }
  }

  void esc() {
    const std::uint8_t n = at(pos_ + 1);
    switch (n) {
      case 0x40:
        ++out_.inits;
        style_ = PrintedLine{};
        chinese_ = false;
        pos_ += 2;
        return;
      case 0x61: {
        const std::uint8_t a = at(pos_ + 2);
        const std::uint8_t v = a >= '0' ? a - '0' : a;
        if (v > 2) throw std::runtime_error(fmt::format("bad alignment {}", a));
        style_.align = static_cast<Align>(v);
        pos_ += 3;
        return;
      }
      case 0x45:
        style_.bold = (at(pos_ + 2) & 1) != 0;
        pos_ += 3;
        return;
      case 0x64:
        if (!pending_.empty()) flush_line();
        out_.items.push_back(PrintedFeed{at(pos_ + 2)});
        pos_ += 3;
        return;
      default:
        throw std::runtime_error(fmt::format("unknown command ESC {:02X}", n));
    }
  }

  void gs() {
    const std::uint8_t n = at(pos_ + 1);
    if (n == 0x21) {
      const std::uint8_t v = at(pos_ + 2);
      style_.width = (v >> 4) + 1;
      style_.height = (v & 0x0F) + 1;
      if (style_.width > 8 || style_.height > 8) throw std::runtime_error("bad character size");
      pos_ += 3;
    } else if (n == 0x56) {
      const std::uint8_t m = at(pos_ + 2);
      if (!pending_.empty()) flush_line();
      if (m == 0x41 || m == 0x42) {
        out_.items.push_back(PrintedFeed{at(pos_ + 3)});
        pos_ += 4;
      } else if (m == 0 || m == 1 || m == 0x30 || m == 0x31) {
        pos_ += 3;
      } else {
        throw std::runtime_error(fmt::format("bad cut mode {:02X}", m));
      }
      out_.items.push_back(PrintedCut{});
    } else if (n == 0x28 && at(pos_ + 2) == 0x6B) {
      qr_function();
    } else {
      throw std::runtime_error(fmt::format("unknown command GS {:02X}", n));
    }
  }

  // GS ( k pL pH cn fn [parameters]
  void qr_function() {
    const std::size_t len = at(pos_ + 3) | (std::size_t{at(pos_ + 4)} << 8);
    if (len < 2) throw std::runtime_error("QR function too short");
    const std::size_t body = pos_ + 5;
    at(body + len - 1);  // the whole function must be present
    const std::uint8_t cn = at(body), fn = at(body + 1);
    if (cn != 0x31) throw std::runtime_error(fmt::format("unsupported 2D symbol cn={:02X}", cn));
    switch (fn) {
      case 0x41:
        qr_.model = at(body + 2) - 0x30;
        break;
      case 0x43:
        qr_.module_size = at(body + 2);
        break;
      case 0x45: {
        const std::uint8_t e = at(body + 2);
        if (e < 48 || e > 51) throw std::runtime_error(fmt::format("bad QR error correction {:02X}", e));
        qr_.ecc = static_cast<QrEcc>(e);
        break;
      }
      case 0x50:
        qr_.data.assign(b_.substr(body + 3, len - 3));
        break;
      case 0x51:
        if (!pending_.empty()) flush_line();
        out_.items.push_back(qr_);
        break;
      default:
        throw std::runtime_error(fmt::format("unsupported QR function {:02X}", fn));
    }
    pos_ = body + len;
  }

  std::string_view b_;
  std::size_t pos_ = 0;
  bool chinese_ = false;
  PrintedLine style_;
  PrintedQr qr_;
  std::string pending_;
  DecodedPrint out_;
};

}  // namespace

DecodedPrint decode_escpos(std::string_view bytes) { return Decoder(bytes).run(); }

std::vector<const PrintedLine*> DecodedPrint::lines() const {
  std::vector<const PrintedLine*> out;
  for (const auto& i : items)
    if (auto* l = std::get_if<PrintedLine>(&i)) out.push_back(l);
  return out;
}

std::vector<const PrintedQr*> DecodedPrint::qrs() const {
  std::vector<const PrintedQr*> out;
  for (const auto& i : items)
    if (auto* q = std::get_if<PrintedQr>(&i)) out.push_back(q);
  return out;
}

int DecodedPrint::cuts() const {
  int n = 0;
  for (const auto& i : items) n += std::holds_alternative<PrintedCut>(i) ? 1 : 0;
  return n;
}

std::vector<DecodedPrint> DecodedPrint::split_at_cuts() const {
  std::vector<DecodedPrint> out(1);
  for (const auto& i : items) {
    out.back().items.push_back(i);
    if (std::holds_alternative<PrintedCut>(i)) out.emplace_back();
  }
  if (out.back().items.empty()) out.pop_back();
  return out;
}

std::string describe(const DecodedPrint& print) {
  std::string s;
  for (const auto& i : print.items) {
    if (auto* l = std::get_if<PrintedLine>(&i)) {
      static constexpr const char* kAlign[] = {"left", "center", "right"};
      s += fmt::format("text {}x{}{} {}: {}\n", l->width, l->height, l->bold ? " bold" : "",
                       kAlign[static_cast<int>(l->align)], l->text);
    } else if (auto* q = std::get_if<PrintedQr>(&i)) {
      s += fmt::format("qr model {} module {} ecc {}: {}\n", q->model, q->module_size,
                       static_cast<char>("LMQH"[static_cast<int>(q->ecc) - 48]), q->data);
    } else if (auto* f = std::get_if<PrintedFeed>(&i)) {
      s += fmt::format("feed {}\n", f->lines);
    } else {
      s += "cut\n";
    }
  }
  if (!print.error.empty()) s += "error " + print.error + "\n";
  return s;
}

}  // namespace hallq::kiosk
