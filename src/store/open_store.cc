#include "store/open_store.h"

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace tfzo {

Result<std::unique_ptr<Store>> OpenStore(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    const std::string path(url.substr(kSqlite.size()));
    if (path.empty()) {
      return InvalidRequest("--db sqlite:PATH needs a path (or sqlite::memory:)");
    }
    ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path));
    return Result<std::unique_ptr<Store>>(std::move(store));
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    // The URL may hold a password: it never goes into an error message.
    ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(std::string(url)));
    return Result<std::unique_ptr<Store>>(std::move(store));
  }
  return InvalidRequest(
      "--db must be sqlite:PATH (e.g. sqlite:./data/accounts.db) or postgresql://...");
}

}  // namespace tfzo
