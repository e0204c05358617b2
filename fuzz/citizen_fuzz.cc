// Fuzz target `citizen`: the bytes of one connection to hallq-citizen, read
// by the engine's own request reader with the gateway's 1 KiB body limit
// (engine/server/http_request_parse.h, as citizen_server.cc runs it), then up
// to 4 requests through the gateway's routes (adapters/citizen/citizen_api.h)
// over the town hall in mid-day (fuzz_halls.h), whose cancels are applied to
// it, as are its remote tickets (POST /api/remote, with the person salt set,
// so that bodies reach the ID and phone checks). "{k:NUMBER}" in the input becomes that ticket's token for
// the hall's day (secret: 32 bytes of 's'), so that inputs reach past the token check, and
// "{c}" the hall's check-in token of the moment (keys/checkin_token.h), for /c/HALL and /api/checkin.
//
// HALLQ_FUZZ_SHOW=1 prints each answer's status and target (to see what a
// seed reaches). Properties besides no crash: every answer's status is in 200..599; a 4xx or
// 5xx answer is JSON with "error" and "message" (or, on the page route, an
// HTML page with the message); a 2xx JSON answer parses; an answer >= 400
// leaves the hall's sequence unchanged; a refusal of the reader is 400, 413
// or 431.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/citizen/citizen_api.h"
#include "engine/core/calendar.h"
#include "engine/keys/checkin_token.h"
#include "engine/keys/person_hash.h"
#include "engine/keys/ticket_token.h"
#include "engine/server/http_request_parse.h"
#include "fuzz/fuzz_halls.h"

namespace {

using namespace hallq;

void check(bool ok, const char* what, const std::string& detail) {
  if (ok) return;
  std::cerr << "citizen_fuzz: " << what << ": " << detail << "\n";
  std::abort();
}

class MidDay final : public citizen::HallSource {
 public:
  MidDay() : hall_(fuzz::mid_day_hall(0)) {}
  const core::Hall* hall(std::string_view id) const override { return id == "town" ? hall_.get() : nullptr; }
  core::TimeUs now() const override { return fuzz::mid_day_now(); }
  std::optional<Outcome> cancel(std::string_view hall, std::string_view number) override {
    check(hall == "town", "cancel in another hall", std::string(hall));
    std::vector<core::Event> out;
    const core::Status st =
        hall_->apply(core::Command{{}, core::Cancel{std::string(number)}}, fuzz::mid_day_now(), out);
    return Outcome{st.code(), st.message()};
  }
  std::optional<Outcome> issue_remote(std::string_view hall, const core::IssueRemote& command) override {
    check(hall == "town", "remote ticket in another hall", std::string(hall));
    std::vector<core::Event> out;
    const core::Status st = hall_->apply(core::Command{{}, command}, fuzz::mid_day_now(), out);
    Outcome o{st.code(), st.message(), {}};
    for (const core::Event& e : out) {
      if (const auto* r = std::get_if<core::RemoteTicketIssued>(&e.body)) {
        const core::Ticket* t = hall_->find_ticket(r->ticket);
        check(t != nullptr, "an issued remote ticket the hall does not hold", std::to_string(r->ticket));
        o.number = hall_->number_of(*t);
      }
    }
    check(st.ok() == !o.number.empty(), "an accepted remote ticket without its number", st.message());
    return o;
  }
  std::optional<Outcome> check_in(std::string_view hall, std::uint32_t code) override {
    check(hall == "town", "check-in in another hall", std::string(hall));
    std::vector<core::Event> out;
    const core::Status st = hall_->apply(core::Command{{}, core::CheckIn{code}}, fuzz::mid_day_now(), out);
    return Outcome{st.code(), st.message(), {}};
  }
  std::optional<Outcome> evaluate(std::string_view hall, const core::Evaluate& command) override {
    check(hall == "town", "evaluation in another hall", std::string(hall));
    check(command.channel == core::EvaluationChannel::kPhone, "an evaluation not from the phone", "");
    std::vector<core::Event> out;
    const core::Status st = hall_->apply(core::Command{{}, command}, fuzz::mid_day_now(), out);
    return Outcome{st.code(), st.message(), {}};
  }
  core::Seq seq() const { return hall_->seq(); }

 private:
  std::unique_ptr<core::Hall> hall_;
};

const std::string kSecret(32, 's');

std::string with_tokens(std::string text, const std::string& day) {
  for (std::size_t at; (at = text.find("{k:")) != std::string::npos;) {
    const std::size_t end = text.find('}', at);
    if (end == std::string::npos || end - at > 16) break;
    const std::string number = text.substr(at + 3, end - at - 3);
    text.replace(at, end - at + 1, keys::ticket_token(kSecret, "town", day, number));
  }
  const std::string checkin = keys::checkin_token_at(kSecret, "town", fuzz::mid_day_now(), 8 * 60);
  for (std::size_t at; (at = text.find("{c}")) != std::string::npos;) text.replace(at, 3, checkin);
  return text;
}

void check_answer(const server::HttpResponse& r, core::Seq before, core::Seq after,
                  const std::string& target) {
  check(r.status >= 200 && r.status <= 599, "status out of range", std::to_string(r.status));
  const bool json = r.content_type.rfind("application/json", 0) == 0;
  if (r.status >= 400) {
    check(after == before, "a refused request changed the hall", target);
    if (json) {
      const auto j = nlohmann::json::parse(r.body, nullptr, false);
      check(j.is_object() && j.contains("error") && j.contains("message"), "error without code/message",
            r.body);
    } else {
      check(r.body.find("<p id=\"error\">") != std::string::npos, "HTML error without its message", r.body);
    }
  } else if (json) {
    check(!nlohmann::json::parse(r.body, nullptr, false).is_discarded(), "2xx JSON does not parse", r.body);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  MidDay halls;
  citizen::CitizenConfig config;
  config.halls = {"town"};
  config.public_url = "https://q.example.gov.cn";
  config.trusted_proxies = {"10.0.0.1"};
  citizen::CitizenApi api(config, kSecret, halls);
  std::array<std::uint8_t, keys::kPersonSaltBytes> salt{};
  salt.fill('p');
  api.set_person_salt(keys::PersonSalt(salt));
  const std::string day = core::format_date(halls.hall("town")->day());
  std::string bytes = with_tokens(std::string(reinterpret_cast<const char*>(data), size), day);
  server::HttpRequestReader reader(config.limits.max_body);
  static const bool show = std::getenv("HALLQ_FUZZ_SHOW") != nullptr;  // what each seed gets: status, target
  std::string_view rest = bytes;
  for (int i = 0; i < 4 && !rest.empty(); ++i) {
    rest.remove_prefix(reader.feed(rest));
    if (reader.state() == server::HttpRequestReader::State::kNeedMore) break;
    if (reader.state() == server::HttpRequestReader::State::kRefused) {
      const int s = reader.refusal().status;
      check(s == 400 || s == 413 || s == 431, "reader refusal status", std::to_string(s));
      break;
    }
    server::ParsedHttpRequest p = reader.take();
    reader.reset();
    p.request.peer = i % 2 == 0 ? "10.0.0.1" : "203.0.113.7";
    const core::Seq before = halls.seq();
    const citizen::CitizenAnswer a = api.handle(p.request, static_cast<std::int64_t>(i) * 1'000'000);
    if (a.stream) {
      check(halls.hall(a.hall) != nullptr && halls.hall(a.hall)->find_number(a.number) != nullptr,
            "a stream of a ticket that does not exist", a.number);
      check(!api.ticket_json(a.hall, a.number).empty(), "a stream without JSON", a.number);
      continue;
    }
    check_answer(a.response, before, halls.seq(), p.request.target);
    if (show)
      std::cerr << a.response.status << " " << p.request.target << " " << a.response.body.substr(0, 120)
                << "\n";
  }
  return 0;
}
