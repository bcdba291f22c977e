#ifndef TFZO_STORE_COPY_STORE_H_
#define TFZO_STORE_COPY_STORE_H_

// `2501-accounts copy-store`: moving a SQLite store's rows into an empty PostgreSQL database.
// Used by the server binary (src/server/main.cc); see docs/backup.md.

#include <ostream>
#include <string>

#include "core/result.h"

namespace tfzo {

// Copies every table of the SQLite database at `sqlite_path` (read in one read transaction,
// so a running server may go on writing) into the PostgreSQL database at `pg_url`: migrates
// the target to this binary's schema, refuses a target holding any row (naming the table) and
// a source whose schema version is not this binary's, copies the tables the source's schema
// has (foreign keys first, schema_migrations and SQLite's own tables left out) in one
// PostgreSQL transaction, sets the identity columns' sequences after the copied ids, then
// compares each table's row count and SHA-256 over its canonical rows on both sides before
// committing. Writes one line per table to `out` (counts and digests, never a value); the URL
// never appears in a message.
Status CopySqliteToPostgres(const std::string& sqlite_path, const std::string& pg_url,
                            std::ostream& out);

}  // namespace tfzo

#endif  // TFZO_STORE_COPY_STORE_H_
