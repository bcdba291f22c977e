#ifndef TFZO_STORE_SQLITE_MIGRATOR_H_
#define TFZO_STORE_SQLITE_MIGRATOR_H_

#include <vector>

#include "core/status.h"
#include "store/migrations.h"

struct sqlite3;

namespace tfzo {

// Brings an SQLite database's schema up to date: creates schema_migrations(version, name,
// applied_at) if missing, then applies, in version order, every migration whose version is
// not recorded there, each in its own BEGIN IMMEDIATE transaction together with its row in
// schema_migrations. Safe when several processes open the same file at once (the check is
// made inside the write transaction). The caller owns `db` and must not use it concurrently.
Status ApplySqliteMigrations(sqlite3* db, const std::vector<Migration>& migrations);

}  // namespace tfzo

#endif  // TFZO_STORE_SQLITE_MIGRATOR_H_
