#ifndef TFZO_STORE_STORE_TEST_H_
#define TFZO_STORE_STORE_TEST_H_

// The fixture of the Store contract tests (store_test.cc, key_store_test.cc), parameterized by
// engine.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "store/open_store.h"
#include "store/pg_test_database.h"
#include "store/store_test_util.h"

namespace tfzo::testing {

// One engine under test: SQLite in memory, or PostgreSQL in a fresh database.
struct Backend {
  std::string name;
  bool postgres = false;
};
// Test names and CTest's discovered names show the backend, not the struct's bytes.
inline void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam().postgres) {
      auto db = PgTestDatabase::Create();
      ASSERT_TRUE(db.ok()) << db.status().message();
      database_.emplace(std::move(db).value());
      auto opened = OpenPostgresStore(database_->url());
      ASSERT_TRUE(opened.ok()) << opened.status().message();
      store_ = std::move(opened).value();
    } else {
      auto opened = OpenSqliteStore(":memory:");
      ASSERT_TRUE(opened.ok()) << opened.status().message();
      store_ = std::move(opened).value();
    }
    ASSERT_TRUE(store_
                    ->CreateAccount(Account("acc_a", "a@example.com"),
                                    Event("ev_a", "account.signup", "acc_a"))
                    .ok());
    ASSERT_TRUE(store_
                    ->CreateAccount(Account("acc_b", "b@example.com"),
                                    Event("ev_b", "account.signup", "acc_b"))
                    .ok());
  }

  // Events whose actor is `account` (and of its owned orgs), oldest first.
  std::vector<std::string> EventsOf(const std::string& account) {
    auto events = store_->ListEvents(account, 1000, std::nullopt);
    EXPECT_TRUE(events.ok());
    auto ids = EventIds(*events);
    std::reverse(ids.begin(), ids.end());
    return ids;
  }

  void TearDown() override { store_.reset(); }  // before the database is dropped

  std::optional<PgTestDatabase> database_;
  std::unique_ptr<Store> store_;
};

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

}  // namespace tfzo::testing

// Runs the parameterized suite on SQLite and on PostgreSQL. CTest runs the Postgres/ ones with
// the "pg" fixture (tests/CMakeLists.txt), which starts the server.
#define TFZO_INSTANTIATE_ON_EVERY_ENGINE(suite)                                           \
  INSTANTIATE_TEST_SUITE_P(Sqlite, suite,                                                 \
                           ::testing::Values(::tfzo::testing::Backend{"sqlite", false}),  \
                           ::tfzo::testing::BackendName);                                 \
  INSTANTIATE_TEST_SUITE_P(Postgres, suite,                                               \
                           ::testing::Values(::tfzo::testing::Backend{"postgres", true}), \
                           ::tfzo::testing::BackendName)

#endif  // TFZO_STORE_STORE_TEST_H_
