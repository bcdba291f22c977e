#include "store/sqlite_database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <list>
#include <string>
#include <thread>
#include <utility>

#include "store/statements.h"

// The SQLite engine's checkpoints: off the request path, on a thread of its own.

namespace tfzo {
namespace {

using Mode = SqlDatabase::Mode;

constexpr char kCreate[] = "CREATE TABLE scratch (id INTEGER PRIMARY KEY, filler TEXT NOT NULL)";
constexpr char kInsert[] = "INSERT INTO scratch (filler) VALUES ($1)";
constexpr char kAutocheckpoint[] = "PRAGMA wal_autocheckpoint";
constexpr char kCacheSize[] = "PRAGMA cache_size";
constexpr char kCount[] = "SELECT COUNT(*) AS n FROM scratch";

class SqliteCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tfzo_sqlite_db_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    path_ = (root_ / "accounts.db").string();
    auto opened = SqliteDatabase::Open(path_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    db_ = std::move(opened).value();
    ASSERT_TRUE(
        db_->Run(Mode::kWrite, [](SqlConnection& c) { return c.Exec(kCreate, {}).status(); }).ok());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(root_);
  }

  uintmax_t Size(const std::string& suffix) const {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(path_ + suffix, ec);
    return ec ? 0 : size;
  }

  // Commits `n` rows of about one page each, one transaction per row, as requests do.
  void Write(int n) {
    const std::string filler(3000, 'x');
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(db_->Run(Mode::kWrite,
                           [&](SqlConnection& c) { return c.Exec(kInsert, {filler}).status(); })
                      .ok());
    }
  }

  std::filesystem::path root_;
  std::string path_;
  std::unique_ptr<SqliteDatabase> db_;
};

TEST_F(SqliteCheckpointTest, TheWalIsCheckpointedInTheBackgroundNotByCommits) {
  std::string autocheckpoint;
  ASSERT_TRUE(db_->Run(Mode::kRead,
                       [&](SqlConnection& c) {
                         ASSIGN_OR_RETURN(SqlRows rows, c.Exec(kAutocheckpoint, {}));
                         autocheckpoint = std::to_string(rows[0].Int("wal_autocheckpoint"));
                         return Status::Ok();
                       })
                  .ok());
  EXPECT_EQ(autocheckpoint, "0") << "no commit checkpoints by itself";

  const uintmax_t db_before = Size("");
  // A row is 2 or 3 pages of the WAL, and a few more now and then as the table grows.
  Write(50);
  EXPECT_EQ(db_->background_checkpoints(), 0u) << "a short WAL is left alone";
  // On past kCheckpointPages, and stopped short of the writer's backstop: only the background
  // thread can have copied pages into the database file.
  constexpr int kMaxRows = 600;
  static_assert(kMaxRows * 3 + 100 < SqliteDatabase::kInlineCheckpointPages);
  int rows = 50;
  for (; rows < kMaxRows && db_->background_checkpoints() == 0; ++rows) Write(1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (db_->background_checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(db_->background_checkpoints(), 0u) << rows << " rows";
  EXPECT_GE(Size(""), db_before + uintmax_t{300} * 3000) << "the rows are in the database file";
}

TEST_F(SqliteCheckpointTest, TheWalStaysBoundedUnderWritesWithoutPause) {
  const uintmax_t kPage = 4096;
  uintmax_t largest = 0;
  for (int round = 0; round < 12; ++round) {  // 12 000 pages, about 47 MiB
    Write(SqliteDatabase::kCheckpointPages);
    largest = std::max(largest, Size("-wal"));
  }
  // Each row is about one page of the WAL: without checkpoints it would hold all of them.
  EXPECT_LE(
      largest,
      (SqliteDatabase::kInlineCheckpointPages + 2 * SqliteDatabase::kCheckpointPages) * kPage);
  uint64_t rows = 0;
  ASSERT_TRUE(db_->Run(Mode::kRead,
                       [&](SqlConnection& c) {
                         ASSIGN_OR_RETURN(SqlRows r, c.Exec(kCount, {}));
                         rows = static_cast<uint64_t>(r[0].Int("n"));
                         return Status::Ok();
                       })
                  .ok());
  EXPECT_EQ(rows, 12u * SqliteDatabase::kCheckpointPages);
}

TEST_F(SqliteCheckpointTest, CommittedRowsSurviveTheProcessWithoutACheckpoint) {
  Write(10);
  // A second connection, as after a crash and a restart: the rows are read from the WAL.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &other, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(other, kCount, -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 10);
  sqlite3_finalize(stmt);
  sqlite3_close(other);
}

// A usage flush of thousands of keys finds their pages in the connection's cache, not in the
// file: SQLite's default cache (2 MiB) is set larger when the database opens.
TEST(SqliteSettingsTest, TheConnectionKeepsAPageCacheOfItsOwnSize) {
  auto db = SqliteDatabase::Open(":memory:");
  ASSERT_TRUE(db.ok()) << db.status().message();
  int64_t cache_size = 0;
  ASSERT_TRUE((*db)
                  ->Run(Mode::kRead,
                        [&](SqlConnection& c) -> Status {
                          ASSIGN_OR_RETURN(SqlRows rows, c.Exec(kCacheSize, {}));
                          cache_size = rows[0].Int("cache_size");
                          return Status::Ok();
                        })
                  .ok());
  EXPECT_EQ(cache_size, -SqliteDatabase::kPageCacheKiB) << "negative: KiB, not pages";
}

// Statements whose cost must not grow with an account's history (migration 0016): a
// rotation's on the key's secrets (SqlStore::RotateKey) seek them by state, where an index on
// key_id alone read every secret the key ever had; the quota check of a creation reads the
// account's keys not revoked, not every key it ever made.
TEST(SqliteSchemaTest, HotWritesSeekWhatTheyNeedOnly) {
  auto db = SqliteDatabase::Open(":memory:");
  ASSERT_TRUE(db.ok()) << db.status().message();
  const std::pair<const char*, const char*> expected[] = {
      {sql::kEndOverlap, "USING INDEX key_secrets_key_revoked (key_id=? AND revoked_at>?)"},
      {sql::kRevokeCurrentSecret,
       "USING INDEX key_secrets_key_revoked (key_id=? AND revoked_at=?)"},
      {sql::kCountActiveKeys, "USING INDEX api_keys_account_live (account_id=?"},
  };
  // Each text its own address for as long as the connection lives: it keys the connection's
  // prepared statements.
  std::list<std::string> explains;
  for (const auto& [statement, index] : expected) {
    const std::string& explain =
        explains.emplace_back(std::string("EXPLAIN QUERY PLAN ") + statement);
    std::string plan;
    ASSERT_TRUE((*db)
                    ->Run(Mode::kRead,
                          [&](SqlConnection& c) -> Status {
                            ASSIGN_OR_RETURN(SqlRows rows, c.Exec(explain.c_str(), {}));
                            for (int i = 0; i < rows.size(); ++i) plan += rows[i].Text("detail");
                            return Status::Ok();
                          })
                    .ok());
    EXPECT_NE(plan.find(index), std::string::npos) << statement << ": " << plan;
  }
}

}  // namespace
}  // namespace tfzo
