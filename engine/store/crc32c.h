// CRC32C (Castagnoli, polynomial 0x1EDC6F41 reflected 0x82F63B78), as the
// commit log's records carry it (engine/store/commit_log.h). Uses the SSE4.2
// crc32 instruction when the processor has it (checked once at run time), a
// slicing-by-8 table otherwise; both give the same values.
// Pure; any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace hallq::store {

// The CRC32C of `bytes`, continuing from `crc` (0 to start):
// crc32c(crc32c(0, a), b) == crc32c(0, a + b).
std::uint32_t crc32c(std::uint32_t crc, std::string_view bytes);

// The table-driven computation alone, whatever the processor (for tests
// that compare both paths).
std::uint32_t crc32c_portable(std::uint32_t crc, std::string_view bytes);

// Whether crc32c() uses the processor's instruction on this machine.
bool crc32c_hardware();

}  // namespace hallq::store
