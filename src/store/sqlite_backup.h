#ifndef TFZO_STORE_SQLITE_BACKUP_H_
#define TFZO_STORE_SQLITE_BACKUP_H_

// `2501-accounts backup`: a consistent copy of a SQLite store while the server runs. Used by
// the server binary (src/server/main.cc); see docs/backup.md.

#include <cstdint>
#include <string>

#include "core/result.h"

namespace tfzo {

// What BackupSqlite made. Value type.
struct SqliteBackup {
  uint64_t bytes = 0;
  int schema_version = 0;
};

// A consistent copy of the SQLite database at `from` into the file `to`, through SQLite's
// online backup API (one snapshot; the server's writes go on meanwhile): written to a
// temporary file in `to`'s directory (mode 0600), checked with PRAGMA integrity_check,
// synced, and renamed into place (the directory synced too). An existing `to` is kept
// (kConflict) unless `force`. Nothing is left behind on failure.
Result<SqliteBackup> BackupSqlite(const std::string& from, const std::string& to, bool force);

}  // namespace tfzo

#endif  // TFZO_STORE_SQLITE_BACKUP_H_
