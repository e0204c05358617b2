// What every verb that reads or writes the NATS cluster takes (hallq halls,
// hallq move-hall): --nats URL[,URL...] and --nats-credentials FILE, both
// required, and the connection options they give.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "engine/replicate/nats_connection.h"

namespace hallq::cli {

// `credentials_help`: which user's credentials the verb needs.
void add_nats_options(CLI::App& verb, std::string& nats, std::string& credentials,
                      const std::string& credentials_help);
// The wall clock as leases in the owners bucket count it (ms since the epoch).
std::int64_t wall_ms();
// Throws replicate::ReplicateError for a bad URL list.
replicate::NatsConnection::Options nats_options(const std::string& nats, const std::string& credentials,
                                                const char* name);

}  // namespace hallq::cli
