#ifndef TFZO_STORE_MIGRATIONS_H_
#define TFZO_STORE_MIGRATIONS_H_

#include <string>
#include <vector>

#include "core/embedded_file.h"
#include "core/result.h"

namespace tfzo {

namespace migrations {
// The files of src/store/migrations, compiled in by embed_files() (generated source).
const std::vector<EmbeddedFile>& Files();
}  // namespace migrations

// The SQL dialects the one set of migrations is written for.
enum class SqlDialect { kSqlite, kPostgres };

// One schema migration, ready to run on one dialect. Value type.
struct Migration {
  int version = 0;   // from the file name's NNNN prefix
  std::string name;  // the file name, "0001_init.sql"
  std::string sql;   // placeholders already substituted
};

// The text that replaces the dialect placeholder "{{SEQ_PK}}": an auto-increment integer
// primary key that keeps insertion order.
std::string_view SeqPrimaryKey(SqlDialect dialect);

// The text that replaces "{{WITHOUT_ROWID}}" after a CREATE TABLE's closing parenthesis: SQLite's
// " WITHOUT ROWID" (the rows stored in the primary key's b-tree, no second index), nothing on
// PostgreSQL.
std::string_view WithoutRowid(SqlDialect dialect);

// Orders `files` ("NNNN_name.sql", NNNN unique and > 0) by version and substitutes the
// dialect's placeholders. kInternal for a badly named or duplicated file (a build defect).
Result<std::vector<Migration>> LoadMigrations(const std::vector<EmbeddedFile>& files,
                                              SqlDialect dialect);

}  // namespace tfzo

#endif  // TFZO_STORE_MIGRATIONS_H_
