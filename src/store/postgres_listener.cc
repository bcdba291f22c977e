#include "store/postgres_listener.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <utility>

#include "core/thread_name.h"
#include "store/statements.h"

namespace tfzo {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr milliseconds kMinBackoff(100);
constexpr milliseconds kMaxBackoff(1000);
// Changes read from the log per statement while catching up.
constexpr int64_t kCatchUpBatch = 1000;

constexpr char kListen[] = "LISTEN tfzo_changes";
// How the listener's connection shows in pg_stat_activity (the pool's: "2501-accounts").
constexpr char kApplicationName[] = "2501-accounts listener";

Time WallNow() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::optional<int64_t> ParseSeq(std::string_view text) {
  int64_t seq = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (ec != std::errc() || end != text.data() + text.size() || seq <= 0) return std::nullopt;
  return seq;
}

Result<int64_t> LastSeq(PgConnection& conn) {
  ASSIGN_OR_RETURN(PgResult rows, conn.Exec(sql::kLastChangeSeq));
  if (rows.rows() != 1) return Internal("the change counter is missing");
  return rows.Int(0, 0);
}

}  // namespace

std::string EncodeChange(const Change& change) {
  const std::string seq = std::to_string(change.seq) + " ";
  switch (change.kind) {
    case Change::Kind::kKey:
      return seq + "k:" + change.key_id;
    case Change::Kind::kMembership:
      return seq + "m:" + change.org_id + ":" + change.account_id;
    case Change::Kind::kAccount:
      return seq + "a:" + change.account_id;
    case Change::Kind::kOrg:
      return seq + "o:" + change.org_id;
    case Change::Kind::kEverything:
      break;
  }
  return seq + "*";
}

std::optional<Change> DecodeChange(std::string_view payload) {
  const size_t space = payload.find(' ');
  std::optional<int64_t> seq = 0;  // a node of the version before the change log: no number
  std::string_view rest = payload;
  if (space != std::string_view::npos) {
    seq = ParseSeq(payload.substr(0, space));
    rest = payload.substr(space + 1);
  }
  if (!seq) return std::nullopt;
  if (rest.starts_with("k:") && rest.size() > 2) {
    return Change{.kind = Change::Kind::kKey, .key_id = std::string(rest.substr(2)), .seq = *seq};
  }
  if (rest.starts_with("a:") && rest.size() > 2) {
    return Change{
        .kind = Change::Kind::kAccount, .account_id = std::string(rest.substr(2)), .seq = *seq};
  }
  if (rest.starts_with("o:") && rest.size() > 2) {
    return Change{.kind = Change::Kind::kOrg, .org_id = std::string(rest.substr(2)), .seq = *seq};
  }
  if (rest.starts_with("m:")) {
    const std::string_view ids = rest.substr(2);
    const size_t colon = ids.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    return Change{.kind = Change::Kind::kMembership,
                  .org_id = std::string(ids.substr(0, colon)),
                  .account_id = std::string(ids.substr(colon + 1)),
                  .seq = *seq};
  }
  return std::nullopt;
}

Result<std::unique_ptr<PostgresListener>> PostgresListener::Start(std::string url,
                                                                  ChangeListener on_change,
                                                                  IsOwnBackend is_own,
                                                                  Options options) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                   PgConnection::Connect(url, options.timeout, kApplicationName));
  RETURN_IF_ERROR(conn->Exec(kListen).status());
  // Nothing is cached yet: changes up to here are already in what any read will see.
  ASSIGN_OR_RETURN(const int64_t applied, LastSeq(*conn));
  const int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) return Internal("eventfd failed");
  return std::unique_ptr<PostgresListener>(
      new PostgresListener(std::move(url), std::move(on_change), std::move(is_own), options,
                           std::move(conn), applied, wake_fd));
}

PostgresListener::PostgresListener(std::string url, ChangeListener on_change, IsOwnBackend is_own,
                                   Options options, std::unique_ptr<PgConnection> conn,
                                   int64_t applied, int wake_fd)
    : url_(std::move(url)),
      on_change_(std::move(on_change)),
      is_own_(std::move(is_own)),
      options_(options),
      conn_(std::move(conn)),
      applied_(applied),
      wake_fd_(wake_fd),
      current_at_(ToUnix(WallNow())),
      thread_([this] { Run(); }) {}

PostgresListener::~PostgresListener() {
  stop_ = true;
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
  thread_.join();
  ::close(wake_fd_);
}

Freshness PostgresListener::freshness() const {
  return Freshness{.current = current_.load(std::memory_order_acquire),
                   .current_at = FromUnix(current_at_.load(std::memory_order_acquire)),
                   .catchups = catchups_.load(std::memory_order_relaxed)};
}

void PostgresListener::MarkCurrent(Time as_of) {
  current_at_.store(ToUnix(as_of), std::memory_order_release);
  if (!current_.exchange(true, std::memory_order_acq_rel)) {
    spdlog::info("store: change notifications resumed; caught up to change {}", applied_);
  }
}

bool PostgresListener::Wait(int fd, milliseconds timeout, bool& readable) {
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {fd, POLLIN, 0}};
  const int n = ::poll(fds, fd >= 0 ? 2 : 1, static_cast<int>(std::max(timeout.count(), 0L)));
  readable = n > 0 && fd >= 0 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
  if (n < 0 && errno != EINTR) readable = fd >= 0;  // let PQconsumeInput find out
  return !stop_;
}

std::unique_ptr<PgConnection> PostgresListener::Reconnect() {
  auto backoff = kMinBackoff;
  bool readable = false;
  while (Wait(-1, backoff, readable)) {
    auto conn = PgConnection::Connect(url_, options_.timeout, kApplicationName);
    if (conn.ok() && (*conn)->Exec(kListen).ok()) return std::move(conn).value();
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
  return nullptr;
}

Status PostgresListener::CatchUp() {
  ASSIGN_OR_RETURN(const int64_t last, LastSeq(*conn_));
  if (last <= applied_) return Status::Ok();
  catchups_.fetch_add(1, std::memory_order_relaxed);
  while (applied_ < last) {
    ASSIGN_OR_RETURN(PgResult rows,
                     conn_->Exec(sql::kChangesSince, {PgInt(applied_), PgInt(kCatchUpBatch)}));
    if (rows.rows() == 0 || rows.Int(0, 0) != applied_ + 1) {
      // Pruned from the log: what was missed is unknown, so every cache starts over.
      spdlog::warn("store: changes {} to {} are no longer in the change log; dropping every cache",
                   applied_ + 1, last);
      on_change_(Change{.kind = Change::Kind::kEverything});
      applied_ = last;
      break;
    }
    for (int i = 0; i < rows.rows(); ++i) {
      Change change{.seq = rows.Int(i, 0)};
      if (rows.Text(i, 1) == "key") {
        change.kind = Change::Kind::kKey;
        change.key_id = rows.Text(i, 2);
      } else if (rows.Text(i, 1) == "account") {
        change.kind = Change::Kind::kAccount;
        change.account_id = rows.Text(i, 4);
      } else if (rows.Text(i, 1) == "org") {
        change.kind = Change::Kind::kOrg;
        change.org_id = rows.Text(i, 3);
      } else {
        change.kind = Change::Kind::kMembership;
        change.org_id = rows.Text(i, 3);
        change.account_id = rows.Text(i, 4);
      }
      on_change_(change);
      applied_ = change.seq;
    }
  }
  return Status::Ok();
}

Status PostgresListener::Drain() {
  PGconn* raw = conn_->raw();
  if (PQconsumeInput(raw) == 0) return Status(StatusCode::kUnavailable, "connection lost");
  while (PGnotify* n = PQnotifies(raw)) {
    const std::optional<Change> change = DecodeChange(n->extra);
    const bool own = is_own_ && is_own_(n->be_pid);
    PQfreemem(n);
    if (!change) continue;
    if (change->seq == 0) {  // from a node of the previous version, during a rolling upgrade
      if (!own) on_change_(*change);
      continue;
    }
    if (change->seq <= applied_) continue;
    if (change->seq > applied_ + 1) {
      RETURN_IF_ERROR(CatchUp());  // reads this one too
      continue;
    }
    if (!own) on_change_(*change);
    applied_ = change->seq;
  }
  return conn_->broken() ? Status(StatusCode::kUnavailable, "connection lost") : Status::Ok();
}

Status PostgresListener::Heartbeat() {
  const Time asked = WallNow();
  RETURN_IF_ERROR(CatchUp());
  RETURN_IF_ERROR(Drain());  // notifications that arrived with the answer
  MarkCurrent(asked);
  return Status::Ok();
}

void PostgresListener::Run() {
  NameThisThread("pg-listen");
  auto next_heartbeat = SteadyClock::now() + options_.heartbeat;
  while (!stop_) {
    if (conn_ == nullptr) {
      conn_ = Reconnect();
      if (conn_ == nullptr) return;  // stopping
      next_heartbeat = SteadyClock::now();
    }
    bool readable = false;
    const auto wait = std::chrono::ceil<milliseconds>(next_heartbeat - SteadyClock::now());
    if (!Wait(PQsocket(conn_->raw()), wait, readable)) return;
    Status status = readable ? Drain() : Status::Ok();
    if (status.ok() && SteadyClock::now() >= next_heartbeat) {
      status = Heartbeat();
      next_heartbeat = SteadyClock::now() + options_.heartbeat;
    }
    if (!status.ok()) {
      if (current_.exchange(false, std::memory_order_acq_rel)) {
        spdlog::warn("store: lost the PostgreSQL change notifications ({}); reconnecting",
                     status.message());
      }
      conn_.reset();
    }
  }
}

}  // namespace tfzo
