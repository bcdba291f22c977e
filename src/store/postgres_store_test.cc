#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/migrations.h"
#include "store/open_store.h"
#include "store/pg_connection.h"
#include "store/pg_test_database.h"
#include "store/postgres_database.h"
#include "store/postgres_listener.h"
#include "store/store_test_util.h"

// The PostgreSQL engine's own properties: several nodes on one database (notifications,
// concurrent migrations and use recording), and recovery from lost connections. The Store
// contract is in store_test.cc, run against every engine.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records
using std::chrono::milliseconds;

// Collects the changes a store publishes, from any thread.
class Recorder {
 public:
  void Attach(Store& store) {
    store.SetChangeListener([this](const Change& c) {
      std::lock_guard lock(mu_);
      changes_.push_back(c);
      cv_.notify_all();
    });
  }
  // Waits until a change matching `pred` was published; false after `timeout`.
  template <typename Pred>
  bool WaitFor(Pred pred, milliseconds timeout = milliseconds(5000)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout,
                        [&] { return std::any_of(changes_.begin(), changes_.end(), pred); });
  }
  // Waits until `n` changes were published; false after `timeout`.
  bool WaitForCount(size_t n, milliseconds timeout = milliseconds(5000)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return changes_.size() >= n; });
  }
  std::vector<Change> Take() {
    std::lock_guard lock(mu_);
    return std::exchange(changes_, {});
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Change> changes_;
};

bool IsKey(const Change& c, const std::string& key_id) {
  return c.kind == Change::Kind::kKey && c.key_id == key_id;
}
bool IsMembership(const Change& c, const std::string& org, const std::string& account) {
  return c.kind == Change::Kind::kMembership && c.org_id == org && c.account_id == account;
}
bool IsEverything(const Change& c) { return c.kind == Change::Kind::kEverything; }

// Waits until the store says it has heard every committed change; false after `timeout`. A change
// can be heard while the store is not current: a killed backend may deliver a notification before
// it exits, and a listener that reconnects publishes what it reads from the log before it marks
// itself current.
bool BecomesCurrent(const Store& store, milliseconds timeout = milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!store.freshness().current) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = PgTestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_.emplace(std::move(db).value());
  }

  std::unique_ptr<Store> OpenNode() {
    auto opened = OpenPostgresStore(db_->url());
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  // Two accounts, an org owned by acc_a with acc_b as member, and acc_b's key key_1.
  void Seed(Store& store) {
    ASSERT_TRUE(store
                    .CreateAccount(Account("acc_a", "a@example.com"),
                                   Event("ev_a", "account.signup", "acc_a"))
                    .ok());
    ASSERT_TRUE(store
                    .CreateAccount(Account("acc_b", "b@example.com"),
                                   Event("ev_b", "account.signup", "acc_b"))
                    .ok());
    ASSERT_TRUE(store
                    .CreateOrg({"org_1", "One", kT0}, "acc_a",
                               Event("ev_o", "org.created", "acc_a", "org_1"))
                    .ok());
    ASSERT_TRUE(store
                    .AddMember("org_1", "acc_b", Role::kMember,
                               Event("ev_m", "org.member_added", "acc_a", "org_1"))
                    .ok());
    ASSERT_TRUE(store
                    .CreateKey(Key("key_1", "acc_b"), Secret("tfzo_value0001", "key_1"),
                               Event("ev_k", "key.created", "acc_b"))
                    .ok());
  }

  // The backend pid of the store's notification connection.
  std::string ListenerPid() {
    auto pid = db_->Query(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = '2501-accounts listener' ORDER BY backend_start LIMIT 1");
    EXPECT_TRUE(pid.ok()) << pid.status().message();
    return pid.ok() ? *pid : "";
  }

  std::optional<PgTestDatabase> db_;
};

TEST_F(PostgresStoreTest, ChangesOfAnotherNodeReachThisNodesListener) {
  auto a = OpenNode();
  auto b = OpenNode();
  ASSERT_TRUE(a && b);
  Seed(*b);
  Recorder heard;
  heard.Attach(*a);

  KeyRecord renamed = *b->FindKey("key_1");
  renamed.name = "n";
  ASSERT_TRUE(b->UpdateKey(renamed, Event("e1", "key.updated", "acc_b")).ok());
  EXPECT_TRUE(heard.WaitFor([](const Change& c) { return IsKey(c, "key_1"); }));
  heard.Take();
  ASSERT_TRUE(b->RotateKey("key_1", Secret("tfzo_value0002", "key_1", At(1)), std::nullopt,
                           std::chrono::seconds(0), Event("e2", "key.rotated", "acc_b"))
                  .ok());
  EXPECT_TRUE(heard.WaitFor([](const Change& c) { return IsKey(c, "key_1"); }));
  heard.Take();
  ASSERT_TRUE(b->RevokeKey("key_1", At(2), Event("e3", "key.revoked", "acc_b")).ok());
  EXPECT_TRUE(heard.WaitFor([](const Change& c) { return IsKey(c, "key_1"); }));
  ASSERT_TRUE(b->RemoveMember("org_1", "acc_b", Event("e4", "org.member_removed", "acc_a")).ok());
  EXPECT_TRUE(heard.WaitFor([](const Change& c) { return IsMembership(c, "org_1", "acc_b"); }));
  ASSERT_TRUE(
      b->AddMember("org_1", "acc_b", Role::kOwner, Event("e5", "org.member_added", "acc_a")).ok());
  ASSERT_TRUE(
      b->CreateOrg({"org_2", "Two", kT0}, "acc_b", Event("e6", "org.created", "acc_b")).ok());
  EXPECT_TRUE(heard.WaitFor([](const Change& c) { return IsMembership(c, "org_2", "acc_b"); }));

  // A refused change notifies nobody; a committed one on A is published once, locally.
  heard.Take();
  EXPECT_FALSE(
      b->RemoveMember("org_1", "acc_zzz", Event("e7", "org.member_removed", "acc_a")).ok());
  ASSERT_TRUE(
      a->RemoveMember("org_2", "acc_a", Event("e8", "org.member_removed", "acc_b")).code() ==
      StatusCode::kNotFound);
  ASSERT_TRUE(
      a->AddMember("org_2", "acc_a", Role::kMember, Event("e9", "org.member_added", "acc_b")).ok());
  std::this_thread::sleep_for(milliseconds(300));  // room for a (wrong) echo to arrive
  std::vector<Change> seen = heard.Take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(IsMembership(seen[0], "org_2", "acc_a"));
}

TEST_F(PostgresStoreTest, ListenerReconnectsAndCatchesUpFromTheLog) {
  auto a = OpenNode();
  auto b = OpenNode();
  ASSERT_TRUE(a && b);
  Seed(*b);
  Recorder heard;
  heard.Attach(*a);

  // Kill A's listening connection (B's is the other one: kill the older, A's, opened first),
  // and change something at once, while A may still be reconnecting.
  const std::string pid = ListenerPid();
  ASSERT_FALSE(pid.empty());
  auto killed = db_->Query("SELECT pg_terminate_backend(" + pid + ")");
  ASSERT_TRUE(killed.ok()) << killed.status().message();
  EXPECT_EQ(*killed, "t");
  ASSERT_TRUE(b->RevokeKey("key_1", At(2), Event("e3", "key.revoked", "acc_b")).ok());
  // Heard from the notification or, if it came while A was away, read back from the log.
  EXPECT_TRUE(heard.WaitFor([](const Change& c) { return IsKey(c, "key_1"); }));
  ASSERT_TRUE(b->RemoveMember("org_1", "acc_b", Event("e4", "org.member_removed", "acc_a")).ok());
  EXPECT_TRUE(heard.WaitFor([](const Change& c) { return IsMembership(c, "org_1", "acc_b"); }));
  for (const Change& c : heard.Take()) EXPECT_FALSE(IsEverything(c)) << "the log had it all";
  EXPECT_TRUE(BecomesCurrent(*a));
}

TEST_F(PostgresStoreTest, AMissedNotificationIsReadFromTheLog) {
  auto a = OpenNode();
  ASSERT_TRUE(a);
  Seed(*a);
  Recorder heard;
  heard.Attach(*a);
  const int64_t catchups = a->freshness().catchups;
  // A change committed without its notification (as if the notification were lost).
  auto logged = db_->Query(
      "WITH n AS (UPDATE change_counter SET seq = seq + 1 RETURNING seq) "
      "INSERT INTO changes (seq, kind, key_id, at) SELECT seq, 'key', 'key_lost', 0 FROM n "
      "RETURNING seq");
  ASSERT_TRUE(logged.ok()) << logged.status().message();
  // The heartbeat sees the counter ahead of what was heard, and reads the change.
  EXPECT_TRUE(heard.WaitFor([](const Change& c) { return IsKey(c, "key_lost"); }));
  EXPECT_GT(a->freshness().catchups, catchups);
  // An account's change (its address) is read back as one too.
  ASSERT_TRUE(db_->Query("WITH n AS (UPDATE change_counter SET seq = seq + 1 RETURNING seq) "
                         "INSERT INTO changes (seq, kind, account_id, at) "
                         "SELECT seq, 'account', 'acc_lost', 0 FROM n RETURNING seq")
                  .ok());
  EXPECT_TRUE(heard.WaitFor([](const Change& c) {
    return c.kind == Change::Kind::kAccount && c.account_id == "acc_lost";
  }));
  for (const Change& c : heard.Take()) EXPECT_FALSE(IsEverything(c));

  // Changes no longer in the log (pruned): every cache is dropped instead.
  ASSERT_TRUE(db_->Query("UPDATE change_counter SET seq = seq + 2 RETURNING seq").ok());
  EXPECT_TRUE(heard.WaitFor(IsEverything));
}

TEST_F(PostgresStoreTest, ChangesAreNumberedInCommitOrder) {
  auto a = OpenNode();
  auto b = OpenNode();
  ASSERT_TRUE(a && b);
  Seed(*b);
  // The seed's own changes may still reach A after this: only those numbered after it count.
  auto seeded = db_->Query("SELECT seq FROM change_counter");
  ASSERT_TRUE(seeded.ok()) << seeded.status().message();
  const int64_t after = std::stoll(*seeded);
  Recorder heard;
  heard.Attach(*a);
  ASSERT_TRUE(b->UpdateKey(Renamed(*b, "key_1", "n1"), Event("e1", "key.updated", "acc_b")).ok());
  ASSERT_TRUE(a->UpdateKey(Renamed(*a, "key_1", "n2"), Event("e2", "key.updated", "acc_a")).ok());
  ASSERT_TRUE(b->UpdateKey(Renamed(*b, "key_1", "n3"), Event("e3", "key.updated", "acc_b")).ok());
  ASSERT_TRUE(heard.WaitFor([&](const Change& c) { return c.seq == after + 3; }));
  // A's own change is published at its commit, B's when heard: the numbers, not the arrival,
  // give the order, and they have no holes; each is published once.
  std::vector<Change> seen = heard.Take();
  std::erase_if(seen, [&](const Change& c) { return c.seq <= after; });
  std::sort(seen.begin(), seen.end(),
            [](const Change& x, const Change& y) { return x.seq < y.seq; });
  ASSERT_EQ(seen.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i].seq, after + 1 + i);
    EXPECT_TRUE(IsKey(seen[i], "key_1"));
  }
}

TEST_F(PostgresStoreTest, PoolConnectionsRecoverAfterTheirBackendsAreKilled) {
  auto a = OpenNode();
  ASSERT_TRUE(a);
  Seed(*a);
  auto killed = db_->Query(
      "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = "
      "current_database() AND pid <> pg_backend_pid()");
  ASSERT_TRUE(killed.ok()) << killed.status().message();
  EXPECT_GE(std::stoi(*killed), PostgresDatabase::kPoolSize);
  // Every pool connection is broken; each call resets its connection and retries.
  for (int i = 0; i < 2 * PostgresDatabase::kPoolSize; ++i) {
    EXPECT_TRUE(a->Ping().ok());
    EXPECT_TRUE(a->FindKey("key_1").ok());
  }
  EXPECT_TRUE(a->UpdateKey(Renamed(*a, "key_1", "n"), Event("e1", "key.updated", "acc_b")).ok());
}

TEST_F(PostgresStoreTest, NodesStartingTogetherMigrateOnce) {
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<Status> results;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto store = OpenStore(db_->url());
      std::lock_guard lock(mu);
      results.push_back(store.status());
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(*db_->Query("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(migrations::Files().size()));
  // The newest version, not the count: numbers are handed out ahead of the files.
  EXPECT_EQ(
      *db_->Query("SELECT MAX(version) FROM schema_migrations"),
      std::to_string(LoadMigrations(migrations::Files(), SqlDialect::kPostgres)->back().version));
  // Opening again applies nothing.
  ASSERT_TRUE(OpenStore(db_->url()).ok());
  EXPECT_EQ(*db_->Query("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(migrations::Files().size()));
}

TEST_F(PostgresStoreTest, UsesRecordedByManyNodesNeverGoBackwards) {
  std::vector<std::unique_ptr<Store>> nodes;
  for (int i = 0; i < 3; ++i) nodes.push_back(OpenNode());
  ASSERT_TRUE(nodes[0] && nodes[1] && nodes[2]);
  Seed(*nodes[0]);
  for (const char* id : {"key_2", "key_3"}) {
    ASSERT_TRUE(nodes[0]
                    ->CreateKey(Key(id, "acc_b"), Secret(std::string("tfzo_") + id + "XXXX", id),
                                Event(std::string("ev_") + id, "key.created", "acc_b"))
                    .ok());
  }
  // Each node flushes batches that hold the keys in different orders and times going up and
  // down; the largest time recorded anywhere must win.
  std::vector<std::thread> threads;
  for (int n = 0; n < 3; ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < 40; ++i) {
        const int t = (i * 7 + n * 13) % 50;
        Store::KeyUses batch = {
            {"key_1", At(t)}, {"key_2", At(50 - t)}, {"key_3", At(t)}, {"key_zzz", At(99)}};
        if ((i + n) % 2 == 1) std::reverse(batch.begin(), batch.end());
        Status s = nodes[n]->RecordKeyUses(batch);
        EXPECT_TRUE(s.ok()) << s.message();
      }
    });
  }
  for (auto& t : threads) t.join();
  int max_t = 0;
  int max_r = 0;
  for (int n = 0; n < 3; ++n) {
    for (int i = 0; i < 40; ++i) {
      max_t = std::max(max_t, (i * 7 + n * 13) % 50);
      max_r = std::max(max_r, 50 - (i * 7 + n * 13) % 50);
    }
  }
  EXPECT_EQ(nodes[1]->FindKey("key_1")->last_used_at, At(max_t));
  EXPECT_EQ(nodes[1]->FindKey("key_2")->last_used_at, At(max_r));
  EXPECT_EQ(nodes[1]->FindKey("key_3")->last_used_at, At(max_t));
  ASSERT_TRUE(nodes[2]->RecordKeyUses({{"key_1", At(0)}}).ok());
  EXPECT_EQ(nodes[0]->FindKey("key_1")->last_used_at, At(max_t));
}

TEST_F(PostgresStoreTest, ConcurrentRotationsAndRevocationsLeaveOneLiveSecretAtMost) {
  auto a = OpenNode();
  auto b = OpenNode();
  ASSERT_TRUE(a && b);
  Seed(*a);
  std::vector<std::thread> threads;
  for (int n = 0; n < 2; ++n) {
    threads.emplace_back([&, n] {
      Store& s = n == 0 ? *a : *b;
      for (int i = 0; i < 20; ++i) {
        const std::string v = "tfzo_r" + std::to_string(n) + "_" + std::to_string(i) + "ZZZZ";
        Status st = s.RotateKey(
            "key_1", Secret(v, "key_1", At(i)), std::nullopt, std::chrono::seconds(0),
            Event("ev_r" + std::to_string(n) + std::to_string(i), "key.rotated", "acc_b"));
        EXPECT_TRUE(st.ok()) << st.message();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(*db_->Query("SELECT COUNT(*) FROM key_secrets WHERE revoked_at IS NULL"), "1");
  EXPECT_EQ(*db_->Query("SELECT COUNT(*) FROM key_secrets"), "41");
  auto revoked = b->RevokeKey("key_1", At(100), Event("ev_rev", "key.revoked", "acc_b"));
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(*db_->Query("SELECT COUNT(*) FROM key_secrets WHERE revoked_at IS NULL"), "0");
}

TEST_F(PostgresStoreTest, RemovingTwoLastOwnersAtOnceKeepsOne) {
  auto a = OpenNode();
  auto b = OpenNode();
  ASSERT_TRUE(a && b);
  Seed(*a);
  ASSERT_TRUE(a->RemoveMember("org_1", "acc_b", Event("e1", "org.member_removed", "acc_a")).ok());
  ASSERT_TRUE(
      a->AddMember("org_1", "acc_b", Role::kOwner, Event("e2", "org.member_added", "acc_a")).ok());
  Status ra, rb;
  std::thread ta([&] { ra = a->RemoveMember("org_1", "acc_a", Event("e3", "x", "acc_a")); });
  std::thread tb([&] { rb = b->RemoveMember("org_1", "acc_b", Event("e4", "x", "acc_b")); });
  ta.join();
  tb.join();
  EXPECT_NE(ra.ok(), rb.ok()) << ra.message() << " / " << rb.message();
  EXPECT_EQ((ra.ok() ? rb : ra).code(), StatusCode::kConflict);
  EXPECT_EQ(a->ListMembers("org_1")->size(), 1u);
}

TEST_F(PostgresStoreTest, OfTwoNodesClaimingAtOnceOneClaimsEachMail) {
  auto a = OpenNode();
  auto b = OpenNode();
  ASSERT_TRUE(a && b);
  Seed(*a);
  constexpr int kMails = 40;
  EventRecord event = Event("ev_mail", "key.updated", "acc_b");
  for (int i = 0; i < kMails; ++i) {
    event.mails.push_back(
        {.to = "b@example.com", .subject = std::to_string(i), .text = "t", .html = "h"});
  }
  ASSERT_TRUE(a->UpdateKey(Renamed(*a, "key_1", "n"), event).ok());
  // Two threads per node, each claiming and marking sent until none is left.
  std::mutex mu;
  std::vector<std::string> claimed;
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&, n] {
      Store& s = n % 2 == 0 ? *a : *b;
      while (true) {
        auto mail = s.ClaimMail(At(10), At(70));
        ASSERT_TRUE(mail.ok()) << mail.status().message();
        if (!mail->has_value()) return;
        {
          std::lock_guard lock(mu);
          claimed.push_back((*mail)->message.subject);
        }
        ASSERT_TRUE(s.MarkMailSent((*mail)->id, At(11)).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::sort(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kMails));
  EXPECT_EQ(std::adjacent_find(claimed.begin(), claimed.end()), claimed.end());
  // Sent: the text and HTML (link tokens) are gone.
  EXPECT_EQ(*db_->Query("SELECT COUNT(*) FROM mail_outbox WHERE text <> '' OR html <> ''"), "0");
  EXPECT_EQ(*db_->Query("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL"), "0");
}

TEST_F(PostgresStoreTest, AFailedMailForgetsItsTextAndKeepsItsError) {
  auto a = OpenNode();
  ASSERT_TRUE(a);
  Seed(*a);
  EventRecord event = Event("ev_mail", "key.updated", "acc_b");
  event.mails.push_back({.to = "b@example.com", .subject = "s", .text = "t", .html = "h"});
  ASSERT_TRUE(a->UpdateKey(Renamed(*a, "key_1", "n"), event).ok());
  auto mail = a->ClaimMail(At(10), At(70));
  ASSERT_TRUE(mail.ok() && mail->has_value());
  ASSERT_TRUE(a->FailMail((*mail)->id, At(11), "550 no such user").ok());
  EXPECT_EQ(*db_->Query("SELECT text || html || last_error FROM mail_outbox"), "550 no such user");
}

TEST_F(PostgresStoreTest, OpenStoreTakesPostgresUrls) {
  auto store = OpenStore(db_->url());
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_TRUE((*store)->Ping().ok());
  std::string alt = db_->url();
  alt.replace(0, std::string("postgresql").size(), "postgres");
  auto alt_store = OpenStore(alt);
  ASSERT_TRUE(alt_store.ok()) << alt_store.status().message();
}

// Pipelines (PgConnection::ExecPipeline): what SqlStore's write transactions go out as.
class PostgresPipelineTest : public PostgresStoreTest {
 protected:
  void SetUp() override {
    PostgresStoreTest::SetUp();
    if (HasFatalFailure()) return;
    auto conn = PgConnection::Connect(db_->url(), milliseconds(2000));
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    pg_ = std::move(conn).value();
    ASSERT_TRUE(pg_->ExecScript("CREATE TABLE t (id integer PRIMARY KEY)").ok());
  }

  Result<std::vector<PgResult>> Run(const std::vector<PgConnection::Statement>& statements) {
    return pg_->ExecPipeline(statements, pg_->DefaultDeadline());
  }

  std::string Count() {
    auto n = pg_->Exec("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(n.ok()) << n.status().message();
    return n.ok() ? n->Text(0, 0) : "";
  }

  static constexpr char kInsert[] = "INSERT INTO t (id) VALUES ($1)";
  static constexpr char kCount[] = "SELECT COUNT(*) AS n FROM t WHERE id >= $1";
  std::unique_ptr<PgConnection> pg_;
};

TEST_F(PostgresPipelineTest, StatementsGoTogetherAndEachOnesRowsComeBack) {
  // libpq's trace shows what goes out: one Sync for the whole pipeline, one round trip.
  char* traced = nullptr;
  size_t traced_size = 0;
  FILE* trace = open_memstream(&traced, &traced_size);
  PQtrace(pg_->raw(), trace);
  PQsetTraceFlags(pg_->raw(), PQTRACE_SUPPRESS_TIMESTAMPS);
  auto rows = Run({{.sql = "BEGIN", .params = {}, .prepare = false},
                   {.sql = kInsert, .params = {PgInt(1)}},
                   {.sql = kInsert, .params = {PgInt(2)}},
                   {.sql = kCount, .params = {PgInt(0)}},
                   {.sql = "COMMIT", .params = {}, .prepare = false}});
  PQuntrace(pg_->raw());
  std::fclose(trace);
  const std::string sent(traced, traced_size);
  std::free(traced);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 5u);
  EXPECT_EQ((*rows)[1].affected(), 1);  // each insert's
  EXPECT_EQ((*rows)[2].affected(), 1);
  EXPECT_EQ((*rows)[3].Text(0, 0), "2");  // the count ran after both
  EXPECT_EQ((*rows)[4].affected(), 0);    // COMMIT's
  size_t syncs = 0;
  for (size_t at = sent.find("F\t4\tSync"); at != std::string::npos;
       at = sent.find("F\t4\tSync", at + 1)) {
    ++syncs;
  }
  EXPECT_EQ(syncs, 1u) << sent;
  EXPECT_EQ(Count(), "2");
  // The insert, prepared in the first pipeline, is reused: no Parse result among the answers.
  auto counted = Run({{.sql = kCount, .params = {PgInt(2)}},
                      {.sql = kInsert, .params = {PgInt(3)}},
                      {.sql = kCount, .params = {PgInt(2)}}});
  ASSERT_TRUE(counted.ok()) << counted.status().message();
  ASSERT_EQ(counted->size(), 3u);
  EXPECT_EQ((*counted)[0].Text(0, 0), "1");
  EXPECT_EQ((*counted)[2].Text(0, 0), "2");
}

TEST_F(PostgresPipelineTest, TheFirstErrorComesBackAndNothingAfterItRuns) {
  auto failed = Run({{.sql = "BEGIN", .params = {}, .prepare = false},
                     {.sql = kInsert, .params = {PgInt(1)}},
                     {.sql = kInsert, .params = {PgInt(1)}},  // a unique violation
                     {.sql = kInsert, .params = {PgInt(2)}},
                     {.sql = "COMMIT", .params = {}, .prepare = false}});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kConflict) << failed.status().message();
  // The transaction stays open and aborted until rolled back; then the connection goes on,
  // and the statements first prepared in the failed pipeline are prepared again.
  EXPECT_FALSE(pg_->broken());
  ASSERT_TRUE(pg_->Exec("ROLLBACK").ok());
  EXPECT_EQ(Count(), "0");
  auto again = Run({{.sql = kInsert, .params = {PgInt(5)}}, {.sql = kCount, .params = {PgInt(0)}}});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->back().Text(0, 0), "1");
}

// SqlConnection::ExecLater in a transaction: held back, sent with the next Exec in its order,
// its rows set when that Exec returns; its error is that Exec's.
TEST_F(PostgresPipelineTest, ExecLaterGoesWithTheNextExecAndGetsItsRows) {
  auto db = PostgresDatabase::Open(db_->url(), milliseconds(2000));
  ASSERT_TRUE(db.ok()) << db.status().message();
  std::optional<SqlRows> before;
  std::optional<SqlRows> inserted;
  Status written = (*db)->Run(SqlDatabase::Mode::kWrite, [&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(c.ExecLater(kCount, {0}, before));
    RETURN_IF_ERROR(c.ExecLater(kInsert, {7}, inserted));
    EXPECT_FALSE(before.has_value());  // not sent yet
    ASSIGN_OR_RETURN(SqlRows after, c.Exec(kCount, {0}));
    EXPECT_EQ(after[0].Int("n"), 1);
    return Status::Ok();
  });
  ASSERT_TRUE(written.ok()) << written.message();
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ((*before)[0].Int("n"), 0);  // it ran before the insert
  ASSERT_TRUE(inserted.has_value());
  EXPECT_EQ(inserted->affected(), 1);
  EXPECT_EQ(Count(), "1");

  std::optional<SqlRows> duplicate;
  Status failed = (*db)->Run(SqlDatabase::Mode::kWrite, [&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(c.ExecLater(kInsert, {8}, inserted));
    RETURN_IF_ERROR(c.ExecLater(kInsert, {7}, duplicate));
    return c.Exec(kCount, {0}).status();
  });
  EXPECT_EQ(failed.code(), StatusCode::kConflict) << failed.message();
  EXPECT_EQ(Count(), "1");  // the whole transaction rolled back
}

TEST_F(PostgresStoreTest, AWriteSentAheadThatFailsRollsBackItsTransaction) {
  auto a = OpenNode();
  ASSERT_TRUE(a);
  Seed(*a);
  // CreateKey's inserts wait for its commit; the secret's duplicate digest fails there, and the
  // key inserted before it in the same pipeline is gone with it.
  Status s = a->CreateKey(Key("key_2", "acc_b"), Secret("tfzo_value0001", "key_2"),
                          Event("ev_k2", "key.created", "acc_b"));
  EXPECT_EQ(s.code(), StatusCode::kConflict) << s.message();
  EXPECT_EQ(a->FindKey("key_2").status().code(), StatusCode::kNotFound);
  // The pool connection is fine: the next write on it commits.
  EXPECT_TRUE(a->CreateKey(Key("key_3", "acc_b"), Secret("tfzo_value0003", "key_3"),
                           Event("ev_k3", "key.created", "acc_b"))
                  .ok());
  EXPECT_TRUE(a->FindKey("key_3").ok());
}

TEST(PostgresOpenTest, UnreachableDatabaseIsUnavailableAndNeverShowsTheUrl) {
  const std::string url = "postgresql://someone:hunter2secret@127.0.0.1:1/nowhere";
  auto store = OpenStore(url);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store.status().message().find("hunter2secret"), std::string::npos)
      << store.status().message();
  EXPECT_EQ(store.status().message().find(url), std::string::npos);
  auto bad = OpenStore("postgresql://someone:hunter2secret@127.0.0.1:notaport/x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("hunter2secret"), std::string::npos)
      << bad.status().message();
}

TEST(PostgresChangeTest, PayloadsRoundTrip) {
  for (const Change& c : {Change{Change::Kind::kKey, "key_abc", "", "", 12},
                          Change{Change::Kind::kMembership, "", "org_1", "acc_2", 13},
                          Change{Change::Kind::kAccount, "", "", "acc_3", 14}}) {
    auto back = DecodeChange(EncodeChange(c));
    ASSERT_TRUE(back.has_value()) << EncodeChange(c);
    EXPECT_EQ(back->kind, c.kind);
    EXPECT_EQ(back->key_id, c.key_id);
    EXPECT_EQ(back->org_id, c.org_id);
    EXPECT_EQ(back->account_id, c.account_id);
    EXPECT_EQ(back->seq, c.seq);
  }
  EXPECT_EQ(EncodeChange({Change::Kind::kKey, "key_1", "", "", 5}), "5 k:key_1");
  EXPECT_EQ(EncodeChange({Change::Kind::kMembership, "", "org_1", "acc_1", 6}), "6 m:org_1:acc_1");
  EXPECT_FALSE(DecodeChange("").has_value());
  // A node of the version before the change log: applied, outside the sequence.
  auto legacy = DecodeChange("k:key_1");
  ASSERT_TRUE(legacy.has_value());
  EXPECT_EQ(legacy->key_id, "key_1");
  EXPECT_EQ(legacy->seq, 0);
  EXPECT_FALSE(DecodeChange("0 k:key_1").has_value());
  EXPECT_FALSE(DecodeChange("5x k:key_1").has_value());
  EXPECT_FALSE(DecodeChange("5 k:").has_value());
  EXPECT_FALSE(DecodeChange("5 m:org_only").has_value());
  EXPECT_EQ(EncodeChange({Change::Kind::kAccount, "", "", "acc_1", 7}), "7 a:acc_1");
  EXPECT_FALSE(DecodeChange("5 a:").has_value());
  EXPECT_FALSE(DecodeChange("5 x:1").has_value());
}

}  // namespace
}  // namespace tfzo
