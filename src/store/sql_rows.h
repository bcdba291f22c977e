#ifndef TFZO_STORE_SQL_ROWS_H_
#define TFZO_STORE_SQL_ROWS_H_

// The values that cross SqlConnection (sql_database.h): statement parameters going in, rows
// coming out, the same for every engine.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/digest.h"
#include "core/result.h"
#include "core/time.h"

namespace tfzo {

// One SQL value as the schema stores it: NULL, an integer (times are Unix seconds) or text
// (digests are lower-case hex). See migrations/0001_init.sql.
using SqlValue = std::variant<std::monostate, int64_t, std::string>;

// One statement parameter, converted from what the records hold. The constructors are implicit
// so that a call reads as the statement's parameter list: Exec(sql, {key.id, key.created_at}).
// Value type.
class SqlParam {
 public:
  SqlParam(std::nullopt_t) {}                                     // NOLINT: implicit
  SqlParam(std::string_view text) : value_(std::string(text)) {}  // NOLINT: implicit
  SqlParam(const std::string& text) : value_(text) {}             // NOLINT: implicit
  SqlParam(const char* text) : value_(std::string(text)) {}       // NOLINT: implicit
  SqlParam(int64_t number) : value_(number) {}                    // NOLINT: implicit
  SqlParam(int number) : value_(int64_t{number}) {}               // NOLINT: implicit
  SqlParam(Time time) : value_(ToUnix(time)) {}                   // NOLINT: implicit
  SqlParam(const Digest& digest) : value_(ToHex(digest)) {}       // NOLINT: implicit
  SqlParam(const std::optional<std::string>& text) {              // NOLINT: implicit
    if (text) value_ = *text;
  }
  SqlParam(const std::optional<Time>& time) {  // NOLINT: implicit
    if (time) value_ = ToUnix(*time);
  }

  const SqlValue& value() const { return value_; }

 private:
  SqlValue value_;
};

// A statement's parameters, written in place at the call: Exec(sql, {key.id, at}). The list's
// array lives until the end of the full expression that holds the call.
using SqlParams = std::initializer_list<SqlParam>;

class SqlRow;

// All the rows of one statement, read by column name, and how many rows it changed. A read of
// a column the statement does not select yields an empty value and is remembered: CheckColumns()
// then answers kInternal, so a misspelt name fails loudly instead of passing for NULL (SqlStore
// checks after every read). Filled by an engine's SqlConnection. Value type; not thread-safe.
class SqlRows {
 public:
  using Columns = std::shared_ptr<const std::vector<std::string>>;

  // `columns` names the cells of each row in order; shared, since SQLite keeps them with
  // its prepared statement.
  explicit SqlRows(Columns columns) : columns_(std::move(columns)) {}

  // Room for `rows` rows, when the engine knows.
  void Reserve(int rows);
  // Adds the next cell, row after row.
  void Append(SqlValue cell) { cells_.push_back(std::move(cell)); }
  void set_affected(int64_t n) { affected_ = n; }

  int size() const;
  bool empty() const { return size() == 0; }
  // Rows changed by an INSERT, UPDATE or DELETE.
  int64_t affected() const { return affected_; }
  SqlRow operator[](int row) const;
  // kInternal naming the first column read that the statement does not select.
  Status CheckColumns() const;

 private:
  friend class SqlRow;
  const SqlValue& Cell(int row, std::string_view column) const;

  Columns columns_;
  std::vector<SqlValue> cells_;
  int64_t affected_ = 0;
  mutable size_t next_column_ = 0;      // where the next lookup starts
  mutable std::string unknown_column_;  // the first one asked for
};

// One row of an SqlRows, which must outlive it. Columns are named as the statement's AS names.
class SqlRow {
 public:
  bool IsNull(std::string_view column) const;
  std::string Text(std::string_view column) const;
  std::optional<std::string> OptText(std::string_view column) const;
  int64_t Int(std::string_view column) const;
  Time TimeAt(std::string_view column) const { return FromUnix(Int(column)); }
  std::optional<Time> OptTime(std::string_view column) const;

 private:
  friend class SqlRows;
  SqlRow(const SqlRows& rows, int row) : rows_(&rows), row_(row) {}
  const SqlValue& Cell(std::string_view column) const { return rows_->Cell(row_, column); }

  const SqlRows* rows_;
  int row_;
};

}  // namespace tfzo

#endif  // TFZO_STORE_SQL_ROWS_H_
