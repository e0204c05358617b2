// The uploader's loop: for each configured hall, in turn, reads the 好差评
// records after its cursor from hallqd (GET /api/halls/HALL/evaluation-records,
// logging in first when an account is configured, again after a 401) and
// POSTs each, in order, to the platform with its record id as the
// Idempotency-Key header (the id is in the body too). A record is retried
// with backoff (adapters/outbound/backoff.h) on a connection error, a timeout, 408, 429 and
// 5xx, for as long as it takes (days of outage included): nothing after it
// is sent before it. Any other answer is final: 2xx accepted, anything else
// a rejection, kept with the platform's reason: first in the local
// HALL.rejected (upload_state.h), then reported to hallqd (POST
// /api/halls/HALL/upload-rejections, the record id as Idempotency-Key,
// retried with the same backoff while hallqd is unreachable or answers 5xx;
// a duplicate means already recorded), so that managers see it. An account
// that may not report (a viewer: 403) or a report hallqd refuses (400) is
// logged as a warning and the local line is all there is. The cursor moves
// past a record only once its outcome is final and durable, and for a
// rejection only after the report. A re-sent record (its JSON's "resend":
// N) is sent and reported like any, under send_key; once the platform
// accepts it, the acceptance is reported to hallqd (POST
// .../upload-rejections/ID/accepted {"resend": N}, the same key, retried
// and logged in again like a rejection's report; 409 already_accepted
// means recorded before) and only then does the cursor move. hallqd
// unreachable: the read is retried with the same backoff.
//
// Thread: one owner; blocks in run(). `stopping` is polled between steps and
// during waits (every 50 ms); `log` gets one line per outcome.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/outbound/backoff.h"
#include "adapters/upload/upload_config.h"
#include "adapters/upload/upload_state.h"

namespace hallq::upload {

// The Idempotency-Key a record goes with: its id for its first send, and
// "ID~rN" for its Nth re-send (a record hallqd yields again with "resend": N
// once a manager asks, evaluation_record.h): a platform may have kept its
// 4xx for the first key and would answer a re-send under it the same way.
// Its rejection is reported to hallqd under the same key.
std::string send_key(const std::string& id, int resend);

class Uploader {
 public:
  Uploader(UploadConfig config, UploadState& state, std::function<void(const std::string&)> log,
           std::function<bool()> stopping);

  // Uploads until stopping() (polling every poll_ms when there is nothing new).
  void run();
  // One pass over every hall (everything there is now); false if stopped.
  bool pass(bool& found_any);

 private:
  // The records page after `after`, or false if stopped while retrying.
  bool read_page(const std::string& hall, std::uint64_t after, std::string& body);
  // Sends one record until its outcome is final; false if stopped first.
  bool send(const std::string& hall, const std::string& id, int resend, std::uint64_t seq,
            const std::string& json);
  // Reports a rejection to hallqd until it is recorded or refused for good;
  // false if stopped first.
  bool report_rejection(const std::string& hall, const std::string& id, int resend, int status,
                        const std::string& reason);
  // Reports the platform's acceptance of re-send `resend` to hallqd, likewise.
  bool report_acceptance(const std::string& hall, const std::string& id, int resend);
  // One report to hallqd: POSTed until 200 or `recorded_before` (a repeat),
  // logged in again after a 401, retried with backoff while hallqd is
  // unreachable or answers 5xx/408/429; another 4xx is a warning (true).
  struct Report {
    std::string target, body, key;
    std::string done, retry, warning, otherwise;  // what the log lines say
    std::function<bool(int status, const nlohmann::json& answer)> recorded_before;
  };
  bool report(const std::string& hall, const Report& what);
  bool login();
  // Waits `ms` unless stopped; false if stopped.
  bool wait(std::chrono::milliseconds ms);

  UploadConfig config_;
  UploadState& state_;
  std::function<void(const std::string&)> log_;
  std::function<bool()> stopping_;
  outbound::Backoff backoff_;
  std::string cookie_;  // the engine session's "name=value"
  std::string csrf_;    // the session's X-CSRF-Token (actions need it)
};

}  // namespace hallq::upload
