// Snapshot encoding. Tickets travel as fixed-size structs (a busy hall has a
// few thousand a day), the config as tables.
#include "engine/protocol/snapshot_codec.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/core/utf8.h"
#include "engine/protocol/hallq_generated.h"
#include "engine/protocol/wire_util.h"

namespace hallq::protocol {
namespace {

using detail::bytes_of;
using detail::copy;

namespace w = wire;
using core::ErrorCode;
using core::Status;

std::vector<w::Skill> skills_out(const std::vector<core::Skill>& skills) {
  std::vector<w::Skill> out;
  out.reserve(skills.size());
  for (const core::Skill& k : skills) out.emplace_back(k.service, k.level);
  return out;
}

std::vector<core::Skill> skills_in(const flatbuffers::Vector<const w::Skill*>* v) {
  std::vector<core::Skill> out;
  if (v == nullptr) return out;
  out.reserve(v->size());
  for (const w::Skill* k : *v) out.push_back({k->service(), k->level()});
  return out;
}

std::vector<w::Span> spans_out(const std::vector<core::TimeSpan>& spans) {
  std::vector<w::Span> out;
  for (const core::TimeSpan& h : spans)
    out.emplace_back(static_cast<std::int16_t>(h.start_min), static_cast<std::int16_t>(h.end_min));
  return out;
}

std::vector<core::TimeSpan> spans_in(const flatbuffers::Vector<const w::Span*>* v) {
  std::vector<core::TimeSpan> out;
  if (v != nullptr)
    for (const w::Span* h : *v) out.push_back({h->start_min(), h->end_min()});
  return out;
}

flatbuffers::Offset<w::AppointmentConf> appointments_out(flatbuffers::FlatBufferBuilder& fbb,
                                                         const core::AppointmentConfig& a) {
  std::vector<flatbuffers::Offset<w::AppointmentSessionConf>> sessions;
  for (const core::AppointmentSession& s : a.sessions) {
    const std::vector<w::Span> hours = spans_out(s.hours);
    sessions.push_back(w::CreateAppointmentSessionConfDirect(fbb, s.weekdays, &hours));
  }
  const std::vector<w::Span> hours = spans_out(a.hours);
  return w::CreateAppointmentConfDirect(
      fbb, a.service, static_cast<std::int16_t>(a.slot_min), static_cast<std::uint16_t>(a.capacity), &hours,
      a.weekdays, &sessions, static_cast<std::int16_t>(a.check_in_before_min),
      static_cast<std::int16_t>(a.check_in_after_min), static_cast<std::int16_t>(a.book_ahead_days));
}

core::AppointmentConfig appointments_in(const w::AppointmentConf& in) {
  core::AppointmentConfig a;
  a.service = in.service();
  a.slot_min = in.slot_min();
  a.capacity = in.capacity();
  a.hours = spans_in(in.hours());
  a.weekdays = in.weekdays();
  if (in.sessions())
    for (const w::AppointmentSessionConf* s : *in.sessions())
      a.sessions.push_back({s->weekdays(), spans_in(s->hours())});
  a.check_in_before_min = in.check_in_before_min();
  a.check_in_after_min = in.check_in_after_min();
  a.book_ahead_days = in.book_ahead_days();
  return a;
}

flatbuffers::Offset<w::HallConf> config_out(flatbuffers::FlatBufferBuilder& fbb, const core::HallConfig& c) {
  const std::vector<w::Span> hours = spans_out(c.hours);
  std::vector<flatbuffers::Offset<w::ServiceConf>> services;
  for (const core::ServiceConfig& s : c.services) {
    services.push_back(w::CreateServiceConfDirect(fbb, s.id.c_str(), s.name.c_str(), s.prefix.c_str(),
                                                  static_cast<w::ServiceKind>(s.kind), s.expected_handle_min,
                                                  s.item_code.c_str(), s.department_code.c_str()));
  }
  std::vector<flatbuffers::Offset<w::WindowConf>> windows;
  for (const core::WindowConfig& win : c.windows) {
    auto serves = skills_out(win.serves);
    windows.push_back(w::CreateWindowConfDirect(fbb, win.id.c_str(), static_cast<std::uint16_t>(win.number),
                                                win.name.c_str(), static_cast<w::WindowKind>(win.kind),
                                                &serves));
  }
  std::vector<flatbuffers::Offset<w::StaffConf>> staff;
  for (const core::StaffConfig& s : c.staff)
    staff.push_back(w::CreateStaffConfDirect(fbb, s.id.c_str(), s.name.c_str()));
  std::vector<flatbuffers::Offset<w::AppointmentConf>> appointments;
  for (const core::AppointmentConfig& a : c.appointments) appointments.push_back(appointments_out(fbb, a));
  std::vector<flatbuffers::Offset<w::RemoteConf>> remote;
  for (const core::RemoteConfig& x : c.remote) {
    const std::vector<w::Span> remote_hours = spans_out(x.hours);
    remote.push_back(w::CreateRemoteConfDirect(fbb, x.service, &remote_hours,
                                               static_cast<std::uint16_t>(x.daily_quota),
                                               static_cast<std::int16_t>(x.grace_min)));
  }
  const core::HallRules& r = c.rules;
  auto rules = w::CreateRulesDirect(
      fbb, r.policy.c_str(), static_cast<std::uint8_t>(r.recall_limit), r.reactivate_min, r.reactivate_behind,
      static_cast<std::uint8_t>(r.priority_ratio), static_cast<std::uint8_t>(r.number_digits),
      static_cast<std::uint32_t>(r.max_tickets_per_service), r.help_load, r.remote_call_share);
  const core::EvaluationConfig& e = c.evaluation;
  std::vector<flatbuffers::Offset<w::EvaluationReasonConf>> reasons;
  for (const core::EvaluationReason& x : e.reasons)
    reasons.push_back(w::CreateEvaluationReasonConfDirect(fbb, x.code.c_str(), x.text.c_str()));
  auto evaluation = w::CreateEvaluationConfDirect(fbb, e.reasons_version.c_str(), &reasons,
                                                  static_cast<std::int16_t>(e.supplement_days),
                                                  static_cast<std::int16_t>(e.follow_up_working_days),
                                                  static_cast<std::int16_t>(e.due_soon_working_days));
  return w::CreateHallConfDirect(fbb, c.id.c_str(), c.name.c_str(), &hours, c.wait_target_min,
                                 static_cast<std::int16_t>(c.utc_offset_min), rules, &services, &windows,
                                 &staff, c.weekdays, &c.closed_days, &c.extra_days, &appointments,
                                 remote.empty() ? nullptr : &remote, c.division_code.c_str(), evaluation);
}

Status config_in(const w::HallConf* in, core::HallConfig& c) {
  if (in == nullptr) return {ErrorCode::kMalformed, "snapshot without config"};
  c.id = copy(in->id());
  c.name = copy(in->name());
  c.hours = spans_in(in->hours());
  c.wait_target_min = in->wait_target_min();
  c.utc_offset_min = in->utc_offset_min();
  if (const w::Rules* r = in->rules()) {
    c.rules.policy = copy(r->policy());
    c.rules.recall_limit = r->recall_limit();
    c.rules.reactivate_min = r->reactivate_min();
    c.rules.reactivate_behind = r->reactivate_behind();
    c.rules.priority_ratio = r->priority_ratio();
    c.rules.help_load = r->help_load();
    c.rules.remote_call_share = r->remote_call_share();
    c.rules.number_digits = r->number_digits();
    c.rules.max_tickets_per_service = static_cast<int>(r->max_tickets_per_service());
  }
  if (in->services()) {
    for (const w::ServiceConf* s : *in->services()) {
      if (s->kind() > w::ServiceKind::MAX) return {ErrorCode::kMalformed, "snapshot: bad service kind"};
      c.services.push_back({copy(s->id()), copy(s->name()), copy(s->prefix()),
                            static_cast<core::ServiceKind>(s->kind()), s->expected_handle_min(),
                            copy(s->item_code()), copy(s->department_code())});
    }
  }
  if (in->windows()) {
    for (const w::WindowConf* win : *in->windows()) {
      if (win->kind() > w::WindowKind::MAX) return {ErrorCode::kMalformed, "snapshot: bad window kind"};
      c.windows.push_back({copy(win->id()), win->number(), copy(win->name()),
                           static_cast<core::WindowKind>(win->kind()), skills_in(win->serves())});
    }
  }
  if (in->staff())
    for (const w::StaffConf* s : *in->staff()) c.staff.push_back({copy(s->id()), copy(s->name())});
  c.weekdays = in->weekdays();
  // The verifier checks these vectors' length words, not that their 8-byte
  // elements are aligned (a valid buffer, its start aligned, has them so);
  // reading misaligned ones is undefined behaviour.
  for (const auto* days : {in->closed_days(), in->extra_days()})
    if (days != nullptr && days->size() != 0 &&
        reinterpret_cast<std::uintptr_t>(days->Data()) % alignof(std::int64_t) != 0)
      return {ErrorCode::kMalformed, "snapshot: misaligned closed or extra days"};
  if (in->closed_days()) c.closed_days.assign(in->closed_days()->begin(), in->closed_days()->end());
  if (in->extra_days()) c.extra_days.assign(in->extra_days()->begin(), in->extra_days()->end());
  if (in->appointments())
    for (const w::AppointmentConf* a : *in->appointments()) c.appointments.push_back(appointments_in(*a));
  if (in->remote())
    for (const w::RemoteConf* x : *in->remote())
      c.remote.push_back({x->service(), spans_in(x->hours()), x->daily_quota(), x->grace_min()});
  c.division_code = copy(in->division_code());
  if (const w::EvaluationConf* e = in->evaluation()) {
    c.evaluation.reasons_version = copy(e->reasons_version());
    c.evaluation.reasons.clear();
    if (e->reasons())
      for (const w::EvaluationReasonConf* x : *e->reasons())
        c.evaluation.reasons.push_back({copy(x->code()), copy(x->text())});
    c.evaluation.supplement_days = e->supplement_days();
    c.evaluation.follow_up_working_days = e->follow_up_working_days();
    c.evaluation.due_soon_working_days = e->due_soon_working_days();
  }
  if (auto problem = c.validate_and_index())
    return {ErrorCode::kMalformed,
            fmt::format("snapshot config: {} {}: {}", problem->section, problem->key, problem->message)};
  return {};
}

}  // namespace

std::string encode_snapshot(const core::Hall& hall, std::uint64_t epoch, bool with_requests,
                            PersonalData personal) {
  // Read in place: a copy of the state (or of the request-id memory, for the
  // subscribers' snapshot without it) would cost more than the encoding.
  const core::HallState& s = hall.state();
  const core::RequestMemory& memory = hall.request_memory();
  constexpr std::size_t kPerRequest = sizeof(w::RequestPacked) + core::kMaxRequestIdLength;
  flatbuffers::FlatBufferBuilder fbb(4096 + s.tickets.size() * sizeof(w::TicketLive) +
                                     (with_requests ? memory.size() * kPerRequest : 0));
  auto config = config_out(fbb, hall.config());
  std::vector<flatbuffers::Offset<flatbuffers::String>> staff_names;
  for (const std::string& n : s.staff_names) staff_names.push_back(fbb.CreateString(n));
  std::vector<flatbuffers::Offset<w::WindowLive>> windows;
  for (const core::Window& win : s.windows) {
    auto skills = skills_out(win.skills);
    windows.push_back(w::CreateWindowLiveDirect(fbb, static_cast<w::WindowState>(win.state), win.staff,
                                                win.current, &skills, win.consecutive_priority,
                                                win.state_since, win.idle_since, win.served));
  }
  std::vector<w::TicketLive> tickets;
  tickets.reserve(s.tickets.size());
  for (const core::Ticket& t : s.tickets) {
    tickets.emplace_back(t.id, t.issued_at, t.queue_key, t.queue_order, t.first_called_at, t.called_at,
                         t.started_at, t.finished_at, t.ended_at, t.number, t.ahead_at_issue,
                         t.predicted_wait_s, t.staff, t.issued_service, t.service, t.window,
                         static_cast<w::Priority>(t.priority), static_cast<w::TicketState>(t.state),
                         static_cast<w::QueueClass>(t.queue_class), t.recalls, t.transfers, t.rating);
  }
  std::vector<w::StatsLive> stats;
  for (const core::ServiceStats& st : s.stats)
    stats.emplace_back(st.finished, st.sum_handle_s, st.ewma_handle_s, st.arrivals, st.last_arrival);
  std::vector<w::RequestPacked> requests;
  std::vector<std::uint8_t> request_ids;
  if (with_requests) {
    requests.reserve(memory.size());
    request_ids.reserve(memory.size() * 32);
    memory.for_each([&](std::string_view id, const core::RequestRecord& rec) {
      // Any bytes, NUL included (fuzz/regressions/request/nul-*); at most kMaxRequestIdLength.
      requests.emplace_back(rec.first_seq, rec.count, static_cast<std::uint8_t>(id.size()));
      request_ids.insert(request_ids.end(), id.begin(), id.end());
    });
  }
  std::vector<flatbuffers::Offset<w::AdvisoryLive>> advisories;
  for (const core::Advisory& a : s.advisories) {
    auto skills = skills_out(a.skills);
    advisories.push_back(w::CreateAdvisoryLiveDirect(fbb, a.id, a.service, a.window,
                                                     static_cast<w::AdvisoryAction>(a.action), &skills,
                                                     a.wait_before_s, a.wait_after_s, a.issued_at));
  }
  std::vector<flatbuffers::Offset<w::DeviceLive>> devices;
  for (const auto& [id, d] : s.devices) {
    auto device = fbb.CreateString(id), kind = fbb.CreateString(d.kind), note = fbb.CreateString(d.detail);
    devices.push_back(
        w::CreateDeviceLive(fbb, device, kind, static_cast<w::DeviceState>(d.state), note, d.since));
  }
  const bool withhold = personal == PersonalData::kWithhold;
  auto personal_field = [&](const std::string& value) { return fbb.CreateString(withhold ? "" : value); };
  std::vector<flatbuffers::Offset<w::BookingLive>> bookings;
  for (const core::Booking& b : s.bookings) {
    auto person = personal_field(b.person), phone = personal_field(b.phone);
    bookings.push_back(w::CreateBookingLive(fbb, b.code, b.service, b.day,
                                            static_cast<std::int16_t>(b.slot_min), person, phone,
                                            static_cast<std::uint8_t>(b.state), b.ticket, b.booked_at));
  }
  std::vector<flatbuffers::Offset<w::RemoteLive>> remotes;
  for (const core::RemoteTicket& x : s.remotes) {
    auto person = personal_field(x.person), phone = personal_field(x.phone);
    remotes.push_back(w::CreateRemoteLive(fbb, x.ticket, x.service, x.code, person, phone,
                                          static_cast<std::uint8_t>(x.state), x.grace_until));
  }
  std::vector<w::RateableLive> rateable;
  rateable.reserve(s.rateable.size());
  std::vector<flatbuffers::Offset<w::RateableVisitLive>> rateable_visits;
  for (const core::RateableTicket& x : s.rateable) {
    rateable.emplace_back(x.ticket, x.day, x.number, x.issued_service, x.rating);
    rateable_visits.push_back(
        w::CreateRateableVisitLive(fbb, x.ticket, x.service, x.window, fbb.CreateString(x.staff)));
  }
  // 差评 work orders; their notes are personal data (personal_data.h), withheld like the
  // bookings' person and phone.
  std::vector<flatbuffers::Offset<w::WorkOrderLive>> work_orders;
  for (const core::WorkOrder& o : s.work_orders) {
    std::vector<flatbuffers::Offset<w::WorkOrderCallbackLive>> callbacks;
    for (const core::WorkOrderCallback& c : o.callbacks) {
      auto note = personal_field(c.note), by = fbb.CreateString(c.by);
      callbacks.push_back(w::CreateWorkOrderCallbackLive(fbb, c.at, c.reached, note, by));
    }
    auto number = fbb.CreateString(o.number), staff = fbb.CreateString(o.staff);
    auto callbacks_vec = fbb.CreateVector(callbacks);
    auto rectification = personal_field(o.rectification), rectified_by = fbb.CreateString(o.rectified_by);
    std::vector<flatbuffers::Offset<flatbuffers::String>> reasons;
    for (const std::string& r : o.reasons) reasons.push_back(fbb.CreateString(r));
    auto reasons_vec = reasons.empty() ? 0 : fbb.CreateVector(reasons);
    // The citizen's words, withheld like the notes; absent when none, as older
    // encoders left both fields (and their snapshots decode with neither).
    auto comment = withhold || o.comment.empty() ? 0 : fbb.CreateString(o.comment);
    work_orders.push_back(w::CreateWorkOrderLive(fbb, o.ticket, number, o.service, o.window, staff, o.level,
                                                 o.opened_at, o.due_day, callbacks_vec, o.rectified_at,
                                                 rectification, rectified_by, reasons_vec, comment));
  }
  auto snap = w::CreateHallSnapshotDirect(
      fbb, hall.config().id.c_str(), s.seq, epoch, s.clock, s.day, s.next_ticket, s.next_queue_order, config,
      &staff_names, &windows, &tickets, &s.last_number, &stats, nullptr, s.pauses, s.pause_seconds,
      &advisories, s.next_advisory, s.notice.empty() ? nullptr : s.notice.c_str(),
      devices.empty() ? nullptr : &devices, bookings.empty() ? nullptr : &bookings,
      remotes.empty() ? nullptr : &remotes, with_requests ? &requests : nullptr,
      with_requests ? &request_ids : nullptr, rateable.empty() ? nullptr : &rateable,
      work_orders.empty() ? nullptr : &work_orders, rateable_visits.empty() ? nullptr : &rateable_visits);
  w::FinishMessageBuffer(fbb, w::CreateMessage(fbb, w::Body::HallSnapshot, snap.Union()));
  return bytes_of(fbb);
}

Status decode_snapshot(Bytes bytes, DecodedSnapshot& out) {
  // FlatBuffers aligns a struct vector relative to the buffer's start, so the
  // start itself must be aligned for the structs' 8-byte fields.
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(std::uint64_t) != 0) {
    std::vector<std::uint64_t> aligned((bytes.size() + 7) / 8);
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    return decode_snapshot(Bytes(reinterpret_cast<const std::uint8_t*>(aligned.data()), bytes.size()), out);
  }
  const w::HallSnapshot* in = w::GetMessage(bytes.data())->body_as_HallSnapshot();
  if (in == nullptr) return {ErrorCode::kMalformed, "not a snapshot"};
  auto config = std::make_shared<core::HallConfig>();
  if (Status st = config_in(in->config(), *config); !st) return st;
  out.hall = copy(in->hall());
  out.seq = in->seq();
  out.epoch = in->epoch();
  out.config = config;

  // The verifier checks a vector's length word, not that the 8-byte structs
  // after it are aligned; reading misaligned ones is undefined behaviour. An
  // empty vector has no structs to read (and FlatBuffers does not align it).
  auto misaligned = [](const auto* v, std::size_t align) {
    return v != nullptr && v->size() != 0 && reinterpret_cast<std::uintptr_t>(v->Data()) % align != 0;
  };
  if (misaligned(in->tickets(), alignof(w::TicketLive)) || misaligned(in->stats(), alignof(w::StatsLive)) ||
      misaligned(in->requests_packed(), alignof(w::RequestPacked)))
    return {ErrorCode::kMalformed, "snapshot: misaligned ticket, statistics or request vector"};

  core::HallState& s = out.state;
  s = {};
  s.seq = in->seq();
  s.clock = in->clock();
  s.day = in->day();
  s.next_ticket = in->next_ticket();
  s.next_queue_order = in->next_queue_order();
  s.pauses = in->pauses();
  s.pause_seconds = in->pause_seconds();
  s.next_advisory = in->next_advisory();
  s.notice = copy(in->notice());
  if (s.notice.size() > core::kMaxNoticeBytes) return {ErrorCode::kMalformed, "snapshot: notice too long"};
  if (in->devices()) {
    if (in->devices()->size() > core::kMaxDevices)
      return {ErrorCode::kMalformed, "snapshot: too many devices"};
    for (const w::DeviceLive* d : *in->devices()) {
      core::DeviceStatus status{copy(d->kind()), static_cast<core::DeviceState>(d->state()),
                                copy(d->detail()), d->since()};
      std::string id = copy(d->id());
      if (id.empty() || id.size() > core::kMaxDeviceIdBytes || status.kind.empty() ||
          status.kind.size() > core::kMaxDeviceKindBytes ||
          status.detail.size() > core::kMaxDeviceDetailBytes || !core::printable_utf8(id) ||
          !core::printable_utf8(status.kind) || !core::printable_utf8(status.detail) ||
          d->state() > w::DeviceState::MAX || !core::plausible_time(d->since()) ||
          (!s.devices.empty() && !(s.devices.back().first < id)))
        return {ErrorCode::kMalformed, "snapshot: bad device"};  // ascending id, as the hall keeps them
      s.devices.emplace_back(std::move(id), std::move(status));
    }
  }
  if (in->bookings()) {
    for (const w::BookingLive* b : *in->bookings()) {
      core::Booking booking{b->code(),
                            b->service(),
                            b->day(),
                            b->slot_min(),
                            copy(b->person()),
                            copy(b->phone()),
                            static_cast<core::BookingState>(b->state()),
                            b->ticket(),
                            b->booked_at()};
      if (b->state() > static_cast<std::uint8_t>(core::BookingState::kNoShow) ||
          !core::plausible_time(b->booked_at()))
        return {ErrorCode::kMalformed, "snapshot: bad booking"};
      s.bookings.push_back(std::move(booking));  // the rest is import_state's to check
    }
  }
  if (in->remotes()) {
    for (const w::RemoteLive* x : *in->remotes()) {
      if (x->state() > static_cast<std::uint8_t>(core::RemoteState::kDropped) ||
          (x->grace_until() != 0 && !core::plausible_time(x->grace_until())))
        return {ErrorCode::kMalformed, "snapshot: bad remote ticket"};
      s.remotes.push_back({x->ticket(), x->service(), x->code(), copy(x->person()), copy(x->phone()),
                           static_cast<core::RemoteState>(x->state()), x->grace_until()});
    }
  }
  if (in->rateable()) {
    const auto* visits = in->rateable_visits();
    if (visits != nullptr && visits->size() != in->rateable()->size())
      return {ErrorCode::kMalformed, "snapshot: rateable visits do not match the rateable tickets"};
    for (flatbuffers::uoffset_t i = 0; i < in->rateable()->size(); ++i) {
      const w::RateableLive* x = in->rateable()->Get(i);
      core::RateableTicket r{x->ticket(), x->day(), x->issued_service(), x->number(), x->rating()};
      r.service = r.issued_service;  // a snapshot from before visits were kept: the window is unknown
      if (visits != nullptr) {
        const w::RateableVisitLive* v = visits->Get(i);
        if (v->ticket() != r.ticket)
          return {ErrorCode::kMalformed, "snapshot: rateable visit of another ticket"};
        r.service = v->service();
        r.window = v->window();
        r.staff = copy(v->staff());
      }
      s.rateable.push_back(std::move(r));
    }
  }
  if (in->work_orders()) {
    for (const w::WorkOrderLive* x : *in->work_orders()) {
      core::WorkOrder o{x->ticket(),
                        copy(x->number()),
                        x->service(),
                        x->window(),
                        copy(x->staff()),
                        x->level(),
                        {},
                        copy(x->comment()),
                        x->opened_at(),
                        x->due_day(),
                        {},
                        x->rectified_at(),
                        copy(x->rectification()),
                        copy(x->rectified_by())};
      if (!core::plausible_time(o.opened_at) ||
          (o.rectified_at != 0 && !core::plausible_time(o.rectified_at)))
        return {ErrorCode::kMalformed, "snapshot: bad work order"};
      if (x->reasons())
        for (const flatbuffers::String* r : *x->reasons()) o.reasons.push_back(copy(r));
      if (x->callbacks()) {
        for (const w::WorkOrderCallbackLive* c : *x->callbacks()) {
          if (!core::plausible_time(c->at()))
            return {ErrorCode::kMalformed, "snapshot: bad work order callback"};
          o.callbacks.push_back({c->at(), c->reached(), copy(c->note()), copy(c->by())});
        }
      }
      s.work_orders.push_back(std::move(o));  // the rest is import_state's to check
    }
  }
  if (in->advisories()) {
    for (const w::AdvisoryLive* a : *in->advisories()) {
      if (a->action() > w::AdvisoryAction::MAX || !core::plausible_time(a->issued_at()))
        return {ErrorCode::kMalformed, "snapshot: bad advisory"};
      s.advisories.push_back({a->id(), a->service(), a->window(),
                              static_cast<core::AdvisoryAction>(a->action()), skills_in(a->skills()),
                              a->wait_before_s(), a->wait_after_s(), a->issued_at()});
    }
  }
  if (!(s.pause_seconds >= 0) || !std::isfinite(s.pause_seconds))
    return {ErrorCode::kMalformed, "snapshot: implausible pause statistics"};
  if (in->staff_names())
    for (const flatbuffers::String* n : *in->staff_names()) s.staff_names.push_back(copy(n));
  if (in->windows()) {
    for (const w::WindowLive* win : *in->windows()) {
      if (win->state() > w::WindowState::MAX) return {ErrorCode::kMalformed, "snapshot: bad window state"};
      core::Window cw;
      cw.state = static_cast<core::WindowState>(win->state());
      cw.staff = win->staff();
      cw.current = win->current();
      cw.skills = skills_in(win->skills());
      cw.consecutive_priority = win->consecutive_priority();
      cw.state_since = win->state_since();
      cw.idle_since = win->idle_since();
      cw.served = win->served();
      s.windows.push_back(std::move(cw));
    }
  }
  if (in->tickets()) {
    s.tickets.reserve(in->tickets()->size());
    for (const w::TicketLive* t : *in->tickets()) {
      if (t->priority() > w::Priority::MAX || t->state() > w::TicketState::MAX ||
          t->queue_class() > w::QueueClass::MAX)
        return {ErrorCode::kMalformed, "snapshot: bad ticket enum"};
      core::Ticket ct;
      ct.id = t->id();
      ct.number = t->number();
      ct.issued_service = t->issued_service();
      ct.service = t->service();
      ct.priority = static_cast<core::Priority>(t->priority());
      ct.state = static_cast<core::TicketState>(t->state());
      ct.queue_class = static_cast<core::QueueClass>(t->queue_class());
      ct.recalls = t->recalls();
      ct.transfers = t->transfers();
      ct.rating = t->rating();
      ct.window = t->window();
      ct.staff = t->staff();
      ct.ahead_at_issue = t->ahead_at_issue();
      ct.predicted_wait_s = t->predicted_wait_s();
      ct.issued_at = t->issued_at();
      ct.queue_key = t->queue_key();
      ct.queue_order = t->queue_order();
      ct.first_called_at = t->first_called_at();
      ct.called_at = t->called_at();
      ct.started_at = t->started_at();
      ct.finished_at = t->finished_at();
      ct.ended_at = t->ended_at();
      s.tickets.push_back(ct);
    }
  }
  if (in->last_number()) s.last_number.assign(in->last_number()->begin(), in->last_number()->end());
  if (in->stats())
    for (const w::StatsLive* st : *in->stats())
      s.stats.push_back(
          {st->finished(), st->sum_handle_s(), st->ewma_handle_s(), st->arrivals(), st->last_arrival()});
  if (in->requests() && in->requests_packed())
    return {ErrorCode::kMalformed, "snapshot: request-id memory in two forms"};
  if (in->requests())
    for (const w::RequestLive* r : *in->requests())
      s.requests.emplace_back(copy(r->id()), core::RequestRecord{r->first_seq(), r->count()});
  if (in->requests_packed()) {
    const auto* ids = in->request_ids();
    const std::size_t id_bytes = ids != nullptr ? ids->size() : 0;
    const char* id_data = ids != nullptr ? reinterpret_cast<const char*>(ids->data()) : "";
    std::size_t at = 0;
    s.requests.reserve(in->requests_packed()->size());
    for (const w::RequestPacked* r : *in->requests_packed()) {
      if (r->length() > core::kMaxRequestIdLength || r->length() > id_bytes - at)
        return {ErrorCode::kMalformed, "snapshot: request ids shorter than their lengths say"};
      s.requests.emplace_back(std::string(id_data + at, r->length()),
                              core::RequestRecord{r->first_seq(), r->count()});
      at += r->length();
    }
    if (at != id_bytes) return {ErrorCode::kMalformed, "snapshot: request ids longer than their lengths say"};
  } else if (in->request_ids() != nullptr) {
    return {ErrorCode::kMalformed, "snapshot: request ids without their records"};
  }

  // Range and index checks, so a replica's import_state cannot be handed nonsense.
  if (!core::plausible_time(s.clock)) return {ErrorCode::kMalformed, "snapshot: implausible clock"};
  for (const core::Ticket& t : s.tickets) {
    for (core::TimeUs v : {t.issued_at, t.queue_key, t.first_called_at, t.called_at, t.started_at,
                           t.finished_at, t.ended_at}) {
      if (!core::plausible_time(v)) return {ErrorCode::kMalformed, "snapshot: implausible ticket time"};
    }
  }
  for (const core::ServiceStats& st : s.stats) {
    // A handling time is a span of plausible times: predictions turn it back
    // into microseconds (fuzz/regressions/snapshot/huge-handle-time-*).
    constexpr double kLongestHandleS = static_cast<double>(core::kLatestTime / core::kUsPerSecond);
    if (!core::plausible_time(st.last_arrival) || !(st.arrivals >= 0) || !std::isfinite(st.arrivals) ||
        !(st.sum_handle_s >= 0) || !std::isfinite(st.sum_handle_s) ||
        !(st.ewma_handle_s >= 0 && st.ewma_handle_s <= kLongestHandleS))
      return {ErrorCode::kMalformed, "snapshot: implausible service statistics"};
  }
  for (const core::Window& win : s.windows) {
    if (!core::plausible_time(win.state_since) || !core::plausible_time(win.idle_since))
      return {ErrorCode::kMalformed, "snapshot: implausible window time"};
  }
  const std::size_t ns = config->services.size();
  const std::size_t nw = config->windows.size();
  if (s.windows.size() != nw || s.last_number.size() != ns || s.stats.size() != ns)
    return {ErrorCode::kMalformed, "snapshot: state does not match its config"};
  for (const core::Ticket& t : s.tickets) {
    if (t.service >= ns || t.issued_service >= ns || (t.window != core::kNoWindow && t.window >= nw))
      return {ErrorCode::kMalformed, "snapshot: ticket refers to an unknown service or window"};
  }
  for (const core::Window& win : s.windows)
    for (const core::Skill& k : win.skills)
      if (k.service >= ns) return {ErrorCode::kMalformed, "snapshot: skill of an unknown service"};
  for (const core::Advisory& a : s.advisories) {
    if (a.service >= ns || a.window >= nw || a.id >= s.next_advisory)
      return {ErrorCode::kMalformed, "snapshot: advisory refers to an unknown service or window"};
    for (const core::Skill& k : a.skills)
      if (k.service >= ns) return {ErrorCode::kMalformed, "snapshot: advisory skill of an unknown service"};
  }
  // What remap_state indexes by service or window must be in range before it runs.
  for (const core::Booking& b : s.bookings)
    if (b.service >= ns) return {ErrorCode::kMalformed, "snapshot: booking of an unknown service"};
  for (const core::RemoteTicket& r : s.remotes)
    if (r.service >= ns) return {ErrorCode::kMalformed, "snapshot: remote ticket of an unknown service"};
  for (const core::RateableTicket& r : s.rateable) {
    if (r.issued_service >= ns || r.service >= ns || (r.window != core::kNoWindow && r.window >= nw))
      return {ErrorCode::kMalformed, "snapshot: rateable ticket refers to an unknown service or window"};
  }
  for (const core::WorkOrder& o : s.work_orders) {
    if (o.service >= ns || (o.window != core::kNoWindow && o.window >= nw))
      return {ErrorCode::kMalformed, "snapshot: work order refers to an unknown service or window"};
  }
  return {};
}

core::HallState remap_state(const DecodedSnapshot& snap, const core::HallConfig& target) {
  const core::HallConfig& from = *snap.config;
  auto fail = [&](std::string what) {
    throw core::CorruptionError(
        fmt::format("hall {}: stored state does not fit the config: {}", target.id, what));
  };
  std::vector<int> service_map(from.services.size(), -1);
  for (std::size_t i = 0; i < from.services.size(); ++i) {
    if (auto s = target.find_service(from.services[i].id)) service_map[i] = *s;
  }
  auto map_service = [&](core::ServiceIdx s) -> core::ServiceIdx {
    if (service_map[s] < 0)
      fail(fmt::format("service \"{}\" is in use but no longer configured", from.services[s].id));
    return static_cast<core::ServiceIdx>(service_map[s]);
  };
  std::vector<int> window_map(from.windows.size(), -1);
  for (std::size_t i = 0; i < from.windows.size(); ++i) {
    if (auto w = target.find_window(from.windows[i].id)) window_map[i] = *w;
  }

  core::HallState s = snap.state;
  // Windows: by id; removed windows must be closed and idle.
  std::vector<core::Window> windows(target.windows.size());
  for (std::size_t i = 0; i < target.windows.size(); ++i) windows[i].skills = target.windows[i].serves;
  for (std::size_t i = 0; i < s.windows.size(); ++i) {
    core::Window& old = s.windows[i];
    if (window_map[i] < 0) {
      if (old.state != core::WindowState::kClosed || old.current != 0)
        fail(fmt::format("window \"{}\" is open but no longer configured", from.windows[i].id));
      continue;
    }
    const core::WindowConfig& now_cfg = target.windows[window_map[i]];
    std::vector<core::Skill> serves_then;
    for (const core::Skill& k : from.windows[i].serves) {
      if (service_map[k.service] >= 0)
        serves_then.push_back({static_cast<core::ServiceIdx>(service_map[k.service]), k.level});
    }
    const bool operator_changed =
        serves_then.size() != now_cfg.serves.size() ||
        !std::is_permutation(serves_then.begin(), serves_then.end(), now_cfg.serves.begin());
    core::Window w = old;
    if (operator_changed) {
      w.skills = now_cfg.serves;
    } else {
      w.skills.clear();
      for (const core::Skill& k : old.skills)
        if (service_map[k.service] >= 0)
          w.skills.push_back({static_cast<core::ServiceIdx>(service_map[k.service]), k.level});
    }
    windows[window_map[i]] = std::move(w);
  }
  s.windows = std::move(windows);

  for (core::Ticket& t : s.tickets) {
    t.service = map_service(t.service);
    t.issued_service = map_service(t.issued_service);
    if (t.window != core::kNoWindow) {
      if (window_map[t.window] < 0) {
        if (t.state == core::TicketState::kCalled || t.state == core::TicketState::kServing)
          fail(fmt::format("window \"{}\" has a ticket but is no longer configured",
                           from.windows[t.window].id));
        t.window = core::kNoWindow;
      } else {
        t.window = static_cast<core::WindowIdx>(window_map[t.window]);
      }
    }
  }
  std::vector<std::uint32_t> last_number(target.services.size(), 0);
  std::vector<core::ServiceStats> stats(target.services.size());
  for (std::size_t i = 0; i < service_map.size(); ++i) {
    if (service_map[i] < 0) continue;
    last_number[service_map[i]] = s.last_number[i];
    stats[service_map[i]] = s.stats[i];
  }
  s.last_number = std::move(last_number);
  s.stats = std::move(stats);
  // Advisories the target config can no longer express are dropped: they were only proposals.
  std::vector<core::Advisory> advisories;
  for (core::Advisory a : s.advisories) {
    if (service_map[a.service] < 0 || window_map[a.window] < 0) continue;
    bool ok = true;
    for (core::Skill& k : a.skills) {
      if (service_map[k.service] < 0)
        ok = false;
      else
        k.service = static_cast<core::ServiceIdx>(service_map[k.service]);
    }
    if (!ok) continue;
    a.service = static_cast<core::ServiceIdx>(service_map[a.service]);
    a.window = static_cast<core::WindowIdx>(window_map[a.window]);
    core::sort_skills(a.skills);
    advisories.push_back(std::move(a));
  }
  s.advisories = std::move(advisories);
  // Bookings follow their service; one of a service no longer configured is
  // in use like a ticket (citizens hold its code).
  for (core::Booking& b : s.bookings) b.service = map_service(b.service);
  for (core::RemoteTicket& x : s.remotes) x.service = map_service(x.service);
  // A ticket open to 补充评价 whose service is gone can no longer be named: it goes.
  std::erase_if(s.rateable, [&](const core::RateableTicket& x) {
    return x.issued_service >= service_map.size() || service_map[x.issued_service] < 0;
  });
  for (core::RateableTicket& x : s.rateable) {
    x.issued_service = map_service(x.issued_service);
    // The finishing visit's service may be gone while the issuing one stays: a work order
    // then names the issuing service.
    x.service = x.service < service_map.size() && service_map[x.service] >= 0 ? map_service(x.service)
                                                                              : x.issued_service;
    x.window = x.window < window_map.size() && window_map[x.window] >= 0
                   ? static_cast<core::WindowIdx>(window_map[x.window])
                   : core::kNoWindow;
  }
  for (core::WorkOrder& o : s.work_orders) {
    o.service = map_service(o.service);
    o.window = o.window < window_map.size() && window_map[o.window] >= 0
                   ? static_cast<core::WindowIdx>(window_map[o.window])
                   : core::kNoWindow;
  }
  return s;
}

}  // namespace hallq::protocol
