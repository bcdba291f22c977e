#ifndef TFZO_STORE_POSTGRES_LISTENER_H_
#define TFZO_STORE_POSTGRES_LISTENER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/result.h"
#include "model/store.h"
#include "store/pg_connection.h"

namespace tfzo {

// The NOTIFY channel every node's changing transactions notify, and the payload of one Change:
// its sequence number, a space, then "k:<key_id>" or "m:<org_id>:<account_id>". Ids never
// contain ':' nor ' '.
inline constexpr char kChangeChannel[] = "tfzo_changes";
std::string EncodeChange(const Change& change);
std::optional<Change> DecodeChange(std::string_view payload);

// Hears the changes committed by every node on a shared PostgreSQL database, in the order of
// the change log (migrations/0003_change_log.sql), and says how current that is (Freshness).
// Owns one dedicated connection and the thread that reads it.
//
// The thread LISTENs, then hands each notification to `on_change`, in sequence order: a
// number beyond the next one means notifications were missed, and the missing changes are
// read from the log first. Every `heartbeat` it asks the database for the last committed
// number (catching up if it is ahead): an answer proves that every change committed before the
// question was heard, so the node is current as of the moment it asked. A heartbeat that gets
// no answer within the connection's timeout, or a dropped connection, makes the node not
// current; it reconnects with backoff (100 ms doubling to 1 s), LISTENs again and reads the
// changes it missed from the log. Only when the log no longer holds them (it keeps the newest
// SqlStore::kKeptChanges) does it report Change::Kind::kEverything.
//
// Owned by PostgresDatabase; its methods are thread-safe; `on_change` runs on the listener
// thread.
class PostgresListener {
 public:
  // True for a backend process id of this node's own connections: their changes were already
  // published locally at commit, so their notifications only advance the sequence.
  using IsOwnBackend = std::function<bool(int pid)>;

  struct Options {
    std::chrono::milliseconds timeout{2000};  // connecting, and every statement
    std::chrono::milliseconds heartbeat{500};
  };

  // Connects and LISTENs before returning (kUnavailable when the database cannot be reached),
  // so every change committed after Start returns is heard.
  static Result<std::unique_ptr<PostgresListener>> Start(std::string url, ChangeListener on_change,
                                                         IsOwnBackend is_own, Options options);

  // Stops the thread (at once: it is woken through an eventfd) and closes the connection.
  ~PostgresListener();
  PostgresListener(const PostgresListener&) = delete;
  PostgresListener& operator=(const PostgresListener&) = delete;

  Freshness freshness() const;

 private:
  PostgresListener(std::string url, ChangeListener on_change, IsOwnBackend is_own, Options options,
                   std::unique_ptr<PgConnection> conn, int64_t applied, int wake_fd);
  void Run();
  // Waits up to `timeout` for the socket (or only for a stop when fd < 0). False: stopping.
  bool Wait(int fd, std::chrono::milliseconds timeout, bool& readable);
  std::unique_ptr<PgConnection> Reconnect();
  // Hands over each notification received, catching up on a gap.
  Status Drain();
  // Reads every change after applied_ from the log and hands each over.
  Status CatchUp();
  // Asks for the last committed number; on an answer, catches up and marks the node current
  // as of the question.
  Status Heartbeat();
  void MarkCurrent(Time as_of);

  const std::string url_;
  const ChangeListener on_change_;
  const IsOwnBackend is_own_;
  const Options options_;
  std::unique_ptr<PgConnection> conn_;  // used by the thread only; null while disconnected
  int64_t applied_;                     // the thread's: the last change handed over
  const int wake_fd_;                   // eventfd: written once to stop the thread
  std::atomic<bool> stop_{false};
  std::atomic<bool> current_{true};
  std::atomic<int64_t> current_at_;  // unix seconds
  std::atomic<int64_t> catchups_{0};
  std::thread thread_;
};

}  // namespace tfzo

#endif  // TFZO_STORE_POSTGRES_LISTENER_H_
