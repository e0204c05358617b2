#include "displays/screens/checkin_code.h"

#include "engine/keys/checkin_token.h"

namespace hallq::display {
namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace

std::string checkin_url(const CheckinConfig& checkin, std::string_view secret, std::string_view hall,
                        core::TimeUs t, int utc_offset_min) {
  std::string url = replace_all(checkin.url, "{hall}", hall);
  return replace_all(std::move(url), "{token}", keys::checkin_token_at(secret, hall, t, utc_offset_min));
}

}  // namespace hallq::display
