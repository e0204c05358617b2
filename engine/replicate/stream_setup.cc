// Stream and bucket set-up: look up, create if absent, compare if present.
#include "engine/replicate/stream_setup.h"

#include <fmt/format.h>

namespace hallq::replicate {
namespace {

const char* storage_name(jsStorageType t) { return t == js_FileStorage ? "file" : "memory"; }

// A JetStream API failure as a start-up error; a permissions violation is
// named as such (the server answers it asynchronously, the request times out).
[[noreturn]] void fail(NatsConnection& conn, const std::string& what, natsStatus s, jsErrCode jerr) {
  std::string text = conn.describe(s, jerr);
  if (text.find("ermissions") != std::string::npos) {
    throw ReplicateError(fmt::format("{}: permission denied for this NATS user ({})", what, text));
  }
  throw ReplicateError(fmt::format("{}: {}", what, text), transient_status(s, jerr));
}

struct StreamInfo {
  jsStreamInfo* p = nullptr;
  ~StreamInfo() { jsStreamInfo_Destroy(p); }
};

// Looks `name` up: true if it exists (info filled), false if not found.
bool lookup(NatsConnection& conn, const std::string& name, StreamInfo& info, const std::string& what) {
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&info.p, conn.js(), name.c_str(), nullptr, &jerr);
  if (s == NATS_OK) return true;
  if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) return false;
  fail(conn, what, s, jerr);
}

void expect_equal(const std::string& what, const char* field, const std::string& have,
                  const std::string& want) {
  if (have != want) {
    throw ReplicateError(
        fmt::format("{} exists with {} = {}, but this engine needs {} = {} "
                    "(change the stream or the engine's settings)",
                    what, field, have, field, want));
  }
}

}  // namespace

std::string subject_of(const std::string& hall) { return "hallq.events." + hall; }

void ensure_stream(NatsConnection& conn, const StreamSpec& spec) {
  const std::string what = "JetStream stream " + spec.name;
  StreamInfo info;
  if (lookup(conn, spec.name, info, what)) {
    const jsStreamConfig* c = info.p->Config;
    std::string subjects;
    for (int i = 0; i < c->SubjectsLen; ++i) subjects += (i ? "," : "") + std::string(c->Subjects[i]);
    expect_equal(what, "subjects", subjects, spec.subjects);
    expect_equal(what, "storage", storage_name(c->Storage), "file");
    expect_equal(what, "replicas", std::to_string(c->Replicas), std::to_string(spec.replicas));
    return;
  }
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  const char* subjects[] = {spec.subjects.c_str()};
  cfg.Name = spec.name.c_str();
  cfg.Description = "hallq: every committed event of every hall, one subject per hall";
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = spec.replicas;
  cfg.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(spec.duplicates).count();
  cfg.DenyDelete = true;
  cfg.DenyPurge = true;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  StreamInfo made;
  const natsStatus s = js_AddStream(&made.p, conn.js(), &cfg, nullptr, &jerr);
  if (s != NATS_OK) fail(conn, "cannot create " + what, s, jerr);
}

namespace {

// A key-value bucket (history 1, no direct gets, no deletes) made as a
// stream of its own, or compared if present.
void ensure_bucket(NatsConnection& conn, const std::string& bucket, int replicas, const char* description) {
  const std::string what = "JetStream key-value bucket " + bucket;
  const std::string stream = "KV_" + bucket;
  StreamInfo info;
  if (lookup(conn, stream, info, what)) {
    const jsStreamConfig* c = info.p->Config;
    expect_equal(what, "replicas", std::to_string(c->Replicas), std::to_string(replicas));
    expect_equal(what, "history", std::to_string(c->MaxMsgsPerSubject), "1");
    expect_equal(what, "allow_direct", c->AllowDirect ? "true" : "false", "false");
    return;
  }
  // The bucket's stream is made here rather than by js_CreateKeyValue, which
  // allows direct gets: every replica answers those, a lagging follower with
  // the lease it held before the last write. Who serves a hall is decided on
  // reads of the stream's leader alone.
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  const std::string subject = "$KV." + bucket + ".>";
  const char* subjects[] = {subject.c_str()};
  cfg.Name = stream.c_str();
  cfg.Description = description;
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.MaxMsgsPerSubject = 1;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = replicas;
  cfg.Discard = js_DiscardNew;
  cfg.AllowRollup = true;
  cfg.DenyDelete = true;
  cfg.AllowDirect = false;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  StreamInfo made;
  const natsStatus s = js_AddStream(&made.p, conn.js(), &cfg, nullptr, &jerr);
  if (s != NATS_OK) fail(conn, "cannot create " + what, s, jerr);
}

}  // namespace

void ensure_owners_bucket(NatsConnection& conn, const OwnersSpec& spec) {
  ensure_bucket(conn, spec.bucket, spec.replicas, "hallq: which engine serves each hall, and its lease");
}

void ensure_halls_bucket(NatsConnection& conn, const HallsSpec& spec) {
  ensure_bucket(conn, spec.bucket, spec.replicas,
                "hallq: each hall's snapshot (config and state) as its engine started serving it");
}

}  // namespace hallq::replicate
