#include "tests/chaos/workload.h"

#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/request_codec.h"

namespace hallq::chaos {

core::CommandBody Actor::next_command(std::string& scratch) {
  if (spec_.kind == ActorSpec::Kind::kKiosk) {
    if (!issued_.empty() && rng_() % 10 == 0) {
      scratch = issued_[rng_() % issued_.size()];
      return core::Cancel{scratch, core::LeaveReason::kCancelled};
    }
    const auto r = rng_() % 20;
    const core::Priority p = r == 0   ? core::Priority::kPriority
                             : r == 1 ? core::Priority::kAppointment
                                      : core::Priority::kNormal;
    return core::IssueTicket{spec_.services[rng_() % spec_.services.size()], p};
  }
  switch (step_) {
    case Step::kOpen:
      return core::OpenWindow{spec_.window, spec_.staff};
    case Step::kCall:
      return core::CallNext{spec_.window};
    case Step::kStart:
      if (rng_() % 8 == 0) return core::Recall{spec_.window};
      if (rng_() % 8 == 0) return core::SkipTicket{spec_.window};
      return core::StartService{spec_.window};
    case Step::kFinish:
      return core::Finish{spec_.window};
    case Step::kEvaluate:
      scratch = last_number_;
      return core::Evaluate{scratch, static_cast<int>(1 + rng_() % 5), spec_.window};
    case Step::kPause:
      return core::PauseWindow{spec_.window};
    case Step::kResume:
      return core::ResumeWindow{spec_.window};
  }
  return core::CallNext{spec_.window};
}

void Actor::after(bool ok, const protocol::DecodedReply& reply) {
  auto number = [&] {
    return reply.events.empty() ? std::string()
                                : protocol::describe_event(protocol::as_bytes(reply.events.back())).number;
  };
  if (spec_.kind == ActorSpec::Kind::kKiosk) {
    if (ok && !reply.events.empty()) {
      const auto e = protocol::describe_event(protocol::as_bytes(reply.events.back()));
      if (e.kind == "ticket_issued") issued_.push_back(e.number);
      if (issued_.size() > 50) issued_.erase(issued_.begin());
    }
    return;
  }
  if (reply.code == core::ErrorCode::kWindowClosed) {
    step_ = Step::kOpen;
    return;
  }
  if (reply.code == core::ErrorCode::kWindowPaused) {
    step_ = Step::kResume;
    return;
  }
  switch (step_) {
    case Step::kOpen:
      step_ = Step::kCall;
      break;
    case Step::kCall:
      if (ok)
        step_ = Step::kStart;
      else if (reply.code != core::ErrorCode::kQueueEmpty)
        step_ = Step::kFinish;  // still serving someone
      else if (rng_() % 4 == 0)
        step_ = Step::kPause;
      break;
    case Step::kStart: {
      const std::string kind =
          reply.events.empty() ? "" : protocol::describe_event(protocol::as_bytes(reply.events.back())).kind;
      if (!ok)
        step_ = Step::kCall;
      else if (kind == "ticket_skipped")
        step_ = Step::kCall;
      else if (kind == "service_started")
        step_ = Step::kFinish;
      break;  // recalled: try again
    }
    case Step::kFinish:
      if (ok) last_number_ = number();
      step_ = ok ? Step::kEvaluate : Step::kCall;
      break;
    case Step::kEvaluate:
      step_ = Step::kCall;
      break;
    case Step::kPause:
      step_ = ok ? Step::kResume : Step::kCall;
      break;
    case Step::kResume:
      step_ = ok ? Step::kCall : Step::kResume;
      break;
  }
}

void Actor::run(zmq::context_t& ctx, const std::string& endpoint, Ledger& ledger,
                std::atomic<std::uint64_t>& answers, const std::atomic<bool>& stop,
                std::chrono::milliseconds timeout) {
  client::Client c(ctx, endpoint, {.timeout = timeout, .attempts = 1});
  std::string scratch;
  while (!stop) {
    const std::string id = c.next_request_id();
    const std::string req = protocol::encode_request(id, spec_.hall, next_command(scratch));
    ledger.record_sent(id, {spec_.hall, req});
    if (!c.send(req)) return;
    // Wait as long as it takes (a slow engine is not a dead one) until the
    // checker says the engine was killed.
    std::optional<protocol::DecodedReply> r;
    while (!(r = c.receive(timeout)) || r->request_id != id) {
      if (!r && stop) return;  // the engine is gone: the request stays unanswered
    }
    ledger.record_answer(id, *r);
    ++answers;
    after(r->ok(), *r);
  }
}

}  // namespace hallq::chaos
