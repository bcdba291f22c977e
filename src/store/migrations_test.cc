#include "store/migrations.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace tfzo {
namespace {

TEST(MigrationsTest, OrdersByVersionAndSubstitutesPerDialect) {
  const std::vector<EmbeddedFile> files = {
      {"0002_more.sql", "CREATE TABLE b (seq {{SEQ_PK}});"},
      {"0001_init.sql", "CREATE TABLE a (seq {{SEQ_PK}}, x BIGINT);"},
  };
  auto sqlite = LoadMigrations(files, SqlDialect::kSqlite);
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().message();
  ASSERT_EQ(sqlite->size(), 2u);
  EXPECT_EQ((*sqlite)[0].version, 1);
  EXPECT_EQ((*sqlite)[0].name, "0001_init.sql");
  EXPECT_EQ((*sqlite)[0].sql, "CREATE TABLE a (seq INTEGER PRIMARY KEY AUTOINCREMENT, x BIGINT);");
  EXPECT_EQ((*sqlite)[1].version, 2);

  auto pg = LoadMigrations(files, SqlDialect::kPostgres);
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ((*pg)[1].sql, "CREATE TABLE b (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY);");
}

TEST(MigrationsTest, RejectsBadNamesAndDuplicateVersions) {
  EXPECT_EQ(LoadMigrations({{"init.sql", ""}}, SqlDialect::kSqlite).status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(LoadMigrations({{"0000_zero.sql", ""}}, SqlDialect::kSqlite).status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(
      LoadMigrations({{"0001_a.sql", ""}, {"0001_b.sql", ""}}, SqlDialect::kSqlite).status().code(),
      StatusCode::kInternal);
}

TEST(MigrationsTest, EmbeddedMigrationsLoadAndHaveNoLeftoverPlaceholders) {
  for (SqlDialect d : {SqlDialect::kSqlite, SqlDialect::kPostgres}) {
    auto ms = LoadMigrations(migrations::Files(), d);
    ASSERT_TRUE(ms.ok()) << ms.status().message();
    ASSERT_FALSE(ms->empty());
    EXPECT_EQ(ms->front().version, 1);
    for (const Migration& m : *ms) EXPECT_EQ(m.sql.find("{{"), std::string::npos) << m.name;
  }
}

// Keys made before permissions existed could do everything: after migration 0009 they still
// can, from anywhere, with no overlap running.
TEST(MigrationsTest, KeysMadeBeforePermissionsKeepEveryPermission) {
  auto ms = LoadMigrations(migrations::Files(), SqlDialect::kSqlite);
  ASSERT_TRUE(ms.ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  auto exec = [db](const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    EXPECT_EQ(rc, SQLITE_OK) << message;
  };
  for (const Migration& m : *ms) {
    if (m.version == 9) {
      exec(
          "INSERT INTO accounts (id, email, name, password_hash, created_at) "
          "VALUES ('acc_1', 'a@example.com', 'A', 'x', 0);"
          "INSERT INTO api_keys (id, account_id, name, description, hint, created_at) "
          "VALUES ('key_1', 'acc_1', 'old', '', 'tfzo_...abcd', 0);");
    }
    exec(m.sql);
  }
  std::string row;
  sqlite3_exec(
      db,
      "SELECT permissions || '|' || allowed_ips || '|' || "
      "COALESCE(previous_valid_until, 'null') FROM api_keys WHERE id = 'key_1'",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) = values[0];
        return 0;
      },
      &row, nullptr);
  EXPECT_EQ(row, "orgs:read agents:read agents:write hosts:read hosts:write||null");
  sqlite3_close(db);
}

}  // namespace
}  // namespace tfzo
