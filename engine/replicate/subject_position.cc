// The resume position: a binary search over stream sequences, each probe one
// "next message of the subject" get, its hall sequence from the message id.
#include "engine/replicate/subject_position.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "engine/replicate/stream_setup.h"

namespace hallq::replicate {
namespace {

std::optional<std::string> base64_decode(std::string_view in) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    if (c == '=') break;
    const std::size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

struct Probe {
  std::uint64_t stream_seq = 0;  // 0: no message of the subject at or after the probe
  core::Seq hall_seq = 0;
};

// The subject's first message at or after stream sequence `from`.
std::optional<Probe> probe(NatsConnection& conn, const std::string& stream, const std::string& hall,
                           std::uint64_t from, std::string* error) {
  const std::string request = nlohmann::json{{"seq", from}, {"next_by_subj", subject_of(hall)}}.dump();
  natsMsg* reply = nullptr;
  const natsStatus s =
      natsConnection_RequestString(&reply, conn.raw(), ("$JS.API.STREAM.MSG.GET." + stream).c_str(),
                                   request.c_str(), conn.options().request_timeout.count());
  if (s != NATS_OK) {
    if (error) *error = conn.describe(s);
    return std::nullopt;
  }
  const nlohmann::json j = nlohmann::json::parse(
      std::string_view(natsMsg_GetData(reply), static_cast<std::size_t>(natsMsg_GetDataLength(reply))),
      nullptr, false);
  natsMsg_Destroy(reply);
  if (j.is_object() && j.contains("error")) {
    if (j["error"].value("err_code", 0) == 10037) return Probe{};  // no message found
    if (error) *error = fmt::format("stream {}: {}", stream, j["error"].dump());
    return std::nullopt;
  }
  if (!j.is_object() || !j.contains("message") || !j["message"].is_object()) {
    if (error) *error = "an unreadable answer of the stream";
    return std::nullopt;
  }
  const nlohmann::json& m = j["message"];
  const std::optional<std::string> headers = base64_decode(m.value("hdrs", std::string()));
  const std::string id_key = "Nats-Msg-Id:";
  const std::size_t at = headers ? headers->find(id_key) : std::string::npos;
  Probe p;
  p.stream_seq = m.value("seq", std::uint64_t{0});
  if (at != std::string::npos) {
    std::string id = headers->substr(at + id_key.size(), headers->find("\r\n", at) - at - id_key.size());
    id.erase(0, id.find_first_not_of(' '));
    const std::string prefix = hall + ":";
    if (id.rfind(prefix, 0) == 0) p.hall_seq = std::strtoull(id.c_str() + prefix.size(), nullptr, 10);
  }
  if (p.stream_seq == 0 || p.hall_seq == 0) {
    if (error) *error = fmt::format("{} stream seq {}: no hallq message id", subject_of(hall), p.stream_seq);
    return std::nullopt;
  }
  return p;
}

}  // namespace

std::optional<std::uint64_t> resume_position(NatsConnection& conn, const std::string& stream,
                                             const std::string& hall, core::Seq after, std::string* error) {
  // The subject's last message bounds the search.
  std::uint64_t lo = 1, hi = 0;
  {
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const natsStatus s = js_GetStreamInfo(&si, conn.js(), stream.c_str(), nullptr, &jerr);
    if (s != NATS_OK) {
      if (error) *error = conn.describe(s, jerr);
      return std::nullopt;
    }
    lo = std::max<std::uint64_t>(1, si->State.FirstSeq);
    hi = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
  }
  if (hi < lo) return std::nullopt;  // an empty stream: read from the start
  // The smallest S whose next message of the subject is after `after`.
  std::optional<Probe> found;
  while (lo <= hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    const std::optional<Probe> p = probe(conn, stream, hall, mid, error);
    if (!p) return std::nullopt;
    if (p->stream_seq != 0 && p->hall_seq > after) {
      found = p;
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  if (found) return found->stream_seq;
  return lo;  // nothing after `after` yet: one past the stream's last message
}

}  // namespace hallq::replicate
