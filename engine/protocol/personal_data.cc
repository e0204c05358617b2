// The withheld copy is rebuilt field by field from the verbatim one, so it
// needs no hall state or config: the engine makes it for its own events and
// for the events a standby follows alike.
#include "engine/protocol/personal_data.h"

#include "engine/protocol/event_codec.h"
#include "engine/protocol/hallq_generated.h"
#include "engine/protocol/wire_util.h"

namespace hallq::protocol {
namespace {

namespace w = wire;
using detail::view;

}  // namespace

std::string private_topic_of(std::string_view hall) {
  return std::string(kPrivateTopicPrefix) + topic_of(hall);
}

bool carries_personal_data(Bytes event) {
  const w::Event* ev = w::GetMessage(event.data())->body_as_Event();
  if (ev == nullptr) return false;
  if (ev->body_type() == w::EventBody::BookingMade || ev->body_type() == w::EventBody::RemoteTicketIssued)
    return true;
  // The platform's reason for refusing a record may quote the record.
  if (const w::UploadRejected* u = ev->body_as_UploadRejected())
    return u->reason() != nullptr && u->reason()->size() > 0;
  // A citizen's free-text comment may name them or give a phone number.
  if (const w::TicketEvaluated* e = ev->body_as_TicketEvaluated())
    return e->comment() != nullptr && e->comment()->size() > 0;
  // The work order a 差评 opens copies its comment.
  if (const w::WorkOrderOpened* o = ev->body_as_WorkOrderOpened())
    return o->comment() != nullptr && o->comment()->size() > 0;
  // So may a manager's note of a 差评's follow-up (what the citizen said on the phone).
  if (const w::WorkOrderCalledBack* c = ev->body_as_WorkOrderCalledBack())
    return c->note() != nullptr && c->note()->size() > 0;
  if (const w::WorkOrderRectified* r = ev->body_as_WorkOrderRectified())
    return r->note() != nullptr && r->note()->size() > 0;
  return false;
}

std::string withhold_personal_data(Bytes event) {
  const w::Event* ev = w::GetMessage(event.data())->body_as_Event();
  if (ev == nullptr) return {};
  flatbuffers::FlatBufferBuilder fbb(256);
  auto str = [&](const flatbuffers::String* s) {
    const std::string_view v = view(s);
    return fbb.CreateString(v.data(), v.size());
  };
  flatbuffers::Offset<void> body;
  if (const w::BookingMade* b = ev->body_as_BookingMade()) {
    auto service = str(b->service());
    body = w::CreateBookingMade(fbb, b->code(), service, b->day(), b->slot_min(), fbb.CreateString(""),
                                fbb.CreateString(""))
               .Union();
  } else if (const w::RemoteTicketIssued* r = ev->body_as_RemoteTicketIssued()) {
    auto service = str(r->service());
    body = w::CreateRemoteTicketIssued(fbb, service, r->number_seq(), r->code(), fbb.CreateString(""),
                                       fbb.CreateString(""), r->ahead(), r->predicted_wait_s())
               .Union();
  } else if (const w::TicketEvaluated* e = ev->body_as_TicketEvaluated()) {
    std::vector<flatbuffers::Offset<flatbuffers::String>> reasons;
    if (e->reasons())
      for (const flatbuffers::String* r : *e->reasons()) reasons.push_back(str(r));
    auto reasons_vec = e->reasons() ? fbb.CreateVector(reasons) : 0;
    body =
        w::CreateTicketEvaluated(fbb, e->level(), reasons_vec, 0, e->channel(), e->supplementary()).Union();
  } else if (const w::WorkOrderOpened* o = ev->body_as_WorkOrderOpened()) {
    std::vector<flatbuffers::Offset<flatbuffers::String>> reasons;
    if (o->reasons())
      for (const flatbuffers::String* r : *o->reasons()) reasons.push_back(str(r));
    auto reasons_vec = o->reasons() ? fbb.CreateVector(reasons) : 0;
    body = w::CreateWorkOrderOpened(fbb, o->due_day(), reasons_vec, 0).Union();
  } else if (const w::WorkOrderCalledBack* c = ev->body_as_WorkOrderCalledBack()) {
    auto by = str(c->by());
    body = w::CreateWorkOrderCalledBack(fbb, c->reached(), fbb.CreateString(""), by).Union();
  } else if (const w::WorkOrderRectified* r = ev->body_as_WorkOrderRectified()) {
    auto by = str(r->by());
    body = w::CreateWorkOrderRectified(fbb, fbb.CreateString(""), by).Union();
  } else if (const w::UploadRejected* u = ev->body_as_UploadRejected()) {
    auto record_id = str(u->record_id());
    body = w::CreateUploadRejected(fbb, record_id, u->status(), fbb.CreateString("")).Union();
  } else {
    return {};
  }
  auto hall = str(ev->hall());
  // The request id goes too: a client may build it from the person (`hallq
  // appointments import` does), and no subscriber needs it.
  auto request_id = fbb.CreateString("");
  auto number = ev->number() != nullptr ? str(ev->number()) : flatbuffers::Offset<flatbuffers::String>();
  auto out = w::CreateEvent(fbb, hall, ev->seq(), ev->time_us(), request_id, ev->ticket(), number,
                            ev->window_number(), ev->body_type(), body);
  w::FinishMessageBuffer(fbb, w::CreateMessage(fbb, w::Body::Event, out.Union()));
  return detail::bytes_of(fbb);
}

}  // namespace hallq::protocol
