// The HTTP request reader's header limit holds however the bytes are split
// into reads: a header of exactly HttpRequestReader::kMaxHeaderBytes (request
// line, fields and the blank line) is read, one byte more is refused with 431,
// whether it arrives at once, byte by byte or in 4-byte pieces. (Beast's own
// limit accepted a header of 8,194 bytes in one read and refused it in small
// ones: the HTTP fuzz target found it, fuzz/regressions/http/header-limit-split.)
// A folded field (obs-fold) longer than Beast's 4 KiB cap is a malformed
// header, refused with 400 like other syntax errors, not 431
// (fuzz/regressions/http/obs-fold-over-4k).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/server/http_request_parse.h"

namespace hallq::server {
namespace {

struct Outcome {
  int requests = 0;
  int refusal = 0;  // status, 0 if none
};

// Feeds `bytes` in pieces of `piece` bytes (0: at once), the way a connection does.
Outcome read(const std::string& bytes, std::size_t piece) {
  Outcome out;
  HttpRequestReader reader(1 << 20);
  std::string buffer;
  for (std::size_t next = 0; next < bytes.size();) {
    const std::size_t n = piece == 0 ? bytes.size() : piece;
    buffer.append(bytes.substr(next, n));
    next += n;
    while (!buffer.empty()) {
      buffer.erase(0, reader.feed(buffer));
      if (reader.state() == HttpRequestReader::State::kRefused) {
        out.refusal = reader.refusal().status;
        return out;
      }
      if (reader.state() == HttpRequestReader::State::kNeedMore) break;
      reader.take();
      ++out.requests;
      reader.reset();
    }
  }
  return out;
}

// A GET whose header, blank line included, is `size` bytes.
std::string request_with_header_of(std::size_t size) {
  const std::string start = "GET /api/halls HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ";
  const std::string end = "\r\n\r\n";
  return start + std::string(size - start.size() - end.size(), 'p') + end;
}

TEST(HttpRequestReaderTest, TheHeaderLimitIsTheSameForEverySplit) {
  const std::size_t limit = HttpRequestReader::kMaxHeaderBytes;
  for (std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{4}, std::size_t{1000}}) {
    SCOPED_TRACE(piece);
    const Outcome at_limit = read(request_with_header_of(limit), piece);
    EXPECT_EQ(at_limit.requests, 1);
    EXPECT_EQ(at_limit.refusal, 0);
    for (std::size_t over : {limit + 1, limit + 2, limit + 100}) {
      const Outcome refused = read(request_with_header_of(over), piece);
      EXPECT_EQ(refused.requests, 0) << over;
      EXPECT_EQ(refused.refusal, 431) << over;
    }
  }
}

// A header that never ends is refused once more than the limit waits.
TEST(HttpRequestReaderTest, AHeaderThatNeverEndsIsRefusedAtTheLimit) {
  std::string endless = "GET / HTTP/1.1\r\nX-Pad: ";
  endless += std::string(HttpRequestReader::kMaxHeaderBytes, 'p');
  for (std::size_t piece : {std::size_t{0}, std::size_t{7}}) EXPECT_EQ(read(endless, piece).refusal, 431);
}

// A field folded onto a second line (obs-fold), over Beast's 4 KiB cap on a
// folded value, within the header limit: a syntax error (400), whether the
// header arrives at once or in pieces.
TEST(HttpRequestReaderTest, AnOverlongFoldedFieldIsABadRequestNotALargeHeader) {
  const std::string folded =
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + std::string(5000, 'p') + "\r\n\tmore\r\n\r\n";
  ASSERT_LT(folded.size(), HttpRequestReader::kMaxHeaderBytes);
  for (std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{4}, std::size_t{1000}}) {
    SCOPED_TRACE(piece);
    const Outcome o = read(folded, piece);
    EXPECT_EQ(o.requests, 0);
    EXPECT_EQ(o.refusal, 400);
  }
}

}  // namespace
}  // namespace hallq::server
