// Three LMDB databases: halls (id -> snapshot), revisions (id -> decimal) and
// events (id, NUL, big-endian sequence -> message bytes), so a hall's events
// are one range of keys in order.
#include "displays/city/city_store.h"

#include <filesystem>
#include <string_view>

namespace hallq::city {

namespace lmdb = store::lmdb;

namespace {

// Hall ids are [A-Za-z0-9_-]+: NUL ends the id, so a hall's keys are together and in order.
std::string event_key(const std::string& hall, std::uint64_t seq) {
  std::string key = hall;
  key.push_back('\0');
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>((seq >> shift) & 0xff));
  return key;
}

std::string events_prefix(const std::string& hall) { return hall + '\0'; }

}  // namespace

CityStore::CityStore(const std::string& dir) : env_(lmdb::Env::create()) {
  std::filesystem::create_directories(dir);
  env_.set_maxdbs(3);
  env_.set_mapsize(std::size_t{4} << 30);
  env_.open(dir.c_str(), MDB_NOTLS, 0640);
  lmdb::Txn txn = lmdb::Txn::begin(env_.handle());
  halls_ = *lmdb::Dbi::open(txn.handle(), "halls", MDB_CREATE);
  revisions_ = *lmdb::Dbi::open(txn.handle(), "revisions", MDB_CREATE);
  events_ = *lmdb::Dbi::open(txn.handle(), "events", MDB_CREATE);
  txn.commit();
}

std::vector<CityStore::Saved> CityStore::load() const {
  std::vector<Saved> out;
  lmdb::Txn txn = lmdb::Txn::begin(env_.handle(), MDB_RDONLY);
  {
    lmdb::Cursor cur = lmdb::Cursor::open(txn.handle(), halls_);
    MDB_val k, v;
    for (bool more = cur.get(&k, &v, MDB_FIRST); more; more = cur.get(&k, &v, MDB_NEXT)) {
      Saved s;
      s.hall = std::string(lmdb::to_view(k));
      s.snapshot = std::string(lmdb::to_view(v));
      out.push_back(std::move(s));
    }
  }
  for (Saved& s : out) {
    if (auto r = revisions_.get(txn.handle(), s.hall)) s.revision = std::stoull(std::string(*r));
    const std::string prefix = events_prefix(s.hall);
    lmdb::Cursor cur = lmdb::Cursor::open(txn.handle(), events_);
    MDB_val k{prefix.size(), const_cast<char*>(prefix.data())}, v;
    for (bool more = cur.get(&k, &v, MDB_SET_RANGE); more && lmdb::to_view(k).starts_with(prefix);
         more = cur.get(&k, &v, MDB_NEXT))
      s.events.emplace_back(lmdb::to_view(v));
  }
  return out;
}

void CityStore::save(const std::vector<Event>& events, const std::vector<Saved>& snapshots) {
  if (events.empty() && snapshots.empty()) return;
  lmdb::Txn txn = lmdb::Txn::begin(env_.handle());
  for (const Event& e : events) events_.put(txn.handle(), event_key(e.hall, e.seq), e.bytes);
  for (const Saved& s : snapshots) {
    halls_.put(txn.handle(), s.hall, s.snapshot);
    revisions_.put(txn.handle(), s.hall, std::to_string(s.revision));
    const std::string prefix = events_prefix(s.hall);
    lmdb::Cursor cur = lmdb::Cursor::open(txn.handle(), events_);
    MDB_val k{prefix.size(), const_cast<char*>(prefix.data())}, v;
    for (bool more = cur.get(&k, &v, MDB_SET_RANGE); more && lmdb::to_view(k).starts_with(prefix);
         more = cur.get(&k, &v, MDB_NEXT))
      lmdb::check("mdb_cursor_del", ::mdb_cursor_del(cur.handle(), 0));
  }
  txn.commit();
}

std::size_t CityStore::event_count() const {
  lmdb::Txn txn = lmdb::Txn::begin(env_.handle(), MDB_RDONLY);
  return events_.stat(txn.handle()).ms_entries;
}

}  // namespace hallq::city
