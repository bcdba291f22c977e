#include "store/sql_rows.h"

#include <gtest/gtest.h>

// SqlRows: what every engine hands SqlStore. Reads go by column name, and a name the statement
// does not select must fail loudly, never read another column or pass for NULL.

namespace tfzo {
namespace {

SqlRows TwoRows() {
  SqlRows rows(std::make_shared<std::vector<std::string>>(
      std::vector<std::string>{"id", "created_at", "revoked_at"}));
  for (SqlValue v : {SqlValue("key_1"), SqlValue(int64_t{1'800'000'000}), SqlValue()}) {
    rows.Append(std::move(v));
  }
  // PostgreSQL's text format: integers arrive as text.
  for (SqlValue v : {SqlValue("key_2"), SqlValue("1800000005"), SqlValue("1800000009")}) {
    rows.Append(std::move(v));
  }
  return rows;
}

TEST(SqlRowsTest, ReadsByColumnName) {
  const SqlRows rows = TwoRows();
  ASSERT_EQ(rows.size(), 2);
  EXPECT_EQ(rows[0].Text("id"), "key_1");
  EXPECT_EQ(rows[0].TimeAt("created_at"), FromUnix(1'800'000'000));
  EXPECT_TRUE(rows[0].IsNull("revoked_at"));
  EXPECT_EQ(rows[0].OptTime("revoked_at"), std::nullopt);
  EXPECT_EQ(rows[1].Text("id"), "key_2");
  EXPECT_EQ(rows[1].Int("created_at"), 1'800'000'005);
  EXPECT_EQ(rows[1].OptTime("revoked_at"), FromUnix(1'800'000'009));
  EXPECT_EQ(rows[0].OptText("id"), "key_1");
  EXPECT_TRUE(rows.CheckColumns().ok());
}

TEST(SqlRowsTest, UnknownColumnIsInternal) {
  const SqlRows rows = TwoRows();
  EXPECT_EQ(rows[0].OptTime("expires_at"), std::nullopt);
  EXPECT_EQ(rows[1].Text("id"), "key_2");
  const Status status = rows.CheckColumns();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("expires_at"), std::string::npos) << status.message();
}

TEST(SqlRowsTest, StatementWithoutColumnsHasNoRows) {
  SqlRows rows(std::make_shared<std::vector<std::string>>());
  rows.set_affected(3);
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(rows.affected(), 3);
}

TEST(SqlParamTest, ConvertsRecordValuesToSchemaTypes) {
  EXPECT_EQ(std::get<std::string>(SqlParam(std::string_view("a")).value()), "a");
  EXPECT_EQ(std::get<int64_t>(SqlParam(FromUnix(42)).value()), 42);
  EXPECT_EQ(std::get<int64_t>(SqlParam(7).value()), 7);
  EXPECT_EQ(std::get<std::string>(SqlParam(Sha256("x")).value()), ToHex(Sha256("x")));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(SqlParam(std::nullopt).value()));
  EXPECT_TRUE(
      std::holds_alternative<std::monostate>(SqlParam(std::optional<std::string>()).value()));
  EXPECT_EQ(std::get<int64_t>(SqlParam(std::optional<Time>(FromUnix(5))).value()), 5);
}

}  // namespace
}  // namespace tfzo
