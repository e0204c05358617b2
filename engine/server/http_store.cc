#include "engine/server/http_store.h"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

#include "engine/server/history_worker.h"
#include "engine/server/http_evaluations.h"
#include "engine/server/http_history.h"
#include "engine/server/http_upload_rejections.h"
#include "engine/server/server.h"
#include "engine/store/event_store.h"

namespace hallq::server {

void use_store(HttpApiOptions& options, store::EventStore& store, Server& server,
               std::vector<std::shared_ptr<const core::HallConfig>> halls) {
  if (!options.post) throw std::invalid_argument("use_store: options.post is not set");
  const auto worker = std::make_shared<HistoryWorker>();
  // A read on the worker as of the engine's time when it was asked
  // (Server::now, on the engine's thread), answered on the engine's thread.
  auto source = [&worker, &server, post = options.post](RejectionsReader read,
                                                        std::string what) -> HistorySource {
    return [worker, &server, read = std::move(read), post, what = std::move(what)](
               std::string_view hall, const std::map<std::string, std::string>& query,
               std::function<void(HistoryAnswer)> done) {
      const core::TimeUs now = server.now();
      const bool queued = worker->try_run([read, post, done, what, hall = std::string(hall), query, now] {
        HistoryAnswer answer;
        try {
          answer = read(hall, query, now);
        } catch (const std::exception& e) {  // a failing store
          answer.failure = fmt::format("{}读取失败：{}", what, e.what());
        }
        post([done, answer = std::move(answer)]() mutable { done(std::move(answer)); });
      });
      if (!queued) done({.failure = fmt::format("{}查询过多，请稍后再试", what), .failure_status = 503});
    };
  };
  // The readers that need no time.
  auto untimed = [](HistoryReader read) -> RejectionsReader {
    return [read = std::move(read)](std::string_view hall, const std::map<std::string, std::string>& query,
                                    core::TimeUs) { return read(hall, query); };
  };
  options.history = source(untimed(make_history_reader(store, halls)), "历史统计");
  options.evaluation_records = source(untimed(make_records_reader(store, halls)), "评价记录");
  options.upload_rejections = source(make_rejections_reader(store, halls), "上报被拒记录");
  options.upload_resend_check = source(make_resend_checker(store, std::move(halls)), "重新上报检查");
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
