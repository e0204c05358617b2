// What the hall screen's check-in QR code (签到二维码) carries at an instant:
// the [checkin] url with "{hall}" replaced by the hall id and "{token}" by
// the hall's check-in token of that ten-minute slot (keys/checkin_token.h),
// e.g. https://q.example.gov.cn/c/town?k=nSo3V-ZkY4CwZbkZ_-1_nQ. The screen
// asks again every frame; the answer changes when the slot does.
//
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>

#include "displays/screens/screen_config.h"
#include "engine/core/types.h"

namespace hallq::display {

// `secret`: the raw ticket secret (keys::read_ticket_secret_file).
std::string checkin_url(const CheckinConfig& checkin, std::string_view secret, std::string_view hall,
                        core::TimeUs t, int utc_offset_min);

}  // namespace hallq::display
