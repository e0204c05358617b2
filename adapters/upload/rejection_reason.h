// The platform's reason for refusing a record, made fit for hallqd
// (core::upload_rejection_problem: 1..500 characters of printable UTF-8):
// control characters and line breaks become spaces (runs of them one
// space), malformed UTF-8 becomes U+FFFD, leading and trailing spaces go,
// and it is cut to 500 characters; an empty one becomes "HTTP STATUS".
// The local HALL.rejected keeps the reason as the platform sent it (cut to
// 500 bytes, upload_state.h). Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace hallq::upload {

inline constexpr std::size_t kMaxReasonChars = 500;

std::string reason_for_engine(std::string_view raw, int status);

}  // namespace hallq::upload
