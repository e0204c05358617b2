// The HTTP API's access to the engine's store: history reads and the audit
// log (HttpApiOptions::history, audit, replace_audit, read_audit), each
// after Server::settle(), because while a batch is being written the store
// belongs to the engine's commit thread (commit_thread.h). hallqd and the
// HTTP fuzz target wire the API the same way through this one function.
//
// Thread: the functions it sets run on the server's io_context thread; the
// store and the server must outlive the options.
#pragma once

#include <memory>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/server/http_api.h"

namespace hallq::store {
class EventStore;
}

namespace hallq::server {

class Server;

void use_store(HttpApiOptions& options, store::EventStore& store, Server& server,
               std::vector<std::shared_ptr<const core::HallConfig>> halls);

}  // namespace hallq::server
