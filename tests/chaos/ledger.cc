#include "tests/chaos/ledger.h"

#include <fmt/format.h>

#include <set>
#include <type_traits>
#include <variant>

#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/store/event_store.h"

namespace hallq::chaos {
namespace {

// The state a ticket event leaves its ticket in, if it is about one ticket.
std::optional<std::pair<core::TicketId, core::TicketState>> ticket_after(const core::EventBody& body) {
  using S = core::TicketState;
  return std::visit(
      [](const auto& e) -> std::optional<std::pair<core::TicketId, core::TicketState>> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, core::TicketIssued>)
          return {{e.ticket, S::kWaiting}};
        else if constexpr (std::is_same_v<T, core::TicketCalled>)
          return {{e.ticket, S::kCalled}};
        else if constexpr (std::is_same_v<T, core::TicketRecalled>)
          return {{e.ticket, S::kCalled}};
        else if constexpr (std::is_same_v<T, core::ServiceStarted>)
          return {{e.ticket, S::kServing}};
        else if constexpr (std::is_same_v<T, core::TicketSkipped>)
          return {{e.ticket, S::kNoShow}};
        else if constexpr (std::is_same_v<T, core::TicketRequeued>)
          return {{e.ticket, S::kWaiting}};
        else if constexpr (std::is_same_v<T, core::TicketHeld>)
          return {{e.ticket, S::kHeld}};
        else if constexpr (std::is_same_v<T, core::TicketTransferred>)
          return {{e.ticket, S::kWaiting}};
        else if constexpr (std::is_same_v<T, core::TicketFinished>)
          return {{e.ticket, S::kDone}};
        else if constexpr (std::is_same_v<T, core::TicketEvaluated>)
          return {{e.ticket, S::kRated}};
        else if constexpr (std::is_same_v<T, core::TicketLeft>)
          return {{e.ticket, S::kLeft}};
        else
          return std::nullopt;
      },
      body);
}

}  // namespace

Ledger::Ledger(std::map<std::string, std::shared_ptr<const core::HallConfig>> configs)
    : configs_(std::move(configs)) {}

void Ledger::record_sent(const std::string& request_id, Sent sent) {
  std::lock_guard lock(mu_);
  unanswered_[request_id] = sent;
  sent_[request_id] = std::move(sent);
}

void Ledger::record_answer(const std::string& request_id, const protocol::DecodedReply& reply) {
  std::lock_guard lock(mu_);
  Answer a{sent_.at(request_id).hall, reply.code, reply.events, reply.duplicate};
  unanswered_.erase(request_id);
  auto it = answers_.find(request_id);
  // A refused command is not remembered by the engine, so its retry may be
  // applied; an accepted one's first answer stays the reference.
  if (it == answers_.end())
    answers_.emplace(request_id, std::move(a));
  else if (it->second.code != core::ErrorCode::kOk)
    it->second = std::move(a);
}

std::map<std::string, Sent> Ledger::take_unanswered() {
  std::lock_guard lock(mu_);
  std::map<std::string, Sent> out;
  out.swap(unanswered_);
  return out;
}

std::vector<std::pair<std::string, Answer>> Ledger::accepted(const std::string& hall) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, Answer>> out;
  for (const auto& [id, a] : answers_)
    if (a.hall == hall && a.code == core::ErrorCode::kOk && !a.events.empty()) out.emplace_back(id, a);
  return out;
}

const Sent* Ledger::sent(const std::string& request_id) const {
  std::lock_guard lock(mu_);
  auto it = sent_.find(request_id);
  return it == sent_.end() ? nullptr : &it->second;
}

std::uint64_t Ledger::answered() const {
  std::lock_guard lock(mu_);
  return answers_.size();
}

std::uint64_t Ledger::accepted_count() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& [id, a] : answers_) n += a.code == core::ErrorCode::kOk;
  return n;
}

std::uint64_t Ledger::acknowledged_events() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& [id, a] : answers_) n += a.events.size();
  return n;
}

std::uint64_t Ledger::acknowledged_tickets() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& [id, a] : answers_)
    for (const std::string& e : a.events)
      n += protocol::describe_event(protocol::as_bytes(e)).kind == "ticket_issued";
  return n;
}

std::vector<std::string> Ledger::check(const std::string& hall_id, const std::string& data_dir,
                                       const core::Hall& engine_state) const {
  std::vector<std::string> problems;
  auto problem = [&](std::string p) {
    if (problems.size() < 20) problems.push_back(std::move(p));
  };
  const auto config = configs_.at(hall_id);
  std::lock_guard lock(mu_);
  store::EventStore store({.dir = data_dir, .read_only = true});

  // 1. Every acknowledged event is stored as acknowledged.
  std::map<core::TicketId, std::pair<core::Seq, core::TicketState>> expected;  // ticket -> last acked state
  std::map<std::string, std::set<core::Seq>> acked_seqs;                       // request id -> its events
  std::map<core::TicketId, std::string> issued_numbers;
  for (const auto& [id, a] : answers_) {
    if (a.hall != hall_id) continue;
    for (const std::string& bytes : a.events) {
      protocol::DecodedEvent d;
      if (!protocol::decode_event(protocol::as_bytes(bytes), *config, d).ok()) {
        problem(fmt::format("request {}: an acknowledged event does not decode", id));
        continue;
      }
      acked_seqs[id].insert(d.event.seq);
      const auto stored = store.read_event(hall_id, d.event.seq);
      if (!stored)
        problem(fmt::format("acknowledged event {} (request {}) is lost", d.event.seq, id));
      else if (*stored != bytes)
        problem(fmt::format("stored event {} differs from the one acknowledged to {}", d.event.seq, id));
      if (auto t = ticket_after(d.event.body)) {
        auto& slot = expected[t->first];
        if (d.event.seq >= slot.first) slot = {d.event.seq, t->second};
      }
      if (std::holds_alternative<core::TicketIssued>(d.event.body)) {
        const auto id_of = std::get<core::TicketIssued>(d.event.body).ticket;
        if (!issued_numbers.emplace(id_of, d.number).second && issued_numbers[id_of] != d.number)
          problem(fmt::format("ticket {} acknowledged under two numbers", id_of));
      }
    }
  }

  // 2. The stored history, folded: nothing applied that no client was told of.
  core::Hall fold(config, policy::find_policy(config->rules.policy), &predict::default_predictor());
  std::map<std::string, std::set<core::Seq>> stored_seqs;
  store.for_each_event(hall_id, 1, [&](std::uint64_t seq, std::string_view raw) {
    const std::string copy(raw);
    protocol::DecodedEvent d;
    if (protocol::inspect(protocol::as_bytes(copy)) != protocol::MessageKind::kEvent ||
        !protocol::decode_event(protocol::as_bytes(copy), *config, d).ok()) {
      problem(fmt::format("stored event {} is unreadable", seq));
      return false;
    }
    fold.apply_event(d.event);
    if (!d.request_id.empty()) stored_seqs[d.request_id].insert(seq);
    return true;
  });
  for (const auto& [id, seqs] : stored_seqs) {
    auto it = answers_.find(id);
    if (it == answers_.end())
      problem(fmt::format("request {} is applied but was never acknowledged", id));
    else if (acked_seqs[id] != seqs)
      problem(fmt::format("request {}: stored events differ from its answer", id));
  }
  for (const auto& [id, seqs] : acked_seqs)
    if (!stored_seqs.contains(id)) problem(fmt::format("acknowledged request {} has no stored event", id));

  // 3. The engine serves exactly the stored history.
  if (protocol::encode_snapshot(fold, 0, false) != protocol::encode_snapshot(engine_state, 0, false))
    problem(fmt::format("the engine's state (seq {}) differs from the fold of its log (seq {})",
                        engine_state.seq(), fold.seq()));

  // 4. Tickets: each acknowledged one under its number with its last state;
  // no number twice; no ticket nobody asked for.
  for (const auto& [ticket, last] : expected) {
    const core::Ticket* t = engine_state.find_ticket(ticket);
    if (t == nullptr) {
      problem(fmt::format("acknowledged ticket {} is lost", ticket));
      continue;
    }
    if (t->state != last.second)
      problem(fmt::format("ticket {} is in state {} but its last acknowledged event (seq {}) left it in {}",
                          engine_state.number_of(*t), static_cast<int>(t->state), last.first,
                          static_cast<int>(last.second)));
    auto n = issued_numbers.find(ticket);
    if (n != issued_numbers.end() && n->second != engine_state.number_of(*t))
      problem(fmt::format("ticket {} acknowledged as {} is now {}", ticket, n->second,
                          engine_state.number_of(*t)));
  }
  std::set<std::string> numbers;
  for (const core::Ticket& t : engine_state.tickets()) {
    if (!numbers.insert(engine_state.number_of(t)).second)
      problem(fmt::format("number {} issued twice", engine_state.number_of(t)));
    if (!issued_numbers.contains(t.id))
      problem(fmt::format("ticket {} was issued to nobody", engine_state.number_of(t)));
  }
  return problems;
}

}  // namespace hallq::chaos
