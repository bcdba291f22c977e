#include "store/pg_connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace tfzo {
namespace {

// SQLSTATE classes and codes the Store names (PostgreSQL's errcodes appendix).
constexpr std::string_view kUniqueViolation = "23505";
constexpr std::string_view kForeignKeyViolation = "23503";

bool IsUnavailableState(std::string_view state) {
  return state.starts_with("08") ||  // connection exception
         state.starts_with("53") ||  // insufficient resources (too many connections, ...)
         state.starts_with("57") ||  // operator intervention (admin shutdown, cannot connect now)
         state == "40001" ||         // serialization failure
         state == "40P01";           // deadlock detected
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void ReplaceAll(std::string& s, const std::string& from, std::string_view to) {
  if (from.empty()) return;
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

// libpq's connection errors may quote parts of the connection string: never let the URL or
// its password reach a message.
std::string Scrub(std::string message, const std::string& url) {
  ReplaceAll(message, url, "[redacted]");
  char* err = nullptr;
  if (PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err)) {
    for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
      if (std::strcmp(o->keyword, "password") == 0 && o->val != nullptr && o->val[0] != '\0') {
        ReplaceAll(message, o->val, "[redacted]");
      }
    }
    PQconninfoFree(opts);
  }
  PQfreemem(err);
  return message;
}

// Waits until `fd` is ready for `events`, or `deadline` passes (false).
bool WaitFor(int fd, short events, PgConnection::Deadline deadline) {
  using std::chrono::milliseconds;
  while (true) {
    const auto left = std::chrono::ceil<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return true;  // libpq finds out what is wrong with the socket
  }
}

enum class Established { kOk, kFailed, kTimedOut };

// Drives a connection started by PQconnectStartParams or PQresetStart (`poll` is PQconnectPoll
// or PQresetPoll) to its end, as libpq's documentation describes, until `deadline`.
Established Establish(PGconn* conn, PostgresPollingStatusType (*poll)(PGconn*),
                      PgConnection::Deadline deadline) {
  PostgresPollingStatusType st = PGRES_POLLING_WRITING;
  while (true) {
    switch (st) {
      case PGRES_POLLING_OK:
        return Established::kOk;
      case PGRES_POLLING_FAILED:
        return Established::kFailed;
      case PGRES_POLLING_READING:
        if (!WaitFor(PQsocket(conn), POLLIN, deadline)) return Established::kTimedOut;
        break;
      default:
        if (!WaitFor(PQsocket(conn), POLLOUT, deadline)) return Established::kTimedOut;
        break;
    }
    st = poll(conn);
  }
}

Status NoAnswer(std::chrono::milliseconds timeout, const char* what) {
  return Status(StatusCode::kUnavailable,
                fmt::format("PostgreSQL did not answer {} within {} ms", what, timeout.count()));
}

// libpq's parameter values: pointers into `params`, null for SQL NULL.
std::vector<const char*> ValuesOf(const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

}  // namespace

PgResult::PgResult(PgResult&& other) noexcept : res_(std::exchange(other.res_, nullptr)) {}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    PQclear(res_);
    res_ = std::exchange(other.res_, nullptr);
  }
  return *this;
}

PgResult::~PgResult() { PQclear(res_); }

int PgResult::rows() const { return PQntuples(res_); }

int PgResult::columns() const { return PQnfields(res_); }

std::string PgResult::ColumnName(int col) const { return PQfname(res_, col); }

int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(res_);
  return (n == nullptr || *n == '\0') ? 0 : std::strtoll(n, nullptr, 10);
}

bool PgResult::IsNull(int row, int col) const { return PQgetisnull(res_, row, col) != 0; }

std::string PgResult::Text(int row, int col) const {
  return std::string(PQgetvalue(res_, row, col), PQgetlength(res_, row, col));
}

int64_t PgResult::Int(int row, int col) const {
  return std::strtoll(PQgetvalue(res_, row, col), nullptr, 10);
}

std::optional<std::string> PgResult::OptText(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Text(row, col);
}

std::optional<Time> PgResult::OptTime(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return TimeAt(row, col);
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& url,
                                                            std::chrono::milliseconds timeout,
                                                            const char* application_name) {
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  // The server cancels a statement after the same time (a lock wait, say); the client's own
  // deadline (Await) covers a server that cannot even do that.
  const std::string options = fmt::format("-c statement_timeout={}", timeout.count());
  // Defaults first: the URL (expanded from "dbname") overrides any of them it names.
  const char* keys[] = {"application_name",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "options",
                        "dbname",
                        nullptr};
  const char* values[] = {application_name, "10", "5", "3", options.c_str(), url.c_str(), nullptr};
  PGconn* conn = PQconnectStartParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status(StatusCode::kUnavailable, "postgresql: out of memory");
  const Established done = PQstatus(conn) == CONNECTION_BAD
                               ? Established::kFailed
                               : Establish(conn, PQconnectPoll, deadline);
  if (done != Established::kOk) {
    Status error =
        done == Established::kTimedOut
            ? NoAnswer(timeout, "a connection")
            : Status(StatusCode::kUnavailable,
                     Scrub("cannot connect to PostgreSQL: " + Trim(PQerrorMessage(conn)), url));
    PQfinish(conn);
    return error;
  }
  PQsetErrorVerbosity(conn, PQERRORS_TERSE);
  // Server notices ("relation already exists, skipping", the FATAL of a terminated backend)
  // would go to stderr; errors reach the caller as Status instead.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  PQsetnonblocking(conn, 1);  // sending never blocks either (Await)
  return std::unique_ptr<PgConnection>(new PgConnection(conn, url, timeout));
}

PgConnection::PgConnection(pg_conn* conn, std::string url, std::chrono::milliseconds timeout)
    : conn_(conn), url_(std::move(url)), timeout_(timeout), pid_(PQbackendPID(conn)) {}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::broken() const { return unusable_ || PQstatus(conn_) != CONNECTION_OK; }

Status PgConnection::Reset(Deadline deadline) {
  const Established done =
      PQresetStart(conn_) == 0 ? Established::kFailed : Establish(conn_, PQresetPoll, deadline);
  pid_ = PQbackendPID(conn_);
  if (done != Established::kOk) {
    if (done == Established::kTimedOut) return NoAnswer(timeout_, "a reconnection");
    // PQerrorMessage names host and port at most; the URL is scrubbed all the same.
    return Status(StatusCode::kUnavailable,
                  Scrub("cannot reconnect to PostgreSQL: " + Trim(PQerrorMessage(conn_)), url_));
  }
  unusable_ = false;
  prepared_.clear();  // a new session: nothing is prepared there
  if (PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) (void)PQexitPipelineMode(conn_);
  PQsetnonblocking(conn_, 1);
  return Status::Ok();
}

Status PgConnection::ErrorOf(pg_result* res) const {
  if (res == nullptr || broken()) {
    return Status(StatusCode::kUnavailable,
                  "the PostgreSQL connection was lost: " + Trim(PQerrorMessage(conn_)));
  }
  const char* state_c = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const std::string_view state = state_c != nullptr ? state_c : "";
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  const std::string detail = primary != nullptr ? primary : Trim(PQresultErrorMessage(res));
  if (state == kUniqueViolation) {
    const char* constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    if (constraint != nullptr && std::strcmp(constraint, "accounts_email_key") == 0) {
      return Status(StatusCode::kEmailTaken, "an account with this email already exists");
    }
    return Conflict("it already exists");
  }
  if (state == kForeignKeyViolation) {
    return NotFound("the account, organization or host referred to does not exist");
  }
  if (IsUnavailableState(state)) {
    return Status(StatusCode::kUnavailable, "postgresql: " + detail);
  }
  return Internal("postgresql: " + detail);
}

Result<PgResult> PgConnection::Exec(const char* sql, const std::vector<PgParam>& params,
                                    Deadline deadline) {
  if (unusable_) {
    return Status(StatusCode::kUnavailable, "the PostgreSQL connection must be reset first");
  }
  const std::vector<const char*> values = ValuesOf(params);
  if (PQsendQueryParams(conn_, sql, static_cast<int>(params.size()), nullptr, values.data(),
                        nullptr, nullptr, /*resultFormat=*/0) == 0) {
    return ErrorOf(nullptr);
  }
  return Await(deadline);
}

const std::string* PgConnection::PreparedName(const char* sql) const {
  auto it = prepared_.find(sql);
  return it != prepared_.end() ? &it->second : nullptr;
}

std::string PgConnection::NextName() { return fmt::format("s{}", next_name_++); }

Result<PgResult> PgConnection::ExecPrepared(const char* sql, const std::vector<PgParam>& params,
                                            Deadline deadline) {
  if (unusable_) {
    return Status(StatusCode::kUnavailable, "the PostgreSQL connection must be reset first");
  }
  const std::string* name = PreparedName(sql);
  if (name == nullptr) {
    std::string fresh = NextName();
    if (PQsendPrepare(conn_, fresh.c_str(), sql, static_cast<int>(params.size()), nullptr) == 0) {
      return ErrorOf(nullptr);
    }
    RETURN_IF_ERROR(Await(deadline).status());
    name = &prepared_.emplace(sql, std::move(fresh)).first->second;
  }
  const std::vector<const char*> values = ValuesOf(params);
  if (PQsendQueryPrepared(conn_, name->c_str(), static_cast<int>(params.size()), values.data(),
                          nullptr, nullptr, /*resultFormat=*/0) == 0) {
    return ErrorOf(nullptr);
  }
  return Await(deadline);
}

Result<std::vector<PgResult>> PgConnection::ExecPipeline(std::span<const Statement> statements,
                                                         Deadline deadline) {
  if (unusable_) {
    return Status(StatusCode::kUnavailable, "the PostgreSQL connection must be reset first");
  }
  if (PQenterPipelineMode(conn_) == 0) return ErrorOf(nullptr);
  // Whatever goes wrong from here leaves the connection in an unknown state: reset it.
  const auto fail = [this](Status status) {
    unusable_ = true;
    return status;
  };
  // Statements first prepared in this pipeline, named once they all succeed (a Parse the
  // server skipped after an error names nothing; one it ran keeps a name never used again).
  std::vector<std::pair<const char*, std::string>> fresh;
  // For each command sent, whether it is a Parse (PQsendPrepare), whose result is no
  // statement's. Each command's results end with a null PGresult.
  std::vector<bool> parses;
  for (const Statement& s : statements) {
    const int n = static_cast<int>(s.params.size());
    const std::vector<const char*> values = ValuesOf(s.params);
    int queued = 0;
    if (!s.prepare) {
      queued = PQsendQueryParams(conn_, s.sql, n, nullptr, values.data(), nullptr, nullptr, 0);
    } else {
      const std::string* name = PreparedName(s.sql);
      for (const auto& [sql, named] : fresh) {
        if (sql == s.sql) name = &named;
      }
      if (name == nullptr) {
        fresh.emplace_back(s.sql, NextName());
        name = &fresh.back().second;
        if (PQsendPrepare(conn_, name->c_str(), s.sql, n, nullptr) == 0) {
          return fail(ErrorOf(nullptr));
        }
        parses.push_back(true);
      }
      queued = PQsendQueryPrepared(conn_, name->c_str(), n, values.data(), nullptr, nullptr, 0);
    }
    if (queued == 0) return fail(ErrorOf(nullptr));
    parses.push_back(false);
  }
  if (PQpipelineSync(conn_) == 0) return fail(ErrorOf(nullptr));
  if (Status flushed = Flush(deadline); !flushed.ok()) return fail(flushed);
  std::vector<PgResult> results;  // the statements', in order
  PGresult* error = nullptr;      // the first error
  for (size_t ended = 0;;) {
    if (Status ready = AwaitResult(deadline); !ready.ok()) {
      PQclear(error);
      return fail(ready);
    }
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) {
      if (++ended > parses.size()) {
        PQclear(error);
        return fail(Internal("postgresql: a pipeline's answers ended without its sync"));
      }
      continue;
    }
    const ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_PIPELINE_SYNC) {
      PQclear(res);
      break;
    }
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      if (ended < parses.size() && !parses[ended]) {
        results.emplace_back(std::exchange(res, nullptr));
      }
    } else if (st != PGRES_PIPELINE_ABORTED && error == nullptr) {
      std::swap(error, res);
    }
    PQclear(res);
  }
  if (PQexitPipelineMode(conn_) == 0) {
    PQclear(error);
    return fail(ErrorOf(nullptr));
  }
  if (error != nullptr) {
    Status status = ErrorOf(error);
    PQclear(error);
    return status;
  }
  for (auto& [sql, name] : fresh) prepared_.emplace(sql, std::move(name));
  if (results.size() != statements.size()) {
    return fail(Internal("postgresql: a pipeline answered fewer statements than it sent"));
  }
  return results;
}

Status PgConnection::WaitAndRead(short events, Deadline deadline) {
  if (!WaitFor(PQsocket(conn_), events, deadline)) {
    unusable_ = true;
    return NoAnswer(timeout_, "a statement");
  }
  if (PQconsumeInput(conn_) == 0) {
    Status lost = ErrorOf(nullptr);
    unusable_ = true;
    return lost;
  }
  return Status::Ok();
}

Status PgConnection::Flush(Deadline deadline) {
  // libpq's nonblocking protocol: flush what it buffered, reading meanwhile so that the server
  // is never stuck writing to us.
  while (int pending = PQflush(conn_)) {
    if (pending < 0) return ErrorOf(nullptr);
    RETURN_IF_ERROR(WaitAndRead(POLLIN | POLLOUT, deadline));
  }
  return Status::Ok();
}

Status PgConnection::AwaitResult(Deadline deadline) {
  while (PQisBusy(conn_) != 0) RETURN_IF_ERROR(WaitAndRead(POLLIN, deadline));
  return Status::Ok();
}

Result<PgResult> PgConnection::Await(Deadline deadline) {
  RETURN_IF_ERROR(Flush(deadline));
  PGresult* kept = nullptr;  // the first error, else the last result
  while (true) {
    if (Status ready = AwaitResult(deadline); !ready.ok()) {
      PQclear(kept);
      return ready;
    }
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) break;
    const bool kept_error = kept != nullptr && PQresultStatus(kept) != PGRES_COMMAND_OK &&
                            PQresultStatus(kept) != PGRES_TUPLES_OK;
    if (kept_error) {
      PQclear(res);
    } else {
      PQclear(kept);
      kept = res;
    }
  }
  const ExecStatusType st = kept != nullptr ? PQresultStatus(kept) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return PgResult(kept);
  Status error = ErrorOf(kept);
  PQclear(kept);
  return error;
}

Status PgConnection::ExecScript(const std::string& sql) {
  PGresult* res = PQexec(conn_, sql.c_str());
  const ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  Status status = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? Status::Ok() : ErrorOf(res);
  PQclear(res);
  return status;
}

}  // namespace tfzo
