#include "tools/hallq/halls_verb.h"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "engine/core/utf8.h"
#include "engine/replicate/nats_connection.h"
#include "engine/replicate/ownership.h"
#include "engine/replicate/publisher.h"
#include "engine/replicate/stream_setup.h"
#include "tools/hallq/nats_args.h"

namespace hallq::cli {
namespace {

// The halls with an entry in the owners bucket (nullopt: no bucket yet).
std::optional<std::set<std::string>> owned_halls(replicate::NatsConnection& conn) {
  kvStore* kv = nullptr;
  natsStatus s = js_KeyValue(&kv, conn.js(), replicate::kOwnersBucket);
  if (s == NATS_NOT_FOUND) return std::nullopt;
  if (s != NATS_OK) throw replicate::ReplicateError("owners bucket: " + conn.describe(s));
  kvKeysList keys{};
  s = kvStore_Keys(&keys, kv, nullptr);
  std::set<std::string> out;
  if (s == NATS_OK)
    for (int i = 0; i < keys.Count; ++i)
      if (std::string_view(keys.Keys[i]).substr(0, replicate::kStandbyKeyPrefix.size()) !=
          replicate::kStandbyKeyPrefix)
        out.insert(keys.Keys[i]);  // a hall's key, not a standby's record
  kvKeysList_Destroy(&keys);
  kvStore_Destroy(kv);
  if (s != NATS_OK && s != NATS_NOT_FOUND)
    throw replicate::ReplicateError("owners bucket: " + conn.describe(s));
  return out;
}

// The halls with events in the stream (one subject each).
std::set<std::string> streamed_halls(replicate::NatsConnection& conn) {
  const std::string prefix = replicate::subject_of("");
  jsOptions o;
  jsOptions_Init(&o);
  const std::string filter = prefix + ">";
  o.Stream.Info.SubjectsFilter = filter.c_str();
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&si, conn.js(), replicate::kEventsStream, &o, &jerr);
  if (s == NATS_NOT_FOUND) return {};
  if (s != NATS_OK) throw replicate::ReplicateError("events stream: " + conn.describe(s));
  std::set<std::string> out;
  if (si->State.Subjects != nullptr)
    for (int i = 0; i < si->State.Subjects->Count; ++i)
      out.insert(std::string(si->State.Subjects->List[i].Subject).substr(prefix.size()));
  jsStreamInfo_Destroy(si);
  return out;
}

}  // namespace

CLI::App* add_halls_verb(CLI::App& app, HallsArgs& args) {
  CLI::App* sub = app.add_subcommand(
      "halls", "列出集群中的每个大厅：所属引擎、地址、租约、已复制到的序号（hallqd --replicate）");
  add_nats_options(*sub, args.nats, args.credentials, "NATS 用户凭据文件（只读用户即可）");
  return sub;
}

int run_halls(const HallsArgs& args, bool json) {
  try {
    replicate::NatsConnection conn(nats_options(args.nats, args.credentials, "hallq halls"));
    const std::optional<std::set<std::string>> owned = owned_halls(conn);
    std::set<std::string> halls = owned.value_or(std::set<std::string>{});
    halls.merge(streamed_halls(conn));
    std::optional<replicate::Ownership> owners;
    if (owned) owners.emplace(conn, "hallq-halls", "");
    replicate::Publisher stream(conn);
    const std::int64_t now = wall_ms();
    // The live standbys of each hall (hallqd --standby records itself).
    std::map<std::string, std::vector<std::string>> standbys;
    if (owners) {
      std::string error;
      for (const replicate::StandbyRecord& r : owners->standbys(&error))
        if (r.lease_until_ms > now)
          for (const std::string& h : r.halls) standbys[h].push_back(r.engine);
      if (!error.empty()) throw replicate::ReplicateError(error);
    }
    nlohmann::json list = nlohmann::json::array();
    auto row = [](std::string_view hall, std::string_view owner, std::string_view endpoint,
                  std::string_view lease, std::string_view seq, std::string_view standby) {
      return core::pad_to_width(hall, 16) + core::pad_to_width(owner, 16) + core::pad_to_width(endpoint, 28) +
             core::pad_to_width(lease, 16) + core::pad_to_width(seq, 12) + std::string(standby) + "\n";
    };
    std::string text = row("大厅", "所属引擎", "地址", "租约", "已复制序号", "备用引擎");
    for (const std::string& hall : halls) {
      std::string error;
      const std::optional<replicate::OwnerRecord> owner = owners ? owners->owner(hall, &error) : std::nullopt;
      if (!owner && !error.empty()) throw replicate::ReplicateError(error);
      const std::optional<replicate::SubjectTail> tail = stream.tail(hall, &error);
      if (!tail) throw replicate::ReplicateError(error);
      const bool live = owner && owner->lease_until_ms > now;
      const std::vector<std::string>& standing = standbys[hall];
      nlohmann::json j{{"hall", hall}, {"replicated_seq", tail->hall_seq}, {"standby", standing}};
      if (owner) {
        j["owner"] = owner->engine;
        j["endpoint"] = owner->endpoint;
        j["lease_until_ms"] = owner->lease_until_ms;
        j["lease_live"] = live;
      } else {
        j["owner"] = nullptr;
      }
      list.push_back(j);
      const std::string lease = !owner ? "—"
                                : live
                                    ? fmt::format("剩 {:.1f} 秒", (owner->lease_until_ms - now) / 1000.0)
                                    : fmt::format("已过期 {:.0f} 秒", (now - owner->lease_until_ms) / 1000.0);
      text += row(hall, owner ? owner->engine : "（无）", owner ? owner->endpoint : "", lease,
                  std::to_string(tail->hall_seq),
                  standing.empty() ? std::string("—") : fmt::format("{}", fmt::join(standing, ",")));
    }
    if (json)
      std::cout << list.dump() << std::endl;
    else
      std::cout << text << std::flush;
    return 0;
  } catch (const replicate::ReplicateError& e) {
    std::cerr << "无法读取集群：" << e.what() << std::endl;
    return 1;
  }
}

}  // namespace hallq::cli
