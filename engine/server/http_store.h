// The HTTP API's access to the engine's store (HttpApiOptions::history,
// audit, read_audit). The audit log is written by the engine's group commit
// (Server::audit), and read after Server::settle(), because while a batch is
// being written the store belongs to the engine's commit thread
// (commit_thread.h). History is read on a
// HistoryWorker of its own (history_worker.h: at most 8 reads waiting, more
// are answered 503) while the engine goes on, and answered through
// options.post on the engine's thread; it sees what is durable. hallqd and the
// HTTP fuzz target wire the API the same way through this one function.
//
// Thread: the functions it sets are called on the server's io_context
// thread; options.post must be set before the call. The store and the server
// must outlive the options (the worker, shared by copies of the options,
// finishes its queued reads when the last copy goes).
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
