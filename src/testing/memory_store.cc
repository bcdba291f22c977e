#include "testing/memory_store.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "store/sql_store.h"
#include "store/sqlite_database.h"

namespace tfzo::testing {
namespace {

// The in-memory SQLite engine, with freshness() taken from a FreshnessSwitch.
class SwitchedDatabase final : public SqlDatabase {
 public:
  SwitchedDatabase(std::unique_ptr<SqlDatabase> inner, const FreshnessSwitch& feed)
      : inner_(std::move(inner)), feed_(feed) {}

  Status Run(Mode mode, const Body& body) override { return inner_->Run(mode, body); }
  Status RecordKeyUses(SqlConnection& conn, const KeyUses& uses) override {
    return inner_->RecordKeyUses(conn, uses);
  }
  Freshness freshness() const override { return feed_.freshness(); }

 private:
  const std::unique_ptr<SqlDatabase> inner_;
  const FreshnessSwitch& feed_;
};

[[noreturn]] void Die(const Status& status) {
  std::fprintf(stderr, "cannot open an in-memory store: %s\n", status.message().c_str());
  std::abort();
}

}  // namespace

std::unique_ptr<Store> OpenMemoryStore(const FreshnessSwitch* feed) {
  auto database = SqliteDatabase::Open(":memory:");
  if (!database.ok()) Die(database.status());
  std::unique_ptr<SqlDatabase> engine = std::move(database).value();
  if (feed != nullptr) engine = std::make_unique<SwitchedDatabase>(std::move(engine), *feed);
  auto store = SqlStore::Open(std::move(engine));
  if (!store.ok()) Die(store.status());
  return std::move(store).value();
}

}  // namespace tfzo::testing
