// The dashboard's files over HTTP: GET /, /static/{file} (under the web
// root; letters, digits, '-', '_', '.', '/', never "..") and
// /vendor/chart.umd.js. Reads the file on each request.
// Stateless; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/server/http_reply.h"

namespace hallq::server {

// `parts`: the request path's parts (empty for "/"); `path`: the path as sent.
HttpOutcome static_file(const HttpApiOptions& options, const std::vector<std::string>& parts,
                        std::string_view path);

}  // namespace hallq::server
