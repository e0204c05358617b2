// Request encoding and decoding. Decoding refuses missing fields here, so the
// core only ever sees complete commands.
#include "engine/protocol/request_codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "engine/protocol/hallq_generated.h"
#include "engine/protocol/wire_util.h"

namespace hallq::protocol {
namespace {

using detail::bytes_of;
using detail::view;

namespace w = wire;
using core::ErrorCode;
using core::Status;

std::string finish(flatbuffers::FlatBufferBuilder& fbb, flatbuffers::Offset<w::Request> req) {
  auto msg = w::CreateMessage(fbb, w::Body::Request, req.Union());
  w::FinishMessageBuffer(fbb, msg);
  return bytes_of(fbb);
}

// Reads a required string field; sets `status` if it is missing or empty.
std::string_view need(const flatbuffers::String* s, const char* verb, const char* field, Status& status) {
  if ((s == nullptr || s->size() == 0) && status.ok())
    status = {ErrorCode::kMalformed, fmt::format("{}: missing {}", verb, field)};
  return view(s);
}

}  // namespace

Status decode_request(Bytes bytes, DecodedRequest& out) {
  const w::Request* r = w::GetMessage(bytes.data())->body_as_Request();
  if (r == nullptr) return {ErrorCode::kMalformed, "not a request"};
  out = {};  // callers may reuse `out`; nothing of an earlier request may remain
  out.request_id = view(r->request_id());
  out.hall = view(r->hall());
  if (out.request_id.size() > core::kMaxRequestIdLength)
    return {ErrorCode::kBadArgument,
            fmt::format("request id longer than {} bytes", core::kMaxRequestIdLength)};
  // The verifier accepts a command type without its table.
  if (r->command() == nullptr) return {ErrorCode::kMalformed, "request without a command"};
  Status st;
  switch (r->command_type()) {
    case w::Command::Ping:
      out.kind = RequestKind::kPing;
      return {};
    case w::Command::SnapshotRequest:
      out.kind = RequestKind::kSnapshot;
      break;
    case w::Command::IssueTicket: {
      auto c = r->command_as_IssueTicket();
      if (c->priority() > w::Priority::MAX) return {ErrorCode::kBadArgument, "issue: unknown priority"};
      out.command = core::IssueTicket{need(c->service(), "issue", "service", st),
                                      static_cast<core::Priority>(c->priority())};
      break;
    }
    case w::Command::OpenWindow: {
      auto c = r->command_as_OpenWindow();
      out.command = core::OpenWindow{need(c->window(), "open", "window", st), view(c->staff())};
      break;
    }
    case w::Command::CloseWindow:
      out.command = core::CloseWindow{need(r->command_as_CloseWindow()->window(), "close", "window", st)};
      break;
    case w::Command::PauseWindow:
      out.command = core::PauseWindow{need(r->command_as_PauseWindow()->window(), "pause", "window", st)};
      break;
    case w::Command::ResumeWindow:
      out.command = core::ResumeWindow{need(r->command_as_ResumeWindow()->window(), "resume", "window", st)};
      break;
    case w::Command::CallNext:
      out.command = core::CallNext{need(r->command_as_CallNext()->window(), "call", "window", st)};
      break;
    case w::Command::CallTicket: {
      auto c = r->command_as_CallTicket();
      out.command = core::CallTicket{need(c->window(), "call", "window", st),
                                     need(c->number(), "call", "ticket number", st)};
      break;
    }
    case w::Command::Recall:
      out.command = core::Recall{need(r->command_as_Recall()->window(), "recall", "window", st)};
      break;
    case w::Command::StartService:
      out.command = core::StartService{need(r->command_as_StartService()->window(), "start", "window", st)};
      break;
    case w::Command::SkipTicket:
      out.command = core::SkipTicket{need(r->command_as_SkipTicket()->window(), "skip", "window", st)};
      break;
    case w::Command::Reactivate:
      out.command =
          core::Reactivate{need(r->command_as_Reactivate()->number(), "reactivate", "ticket number", st)};
      break;
    case w::Command::HoldTicket:
      out.command = core::HoldTicket{need(r->command_as_HoldTicket()->window(), "hold", "window", st)};
      break;
    case w::Command::UnholdTicket:
      out.command =
          core::UnholdTicket{need(r->command_as_UnholdTicket()->number(), "unhold", "ticket number", st)};
      break;
    case w::Command::Transfer: {
      auto c = r->command_as_Transfer();
      out.command = core::Transfer{need(c->window(), "transfer", "window", st),
                                   need(c->service(), "transfer", "service", st)};
      break;
    }
    case w::Command::FinishTicket:
      out.command = core::Finish{need(r->command_as_FinishTicket()->window(), "finish", "window", st),
                                 view(r->command_as_FinishTicket()->case_number())};
      break;
    case w::Command::Evaluate: {
      auto c = r->command_as_Evaluate();
      core::Evaluate cmd{need(c->number(), "evaluate", "ticket number", st), c->level(), view(c->window())};
      if (c->reasons())
        for (const flatbuffers::String* reason : *c->reasons()) cmd.reasons.push_back(view(reason));
      cmd.comment = view(c->comment());
      // An unknown channel stays out of range for the core to refuse by name.
      cmd.channel = static_cast<core::EvaluationChannel>(c->channel());
      cmd.day = c->day();
      out.command = std::move(cmd);
      break;
    }
    case w::Command::SetWindowSkills: {
      auto c = r->command_as_SetWindowSkills();
      core::SetWindowSkills cmd{need(c->window(), "skills", "window", st), {}};
      if (c->serves() == nullptr || c->serves()->size() == 0) {
        if (st.ok()) st = {ErrorCode::kMalformed, "skills: missing serves"};
      } else {
        for (const w::SkillRef* k : *c->serves())
          cmd.serves.emplace_back(need(k->service(), "skills", "service", st), k->level());
      }
      out.command = std::move(cmd);
      break;
    }
    case w::Command::AcceptAdvisory: {
      auto c = r->command_as_AcceptAdvisory();
      out.command = core::AcceptAdvisory{c->advisory(), view(c->staff())};
      break;
    }
    case w::Command::SetNotice: {
      out.command = core::SetNotice{view(r->command_as_SetNotice()->text())};
      break;
    }
    case w::Command::MoveStaff: {
      auto c = r->command_as_MoveStaff();
      out.command =
          core::MoveStaff{need(c->staff(), "move", "staff", st), need(c->window(), "move", "window", st)};
      break;
    }
    case w::Command::ReportDevice: {
      auto c = r->command_as_ReportDevice();
      if (c->state() > w::DeviceState::MAX) return {ErrorCode::kBadArgument, "device: unknown state"};
      out.command = core::ReportDevice{need(c->device(), "device", "device id", st),
                                       need(c->kind(), "device", "kind", st),
                                       static_cast<core::DeviceState>(c->state()), view(c->detail())};
      break;
    }
    case w::Command::Book: {
      auto c = r->command_as_Book();
      // slot_min as the encoder writes it (clamped to -1..24 h: a value outside is no slot either way,
      // and the core refuses it), so that a decoded request encodes to itself.
      out.command = core::Book{need(c->service(), "book", "service", st),
                               c->day(),
                               std::clamp<int>(c->slot_min(), -1, 24 * 60),
                               need(c->person(), "book", "person", st),
                               view(c->phone()),
                               c->nonce()};
      break;
    }
    case w::Command::CancelBooking:
      out.command = core::CancelBooking{r->command_as_CancelBooking()->code()};
      break;
    case w::Command::CheckIn:
      out.command = core::CheckIn{r->command_as_CheckIn()->code()};
      break;
    case w::Command::IssueRemote: {
      auto c = r->command_as_IssueRemote();
      out.command =
          core::IssueRemote{need(c->service(), "issue_remote", "service", st),
                            need(c->person(), "issue_remote", "person", st), view(c->phone()), c->nonce()};
      break;
    }
    case w::Command::RecordCallback: {  // empty note or author: the core says so, in Chinese
      auto c = r->command_as_RecordCallback();
      out.command = core::RecordCallback{c->ticket(), c->reached(), view(c->note()), view(c->by())};
      break;
    }
    case w::Command::RecordUploadRejection: {  // empty fields: the core says so, in Chinese
      auto c = r->command_as_RecordUploadRejection();
      out.command = core::RecordUploadRejection{view(c->record_id()), c->status(), view(c->reason())};
      break;
    }
    case w::Command::RequestUploadResend: {  // an empty id: the core says so, in Chinese
      out.command = core::RequestUploadResend{view(r->command_as_RequestUploadResend()->record_id())};
      break;
    }
    case w::Command::RecordUploadAcceptance: {  // an empty id or 0: the core says so, in Chinese
      auto c = r->command_as_RecordUploadAcceptance();
      out.command = core::RecordUploadAcceptance{view(c->record_id()), c->resend()};
      break;
    }
    case w::Command::RecordRectification: {
      auto c = r->command_as_RecordRectification();
      out.command = core::RecordRectification{c->ticket(), view(c->note()), view(c->by())};
      break;
    }
    case w::Command::Cancel: {
      auto c = r->command_as_Cancel();
      if (c->reason() > w::LeaveReason::MAX) return {ErrorCode::kBadArgument, "cancel: unknown reason"};
      out.command = core::Cancel{need(c->number(), "cancel", "ticket number", st),
                                 static_cast<core::LeaveReason>(c->reason())};
      break;
    }
    default:
      return {ErrorCode::kMalformed, "request without a known command"};
  }
  if (!st.ok()) return st;
  out.kind = out.kind == RequestKind::kSnapshot ? RequestKind::kSnapshot : RequestKind::kCommand;
  if (out.hall.empty()) return {ErrorCode::kMalformed, "request without a hall"};
  return {};
}

std::string encode_request(std::string_view request_id, std::string_view hall,
                           const core::CommandBody& command) {
  flatbuffers::FlatBufferBuilder fbb(256);
  auto str = [&](std::string_view s) { return fbb.CreateString(s.data(), s.size()); };
  // Strings must be created before the tables that hold them.
  auto rid = str(request_id);
  auto hid = str(hall);
  w::Command type = w::Command::NONE;
  flatbuffers::Offset<void> body;
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, core::IssueTicket>) {
          type = w::Command::IssueTicket;
          body = w::CreateIssueTicket(fbb, str(c.service), static_cast<w::Priority>(c.priority)).Union();
        } else if constexpr (std::is_same_v<T, core::OpenWindow>) {
          type = w::Command::OpenWindow;
          auto win = str(c.window);
          body = w::CreateOpenWindow(fbb, win, str(c.staff)).Union();
        } else if constexpr (std::is_same_v<T, core::CloseWindow>) {
          type = w::Command::CloseWindow;
          body = w::CreateCloseWindow(fbb, str(c.window)).Union();
        } else if constexpr (std::is_same_v<T, core::PauseWindow>) {
          type = w::Command::PauseWindow;
          body = w::CreatePauseWindow(fbb, str(c.window)).Union();
        } else if constexpr (std::is_same_v<T, core::ResumeWindow>) {
          type = w::Command::ResumeWindow;
          body = w::CreateResumeWindow(fbb, str(c.window)).Union();
        } else if constexpr (std::is_same_v<T, core::CallNext>) {
          type = w::Command::CallNext;
          body = w::CreateCallNext(fbb, str(c.window)).Union();
        } else if constexpr (std::is_same_v<T, core::CallTicket>) {
          type = w::Command::CallTicket;
          auto win = str(c.window);
          body = w::CreateCallTicket(fbb, win, str(c.number)).Union();
        } else if constexpr (std::is_same_v<T, core::Recall>) {
          type = w::Command::Recall;
          body = w::CreateRecall(fbb, str(c.window)).Union();
        } else if constexpr (std::is_same_v<T, core::StartService>) {
          type = w::Command::StartService;
          body = w::CreateStartService(fbb, str(c.window)).Union();
        } else if constexpr (std::is_same_v<T, core::SkipTicket>) {
          type = w::Command::SkipTicket;
          body = w::CreateSkipTicket(fbb, str(c.window)).Union();
        } else if constexpr (std::is_same_v<T, core::Reactivate>) {
          type = w::Command::Reactivate;
          body = w::CreateReactivate(fbb, str(c.number)).Union();
        } else if constexpr (std::is_same_v<T, core::HoldTicket>) {
          type = w::Command::HoldTicket;
          body = w::CreateHoldTicket(fbb, str(c.window)).Union();
        } else if constexpr (std::is_same_v<T, core::UnholdTicket>) {
          type = w::Command::UnholdTicket;
          body = w::CreateUnholdTicket(fbb, str(c.number)).Union();
        } else if constexpr (std::is_same_v<T, core::Transfer>) {
          type = w::Command::Transfer;
          auto win = str(c.window);
          body = w::CreateTransfer(fbb, win, str(c.service)).Union();
        } else if constexpr (std::is_same_v<T, core::Finish>) {
          type = w::Command::FinishTicket;
          auto win = str(c.window);
          body = w::CreateFinishTicket(fbb, win, c.case_number.empty() ? 0 : str(c.case_number)).Union();
        } else if constexpr (std::is_same_v<T, core::Evaluate>) {
          type = w::Command::Evaluate;
          auto number = str(c.number);
          auto win = str(c.window);
          // The wire has a byte: a level beyond it must not wrap into a valid one
          // (261 -> 5); 255 is invalid (0 is "not rated").
          const auto level = static_cast<std::uint8_t>(c.level >= 0 && c.level <= 255 ? c.level : 255);
          std::vector<flatbuffers::Offset<flatbuffers::String>> reasons;
          for (std::string_view r : c.reasons) reasons.push_back(str(r));
          auto reasons_vec = reasons.empty() ? 0 : fbb.CreateVector(reasons);
          auto comment = c.comment.empty() ? 0 : str(c.comment);
          body = w::CreateEvaluate(fbb, number, level, win, reasons_vec, comment,
                                   static_cast<w::EvaluationChannel>(c.channel), c.day)
                     .Union();
        } else if constexpr (std::is_same_v<T, core::SetWindowSkills>) {
          type = w::Command::SetWindowSkills;
          std::vector<flatbuffers::Offset<w::SkillRef>> serves;
          for (const auto& [id, level] : c.serves)
            serves.push_back(
                w::CreateSkillRef(fbb, str(id), static_cast<std::uint8_t>(std::clamp(level, 0, 255))));
          auto win = str(c.window);
          body = w::CreateSetWindowSkills(fbb, win, fbb.CreateVector(serves)).Union();
        } else if constexpr (std::is_same_v<T, core::AcceptAdvisory>) {
          type = w::Command::AcceptAdvisory;
          body = w::CreateAcceptAdvisory(fbb, c.advisory, str(c.staff)).Union();
        } else if constexpr (std::is_same_v<T, core::SetNotice>) {
          type = w::Command::SetNotice;
          body = w::CreateSetNotice(fbb, str(c.text)).Union();
        } else if constexpr (std::is_same_v<T, core::MoveStaff>) {
          type = w::Command::MoveStaff;
          auto staff = str(c.staff);
          body = w::CreateMoveStaff(fbb, staff, str(c.window)).Union();
        } else if constexpr (std::is_same_v<T, core::ReportDevice>) {
          type = w::Command::ReportDevice;
          auto device = str(c.device), kind = str(c.kind), detail = str(c.detail);
          body =
              w::CreateReportDevice(fbb, device, kind, static_cast<w::DeviceState>(c.state), detail).Union();
        } else if constexpr (std::is_same_v<T, core::Book>) {
          type = w::Command::Book;
          auto service = str(c.service), person = str(c.person), phone = str(c.phone);
          body = w::CreateBook(fbb, service, c.day,
                               static_cast<std::int16_t>(std::clamp(c.slot_min, -1, 24 * 60)), person, phone,
                               c.nonce)
                     .Union();
        } else if constexpr (std::is_same_v<T, core::CancelBooking>) {
          type = w::Command::CancelBooking;
          body = w::CreateCancelBooking(fbb, c.code).Union();
        } else if constexpr (std::is_same_v<T, core::CheckIn>) {
          type = w::Command::CheckIn;
          body = w::CreateCheckIn(fbb, c.code).Union();
        } else if constexpr (std::is_same_v<T, core::IssueRemote>) {
          type = w::Command::IssueRemote;
          auto service = str(c.service), person = str(c.person), phone = str(c.phone);
          body = w::CreateIssueRemote(fbb, service, person, phone, c.nonce).Union();
        } else if constexpr (std::is_same_v<T, core::RecordCallback>) {
          type = w::Command::RecordCallback;
          auto note = str(c.note), by = str(c.by);
          body = w::CreateRecordCallback(fbb, c.ticket, c.reached, note, by).Union();
        } else if constexpr (std::is_same_v<T, core::RecordUploadRejection>) {
          type = w::Command::RecordUploadRejection;
          auto record_id = str(c.record_id), reason = str(c.reason);
          // A status beyond 16 bits reaches the core as one out of range, not wrapped into it.
          const auto status = static_cast<std::uint16_t>(c.status < 0 || c.status > 65535 ? 0 : c.status);
          body = w::CreateRecordUploadRejection(fbb, record_id, status, reason).Union();
        } else if constexpr (std::is_same_v<T, core::RequestUploadResend>) {
          type = w::Command::RequestUploadResend;
          auto record_id = str(c.record_id);
          body = w::CreateRequestUploadResend(fbb, record_id).Union();
        } else if constexpr (std::is_same_v<T, core::RecordUploadAcceptance>) {
          type = w::Command::RecordUploadAcceptance;
          auto record_id = str(c.record_id);
          // Beyond 32 bits: 0, which the core refuses, not a value wrapped into range.
          const auto resend =
              static_cast<std::uint32_t>(c.resend < 0 || c.resend > 0xFFFFFFFFLL ? 0 : c.resend);
          body = w::CreateRecordUploadAcceptance(fbb, record_id, resend).Union();
        } else if constexpr (std::is_same_v<T, core::RecordRectification>) {
          type = w::Command::RecordRectification;
          auto note = str(c.note), by = str(c.by);
          body = w::CreateRecordRectification(fbb, c.ticket, note, by).Union();
        } else if constexpr (std::is_same_v<T, core::Cancel>) {
          type = w::Command::Cancel;
          body = w::CreateCancel(fbb, str(c.number), static_cast<w::LeaveReason>(c.reason)).Union();
        } else {
          throw std::invalid_argument("command cannot be sent over the wire");
        }
      },
      command);
  return finish(fbb, w::CreateRequest(fbb, rid, hid, type, body));
}

std::string encode_snapshot_request(std::string_view request_id, std::string_view hall) {
  flatbuffers::FlatBufferBuilder fbb(128);
  auto rid = fbb.CreateString(request_id.data(), request_id.size());
  auto hid = fbb.CreateString(hall.data(), hall.size());
  auto body = w::CreateSnapshotRequest(fbb).Union();
  return finish(fbb, w::CreateRequest(fbb, rid, hid, w::Command::SnapshotRequest, body));
}

std::string encode_ping(std::string_view request_id) {
  flatbuffers::FlatBufferBuilder fbb(64);
  auto rid = fbb.CreateString(request_id.data(), request_id.size());
  auto body = w::CreatePing(fbb).Union();
  return finish(fbb, w::CreateRequest(fbb, rid, 0, w::Command::Ping, body));
}

}  // namespace hallq::protocol
