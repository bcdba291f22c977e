#include "store/postgres_listener.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <utility>

namespace tfzo {
namespace {

constexpr std::chrono::milliseconds kMinBackoff(100);
constexpr std::chrono::milliseconds kMaxBackoff(1000);
constexpr std::chrono::milliseconds kPollInterval(1000);

constexpr char kListen[] = "LISTEN tfzo_changes";

}  // namespace

std::string EncodeChange(const Change& change) {
  switch (change.kind) {
    case Change::Kind::kKey:
      return "k:" + change.key_id;
    case Change::Kind::kMembership:
      return "m:" + change.org_id + ":" + change.account_id;
    case Change::Kind::kEverything:
      return "*";
  }
  return "*";
}

std::optional<Change> DecodeChange(std::string_view payload) {
  if (payload == "*") return Change{Change::Kind::kEverything, "", "", ""};
  if (payload.starts_with("k:") && payload.size() > 2) {
    return Change{Change::Kind::kKey, std::string(payload.substr(2)), "", ""};
  }
  if (payload.starts_with("m:")) {
    const std::string_view rest = payload.substr(2);
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    return Change{Change::Kind::kMembership, "", std::string(rest.substr(0, colon)),
                  std::string(rest.substr(colon + 1))};
  }
  return std::nullopt;
}

Result<std::unique_ptr<PostgresListener>> PostgresListener::Start(std::string url,
                                                                  ChangeListener on_change,
                                                                  IsOwnBackend is_own) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(url));
  RETURN_IF_ERROR(conn->Exec(kListen).status());
  const int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) return Internal("eventfd failed");
  return std::unique_ptr<PostgresListener>(new PostgresListener(
      std::move(url), std::move(on_change), std::move(is_own), std::move(conn), wake_fd));
}

PostgresListener::PostgresListener(std::string url, ChangeListener on_change, IsOwnBackend is_own,
                                   std::unique_ptr<PgConnection> conn, int wake_fd)
    : url_(std::move(url)),
      on_change_(std::move(on_change)),
      is_own_(std::move(is_own)),
      conn_(std::move(conn)),
      wake_fd_(wake_fd),
      thread_([this] { Run(); }) {}

PostgresListener::~PostgresListener() {
  stop_ = true;
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
  thread_.join();
  ::close(wake_fd_);
}

bool PostgresListener::Wait(int fd, std::chrono::milliseconds timeout, bool& readable) {
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {fd, POLLIN, 0}};
  const int n = ::poll(fds, fd >= 0 ? 2 : 1, static_cast<int>(timeout.count()));
  readable = n > 0 && fd >= 0 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
  if (n < 0 && errno != EINTR) readable = fd >= 0;  // let PQconsumeInput find out
  return !stop_;
}

std::unique_ptr<PgConnection> PostgresListener::Reconnect() {
  auto backoff = kMinBackoff;
  bool readable = false;
  while (Wait(-1, backoff, readable)) {
    auto conn = PgConnection::Connect(url_);
    if (conn.ok() && (*conn)->Exec(kListen).ok()) {
      spdlog::info("store: change notifications resumed (PostgreSQL connection restored)");
      return std::move(conn).value();
    }
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
  return nullptr;
}

void PostgresListener::Run() {
  while (!stop_) {
    if (conn_ == nullptr) {
      conn_ = Reconnect();
      if (conn_ == nullptr) return;  // stopping
      // Whatever was committed while disconnected went unheard: every cache starts over.
      on_change_(Change{Change::Kind::kEverything, "", "", ""});
    }
    PGconn* raw = conn_->raw();
    bool readable = false;
    if (!Wait(PQsocket(raw), kPollInterval, readable)) return;
    if (!readable) continue;
    const bool consumed = PQconsumeInput(raw) != 0;
    while (PGnotify* n = PQnotifies(raw)) {
      if (!(is_own_ && is_own_(n->be_pid))) {
        if (std::optional<Change> change = DecodeChange(n->extra)) on_change_(*change);
      }
      PQfreemem(n);
    }
    if (!consumed || conn_->broken()) {
      spdlog::warn("store: lost the PostgreSQL notification connection; reconnecting");
      conn_.reset();
    }
  }
}

}  // namespace tfzo
