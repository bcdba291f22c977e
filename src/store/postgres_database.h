#ifndef TFZO_STORE_POSTGRES_DATABASE_H_
#define TFZO_STORE_POSTGRES_DATABASE_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres_listener.h"
#include "store/sql_database.h"

namespace tfzo {

// The shared engine under SqlStore: one PostgreSQL database for several server nodes. Owned by
// its SqlStore. Thread-safe: a small fixed pool of libpq connections; each Run borrows one
// (waiting while all are busy). A kWrite is one READ COMMITTED transaction, in which the
// FOR UPDATE of statements.h locks the key row (or the org's owner rows) before a rotation,
// revocation or member removal decides anything, so concurrent nodes serialize on it.
//
// Changes: Notify runs pg_notify('tfzo_changes', ...) inside the transaction, so every node's
// PostgresListener hears it after commit; the node that made the change publishes it itself
// (SqlStore), and its listener skips the notifications of this pool's connections.
//
// A connection found broken (the database restarted) is reset on its next use; a Run whose
// connection broke before anything could have been committed is retried once on the reset
// connection. When the database cannot be reached, Run answers kUnavailable. The URL (which
// may hold a password) never appears in an error.
//
// Deadlines: a Run, from waiting for a free connection to its last statement's answer, takes
// at most `timeout` (PgConnection measures it on the client, so a frozen database too costs
// only that), then answers kUnavailable.
class PostgresDatabase final : public SqlDatabase {
 public:
  static constexpr int kPoolSize = 4;

  // Connects to `url` (postgresql://...) and applies pending migrations. kUnavailable when
  // the database cannot be reached within `timeout` (which bounds every Run afterwards).
  static Result<std::unique_ptr<PostgresDatabase>> Open(const std::string& url,
                                                        std::chrono::milliseconds timeout);

  ~PostgresDatabase() override;

  Status Run(Mode mode, const Body& body) override;
  // One UPDATE for the whole batch, after locking its rows in one order.
  Status RecordKeyUses(SqlConnection& conn, const KeyUses& uses) override;
  // Connects the listener and LISTENs before returning, so every change committed after that
  // is heard.
  Status Listen(ChangeListener publish) override;
  Status Notify(SqlConnection& conn, const Change& change) override;
  Freshness freshness() const override;
  // On a connection of the job's own, outside the pool: BEGIN, then the job's advisory lock
  // (pg_try_advisory_xact_lock; held by another node: not claimed), `claim`, `work` (on the
  // pool's connections), COMMIT. The lock and the claim's row live as long as that transaction:
  // a node that dies mid-run (its connection closed) releases both, its run not recorded.
  Result<bool> RunJob(std::string_view job, const Claim& claim,
                      const std::function<void()>& work) override;

 private:
  class Connection;
  class Lease;
  // A job's connection (RunJob), connected at its first run and used by one run at a time.
  struct JobConnection {
    std::mutex mu;
    std::unique_ptr<Connection> conn;  // guarded by mu
  };

  PostgresDatabase(std::string url, std::chrono::milliseconds timeout,
                   std::vector<std::unique_ptr<Connection>> pool);

  // A free connection, or nullopt when none is free by `deadline`.
  std::optional<Lease> Borrow(PgConnection::Deadline deadline);
  void Return(Connection* conn);

  const std::string url_;  // for the listener's connection
  const std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::condition_variable free_cv_;
  std::vector<std::unique_ptr<Connection>> pool_;
  std::vector<Connection*> free_;               // guarded by mu_
  std::unique_ptr<PostgresListener> listener_;  // set by Listen; stopped first on destruction
  std::mutex jobs_mu_;
  std::map<std::string, std::unique_ptr<JobConnection>, std::less<>> jobs_;  // guarded by jobs_mu_
};

}  // namespace tfzo

#endif  // TFZO_STORE_POSTGRES_DATABASE_H_
