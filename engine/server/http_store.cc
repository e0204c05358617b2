#include "engine/server/http_store.h"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

#include "engine/server/history_worker.h"
#include "engine/server/http_history.h"
#include "engine/server/server.h"
#include "engine/store/event_store.h"

namespace hallq::server {

void use_store(HttpApiOptions& options, store::EventStore& store, Server& server,
               std::vector<std::shared_ptr<const core::HallConfig>> halls) {
  if (!options.post) throw std::invalid_argument("use_store: options.post is not set");
  options.history = [worker = std::make_shared<HistoryWorker>(),
                     read = make_history_reader(store, std::move(halls)), post = options.post](
                        std::string_view hall, const std::map<std::string, std::string>& query,
                        std::function<void(HistoryAnswer)> done) {
    const bool queued = worker->try_run([read, post, done, hall = std::string(hall), query] {
      HistoryAnswer answer;
      try {
        answer = read(hall, query);
      } catch (const std::exception& e) {  // a failing store
        answer.failure = fmt::format("历史统计读取失败：{}", e.what());
      }
      post([done, answer = std::move(answer)]() mutable { done(std::move(answer)); });
    });
    if (!queued) done({.failure = "历史统计查询过多，请稍后再试", .failure_status = 503});
  };
  options.audit = [&server](std::string record, std::function<void(const std::string&)> done) {
    server.audit(std::move(record), std::move(done));
  };
  options.read_audit = [&store, &server](std::uint64_t from,
                                         const std::function<bool(std::uint64_t, std::string_view)>& fn) {
    server.settle();
    store.for_each_audit(from, fn);
  };
}

}  // namespace hallq::server
