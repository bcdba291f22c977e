#ifndef TFZO_STORE_POSTGRES_LISTENER_H_
#define TFZO_STORE_POSTGRES_LISTENER_H_

#include <atomic>
#include <chrono>
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
// "k:<key_id>", "m:<org_id>:<account_id>" or "*" (drop everything). Ids never contain ':'.
inline constexpr char kChangeChannel[] = "tfzo_changes";
std::string EncodeChange(const Change& change);
std::optional<Change> DecodeChange(std::string_view payload);

// Hears the changes committed by every node on a shared PostgreSQL database. Owns one
// dedicated connection and the thread that reads it: LISTEN first, then wait on the socket and
// hand each notification to `on_change`. When the connection drops it reconnects with backoff
// (100 ms doubling to 1 s, so a node hears again at most a second after the database is
// back), LISTENs again and then reports Change::Kind::kEverything, since
// notifications sent while disconnected are lost. Owned by PostgresDatabase; its methods are
// thread-safe; `on_change` runs on the listener thread.
class PostgresListener {
 public:
  // True for a backend process id of this node's own connections: their changes were already
  // published locally at commit, so their notifications are skipped.
  using IsOwnBackend = std::function<bool(int pid)>;

  // Connects and LISTENs before returning (kUnavailable when the database cannot be reached),
  // so every change committed after Start returns is heard.
  static Result<std::unique_ptr<PostgresListener>> Start(std::string url, ChangeListener on_change,
                                                         IsOwnBackend is_own);

  // Stops the thread (at once: it is woken through an eventfd) and closes the connection.
  ~PostgresListener();
  PostgresListener(const PostgresListener&) = delete;
  PostgresListener& operator=(const PostgresListener&) = delete;

 private:
  PostgresListener(std::string url, ChangeListener on_change, IsOwnBackend is_own,
                   std::unique_ptr<PgConnection> conn, int wake_fd);
  void Run();
  // Waits up to `timeout` for the socket (or only for a stop when fd < 0). False: stopping.
  bool Wait(int fd, std::chrono::milliseconds timeout, bool& readable);
  std::unique_ptr<PgConnection> Reconnect();

  const std::string url_;
  const ChangeListener on_change_;
  const IsOwnBackend is_own_;
  std::unique_ptr<PgConnection> conn_;  // used by the thread only; null while disconnected
  const int wake_fd_;                   // eventfd: written once to stop the thread
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tfzo

#endif  // TFZO_STORE_POSTGRES_LISTENER_H_
