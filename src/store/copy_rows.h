#ifndef TFZO_STORE_COPY_ROWS_H_
#define TFZO_STORE_COPY_ROWS_H_

// The engine-neutral pieces of `2501-accounts copy-store` (copy_store.h): the order tables are
// filled in, one canonical text form of a value on either engine, and the per-table digest
// that proves both sides hold the same rows.

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tfzo {

// How a column's values are compared and sent to PostgreSQL: by the target column's type,
// since SQLite stores any value in any column (integer booleans, blobs, ...).
enum class ValueKind { kInteger, kBoolean, kReal, kText, kBytea };

// The kind of a PostgreSQL column from information_schema.columns.data_type ("bigint",
// "boolean", "bytea", ...); anything unknown compares as text.
ValueKind KindOfPgType(std::string_view data_type);

// One value in canonical text (nullopt: NULL): integers in decimal, booleans "1"/"0", reals
// with 17 significant digits, bytea in lower-case hex, text as its bytes.
using CanonicalValue = std::optional<std::string>;
using CanonicalRow = std::vector<CanonicalValue>;

// One value as SQLite returned it (its storage class). Value type.
struct SqliteValue {
  enum class Type { kNull, kInteger, kReal, kText, kBlob };
  Type type = Type::kNull;
  int64_t integer = 0;
  double real = 0;
  std::string bytes;  // kText and kBlob
};

// A SQLite value made canonical for a column of `kind`; kInvalidRequest when it cannot be one
// (text in an integer column).
Result<CanonicalValue> CanonicalFromSqlite(const SqliteValue& value, ValueKind kind);
// A PostgreSQL value in libpq's text format made canonical ("t" -> "1", "\x0a" -> "0a").
Result<CanonicalValue> CanonicalFromPostgres(const std::optional<std::string>& text,
                                             ValueKind kind);
// The text-format parameter that stores a canonical value in a column of `kind`.
std::optional<std::string> PostgresParam(const CanonicalValue& value, ValueKind kind);

// Appends one row's unambiguous rendering: each value "N;" (NULL) or "V<length>:<bytes>;",
// then "\n".
void AppendCanonicalRow(const CanonicalRow& row, std::string& out);

// SHA-256 over a table's canonical rows in primary-key order, and their count. Owned by the
// caller reading one table; not copyable, not thread-safe.
class TableDigest {
 public:
  TableDigest();
  void Add(const CanonicalRow& row);
  int64_t rows() const { return rows_; }
  // Lower-case hex; call once, after the last Add.
  std::string Finish();

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
  std::string buffer_;
  int64_t rows_ = 0;
};

// A table as the source's schema describes it. Value type.
struct TableSchema {
  std::string name;
  std::vector<std::string> columns;      // in the table's order
  std::vector<std::string> primary_key;  // empty: ordered by every column
  std::vector<std::string> parents;      // tables its foreign keys refer to
};

// `tables` ordered so that each comes after the tables it refers to (ties keep the given
// order); references to tables outside `tables` and to itself are ignored. kInternal naming
// the tables of a cycle.
Result<std::vector<TableSchema>> OrderByDependencies(std::vector<TableSchema> tables);

// "name" with inner quotes doubled: an SQL identifier for either engine.
std::string QuoteIdent(std::string_view name);

}  // namespace tfzo

#endif  // TFZO_STORE_COPY_ROWS_H_
