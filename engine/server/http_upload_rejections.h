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
//        record id (else 400). The rejection of a re-sent record carries
//        "resend": N (1..999999, the record's `resend`) and is keyed
//        RECORD_ID~rN: a rejection of its own, recorded again. Roles: uploader and admin (HttpAuth::may_act);
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
//        the request id was forgotten, would be listed twice). Each carries
//        "resend": {"at", "at_us", "seq"} of the first re-send request after
//        it (before a later rejection of the same record), else null,
//        "accepted": {"at", "at_us", "seq"} of the platform's acceptance of
//        that re-send (the first UploadResendAccepted of the record after
//        the request, before a later rejection), else null, and
//        "rejected_again": whether a later rejection of the same record is
//        listed. Bad or unknown parameters: 400 in Chinese.
//   POST /api/halls/{hall}/upload-rejections/{record_id}/resend
//        a manager (admin role; http_auth.h) asks for the record to be sent
//        again once its cause is fixed: one core command (RequestUploadResend,
//        engine/core/upload_rejection.h) through HttpActions, Idempotency-Key
//        as any action. First the history worker reads the log of the last
//        stats::records_lookback_days local days (the records API can rebuild
//        no older record): no UploadRejected of that record there, 404; its
//        last rejection already followed by a re-send request, 409 — unless
//        that request is this one's retry (same Idempotency-Key), which the
//        engine answers with its first outcome. An id not of the hall's two
//        forms: the core's 400. The router runs the requests of one record
//        one at a time, each from its read to its answer (resend_gate.h),
//        so of two different requests at the same instant exactly one is
//        accepted and the other, reading the first's event, gets 409. A
//        record whose last re-send the platform accepted: 409 (unless a retry
//        of that request).
//   POST /api/halls/{hall}/upload-rejections/{record_id}/accepted  {"resend": N}
//        hallq-upload reports that the platform accepted the record's Nth
//        re-send: one core command (RecordUploadAcceptance) through
//        HttpActions; roles uploader and admin, like the rejection's report.
//        Idempotency-Key, if sent, must be RECORD_ID~rN; the engine's
//        request id is then "http:acc-" + the id without the hall + "~rN".
//        Read from the log first (the same look-back and gate as /resend):
//        no rejection of the record, 404; no re-send requested after it,
//        409 not_resent; N above the number of re-send requests, 409
//        resend_not_requested; an acceptance of N already recorded, 409
//        already_accepted, unless this is a retry of the request that
//        recorded it (its key, still remembered by the engine), which gets
//        its first outcome ("duplicate": true). A body that is not an
//        object, has fields other than resend or a resend not 1..999999:
//        400. All in Chinese, nothing recorded.
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

// Whether the parts are .../upload-rejections/{record_id}/resend.
bool is_upload_resend(const std::vector<std::string>& parts);

// The POST .../resend, once `check` (the answer of make_resend_checker's
// reader, query {"record_id": ...}) is in.
void request_upload_resend(HttpActions& actions, const core::Hall& hall, const std::string& record_id,
                           const HttpRequest& req, const HistoryAnswer& check,
                           const HttpActions::Record& record, HttpReply reply);

// Reads the GET's answer as of `now` (the engine's time); throws what a failing store throws.
using RejectionsReader = std::function<HistoryAnswer(
    std::string_view hall, const std::map<std::string, std::string>& query, core::TimeUs now)>;
RejectionsReader make_rejections_reader(const store::EventStore& store,
                                        std::vector<std::shared_ptr<const core::HallConfig>> halls);

// Whether the parts are .../upload-rejections/{record_id}/accepted.
bool is_upload_acceptance(const std::vector<std::string>& parts);

// The POST .../accepted, once `check` (make_resend_checker's answer) is in.
void record_upload_acceptance(HttpActions& actions, const core::Hall& hall, const std::string& record_id,
                              const HttpRequest& req, const HistoryAnswer& check,
                              const HttpActions::Record& record, HttpReply reply);

// What the log says of one record for a re-send or its acceptance, as of
// `now`: query {"record_id": ...}; JSON {"days", "rejected": bool (within
// the days), "pending": bool (a re-send request after its last rejection,
// its outcome not reported), "pending_request": the last request's id,
// "requests": the re-send requests after its first rejection (the Nth is
// re-send N), "accepted": [{"resend", "request_id"}] the acceptances
// recorded, "accepted_last": whether the last request's re-send was
// accepted}.
RejectionsReader make_resend_checker(const store::EventStore& store,
                                     std::vector<std::shared_ptr<const core::HallConfig>> halls);

}  // namespace hallq::server
