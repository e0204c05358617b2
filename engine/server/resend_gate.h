// One re-send request (重新上报, http_upload_rejections.h) of a record at a
// time. Whether a re-send may be asked for is read from the log (on the
// history worker: no rejection, 404; one already pending, 409) before the
// command is submitted; two requests of one record whose reads both came
// before either's commit would both pass. The gate runs the requests of
// one record (hall and record id) one after another, each from its read
// to its answer, which leaves only after the commit that makes its event
// durable (or after its refusal): the next one's read then sees the event
// of the one before, whatever the timing. The log stays the only record of
// what is pending (a restart loses nothing: the gate holds no decision).
// Requests of other records are not held up.
//
// Thread: the io_context's thread only (the engine's, where commands are
// serialised); steps start on it and must call their `finished` on it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace hallq::server {

class ResendGate {
 public:
  using Finished = std::function<void()>;
  using Step = std::function<void(Finished finished)>;

  ResendGate();
  ~ResendGate();
  ResendGate(const ResendGate&) = delete;
  ResendGate& operator=(const ResendGate&) = delete;

  // Runs `step` now if no step of (hall, record_id) is running, else after
  // the ones queued before it have called `finished`. A step calls it once,
  // when its answer is out (later calls do nothing); one that never calls
  // it holds its record's later requests until the gate is destroyed,
  // which drops them (`finished` after that does nothing).
  void run(const std::string& hall, const std::string& record_id, Step step);

  // Records with a step running; requests waiting behind them.
  std::size_t busy() const;
  std::size_t waiting() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace hallq::server
