#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "store/open_store.h"
#include "store/pg_connection.h"
#include "store/store_test.h"

// Periodic jobs' claims (Store::RunJob): one run per interval on every engine, and on
// PostgreSQL no two nodes running a job at once, nor a lost node blocking the others.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records
using std::chrono::seconds;

const Time kT0 = FromUnix(1'800'000'000);

class JobStoreTest : public StoreTest {
 protected:
  // Runs the job `job` at `at`; whether it ran (and its run with it).
  bool Run(Store& store, const std::string& job, Time at, seconds interval) {
    bool ran = false;
    auto claimed = store.RunJob(job, at, interval, [&] { ran = true; });
    EXPECT_TRUE(claimed.ok()) << claimed.status().message();
    EXPECT_EQ(claimed.ok() && *claimed, ran);
    return ran;
  }
};

TEST_P(JobStoreTest, OneRunPerInterval) {
  EXPECT_TRUE(Run(*store_, "purge", kT0, seconds(60)));
  EXPECT_FALSE(Run(*store_, "purge", kT0 + seconds(1), seconds(60)));
  EXPECT_FALSE(Run(*store_, "purge", kT0 + seconds(59), seconds(60)));
  EXPECT_TRUE(Run(*store_, "notices", kT0 + seconds(59), seconds(60)));  // each job its own
  EXPECT_TRUE(Run(*store_, "purge", kT0 + seconds(60), seconds(60)));
  EXPECT_FALSE(Run(*store_, "purge", kT0 + seconds(119), seconds(60)));
}

TEST_P(JobStoreTest, ClockBehindTheLastRunWaits) {
  EXPECT_TRUE(Run(*store_, "purge", kT0, seconds(60)));
  EXPECT_FALSE(Run(*store_, "purge", kT0 - seconds(600), seconds(60)));
  EXPECT_TRUE(Run(*store_, "purge", kT0 + seconds(60), seconds(60)));
}

TFZO_INSTANTIATE_ON_EVERY_ENGINE(JobStoreTest);

// Two nodes on one PostgreSQL database.
class PostgresJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = PgTestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status().message();
    database_.emplace(std::move(db).value());
    for (auto* node : {&a_, &b_}) {
      auto opened = OpenPostgresStore(database_->url());
      ASSERT_TRUE(opened.ok()) << opened.status().message();
      *node = std::move(opened).value();
    }
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
  }

  Result<bool> Run(
      Store& store, Time at, const std::function<void()>& run = [] {}) {
    return store.RunJob("purge", at, seconds(1), run);
  }

  std::optional<PgTestDatabase> database_;
  std::unique_ptr<Store> a_;
  std::unique_ptr<Store> b_;
};

TEST_F(PostgresJobTest, NoTwoNodesRunAJobAtOnce) {
  std::optional<Result<bool>> b_during;
  auto a = Run(*a_, kT0, [&] { b_during = Run(*b_, kT0 + seconds(3600)); });
  ASSERT_TRUE(a.ok() && *a);
  ASSERT_TRUE(b_during.has_value() && b_during->ok());
  EXPECT_FALSE(**b_during);  // due by the record, but a's run holds the lock
  auto b_after = Run(*b_, kT0 + seconds(3600));
  ASSERT_TRUE(b_after.ok());
  EXPECT_TRUE(*b_after);
}

TEST_F(PostgresJobTest, ARunIsRecordedForEveryNode) {
  auto a = Run(*a_, kT0);
  ASSERT_TRUE(a.ok() && *a);
  auto b = Run(*b_, kT0);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(*b);
  b = Run(*b_, kT0 + seconds(1));
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(*b);
}

// A node that holds the lock and dies (its connection closes, its transaction with it) blocks
// no one.
TEST_F(PostgresJobTest, ALostNodeBlocksNoOne) {
  auto dying = PgConnection::Connect(database_->url(), std::chrono::seconds(10));
  ASSERT_TRUE(dying.ok()) << dying.status().message();
  ASSERT_TRUE((*dying)->Exec("BEGIN").ok());
  auto locked =
      (*dying)->Exec("SELECT pg_try_advisory_xact_lock(25010015, hashtext('purge'::text))");
  ASSERT_TRUE(locked.ok() && locked->Text(0, 0) == "t");
  auto b = Run(*b_, kT0);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(*b);
  dying->reset();  // the node's connection is gone; its server process ends soon after
  const auto give_up = std::chrono::steady_clock::now() + seconds(10);
  do {
    b = Run(*b_, kT0);
    ASSERT_TRUE(b.ok());
    if (*b) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < give_up);
  EXPECT_TRUE(*b);
}

}  // namespace
}  // namespace tfzo
