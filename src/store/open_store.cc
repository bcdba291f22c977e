#include "store/open_store.h"

#include "store/postgres_database.h"
#include "store/sql_store.h"
#include "store/sqlite_database.h"

namespace tfzo {
namespace {

template <typename Database, typename... Options>
Result<std::unique_ptr<Store>> OpenOver(const std::string& location, Options... options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> database, Database::Open(location, options...));
  ASSIGN_OR_RETURN(std::unique_ptr<SqlStore> store, SqlStore::Open(std::move(database)));
  return Result<std::unique_ptr<Store>>(std::move(store));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  return OpenOver<SqliteDatabase>(path);
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 std::chrono::milliseconds timeout) {
  return OpenOver<PostgresDatabase>(url, timeout);
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, std::chrono::milliseconds timeout) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    const std::string path(url.substr(kSqlite.size()));
    if (path.empty()) {
      return InvalidRequest("--db sqlite:PATH needs a path (or sqlite::memory:)");
    }
    return OpenSqliteStore(path);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    // The URL may hold a password: it never goes into an error message.
    return OpenPostgresStore(std::string(url), timeout);
  }
  return InvalidRequest(
      "--db must be sqlite:PATH (e.g. sqlite:./data/accounts.db) or postgresql://...");
}

}  // namespace tfzo
