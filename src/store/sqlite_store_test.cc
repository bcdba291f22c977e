#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "store/migrations.h"
#include "store/open_store.h"
#include "store/store_test_util.h"

// The SQLite engine's own properties (the file, its mode, WAL); the Store contract is in
// store_test.cc, run against every engine.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records

// File-backed database: WAL, permissions, migrations applied once, data kept.
class SqliteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tfzo_store_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // Runs a one-value query on a separate connection.
  std::string Query(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  std::filesystem::path root_;
};

TEST_F(SqliteFileTest, CreatesPrivateFileInWalModeAndMigratesOnce) {
  const std::string dir = (root_ / "data" / "nested").string();
  const std::string path = dir + "/accounts.db";
  {
    auto store = OpenSqliteStore(path);
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)
                    ->CreateAccount(Account("acc_a", "a@example.com"),
                                    Event("ev_a", "account.signup", "acc_a"))
                    .ok());

    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    ASSERT_EQ(::stat((root_ / "data").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    ASSERT_EQ(::stat((path + "-wal").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    // A second connection while the first is open (another process, say).
    auto second = OpenSqliteStore(path);
    ASSERT_TRUE(second.ok()) << second.status().message();
    EXPECT_EQ((*second)->FindAccount("acc_a")->email, "a@example.com");
  }
  EXPECT_EQ(Query(path, "PRAGMA journal_mode"), "wal");

  auto reopened = OpenSqliteStore(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  EXPECT_EQ((*reopened)->FindAccount("acc_a")->email, "a@example.com");
  reopened = Status(StatusCode::kInternal, "closed");
  EXPECT_EQ(Query(path, "SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(migrations::Files().size()));
  // The newest version, not the count: numbers are handed out ahead of the files.
  EXPECT_EQ(
      Query(path, "SELECT MAX(version) FROM schema_migrations"),
      std::to_string(LoadMigrations(migrations::Files(), SqlDialect::kSqlite)->back().version));
}

TEST_F(SqliteFileTest, SentAndFailedMailsForgetTheirText) {
  const std::string path = (root_ / "accounts.db").string();
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EventRecord event = Event("ev_a", "account.signup", "acc_a");
  event.mails = {{.to = "a@example.com", .subject = "1", .text = "token1", .html = "token1"},
                 {.to = "a@example.com", .subject = "2", .text = "token2", .html = "token2"}};
  ASSERT_TRUE((*store)->CreateAccount(Account("acc_a", "a@example.com"), event).ok());
  EXPECT_EQ(Query(path, "SELECT COUNT(*) FROM mail_outbox WHERE text <> '' AND html <> ''"), "2");
  auto first = (*store)->ClaimMail(kT0, At(60));
  auto second = (*store)->ClaimMail(kT0, At(60));
  ASSERT_TRUE(first.ok() && first->has_value() && second.ok() && second->has_value());
  ASSERT_TRUE((*store)->MarkMailSent((*first)->id, At(1)).ok());
  ASSERT_TRUE((*store)->FailMail((*second)->id, At(1), "550 no such user").ok());
  EXPECT_EQ(Query(path, "SELECT COUNT(*) FROM mail_outbox WHERE text <> '' OR html <> ''"), "0");
  EXPECT_EQ(Query(path, "SELECT last_error FROM mail_outbox WHERE failed_at IS NOT NULL"),
            "550 no such user");
}

TEST_F(SqliteFileTest, UnopenablePathIsUnavailable) {
  const std::string blocker = (root_ / "file").string();
  {
    std::FILE* f = std::fopen(blocker.c_str(), "w");
    std::fclose(f);
  }
  auto store = OpenSqliteStore(blocker + "/sub/accounts.db");
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
}

TEST(OpenStoreTest, PicksImplementationFromUrl) {
  auto memory = OpenStore("sqlite::memory:");
  ASSERT_TRUE(memory.ok()) << memory.status().message();
  EXPECT_TRUE((*memory)->Ping().ok());

  EXPECT_EQ(OpenStore("sqlite:").status().code(), StatusCode::kInvalidRequest);
  EXPECT_EQ(OpenStore("mysql://x").status().code(), StatusCode::kInvalidRequest);
  EXPECT_EQ(OpenStore("").status().code(), StatusCode::kInvalidRequest);
}

TEST(RoleTest, NamesRoundTrip) {
  EXPECT_EQ(RoleName(Role::kOwner), "owner");
  EXPECT_EQ(RoleName(Role::kMember), "member");
  EXPECT_EQ(ParseRole("owner"), Role::kOwner);
  EXPECT_EQ(ParseRole("member"), Role::kMember);
  EXPECT_FALSE(ParseRole("admin").has_value());
}

}  // namespace
}  // namespace tfzo
