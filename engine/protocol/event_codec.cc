// Event and heartbeat encoding. Decoding maps string ids back to the indices
// of the receiver's config, so replicas work even if their config lists the
// same services and windows in another order.
#include "engine/protocol/event_codec.h"

#include <fmt/format.h>

#include "engine/core/overloaded.h"
#include "engine/core/upload_rejection.h"
#include "engine/protocol/hallq_generated.h"
#include "engine/protocol/wire_util.h"

namespace hallq::protocol {
namespace {

using core::Overloaded;
using detail::bytes_of;
using detail::copy;
using detail::view;

namespace w = wire;
using core::ErrorCode;
using core::Status;

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<w::SkillRef>>> skill_refs(
    flatbuffers::FlatBufferBuilder& fbb, const core::HallConfig& cfg,
    const std::vector<core::Skill>& skills) {
  std::vector<flatbuffers::Offset<w::SkillRef>> refs;
  for (const core::Skill& k : skills)
    refs.push_back(w::CreateSkillRefDirect(fbb, cfg.services[k.service].id.c_str(), k.level));
  return fbb.CreateVector(refs);
}

// With their lengths: the strings are copied whole.
flatbuffers::Offset<void> device_reported(flatbuffers::FlatBufferBuilder& fbb,
                                          const core::DeviceReported& b) {
  auto device = fbb.CreateString(b.device);
  auto kind = fbb.CreateString(b.kind);
  auto detail = fbb.CreateString(b.detail);
  return w::CreateDeviceReported(fbb, device, kind, static_cast<w::DeviceState>(b.state), detail).Union();
}

}  // namespace

std::string topic_of(std::string_view hall) { return fmt::format("hall/{}/", hall); }

std::string encode_event(const core::Hall& hall, const core::Event& e, std::string_view request_id) {
  const core::HallConfig& cfg = hall.config();
  flatbuffers::FlatBufferBuilder fbb(256);
  auto str = [&](std::string_view s) { return fbb.CreateString(s.data(), s.size()); };
  auto window_id = [&](core::WindowIdx win) { return str(cfg.windows[win].id); };

  core::TicketId ticket = 0;
  int window_number = 0;
  w::EventBody type = w::EventBody::NONE;
  flatbuffers::Offset<void> body;
  auto named = [&](core::WindowIdx win) { window_number = cfg.windows[win].number; };

  std::visit(
      Overloaded{
          [&](const core::TicketIssued& b) {
            ticket = b.ticket;
            type = w::EventBody::TicketIssued;
            body = w::CreateTicketIssued(fbb, str(cfg.services[b.service].id), b.number,
                                         static_cast<w::Priority>(b.priority), b.ahead, b.predicted_wait_s)
                       .Union();
          },
          [&](const core::WindowOpened& b) {
            named(b.window);
            type = w::EventBody::WindowOpened;
            auto win = window_id(b.window);
            body = w::CreateWindowOpened(fbb, win, str(b.staff)).Union();
          },
          [&](const core::StaffChanged& b) {
            named(b.window);
            type = w::EventBody::StaffChanged;
            auto win = window_id(b.window);
            body = w::CreateStaffChanged(fbb, win, str(b.staff)).Union();
          },
          [&](const core::WindowClosed& b) {
            named(b.window);
            type = w::EventBody::WindowClosed;
            body = w::CreateWindowClosed(fbb, window_id(b.window)).Union();
          },
          [&](const core::WindowPaused& b) {
            named(b.window);
            type = w::EventBody::WindowPaused;
            body = w::CreateWindowPaused(fbb, window_id(b.window)).Union();
          },
          [&](const core::WindowResumed& b) {
            named(b.window);
            type = w::EventBody::WindowResumed;
            body = w::CreateWindowResumed(fbb, window_id(b.window)).Union();
          },
          [&](const core::TicketCalled& b) {
            ticket = b.ticket;
            named(b.window);
            type = w::EventBody::TicketCalled;
            body = w::CreateTicketCalled(fbb, window_id(b.window)).Union();
          },
          [&](const core::TicketRecalled& b) {
            ticket = b.ticket;
            named(b.window);
            type = w::EventBody::TicketRecalled;
            body = w::CreateTicketRecalled(fbb, window_id(b.window)).Union();
          },
          [&](const core::ServiceStarted& b) {
            ticket = b.ticket;
            named(b.window);
            type = w::EventBody::ServiceStarted;
            body = w::CreateServiceStarted(fbb, window_id(b.window)).Union();
          },
          [&](const core::TicketSkipped& b) {
            ticket = b.ticket;
            named(b.window);
            type = w::EventBody::TicketSkipped;
            body = w::CreateTicketSkipped(fbb, window_id(b.window)).Union();
          },
          [&](const core::TicketRequeued& b) {
            ticket = b.ticket;
            type = w::EventBody::TicketRequeued;
            body = w::CreateTicketRequeued(fbb, b.queue_key, b.returning).Union();
          },
          [&](const core::TicketHeld& b) {
            ticket = b.ticket;
            named(b.window);
            type = w::EventBody::TicketHeld;
            body = w::CreateTicketHeld(fbb, window_id(b.window)).Union();
          },
          [&](const core::TicketTransferred& b) {
            ticket = b.ticket;
            named(b.window);
            type = w::EventBody::TicketTransferred;
            auto win = window_id(b.window);
            body = w::CreateTicketTransferred(fbb, win, str(cfg.services[b.service].id)).Union();
          },
          [&](const core::TicketFinished& b) {
            ticket = b.ticket;
            named(b.window);
            type = w::EventBody::TicketFinished;
            auto win = window_id(b.window);
            body = w::CreateTicketFinished(fbb, win, b.case_number.empty() ? 0 : str(b.case_number)).Union();
          },
          [&](const core::TicketEvaluated& b) {
            ticket = b.ticket;
            // A supplementary rating (补充评价) was given on the phone, at no window.
            const core::Ticket* t = b.supplementary ? nullptr : hall.find_ticket(b.ticket);
            if (t != nullptr && t->window != core::kNoWindow) named(t->window);
            type = w::EventBody::TicketEvaluated;
            std::vector<flatbuffers::Offset<flatbuffers::String>> reasons;
            for (const std::string& r : b.reasons) reasons.push_back(str(r));
            auto reasons_vec = reasons.empty() ? 0 : fbb.CreateVector(reasons);
            auto comment = b.comment.empty() ? 0 : str(b.comment);
            body = w::CreateTicketEvaluated(fbb, b.level, reasons_vec, comment,
                                            static_cast<w::EvaluationChannel>(b.channel), b.supplementary)
                       .Union();
          },
          [&](const core::TicketLeft& b) {
            ticket = b.ticket;
            type = w::EventBody::TicketLeft;
            body = w::CreateTicketLeft(fbb, static_cast<w::LeaveReason>(b.reason)).Union();
          },
          [&](const core::DayRolled& b) {
            type = w::EventBody::DayRolled;
            body = w::CreateDayRolled(fbb, b.day).Union();
          },
          [&](const core::NoticeChanged& b) {
            type = w::EventBody::NoticeChanged;
            body = w::CreateNoticeChanged(fbb, fbb.CreateString(b.text)).Union();
          },
          [&](const core::DeviceReported& b) {
            type = w::EventBody::DeviceReported;
            body = device_reported(fbb, b);
          },
          [&](const core::BookingMade& b) {
            type = w::EventBody::BookingMade;
            auto service = str(cfg.services[b.service].id), person = str(b.person), phone = str(b.phone);
            body = w::CreateBookingMade(fbb, b.code, service, b.day, static_cast<std::int16_t>(b.slot_min),
                                        person, phone)
                       .Union();
          },
          [&](const core::BookingCancelled& b) {
            type = w::EventBody::BookingCancelled;
            body = w::CreateBookingCancelled(fbb, b.code).Union();
          },
          [&](const core::BookingCheckedIn& b) {
            ticket = b.ticket;
            type = w::EventBody::BookingCheckedIn;
            body = w::CreateBookingCheckedIn(fbb, b.code).Union();
          },
          [&](const core::BookingMissed& b) {
            type = w::EventBody::BookingMissed;
            body = w::CreateBookingMissed(fbb, b.code).Union();
          },
          [&](const core::RemoteTicketIssued& b) {
            ticket = b.ticket;
            type = w::EventBody::RemoteTicketIssued;
            auto service = str(cfg.services[b.service].id), person = str(b.person), phone = str(b.phone);
            body = w::CreateRemoteTicketIssued(fbb, service, b.number, b.code, person, phone, b.ahead,
                                               b.predicted_wait_s)
                       .Union();
          },
          [&](const core::RemoteCheckedIn& b) {
            ticket = b.ticket;
            type = w::EventBody::RemoteCheckedIn;
            body = w::CreateRemoteCheckedIn(fbb).Union();
          },
          [&](const core::RemoteTurnCame& b) {
            ticket = b.ticket;
            type = w::EventBody::RemoteTurnCame;
            body = w::CreateRemoteTurnCame(fbb, b.until).Union();
          },
          [&](const core::RemoteMissed& b) {
            ticket = b.ticket;
            type = w::EventBody::RemoteMissed;
            body = w::CreateRemoteMissed(fbb).Union();
          },
          [&](const core::WorkOrderOpened& b) {
            ticket = b.ticket;
            type = w::EventBody::WorkOrderOpened;
            std::vector<flatbuffers::Offset<flatbuffers::String>> reasons;
            for (const std::string& r : b.reasons) reasons.push_back(str(r));
            auto reasons_vec = reasons.empty() ? 0 : fbb.CreateVector(reasons);
            auto comment = b.comment.empty() ? 0 : str(b.comment);
            body = w::CreateWorkOrderOpened(fbb, b.due_day, reasons_vec, comment).Union();
          },
          [&](const core::WorkOrderCalledBack& b) {
            ticket = b.ticket;
            type = w::EventBody::WorkOrderCalledBack;
            auto note = str(b.note), by = str(b.by);
            body = w::CreateWorkOrderCalledBack(fbb, b.reached, note, by).Union();
          },
          [&](const core::WorkOrderRectified& b) {
            ticket = b.ticket;
            type = w::EventBody::WorkOrderRectified;
            auto note = str(b.note), by = str(b.by);
            body = w::CreateWorkOrderRectified(fbb, note, by).Union();
          },
          [&](const core::UploadRejected& b) {
            // The ticket the record names, if the hall still knows it (its number goes along).
            if (auto ref = core::parse_upload_record_id(cfg.id, b.record_id))
              if (hall.find_ticket(ref->ticket) != nullptr || hall.find_work_order(ref->ticket) != nullptr)
                ticket = ref->ticket;
            type = w::EventBody::UploadRejected;
            auto record_id = str(b.record_id), reason = str(b.reason);
            body =
                w::CreateUploadRejected(fbb, record_id, static_cast<std::uint16_t>(b.status), reason).Union();
          },
          [&](const core::UploadResendRequested& b) {
            if (auto ref = core::parse_upload_record_id(cfg.id, b.record_id))
              if (hall.find_ticket(ref->ticket) != nullptr || hall.find_work_order(ref->ticket) != nullptr)
                ticket = ref->ticket;
            type = w::EventBody::UploadResendRequested;
            auto record_id = str(b.record_id);
            body = w::CreateUploadResendRequested(fbb, record_id).Union();
          },
          [&](const core::UploadResendAccepted& b) {
            if (auto ref = core::parse_upload_record_id(cfg.id, b.record_id))
              if (hall.find_ticket(ref->ticket) != nullptr || hall.find_work_order(ref->ticket) != nullptr)
                ticket = ref->ticket;
            type = w::EventBody::UploadResendAccepted;
            auto record_id = str(b.record_id);
            body =
                w::CreateUploadResendAccepted(fbb, record_id, static_cast<std::uint32_t>(b.resend)).Union();
          },
          [&](const core::WindowSkillsChanged& b) {
            named(b.window);
            type = w::EventBody::WindowSkillsChanged;
            auto serves = skill_refs(fbb, cfg, b.skills);
            auto win = window_id(b.window);
            body = w::CreateWindowSkillsChanged(fbb, win, serves, b.advisory).Union();
          },
          [&](const core::AdvisoryIssued& b) {
            named(b.window);
            type = w::EventBody::AdvisoryIssued;
            auto serves = skill_refs(fbb, cfg, b.skills);
            auto service = str(cfg.services[b.service].id);
            auto win = window_id(b.window);
            body = w::CreateAdvisoryIssued(fbb, b.advisory, service, win,
                                           static_cast<w::AdvisoryAction>(b.action), serves, b.wait_before_s,
                                           b.wait_after_s)
                       .Union();
          },
      },
      e.body);

  flatbuffers::Offset<flatbuffers::String> number;
  if (ticket != 0) {
    if (std::string printed = hall.printed_number(ticket); !printed.empty()) {
      number = str(printed);
    } else if (const core::WorkOrder* o = hall.find_work_order(ticket)) {  // a past day's ticket
      number = str(o->number);
    }
  }
  auto hall_id = str(cfg.id);
  auto rid = str(request_id);
  auto ev = w::CreateEvent(fbb, hall_id, e.seq, e.time, rid, ticket, number,
                           static_cast<std::uint16_t>(window_number), type, body);
  w::FinishMessageBuffer(fbb, w::CreateMessage(fbb, w::Body::Event, ev.Union()));
  return bytes_of(fbb);
}

EventHeader peek_event(Bytes bytes) {
  const w::Event* ev = w::GetMessage(bytes.data())->body_as_Event();
  if (ev == nullptr) return {};
  return {view(ev->hall()), ev->seq()};
}

Status decode_event(Bytes bytes, const core::HallConfig& cfg, DecodedEvent& out) {
  const w::Event* ev = w::GetMessage(bytes.data())->body_as_Event();
  if (ev == nullptr) return {ErrorCode::kMalformed, "not an event"};
  out.hall = view(ev->hall());
  out.request_id = view(ev->request_id());
  out.number = view(ev->number());
  out.window_number = ev->window_number();
  out.event.seq = ev->seq();
  out.event.time = ev->time_us();
  const core::TicketId ticket = ev->ticket();
  if (!core::plausible_time(out.event.time))
    return {ErrorCode::kMalformed, fmt::format("event {} of hall {}: implausible time", ev->seq(), out.hall)};

  Status st;
  auto bad = [&](std::string what) {
    if (st.ok())
      st = {ErrorCode::kMalformed, fmt::format("event {} of hall {}: {}", ev->seq(), out.hall, what)};
  };
  auto window = [&](const flatbuffers::String* id) -> core::WindowIdx {
    auto found = cfg.find_window(view(id));
    if (!found) {
      bad(fmt::format("unknown window \"{}\"", view(id)));
      return 0;
    }
    return *found;
  };
  auto service = [&](const flatbuffers::String* id) -> core::ServiceIdx {
    auto found = cfg.find_service(view(id));
    if (!found) {
      bad(fmt::format("unknown service \"{}\"", view(id)));
      return 0;
    }
    return *found;
  };
  auto need_ticket = [&] {
    if (ticket == 0) bad("ticket event without a ticket");
  };
  auto staff = [](const flatbuffers::String* s) { return std::string(view(s)); };
  auto skills = [&](const flatbuffers::Vector<flatbuffers::Offset<w::SkillRef>>* refs) {
    std::vector<core::Skill> out_skills;
    if (refs == nullptr || refs->size() == 0) {
      bad("skills missing");
      return out_skills;
    }
    for (const w::SkillRef* k : *refs) {
      if (k->level() < 1 || k->level() > 9) bad("skill level out of range");
      out_skills.push_back({service(k->service()), k->level()});
    }
    core::sort_skills(out_skills);
    return out_skills;
  };

  // The verifier accepts a body type without its table.
  if (ev->body() == nullptr) {
    bad("event without a body");
    return st;
  }
  switch (ev->body_type()) {
    case w::EventBody::TicketIssued: {
      auto b = ev->body_as_TicketIssued();
      need_ticket();
      if (b->priority() > w::Priority::MAX) bad("unknown priority");
      out.event.body = core::TicketIssued{ticket,          service(b->service()),
                                          b->number_seq(), static_cast<core::Priority>(b->priority()),
                                          b->ahead(),      b->predicted_wait_s()};
      break;
    }
    case w::EventBody::WindowOpened: {
      auto b = ev->body_as_WindowOpened();
      out.event.body = core::WindowOpened{window(b->window()), staff(b->staff())};
      break;
    }
    case w::EventBody::StaffChanged: {
      auto b = ev->body_as_StaffChanged();
      out.event.body = core::StaffChanged{window(b->window()), staff(b->staff())};
      break;
    }
    case w::EventBody::WindowClosed:
      out.event.body = core::WindowClosed{window(ev->body_as_WindowClosed()->window())};
      break;
    case w::EventBody::WindowPaused:
      out.event.body = core::WindowPaused{window(ev->body_as_WindowPaused()->window())};
      break;
    case w::EventBody::WindowResumed:
      out.event.body = core::WindowResumed{window(ev->body_as_WindowResumed()->window())};
      break;
    case w::EventBody::TicketCalled:
      need_ticket();
      out.event.body = core::TicketCalled{ticket, window(ev->body_as_TicketCalled()->window())};
      break;
    case w::EventBody::TicketRecalled:
      need_ticket();
      out.event.body = core::TicketRecalled{ticket, window(ev->body_as_TicketRecalled()->window())};
      break;
    case w::EventBody::ServiceStarted:
      need_ticket();
      out.event.body = core::ServiceStarted{ticket, window(ev->body_as_ServiceStarted()->window())};
      break;
    case w::EventBody::TicketSkipped:
      need_ticket();
      out.event.body = core::TicketSkipped{ticket, window(ev->body_as_TicketSkipped()->window())};
      break;
    case w::EventBody::TicketRequeued: {
      auto b = ev->body_as_TicketRequeued();
      need_ticket();
      if (!core::plausible_time(b->queue_key_us())) bad("implausible queue position");
      out.event.body = core::TicketRequeued{ticket, b->queue_key_us(), b->returning()};
      break;
    }
    case w::EventBody::TicketHeld:
      need_ticket();
      out.event.body = core::TicketHeld{ticket, window(ev->body_as_TicketHeld()->window())};
      break;
    case w::EventBody::TicketTransferred: {
      auto b = ev->body_as_TicketTransferred();
      need_ticket();
      out.event.body = core::TicketTransferred{ticket, window(b->window()), service(b->service())};
      break;
    }
    case w::EventBody::TicketFinished:
      need_ticket();
      out.event.body = core::TicketFinished{ticket, window(ev->body_as_TicketFinished()->window()),
                                            detail::copy(ev->body_as_TicketFinished()->case_number())};
      break;
    case w::EventBody::TicketEvaluated: {
      need_ticket();
      auto b = ev->body_as_TicketEvaluated();
      if (b->channel() > w::EvaluationChannel::MAX) bad("unknown evaluation channel");
      core::TicketEvaluated e{ticket, b->level()};
      if (b->reasons())
        for (const flatbuffers::String* r : *b->reasons()) e.reasons.push_back(detail::copy(r));
      e.comment = detail::copy(b->comment());
      e.channel = static_cast<core::EvaluationChannel>(b->channel());
      e.supplementary = b->supplementary();
      out.event.body = std::move(e);
      break;
    }
    case w::EventBody::TicketLeft: {
      auto b = ev->body_as_TicketLeft();
      need_ticket();
      if (b->reason() > w::LeaveReason::MAX) bad("unknown leave reason");
      out.event.body = core::TicketLeft{ticket, static_cast<core::LeaveReason>(b->reason())};
      break;
    }
    case w::EventBody::DayRolled:
      out.event.body = core::DayRolled{ev->body_as_DayRolled()->day()};
      break;
    case w::EventBody::WindowSkillsChanged: {
      auto b = ev->body_as_WindowSkillsChanged();
      out.event.body = core::WindowSkillsChanged{window(b->window()), skills(b->serves()), b->advisory()};
      break;
    }
    case w::EventBody::NoticeChanged: {
      const flatbuffers::String* text = ev->body_as_NoticeChanged()->text();
      out.event.body = core::NoticeChanged{text ? text->str() : std::string()};
      break;
    }
    case w::EventBody::DeviceReported: {
      auto b = ev->body_as_DeviceReported();
      if (b->state() > w::DeviceState::MAX) bad("unknown device state");
      out.event.body =
          core::DeviceReported{detail::copy(b->device()), detail::copy(b->kind()),
                               static_cast<core::DeviceState>(b->state()), detail::copy(b->detail())};
      break;
    }
    case w::EventBody::BookingMade: {
      auto b = ev->body_as_BookingMade();
      out.event.body = core::BookingMade{b->code(),     service(b->service()),     b->day(),
                                         b->slot_min(), detail::copy(b->person()), detail::copy(b->phone())};
      break;
    }
    case w::EventBody::BookingCancelled:
      out.event.body = core::BookingCancelled{ev->body_as_BookingCancelled()->code()};
      break;
    case w::EventBody::BookingCheckedIn:
      need_ticket();
      out.event.body = core::BookingCheckedIn{ev->body_as_BookingCheckedIn()->code(), ticket};
      break;
    case w::EventBody::BookingMissed:
      out.event.body = core::BookingMissed{ev->body_as_BookingMissed()->code()};
      break;
    case w::EventBody::RemoteTicketIssued: {
      auto b = ev->body_as_RemoteTicketIssued();
      need_ticket();
      out.event.body =
          core::RemoteTicketIssued{ticket,     service(b->service()),     b->number_seq(),
                                   b->code(),  detail::copy(b->person()), detail::copy(b->phone()),
                                   b->ahead(), b->predicted_wait_s()};
      break;
    }
    case w::EventBody::RemoteCheckedIn:
      need_ticket();
      out.event.body = core::RemoteCheckedIn{ticket};
      break;
    case w::EventBody::RemoteTurnCame:
      need_ticket();
      if (!core::plausible_time(ev->body_as_RemoteTurnCame()->until_us())) bad("implausible grace end");
      out.event.body = core::RemoteTurnCame{ticket, ev->body_as_RemoteTurnCame()->until_us()};
      break;
    case w::EventBody::RemoteMissed:
      need_ticket();
      out.event.body = core::RemoteMissed{ticket};
      break;
    case w::EventBody::WorkOrderOpened: {
      auto b = ev->body_as_WorkOrderOpened();
      need_ticket();
      core::WorkOrderOpened o{ticket, b->due_day()};
      if (b->reasons())
        for (const flatbuffers::String* r : *b->reasons()) o.reasons.push_back(detail::copy(r));
      o.comment = detail::copy(b->comment());
      out.event.body = std::move(o);
      break;
    }
    case w::EventBody::WorkOrderCalledBack: {
      auto b = ev->body_as_WorkOrderCalledBack();
      need_ticket();
      out.event.body =
          core::WorkOrderCalledBack{ticket, b->reached(), detail::copy(b->note()), detail::copy(b->by())};
      break;
    }
    case w::EventBody::WorkOrderRectified: {
      auto b = ev->body_as_WorkOrderRectified();
      need_ticket();
      out.event.body = core::WorkOrderRectified{ticket, detail::copy(b->note()), detail::copy(b->by())};
      break;
    }
    case w::EventBody::UploadRejected: {
      auto b = ev->body_as_UploadRejected();
      if (b->record_id() == nullptr || b->record_id()->size() == 0)
        bad("upload rejection without a record id");
      out.event.body =
          core::UploadRejected{detail::copy(b->record_id()), b->status(), detail::copy(b->reason())};
      break;
    }
    case w::EventBody::UploadResendRequested: {
      auto b = ev->body_as_UploadResendRequested();
      if (b->record_id() == nullptr || b->record_id()->size() == 0) bad("upload re-send without a record id");
      out.event.body = core::UploadResendRequested{detail::copy(b->record_id())};
      break;
    }
    case w::EventBody::UploadResendAccepted: {
      auto b = ev->body_as_UploadResendAccepted();
      if (b->record_id() == nullptr || b->record_id()->size() == 0)
        bad("upload acceptance without a record id");
      if (b->resend() < 1 || b->resend() > static_cast<std::uint32_t>(core::kMaxUploadResend))
        bad("upload acceptance's re-send out of range");
      out.event.body =
          core::UploadResendAccepted{detail::copy(b->record_id()), static_cast<int>(b->resend())};
      break;
    }
    case w::EventBody::AdvisoryIssued: {
      auto b = ev->body_as_AdvisoryIssued();
      if (b->action() > w::AdvisoryAction::MAX) bad("unknown advisory action");
      out.event.body =
          core::AdvisoryIssued{b->advisory(),       service(b->service()),
                               window(b->window()), static_cast<core::AdvisoryAction>(b->action()),
                               skills(b->serves()), b->wait_before_s(),
                               b->wait_after_s()};
      break;
    }
    default:
      bad("event without a known body");
  }
  return st;
}

std::string encode_heartbeat(const Heartbeat& hb) {
  flatbuffers::FlatBufferBuilder fbb(96);
  auto hall = fbb.CreateString(hb.hall);
  auto body = w::CreateHeartbeat(fbb, hall, hb.seq, hb.epoch, hb.time);
  w::FinishMessageBuffer(fbb, w::CreateMessage(fbb, w::Body::Heartbeat, body.Union()));
  return bytes_of(fbb);
}

Heartbeat decode_heartbeat(Bytes bytes) {
  const w::Heartbeat* hb = w::GetMessage(bytes.data())->body_as_Heartbeat();
  if (hb == nullptr) return {};
  return {std::string(view(hb->hall())), hb->seq(), hb->epoch(), hb->time_us()};
}

}  // namespace hallq::protocol

namespace hallq::protocol {

bool is_upload_rejection(Bytes bytes) {
  const wire::Event* ev = wire::GetMessage(bytes.data())->body_as_Event();
  return ev != nullptr && ev->body_type() == wire::EventBody::UploadRejected;
}

bool is_upload_resend_request(Bytes bytes) {
  const wire::Event* ev = wire::GetMessage(bytes.data())->body_as_Event();
  return ev != nullptr && ev->body_type() == wire::EventBody::UploadResendRequested;
}

bool is_upload_resend_acceptance(Bytes bytes) {
  const wire::Event* ev = wire::GetMessage(bytes.data())->body_as_Event();
  return ev != nullptr && ev->body_type() == wire::EventBody::UploadResendAccepted;
}

EventSummary describe_event(Bytes bytes) {
  const wire::Event* ev = wire::GetMessage(bytes.data())->body_as_Event();
  EventSummary s;
  if (ev == nullptr) return s;
  s.hall = detail::copy(ev->hall());
  s.seq = ev->seq();
  s.time = ev->time_us();
  s.kind = wire::EnumNameEventBody(ev->body_type());
  s.request_id = detail::copy(ev->request_id());
  s.ticket = ev->ticket();
  s.number = detail::copy(ev->number());
  s.window_number = ev->window_number();
  switch (ev->body() ? ev->body_type() : wire::EventBody::NONE) {  // a type without its table names nothing
    case wire::EventBody::TicketIssued: {
      auto b = ev->body_as_TicketIssued();
      s.service = detail::copy(b->service());
      s.priority = core::to_string(static_cast<core::Priority>(b->priority()));
      s.ahead = b->ahead();
      s.predicted_wait_s = b->predicted_wait_s();
      break;
    }
    case wire::EventBody::WindowOpened:
      s.window = detail::copy(ev->body_as_WindowOpened()->window());
      s.staff = detail::copy(ev->body_as_WindowOpened()->staff());
      break;
    case wire::EventBody::StaffChanged:
      s.window = detail::copy(ev->body_as_StaffChanged()->window());
      s.staff = detail::copy(ev->body_as_StaffChanged()->staff());
      break;
    case wire::EventBody::WindowClosed:
      s.window = detail::copy(ev->body_as_WindowClosed()->window());
      break;
    case wire::EventBody::WindowPaused:
      s.window = detail::copy(ev->body_as_WindowPaused()->window());
      break;
    case wire::EventBody::WindowResumed:
      s.window = detail::copy(ev->body_as_WindowResumed()->window());
      break;
    case wire::EventBody::TicketCalled:
      s.window = detail::copy(ev->body_as_TicketCalled()->window());
      break;
    case wire::EventBody::TicketRecalled:
      s.window = detail::copy(ev->body_as_TicketRecalled()->window());
      break;
    case wire::EventBody::ServiceStarted:
      s.window = detail::copy(ev->body_as_ServiceStarted()->window());
      break;
    case wire::EventBody::TicketSkipped:
      s.window = detail::copy(ev->body_as_TicketSkipped()->window());
      break;
    case wire::EventBody::TicketHeld:
      s.window = detail::copy(ev->body_as_TicketHeld()->window());
      break;
    case wire::EventBody::TicketTransferred:
      s.window = detail::copy(ev->body_as_TicketTransferred()->window());
      s.service = detail::copy(ev->body_as_TicketTransferred()->service());
      break;
    case wire::EventBody::TicketFinished:
      s.window = detail::copy(ev->body_as_TicketFinished()->window());
      s.case_number = detail::copy(ev->body_as_TicketFinished()->case_number());
      break;
    case wire::EventBody::TicketEvaluated: {
      auto b = ev->body_as_TicketEvaluated();
      s.level = b->level();
      if (b->reasons())
        for (const flatbuffers::String* r : *b->reasons()) s.reasons.push_back(detail::copy(r));
      s.text = detail::copy(b->comment());
      s.channel = core::to_string(static_cast<core::EvaluationChannel>(b->channel()));
      s.supplementary = b->supplementary();
      break;
    }
    case wire::EventBody::TicketLeft:
      s.reason = core::to_string(static_cast<core::LeaveReason>(ev->body_as_TicketLeft()->reason()));
      break;
    case wire::EventBody::DayRolled:
      s.day = ev->body_as_DayRolled()->day();
      break;
    case wire::EventBody::WindowSkillsChanged: {
      auto b = ev->body_as_WindowSkillsChanged();
      s.window = detail::copy(b->window());
      s.advisory = b->advisory();
      if (b->serves())
        for (const wire::SkillRef* k : *b->serves())
          s.serves.emplace_back(detail::copy(k->service()), k->level());
      break;
    }
    case wire::EventBody::NoticeChanged:
      s.text = detail::copy(ev->body_as_NoticeChanged()->text());
      break;
    case wire::EventBody::DeviceReported: {
      auto b = ev->body_as_DeviceReported();
      s.device = detail::copy(b->device());
      s.device_kind = detail::copy(b->kind());
      s.device_state = core::to_string(static_cast<core::DeviceState>(b->state()));
      s.text = detail::copy(b->detail());
      break;
    }
    case wire::EventBody::BookingMade: {
      auto b = ev->body_as_BookingMade();
      s.booking = b->code();
      s.service = detail::copy(b->service());
      s.day = b->day();
      s.slot_min = b->slot_min();
      break;
    }
    case wire::EventBody::BookingCancelled:
      s.booking = ev->body_as_BookingCancelled()->code();
      break;
    case wire::EventBody::BookingCheckedIn:
      s.booking = ev->body_as_BookingCheckedIn()->code();
      break;
    case wire::EventBody::BookingMissed:
      s.booking = ev->body_as_BookingMissed()->code();
      break;
    case wire::EventBody::RemoteTicketIssued: {
      auto b = ev->body_as_RemoteTicketIssued();
      s.service = detail::copy(b->service());
      s.booking = b->code();
      s.ahead = b->ahead();
      s.predicted_wait_s = b->predicted_wait_s();
      break;
    }
    case wire::EventBody::WorkOrderOpened:
      s.day = ev->body_as_WorkOrderOpened()->due_day();
      break;
    case wire::EventBody::WorkOrderCalledBack: {
      auto b = ev->body_as_WorkOrderCalledBack();
      s.reached = b->reached();
      s.text = detail::copy(b->note());
      s.by = detail::copy(b->by());
      break;
    }
    case wire::EventBody::WorkOrderRectified: {
      auto b = ev->body_as_WorkOrderRectified();
      s.text = detail::copy(b->note());
      s.by = detail::copy(b->by());
      break;
    }
    case wire::EventBody::UploadRejected: {
      auto b = ev->body_as_UploadRejected();
      s.record_id = detail::copy(b->record_id());
      s.status = b->status();
      s.text = detail::copy(b->reason());
      break;
    }
    case wire::EventBody::UploadResendRequested: {
      s.record_id = detail::copy(ev->body_as_UploadResendRequested()->record_id());
      break;
    }
    case wire::EventBody::UploadResendAccepted: {
      auto b = ev->body_as_UploadResendAccepted();
      s.record_id = detail::copy(b->record_id());
      s.resend = static_cast<int>(b->resend());
      break;
    }
    case wire::EventBody::AdvisoryIssued: {
      auto b = ev->body_as_AdvisoryIssued();
      s.advisory = b->advisory();
      s.service = detail::copy(b->service());
      s.window = detail::copy(b->window());
      s.action = b->action() == wire::AdvisoryAction::open ? "open" : "lend";
      s.wait_before_s = b->wait_before_s();
      s.wait_after_s = b->wait_after_s();
      if (b->serves())
        for (const wire::SkillRef* k : *b->serves())
          s.serves.emplace_back(detail::copy(k->service()), k->level());
      break;
    }
    default:
      break;
  }
  // Wire enum names are CamelCase; people and JSON get snake_case ("TicketCalled" -> "ticket_called").
  std::string snake;
  for (char c : s.kind) {
    if (c >= 'A' && c <= 'Z') {
      if (!snake.empty()) snake += '_';
      snake += static_cast<char>(c - 'A' + 'a');
    } else {
      snake += c;
    }
  }
  s.kind = snake;
  return s;
}

}  // namespace hallq::protocol
