// Two LMDB databases: halls (id -> snapshot), revisions (id -> decimal).
#include "displays/city/city_store.h"

#include <filesystem>
#include <string_view>

namespace hallq::city {

namespace lmdb = store::lmdb;

CityStore::CityStore(const std::string& dir) : env_(lmdb::Env::create()) {
  std::filesystem::create_directories(dir);
  env_.set_maxdbs(2);
  env_.set_mapsize(std::size_t{1} << 30);
  env_.open(dir.c_str(), MDB_NOTLS, 0640);
  lmdb::Txn txn = lmdb::Txn::begin(env_.handle());
  halls_ = *lmdb::Dbi::open(txn.handle(), "halls", MDB_CREATE);
  revisions_ = *lmdb::Dbi::open(txn.handle(), "revisions", MDB_CREATE);
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
  }
  return out;
}

void CityStore::save(const std::vector<Saved>& halls) {
  if (halls.empty()) return;
  lmdb::Txn txn = lmdb::Txn::begin(env_.handle());
  for (const Saved& s : halls) {
    halls_.put(txn.handle(), s.hall, s.snapshot);
    revisions_.put(txn.handle(), s.hall, std::to_string(s.revision));
  }
  txn.commit();
}

}  // namespace hallq::city
