// The uploader's loop: for each configured hall, in turn, reads the 好差评
// records after its cursor from hallqd (GET /api/halls/HALL/evaluation-records,
// logging in first when an account is configured, again after a 401) and
// POSTs each, in order, to the platform with its record id as the
// Idempotency-Key header (the id is in the body too). A record is retried
// with backoff (backoff.h) on a connection error, a timeout, 408, 429 and
// 5xx, for as long as it takes (days of outage included): nothing after it
// is sent before it. Any other answer is final: 2xx accepted, anything else
// a rejection, kept with the platform's reason (upload_state.h). The cursor
// moves past a record only once its outcome is final and durable. hallqd
// unreachable: the read is retried with the same backoff.
//
// Thread: one owner; blocks in run(). `stopping` is polled between steps and
// during waits (every 50 ms); `log` gets one line per outcome.
#pragma once

#include <functional>
#include <string>

#include "adapters/upload/backoff.h"
#include "adapters/upload/upload_config.h"
#include "adapters/upload/upload_state.h"

namespace hallq::upload {

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
  bool send(const std::string& hall, const std::string& id, std::uint64_t seq, const std::string& json);
  bool login();
  // Waits `ms` unless stopped; false if stopped.
  bool wait(std::chrono::milliseconds ms);

  UploadConfig config_;
  UploadState& state_;
  std::function<void(const std::string&)> log_;
  std::function<bool()> stopping_;
  Backoff backoff_;
  std::string cookie_;  // the engine session's "name=value"
};

}  // namespace hallq::upload
