#include "engine/qr/qr_matrix.h"

#include <fmt/format.h>
#include <qrencode.h>

#include <memory>
#include <stdexcept>

namespace hallq::qr {

QrMatrix encode_qr(std::string_view data, Ecc ecc) {
  QRecLevel level = QR_ECLEVEL_L;
  switch (ecc) {
    case Ecc::kL:
      level = QR_ECLEVEL_L;
      break;
    case Ecc::kM:
      level = QR_ECLEVEL_M;
      break;
    case Ecc::kQ:
      level = QR_ECLEVEL_Q;
      break;
    case Ecc::kH:
      level = QR_ECLEVEL_H;
      break;
  }
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeData(static_cast<int>(data.size()), reinterpret_cast<const unsigned char*>(data.data()), 0,
                        level),
      &QRcode_free);
  if (!code) throw std::runtime_error(fmt::format("QR code: cannot encode {} bytes", data.size()));
  QrMatrix m;
  m.size = code->width;
  m.dark.resize(static_cast<std::size_t>(m.size) * m.size);
  // libqrencode: bit 0 of each byte is the module's colour (1 = dark).
  for (std::size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = code->data[i] & 1;
  return m;
}

}  // namespace hallq::qr
