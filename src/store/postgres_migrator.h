#ifndef TFZO_STORE_POSTGRES_MIGRATOR_H_
#define TFZO_STORE_POSTGRES_MIGRATOR_H_

#include <vector>

#include "core/status.h"
#include "store/migrations.h"
#include "store/pg_connection.h"

namespace tfzo {

// Brings a PostgreSQL database's schema up to date, like ApplySqliteMigrations: creates
// schema_migrations(version, name, applied_at) if missing, then applies, in version order,
// every migration whose version is not recorded there, each in its own transaction together
// with its row in schema_migrations. Every transaction first takes one transaction-scoped
// advisory lock (pg_advisory_xact_lock), so several nodes starting at once apply each
// migration exactly once. The caller owns `conn` and must not use it concurrently.
Status ApplyPostgresMigrations(PgConnection& conn, const std::vector<Migration>& migrations);

}  // namespace tfzo

#endif  // TFZO_STORE_POSTGRES_MIGRATOR_H_
