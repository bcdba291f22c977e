#include "store/migrations.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <functional>
#include <string>

namespace tfzo {
namespace {

TEST(MigrationsTest, OrdersByVersionAndSubstitutesPerDialect) {
  const std::vector<EmbeddedFile> files = {
      {"0002_more.sql", "CREATE TABLE b (seq {{SEQ_PK}}){{WITHOUT_ROWID}};"},
      {"0001_init.sql", "CREATE TABLE a (seq {{SEQ_PK}}, x BIGINT);"},
  };
  auto sqlite = LoadMigrations(files, SqlDialect::kSqlite);
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().message();
  ASSERT_EQ(sqlite->size(), 2u);
  EXPECT_EQ((*sqlite)[0].version, 1);
  EXPECT_EQ((*sqlite)[0].name, "0001_init.sql");
  EXPECT_EQ((*sqlite)[0].sql, "CREATE TABLE a (seq INTEGER PRIMARY KEY AUTOINCREMENT, x BIGINT);");
  EXPECT_EQ((*sqlite)[1].version, 2);
  EXPECT_EQ((*sqlite)[1].sql,
            "CREATE TABLE b (seq INTEGER PRIMARY KEY AUTOINCREMENT) WITHOUT ROWID;");

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

// An in-memory SQLite database brought up to each migration in turn; `before(version)` runs
// first, so a test can write rows in the shape of the schema before that migration.
class MigratedDatabase {
 public:
  MigratedDatabase() { EXPECT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK); }
  ~MigratedDatabase() { sqlite3_close(db_); }

  void Migrate(const std::function<void(int version)>& before) {
    auto ms = LoadMigrations(migrations::Files(), SqlDialect::kSqlite);
    ASSERT_TRUE(ms.ok());
    for (const Migration& m : *ms) {
      before(m.version);
      Exec(m.sql);
    }
  }

  void Exec(const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    EXPECT_EQ(rc, SQLITE_OK) << message;
  }

  // The first column of the query's rows, one line each.
  std::string Query(const std::string& sql) {
    std::string out;
    const int rc = sqlite3_exec(
        db_, sql.c_str(),
        [](void* out, int, char** values, char**) {
          *static_cast<std::string*>(out) += std::string(values[0] ? values[0] : "NULL") + "\n";
          return 0;
        },
        &out, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << sqlite3_errmsg(db_);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

constexpr char kOldKey[] =
    "INSERT INTO accounts (id, email, name, password_hash, created_at) "
    "VALUES ('acc_1', 'a@example.com', 'A', 'x', 0);"
    "INSERT INTO api_keys (id, account_id, name, description, hint, created_at) "
    "VALUES ('key_1', 'acc_1', 'old', '', 'tfzo_...abcd', 0);";

// Keys made before permissions existed could do everything: after migration 0009 they still
// can, from anywhere, with no overlap running.
TEST(MigrationsTest, KeysMadeBeforePermissionsKeepEveryPermission) {
  MigratedDatabase db;
  db.Migrate([&](int version) {
    if (version == 9) db.Exec(kOldKey);
  });
  EXPECT_EQ(db.Query("SELECT permissions || '|' || allowed_ips || '|' || "
                     "COALESCE(previous_valid_until, 'null') FROM api_keys WHERE id = 'key_1'"),
            "orgs:read agents:read agents:write hosts:read hosts:write||null\n");
}

// Migration 0017 copies each key's last use into key_uses: a used key keeps its time, a key never
// used gets its row with none. api_keys keeps its column, so that a node of the previous version
// still makes keys during a rollout.
TEST(MigrationsTest, LastUsesMoveToTheirOwnTable) {
  MigratedDatabase db;
  db.Migrate([&](int version) {
    if (version != 17) return;
    db.Exec(kOldKey);
    db.Exec(
        "INSERT INTO api_keys (id, account_id, name, description, hint, created_at, "
        "last_used_at) VALUES ('key_2', 'acc_1', 'used', '', 'tfzo_...efgh', 0, 1234)");
  });
  EXPECT_EQ(db.Query("SELECT key_id || '=' || COALESCE(last_used_at, 'never') FROM key_uses "
                     "ORDER BY key_id"),
            "key_1=never\nkey_2=1234\n");
  db.Exec(  // the previous version's kInsertKey
      "INSERT INTO api_keys (id, account_id, name, description, hint, org_id, created_at, "
      "expires_at, last_used_at, rotated_at, revoked_at, permissions, allowed_ips) VALUES "
      "('key_3', 'acc_1', 'old node', '', 'tfzo_...ijkl', NULL, 0, NULL, NULL, NULL, NULL, '', "
      "'')");
  db.Exec("PRAGMA foreign_keys = ON; DELETE FROM api_keys WHERE id = 'key_2'");
  EXPECT_EQ(db.Query("SELECT key_id FROM key_uses"), "key_1\n");
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM api_keys"), "2\n");
}

}  // namespace
}  // namespace tfzo
