// Records the 好差评 platform refused (issue 21), over the managers' HTTP
// API: hallq-upload reports each one, managers read them.
//
//   POST /api/halls/{hall}/upload-rejections  {"record_id": "...", "status": 422, "reason": "..."}
//        one core command (RecordUploadRejection, engine/core/upload_rejection.h)
//        through HttpActions (group commit, audit record with the account as
//        `by`). The record id is the idempotency key: a repeat of the same
//        record id is answered with the first outcome ("duplicate": true) and
//        makes no second event, across hallqd restarts too (the engine keeps
//        request ids in its store; the newest RequestMemory::kCapacity =
//        16384 per hall). An Idempotency-Key header, if sent, must be the
//        record id (else 400). Roles: uploader and admin (HttpAuth::may_act);
//        a viewer gets 403.
//   GET  /api/halls/{hall}/upload-rejections?days=N
//        the UploadRejected events of the hall's last N local days (1..366,
//        default 30; today counts as one), newest first:
//        {"hall", "days", "from": "YYYY-MM-DD", "count",
//         "rejections": [{"record_id", "ticket" (the printed number if the
//         hall knew the ticket when it was recorded, else null), "status",
//         "reason", "at" ("YYYY-MM-DD HH:MM:SS", hall time), "at_us", "seq"}]}.
//        Read on hallqd's history worker (http_store.h), like /history;
//        every recorded event is listed (a record refused again later, after
//        the request id was forgotten, would be listed twice). Bad or unknown
//        parameters: 400 in Chinese.
//
// Thread: act and is_route on the io_context's thread; the reader on any
// thread that may read the store (the history worker).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/hall.h"
#include "engine/core/types.h"
#include "engine/server/http_actions.h"
#include "engine/server/http_api.h"
#include "engine/server/http_reply.h"

namespace hallq::store {
class EventStore;
}

namespace hallq::server {

// Whether the parts of a path under /api/halls/{hall}/ are this route.
bool is_upload_rejections(const std::vector<std::string>& parts);

// The POST: records the rejection in the body through `actions`.
void record_upload_rejection(HttpActions& actions, const core::Hall& hall, const HttpRequest& req,
                             const HttpActions::Record& record, HttpReply reply);

// Reads the GET's answer as of `now` (the engine's time); throws what a failing store throws.
using RejectionsReader = std::function<HistoryAnswer(
    std::string_view hall, const std::map<std::string, std::string>& query, core::TimeUs now)>;
RejectionsReader make_rejections_reader(const store::EventStore& store,
                                        std::vector<std::shared_ptr<const core::HallConfig>> halls);

}  // namespace hallq::server
