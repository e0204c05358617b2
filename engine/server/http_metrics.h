// GET /metrics: the engine's, its sockets' and the HTTP API's counters and every hall's
// gauges, of the halls `visible` admits (waiting, predicted and longest waits per service; open, busy and
// served per window; satisfaction and alerts) in Prometheus' text format
// (version 0.0.4).
// Thread: the io_context's thread only (it reads the engine's halls).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "engine/core/types.h"
#include "engine/server/http_api.h"
#include "engine/server/server.h"

namespace hallq::server {

std::string metrics_text(const Engine& engine, const HttpApi::Counters& http,
                         const Server::EdgeCounters& edge, core::TimeUs now,
                         const std::function<bool(std::string_view hall)>& visible);

}  // namespace hallq::server
