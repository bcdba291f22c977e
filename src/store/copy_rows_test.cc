#include "store/copy_rows.h"

#include <gtest/gtest.h>

namespace tfzo {
namespace {

using Type = SqliteValue::Type;

SqliteValue Value(Type type, int64_t integer, double real, std::string bytes) {
  SqliteValue v;
  v.type = type;
  v.integer = integer;
  v.real = real;
  v.bytes = std::move(bytes);
  return v;
}
SqliteValue Int(int64_t v) { return Value(Type::kInteger, v, 0, ""); }
SqliteValue Real(double v) { return Value(Type::kReal, 0, v, ""); }
SqliteValue Text(std::string v) { return Value(Type::kText, 0, 0, std::move(v)); }
SqliteValue Blob(std::string v) { return Value(Type::kBlob, 0, 0, std::move(v)); }

TableSchema Table(std::string name, std::vector<std::string> parents = {}) {
  TableSchema t;
  t.name = std::move(name);
  t.parents = std::move(parents);
  return t;
}

std::vector<std::string> Names(const std::vector<TableSchema>& tables) {
  std::vector<std::string> out;
  for (const auto& t : tables) out.push_back(t.name);
  return out;
}

TEST(CopyRowsTest, ParentsComeFirstAndTiesKeepTheGivenOrder) {
  std::vector<TableSchema> tables = {
      Table("api_keys", {"accounts", "orgs"}),
      Table("accounts"),
      Table("key_secrets", {"api_keys"}),
      Table("memberships", {"orgs", "accounts"}),
      Table("orgs"),
      Table("agents", {"orgs", "hosts", "agents"}),  // itself: ignored
      Table("hosts", {"orgs", "elsewhere"}),         // not copied: ignored
  };
  auto ordered = OrderByDependencies(tables);
  ASSERT_TRUE(ordered.ok()) << ordered.status().message();
  EXPECT_EQ(Names(*ordered),
            (std::vector<std::string>{"accounts", "orgs", "api_keys", "key_secrets", "memberships",
                                      "hosts", "agents"}));
}

TEST(CopyRowsTest, ACycleIsAnErrorNamingItsTables) {
  auto ordered = OrderByDependencies({Table("a", {"b"}), Table("b", {"a"}), Table("c")});
  ASSERT_FALSE(ordered.ok());
  EXPECT_NE(ordered.status().message().find("a, b"), std::string::npos);
}

TEST(CopyRowsTest, SqliteAndPostgresValuesMeetInOneCanonicalForm) {
  const std::pair<Result<CanonicalValue>, Result<CanonicalValue>> same[] = {
      {CanonicalFromSqlite(Int(-42), ValueKind::kInteger),
       CanonicalFromPostgres("-42", ValueKind::kInteger)},
      {CanonicalFromSqlite(Int(1), ValueKind::kBoolean),
       CanonicalFromPostgres("t", ValueKind::kBoolean)},
      {CanonicalFromSqlite(Int(0), ValueKind::kBoolean),
       CanonicalFromPostgres("f", ValueKind::kBoolean)},
      {CanonicalFromSqlite(Blob(std::string("\x00\xff", 2)), ValueKind::kBytea),
       CanonicalFromPostgres("\\x00ff", ValueKind::kBytea)},
      {CanonicalFromSqlite(Text("h\xc3\xa9"), ValueKind::kText),
       CanonicalFromPostgres("h\xc3\xa9", ValueKind::kText)},
      {CanonicalFromSqlite(Real(0.1), ValueKind::kReal),
       CanonicalFromPostgres("0.1", ValueKind::kReal)},
      {CanonicalFromSqlite(SqliteValue(), ValueKind::kText),
       CanonicalFromPostgres(std::nullopt, ValueKind::kText)},
  };
  for (const auto& [sqlite, postgres] : same) {
    ASSERT_TRUE(sqlite.ok() && postgres.ok());
    EXPECT_EQ(*sqlite, *postgres);
  }
}

TEST(CopyRowsTest, ParametersAreWhatPostgresReads) {
  EXPECT_EQ(PostgresParam(CanonicalValue("00ff"), ValueKind::kBytea), "\\x00ff");
  EXPECT_EQ(PostgresParam(CanonicalValue("1"), ValueKind::kBoolean), "1");
  EXPECT_EQ(PostgresParam(std::nullopt, ValueKind::kInteger), std::nullopt);
}

TEST(CopyRowsTest, TextInAnIntegerColumnIsRefused) {
  EXPECT_FALSE(CanonicalFromSqlite(Text("twelve"), ValueKind::kInteger).ok());
  EXPECT_EQ(*CanonicalFromSqlite(Text("12"), ValueKind::kInteger), CanonicalValue("12"));
}

TEST(CopyRowsTest, RowsRenderUnambiguously) {
  std::string a, b, c;
  AppendCanonicalRow({CanonicalValue("a;"), CanonicalValue("b")}, a);
  AppendCanonicalRow({CanonicalValue("a"), CanonicalValue(";b")}, b);
  AppendCanonicalRow({std::nullopt, CanonicalValue("")}, c);
  EXPECT_NE(a, b);
  EXPECT_EQ(c, "N;V0:;\n");
  EXPECT_EQ(a, "V2:a;;V1:b;\n");
}

TEST(CopyRowsTest, DigestDependsOnEveryRowAndItsOrder) {
  auto digest = [](const std::vector<CanonicalRow>& rows) {
    TableDigest d;
    for (const auto& r : rows) d.Add(r);
    EXPECT_EQ(d.rows(), static_cast<int64_t>(rows.size()));
    return d.Finish();
  };
  const CanonicalRow one = {CanonicalValue("1")}, two = {CanonicalValue("2")};
  EXPECT_EQ(digest({}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digest({one, two}), digest({one, two}));
  EXPECT_NE(digest({one, two}), digest({two, one}));
  EXPECT_NE(digest({one}), digest({one, one}));
}

TEST(CopyRowsTest, IdentifiersAreQuoted) {
  EXPECT_EQ(QuoteIdent("accounts"), "\"accounts\"");
  EXPECT_EQ(QuoteIdent("a\"b"), "\"a\"\"b\"");
}

TEST(CopyRowsTest, PostgresTypesMapToKinds) {
  EXPECT_EQ(KindOfPgType("bigint"), ValueKind::kInteger);
  EXPECT_EQ(KindOfPgType("integer"), ValueKind::kInteger);
  EXPECT_EQ(KindOfPgType("boolean"), ValueKind::kBoolean);
  EXPECT_EQ(KindOfPgType("bytea"), ValueKind::kBytea);
  EXPECT_EQ(KindOfPgType("text"), ValueKind::kText);
}

}  // namespace
}  // namespace tfzo
