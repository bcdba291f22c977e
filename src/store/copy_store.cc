#include "store/copy_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "store/copy_rows.h"
#include "store/migrations.h"
#include "store/pg_connection.h"
#include "store/postgres_migrator.h"
#include "store/sqlite_migrator.h"

namespace tfzo {
namespace {

// A large store takes a while to copy: no statement deadline of a request's length.
constexpr auto kCopyDeadline = std::chrono::hours(12);
constexpr std::chrono::seconds kConnectTimeout(10);
constexpr int kFetchRows = 5000;      // rows per FETCH when reading the target back
constexpr int kMaxBatchRows = 500;    // rows per INSERT
constexpr size_t kMaxParams = 60000;  // PostgreSQL allows 65535 parameters per statement
constexpr char kMigrationsTable[] = "schema_migrations";

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;
struct StmtCloser {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtCloser>;

Status SourceError(sqlite3* db, const std::string& what) {
  return Internal("source: " + what + ": " + sqlite3_errmsg(db));
}

Result<SqliteDb> OpenSqlite(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK) return SourceError(raw, "open");
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

Result<Stmt> Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return SourceError(db, "prepare");
  }
  return Stmt(raw);
}

std::string ColumnText(sqlite3_stmt* s, int col) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return text ? std::string(text, sqlite3_column_bytes(s, col)) : std::string();
}

SqliteValue ColumnValue(sqlite3_stmt* s, int col) {
  SqliteValue v;
  switch (sqlite3_column_type(s, col)) {
    case SQLITE_INTEGER:
      v.type = SqliteValue::Type::kInteger;
      v.integer = sqlite3_column_int64(s, col);
      break;
    case SQLITE_FLOAT:
      v.type = SqliteValue::Type::kReal;
      v.real = sqlite3_column_double(s, col);
      break;
    case SQLITE_TEXT:
      v.type = SqliteValue::Type::kText;
      v.bytes = ColumnText(s, col);
      break;
    case SQLITE_BLOB: {
      v.type = SqliteValue::Type::kBlob;
      const auto* blob = static_cast<const char*>(sqlite3_column_blob(s, col));
      v.bytes.assign(blob ? blob : "", sqlite3_column_bytes(s, col));
      break;
    }
    default:
      break;
  }
  return v;
}

Result<int> LatestMigration(SqlDialect dialect) {
  ASSIGN_OR_RETURN(std::vector<Migration> all, LoadMigrations(migrations::Files(), dialect));
  return all.empty() ? 0 : all.back().version;
}

Result<int> SqliteSchemaVersion(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_migrations", -1, &raw, nullptr) !=
      SQLITE_OK) {
    return InvalidRequest("--from: no schema_migrations table: not a 2501-accounts database");
  }
  Stmt s(raw);
  if (sqlite3_step(raw) != SQLITE_ROW) return SourceError(db, "read schema_migrations");
  return sqlite3_column_int(raw, 0);
}

// The tables of the source's schema, by name, with their columns, primary key and parents.
Result<std::vector<TableSchema>> SqliteTables(sqlite3* db) {
  ASSIGN_OR_RETURN(Stmt names, Prepare(db,
                                       "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                       "name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name"));
  std::vector<TableSchema> tables;
  while (sqlite3_step(names.get()) == SQLITE_ROW) {
    TableSchema t;
    t.name = ColumnText(names.get(), 0);
    if (t.name != kMigrationsTable) tables.push_back(std::move(t));
  }
  for (TableSchema& t : tables) {
    ASSIGN_OR_RETURN(Stmt info, Prepare(db, "PRAGMA table_info(" + QuoteIdent(t.name) + ")"));
    std::vector<std::pair<int, std::string>> pk;
    while (sqlite3_step(info.get()) == SQLITE_ROW) {
      t.columns.push_back(ColumnText(info.get(), 1));
      if (const int at = sqlite3_column_int(info.get(), 5); at > 0) {
        pk.emplace_back(at, t.columns.back());
      }
    }
    std::sort(pk.begin(), pk.end());
    for (auto& [_, column] : pk) t.primary_key.push_back(column);
    ASSIGN_OR_RETURN(Stmt fks, Prepare(db, "PRAGMA foreign_key_list(" + QuoteIdent(t.name) + ")"));
    while (sqlite3_step(fks.get()) == SQLITE_ROW) t.parents.push_back(ColumnText(fks.get(), 2));
  }
  return tables;
}

// AUTOINCREMENT's high-water marks (sqlite_sequence): ids never handed out again, even those
// of deleted rows.
Result<std::map<std::string, int64_t>> SqliteSequences(sqlite3* db) {
  std::map<std::string, int64_t> out;
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT name, seq FROM sqlite_sequence", -1, &raw, nullptr) !=
      SQLITE_OK) {
    return out;  // no AUTOINCREMENT table has had a row yet
  }
  Stmt s(raw);
  while (sqlite3_step(raw) == SQLITE_ROW) out[ColumnText(raw, 0)] = sqlite3_column_int64(raw, 1);
  return out;
}

// A target table: its columns' kinds, and which are identity columns. Value type.
struct TargetTable {
  std::map<std::string, ValueKind> kinds;
  std::vector<std::string> identity;
};

Result<std::map<std::string, TargetTable>> PostgresTables(PgConnection& pg) {
  ASSIGN_OR_RETURN(
      PgResult res,
      pg.Exec("SELECT c.table_name, c.column_name, c.data_type, c.is_identity "
              "FROM information_schema.columns c JOIN information_schema.tables t "
              "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
              "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"));
  std::map<std::string, TargetTable> out;
  for (int r = 0; r < res.rows(); ++r) {
    TargetTable& t = out[res.Text(r, 0)];
    t.kinds[res.Text(r, 1)] = KindOfPgType(res.Text(r, 2));
    if (res.Text(r, 3) == "YES") t.identity.push_back(res.Text(r, 1));
  }
  return out;
}

// The source table's columns' kinds, in its order; kInvalidRequest when the target's columns
// differ.
Result<std::vector<ValueKind>> KindsOf(const TableSchema& t,
                                       const std::map<std::string, TargetTable>& target) {
  const auto it = target.find(t.name);
  if (it == target.end()) return InvalidRequest("the target has no table " + t.name);
  std::vector<ValueKind> kinds;
  for (const std::string& c : t.columns) {
    const auto k = it->second.kinds.find(c);
    if (k == it->second.kinds.end()) {
      return InvalidRequest("the target's table " + t.name + " has no column " + c);
    }
    kinds.push_back(k->second);
  }
  if (kinds.size() != it->second.kinds.size()) {
    return InvalidRequest("the target's table " + t.name + " has columns the source lacks");
  }
  return kinds;
}

// SELECT of every column in primary-key order, sorted the same way on both engines: text by
// its bytes (SQLite's BINARY, PostgreSQL's "C"), NULL first.
std::string SelectSql(const TableSchema& t, const std::vector<ValueKind>& kinds, bool postgres) {
  std::string columns, order;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    columns += (i ? ", " : "") + QuoteIdent(t.columns[i]);
  }
  const std::vector<std::string>& by = t.primary_key.empty() ? t.columns : t.primary_key;
  for (const std::string& c : by) {
    const size_t i = std::find(t.columns.begin(), t.columns.end(), c) - t.columns.begin();
    const bool text = i < kinds.size() && kinds[i] == ValueKind::kText;
    order += (order.empty() ? "" : ", ") + QuoteIdent(c);
    if (postgres) {
      order += text ? " COLLATE \"C\" NULLS FIRST" : " NULLS FIRST";
    } else {
      order += " COLLATE BINARY";
    }
  }
  return "SELECT " + columns + " FROM " + QuoteIdent(t.name) + " ORDER BY " + order;
}

// Reads a SQLite table in primary-key order, handing each canonical row to `each`.
template <typename Each>
Status ReadSqliteRows(sqlite3* db, const TableSchema& t, const std::vector<ValueKind>& kinds,
                      Each&& each) {
  ASSIGN_OR_RETURN(Stmt s, Prepare(db, SelectSql(t, kinds, false)));
  CanonicalRow row(t.columns.size());
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      auto v = CanonicalFromSqlite(ColumnValue(s.get(), static_cast<int>(i)), kinds[i]);
      if (!v.ok()) {
        return InvalidRequest("source " + t.name + "." + t.columns[i] + ": " +
                              v.status().message());
      }
      row[i] = std::move(v).value();
    }
    RETURN_IF_ERROR(each(row));
  }
  if (rc != SQLITE_DONE) return SourceError(db, "read " + t.name);
  return Status::Ok();
}

// One side of a table's check: its rows and their digest. Value type.
struct Count {
  int64_t rows = 0;
  std::string sha256;
};

Result<Count> SqliteDigest(sqlite3* db, const TableSchema& t, const std::vector<ValueKind>& kinds) {
  TableDigest digest;
  RETURN_IF_ERROR(ReadSqliteRows(db, t, kinds, [&](const CanonicalRow& row) {
    digest.Add(row);
    return Status::Ok();
  }));
  return Count{digest.rows(), digest.Finish()};
}

// The target table read back in the same order, through a cursor (inside the transaction).
Result<Count> PostgresDigest(PgConnection& pg, const TableSchema& t,
                             const std::vector<ValueKind>& kinds) {
  const auto deadline = std::chrono::steady_clock::now() + kCopyDeadline;
  const std::string declare =
      "DECLARE tfzo_copy_check NO SCROLL CURSOR FOR " + SelectSql(t, kinds, true);
  RETURN_IF_ERROR(pg.Exec(declare.c_str(), {}, deadline).status());
  TableDigest digest;
  CanonicalRow row(t.columns.size());
  const std::string fetch = fmt::format("FETCH FORWARD {} FROM tfzo_copy_check", kFetchRows);
  while (true) {
    ASSIGN_OR_RETURN(PgResult res, pg.Exec(fetch.c_str(), {}, deadline));
    for (int r = 0; r < res.rows(); ++r) {
      for (size_t i = 0; i < t.columns.size(); ++i) {
        auto v = CanonicalFromPostgres(res.OptText(r, static_cast<int>(i)), kinds[i]);
        if (!v.ok()) {
          return Internal("target " + t.name + "." + t.columns[i] + ": " + v.status().message());
        }
        row[i] = std::move(v).value();
      }
      digest.Add(row);
    }
    if (res.rows() < kFetchRows) break;
  }
  RETURN_IF_ERROR(pg.Exec("CLOSE tfzo_copy_check", {}, deadline).status());
  return Count{digest.rows(), digest.Finish()};
}

// Inserts the source table's rows, several per INSERT; returns the source's count and digest.
Result<Count> CopyRows(sqlite3* src, PgConnection& pg, const TableSchema& t,
                       const std::vector<ValueKind>& kinds, bool has_identity) {
  const auto deadline = std::chrono::steady_clock::now() + kCopyDeadline;
  const size_t per_row = std::max<size_t>(1, t.columns.size());
  const size_t batch_rows = std::min<size_t>(kMaxBatchRows, kMaxParams / per_row);
  std::string head = "INSERT INTO " + QuoteIdent(t.name) + " (";
  for (size_t i = 0; i < t.columns.size(); ++i) head += (i ? ", " : "") + QuoteIdent(t.columns[i]);
  head += has_identity ? ") OVERRIDING SYSTEM VALUE VALUES " : ") VALUES ";
  std::vector<PgParam> params;
  auto flush = [&]() -> Status {
    if (params.empty()) return Status::Ok();
    std::string sql = head;
    for (size_t p = 0; p < params.size(); ++p) {
      if (p % per_row == 0) {
        sql += p ? "), (" : "(";
      } else {
        sql += ", ";
      }
      sql += "$" + std::to_string(p + 1);
    }
    sql += ")";
    Status s = pg.Exec(sql.c_str(), params, deadline).status();
    params.clear();
    if (!s.ok()) return Status(s.code(), "insert into " + t.name + ": " + s.message());
    return s;
  };
  TableDigest digest;
  RETURN_IF_ERROR(ReadSqliteRows(src, t, kinds, [&](const CanonicalRow& row) -> Status {
    digest.Add(row);
    for (size_t i = 0; i < row.size(); ++i) params.push_back(PostgresParam(row[i], kinds[i]));
    return params.size() >= batch_rows * per_row ? flush() : Status::Ok();
  }));
  RETURN_IF_ERROR(flush());
  return Count{digest.rows(), digest.Finish()};
}

// Rows a freshly migrated database already holds (change_counter's one row): their digests,
// by table. A target table holding exactly these counts as empty.
Result<std::map<std::string, Count>> SeededRows(const std::vector<TableSchema>& tables,
                                                const std::map<std::string, TargetTable>& target) {
  ASSIGN_OR_RETURN(SqliteDb fresh,
                   OpenSqlite(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  ASSIGN_OR_RETURN(std::vector<Migration> all,
                   LoadMigrations(migrations::Files(), SqlDialect::kSqlite));
  RETURN_IF_ERROR(ApplySqliteMigrations(fresh.get(), all));
  std::map<std::string, Count> out;
  for (const TableSchema& t : tables) {
    ASSIGN_OR_RETURN(std::vector<ValueKind> kinds, KindsOf(t, target));
    auto count = SqliteDigest(fresh.get(), t, kinds);
    if (count.ok() && count->rows > 0) out[t.name] = *count;
  }
  return out;
}

// Inside the transaction: every target table empty, or holding only what migrations put
// there (then emptied, to be filled from the source).
Status RequireEmptyTarget(PgConnection& pg, const std::vector<TableSchema>& tables,
                          const std::map<std::string, TargetTable>& target,
                          const std::map<std::string, Count>& seeded) {
  for (const auto& entry : target) {
    const std::string& name = entry.first;  // a plain reference: lambdas below capture it
    if (name == kMigrationsTable) continue;
    const std::string any = "SELECT EXISTS (SELECT 1 FROM " + QuoteIdent(name) + ")";
    ASSIGN_OR_RETURN(PgResult res, pg.Exec(any.c_str()));
    if (res.Text(0, 0) != "t") continue;
    const auto table = std::find_if(tables.begin(), tables.end(),
                                    [&](const TableSchema& t) { return t.name == name; });
    const auto fresh = seeded.find(name);
    if (table != tables.end() && fresh != seeded.end()) {
      ASSIGN_OR_RETURN(std::vector<ValueKind> kinds, KindsOf(*table, target));
      ASSIGN_OR_RETURN(Count now, PostgresDigest(pg, *table, kinds));
      if (now.rows == fresh->second.rows && now.sha256 == fresh->second.sha256) {
        const std::string clear = "DELETE FROM " + QuoteIdent(name);
        RETURN_IF_ERROR(pg.Exec(clear.c_str()).status());
        continue;
      }
    }
    return Conflict("the target database is not empty: table " + name +
                    " holds rows; copy-store only fills a new, empty database");
  }
  return Status::Ok();
}

// Each identity column's sequence continues after the copied ids (and after SQLite's
// high-water mark, so an id of a deleted row is not handed out again).
Status ContinueSequences(PgConnection& pg, const std::vector<TableSchema>& tables,
                         const std::map<std::string, TargetTable>& target,
                         const std::map<std::string, int64_t>& sqlite_sequences) {
  for (const TableSchema& t : tables) {
    for (const std::string& column : target.at(t.name).identity) {
      const auto high = sqlite_sequences.find(t.name);
      const int64_t floor = high == sqlite_sequences.end() ? 0 : high->second;
      const std::string sql =
          "SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT "
          "COALESCE(MAX(" +
          QuoteIdent(column) + "), 0) FROM " + QuoteIdent(t.name) + "), $3::bigint) + 1, false)";
      RETURN_IF_ERROR(
          pg.Exec(sql.c_str(), {PgText(QuoteIdent(t.name)), PgText(column), PgInt(floor)})
              .status());
    }
  }
  return Status::Ok();
}

// Before migrating: a table that is not of this schema and holds rows means --to names some
// other application's database; refuse before creating anything in it.
Status RefuseForeignRows(PgConnection& pg, const std::vector<TableSchema>& tables) {
  ASSIGN_OR_RETURN(PgResult res, pg.Exec("SELECT table_name FROM information_schema.tables "
                                         "WHERE table_schema = current_schema() AND "
                                         "table_type = 'BASE TABLE' ORDER BY table_name"));
  for (int r = 0; r < res.rows(); ++r) {
    const std::string name = res.Text(r, 0);
    const bool ours = name == kMigrationsTable ||
                      std::any_of(tables.begin(), tables.end(),
                                  [&](const TableSchema& t) { return t.name == name; });
    if (ours) continue;  // checked inside the copy's transaction
    const std::string any = "SELECT EXISTS (SELECT 1 FROM " + QuoteIdent(name) + ")";
    ASSIGN_OR_RETURN(PgResult rows, pg.Exec(any.c_str()));
    if (rows.Text(0, 0) == "t") {
      return Conflict("the target database is not empty: table " + name +
                      " holds rows; copy-store only fills a new, empty database");
    }
  }
  return Status::Ok();
}

std::string Short(const std::string& sha256) { return sha256.substr(0, 16); }

// The copy proper, inside the target's transaction; `src` is in its read transaction.
Status CopyInTransaction(sqlite3* src, PgConnection& pg, const std::vector<TableSchema>& tables,
                         const std::map<std::string, TargetTable>& target, std::ostream& out) {
  ASSIGN_OR_RETURN(auto seeded, SeededRows(tables, target));
  RETURN_IF_ERROR(pg.Exec("SET LOCAL statement_timeout = 0").status());
  std::string lock;
  for (const auto& [name, _] : target) lock += (lock.empty() ? "" : ", ") + QuoteIdent(name);
  // No node writes into the target while it is filled and checked.
  lock = "LOCK TABLE " + lock + " IN EXCLUSIVE MODE";
  RETURN_IF_ERROR(pg.Exec(lock.c_str()).status());
  RETURN_IF_ERROR(RequireEmptyTarget(pg, tables, target, seeded));
  ASSIGN_OR_RETURN(auto sequences, SqliteSequences(src));
  std::map<std::string, Count> copied;
  int64_t total = 0;
  for (const TableSchema& t : tables) {
    ASSIGN_OR_RETURN(std::vector<ValueKind> kinds, KindsOf(t, target));
    ASSIGN_OR_RETURN(Count c, CopyRows(src, pg, t, kinds, !target.at(t.name).identity.empty()));
    out << fmt::format("copied   {:<20} {:>9} rows", t.name, c.rows) << std::endl;
    total += c.rows;
    copied[t.name] = c;
  }
  RETURN_IF_ERROR(ContinueSequences(pg, tables, target, sequences));
  for (const TableSchema& t : tables) {
    ASSIGN_OR_RETURN(std::vector<ValueKind> kinds, KindsOf(t, target));
    ASSIGN_OR_RETURN(Count back, PostgresDigest(pg, t, kinds));
    const Count& sent = copied[t.name];
    if (back.rows != sent.rows || back.sha256 != sent.sha256) {
      return Internal(fmt::format(
          "check failed for table {}: source {} rows sha256 {}, target {} rows sha256 {}; "
          "nothing was committed",
          t.name, sent.rows, sent.sha256, back.rows, back.sha256));
    }
    out << fmt::format("checked  {:<20} {:>9} rows  sha256 {}  (same on both sides)", t.name,
                       back.rows, Short(back.sha256))
        << std::endl;
  }
  out << fmt::format(
             "copied and checked {} tables, {} rows; sequences continue after the "
             "copied ids",
             tables.size(), total)
      << std::endl;
  return Status::Ok();
}

}  // namespace

Status CopySqliteToPostgres(const std::string& sqlite_path, const std::string& pg_url,
                            std::ostream& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sqlite_path, ec)) {
    return InvalidRequest("--from: no SQLite database file at " + sqlite_path);
  }
  ASSIGN_OR_RETURN(SqliteDb src, OpenSqlite(sqlite_path, SQLITE_OPEN_READONLY));
  // One read transaction: every table as of one moment, whatever a running server writes.
  if (sqlite3_exec(src.get(), "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SourceError(src.get(), "begin");
  }
  ASSIGN_OR_RETURN(const int binary_version, LatestMigration(SqlDialect::kPostgres));
  ASSIGN_OR_RETURN(const int source_version, SqliteSchemaVersion(src.get()));
  if (source_version != binary_version) {
    return InvalidRequest(fmt::format(
        "--from: the source's schema version is {}, this binary's is {}: copy with the "
        "2501-accounts that last ran on it{}",
        source_version, binary_version,
        source_version < binary_version ? ", or run `2501-accounts migrate --db sqlite:PATH` first"
                                        : ""));
  }
  ASSIGN_OR_RETURN(std::vector<TableSchema> tables, SqliteTables(src.get()));
  ASSIGN_OR_RETURN(tables, OrderByDependencies(std::move(tables)));

  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> pg,
                   PgConnection::Connect(pg_url, kConnectTimeout, "2501-accounts copy-store"));
  RETURN_IF_ERROR(RefuseForeignRows(*pg, tables));
  ASSIGN_OR_RETURN(std::vector<Migration> all,
                   LoadMigrations(migrations::Files(), SqlDialect::kPostgres));
  RETURN_IF_ERROR(ApplyPostgresMigrations(*pg, all));
  ASSIGN_OR_RETURN(PgResult version, pg->Exec("SELECT max(version) FROM schema_migrations"));
  if (version.Int(0, 0) != binary_version) {
    return InvalidRequest(fmt::format(
        "--to: the target's schema version is {}, this binary's is {}: use an empty database",
        version.Int(0, 0), binary_version));
  }
  ASSIGN_OR_RETURN(auto target, PostgresTables(*pg));
  for (const TableSchema& t : tables) RETURN_IF_ERROR(KindsOf(t, target).status());
  out << fmt::format("source schema version {}, {} tables; target migrated to version {}",
                     source_version, tables.size(), binary_version)
      << std::endl;

  RETURN_IF_ERROR(pg->Exec("BEGIN").status());
  Status s = CopyInTransaction(src.get(), *pg, tables, target, out);
  if (s.ok()) s = pg->Exec("COMMIT").status();
  if (!s.ok() && !pg->broken()) (void)pg->Exec("ROLLBACK");
  sqlite3_exec(src.get(), "COMMIT", nullptr, nullptr, nullptr);
  return s;
}

}  // namespace tfzo
