// Writing a secret file that must never replace another: created with
// O_CREAT|O_EXCL and its mode set at creation (so a 0600 file is never
// readable by others, not even for a moment), written in full and fsynced.
// Used for CURVE key files (curve_keys.h) and the person-hash salt
// (person_hash.h).
//
// Errors: KeyFileError naming the file (already exists, cannot create, cannot
// write); a file that could not be written in full is removed. Any thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace hallq::keys {

void write_exclusive(const std::string& path, std::string_view bytes, mode_t mode);

}  // namespace hallq::keys
