#include "engine/server/http_store.h"

#include <utility>

#include "engine/server/http_history.h"
#include "engine/server/server.h"
#include "engine/store/event_store.h"

namespace hallq::server {

void use_store(HttpApiOptions& options, store::EventStore& store, Server& server,
               std::vector<std::shared_ptr<const core::HallConfig>> halls) {
  options.history = [&server, history = make_history_source(store, std::move(halls))](
                        std::string_view hall, const std::map<std::string, std::string>& query) {
    server.settle();
    return history(hall, query);
  };
  options.audit = [&store, &server](const std::string& record) {
    server.settle();
    return store.append_audit(record);
  };
  options.replace_audit = [&store, &server](std::uint64_t number, const std::string& record) {
    server.settle();
    store.replace_audit(number, record);
  };
  options.read_audit = [&store, &server](std::uint64_t from,
                                         const std::function<bool(std::uint64_t, std::string_view)>& fn) {
    server.settle();
    store.for_each_audit(from, fn);
  };
}

}  // namespace hallq::server
