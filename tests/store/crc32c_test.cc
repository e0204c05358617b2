// CRC32C against values published elsewhere: the CRC catalogue's check value
// and the test vectors of RFC 3720 (iSCSI), appendix B.4, for both the
// processor's instruction (where present) and the table-driven path.
#include "engine/store/crc32c.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace hallq::store {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s.push_back(static_cast<char>(v));
  return s;
}

struct Vector {
  std::string input;
  std::uint32_t crc;
};

std::vector<Vector> published() {
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  // RFC 3720 B.4 lists the CRC as the bytes sent (little-endian): "aa 36 91 8a" is 0x8a9136aa.
  const std::string read_pdu =
      bytes({0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
             0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
             0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
  return {
      {"123456789", 0xe3069283u},  // the CRC catalogue's check value for CRC-32C
      {std::string(32, '\0'), 0x8a9136aau},
      {std::string(32, '\xff'), 0x62a8ab43u},
      {ascending, 0x46dd794eu},
      {descending, 0x113fdb5cu},
      {read_pdu, 0xd9963a56u},
      {"", 0u},
  };
}

TEST(Crc32cTest, PublishedVectors) {
  for (const auto& v : published()) {
    EXPECT_EQ(crc32c(0, v.input), v.crc) << v.input.size() << " bytes";
    EXPECT_EQ(crc32c_portable(0, v.input), v.crc) << v.input.size() << " bytes";
  }
}

TEST(Crc32cTest, ContinuesAcrossPiecesAtEveryCut) {
  const auto vectors = published();
  const std::string& pdu = vectors[5].input;
  for (std::size_t cut = 0; cut <= pdu.size(); ++cut) {
    const std::string a = pdu.substr(0, cut), b = pdu.substr(cut);
    EXPECT_EQ(crc32c(crc32c(0, a), b), 0xd9963a56u) << "cut at " << cut;
    EXPECT_EQ(crc32c_portable(crc32c_portable(0, a), b), 0xd9963a56u) << "cut at " << cut;
  }
}

TEST(Crc32cTest, BothPathsAgreeOnUnalignedLengthsAndOffsets) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>((i * 131 + 7) & 0xff));
  for (std::size_t offset = 0; offset < 9; ++offset) {
    for (std::size_t len : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 65u, 500u}) {
      const std::string_view piece(data.data() + offset, len);
      EXPECT_EQ(crc32c(0, piece), crc32c_portable(0, piece)) << offset << "+" << len;
    }
  }
}

}  // namespace
}  // namespace hallq::store
