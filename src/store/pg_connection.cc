#include "store/pg_connection.h"

#include <libpq-fe.h>

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

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& url) {
  // Defaults first: the URL (expanded from "dbname") overrides any of them it names.
  const char* keys[] = {"connect_timeout",
                        "application_name",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "dbname",
                        nullptr};
  const char* values[] = {"5", "2501-accounts", "10", "5", "3", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status(StatusCode::kUnavailable, "postgresql: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = "cannot connect to PostgreSQL: " + Trim(PQerrorMessage(conn));
    PQfinish(conn);
    return Status(StatusCode::kUnavailable, Scrub(std::move(message), url));
  }
  PQsetErrorVerbosity(conn, PQERRORS_TERSE);
  // Server notices ("relation already exists, skipping", the FATAL of a terminated backend)
  // would go to stderr; errors reach the caller as Status instead.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::PgConnection(pg_conn* conn) : conn_(conn), pid_(PQbackendPID(conn)) {}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

Status PgConnection::Reset() {
  PQreset(conn_);
  pid_ = PQbackendPID(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    // PQerrorMessage names host and port at most; the URL itself is never part of it.
    return Status(StatusCode::kUnavailable,
                  "cannot reconnect to PostgreSQL: " + Trim(PQerrorMessage(conn_)));
  }
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

Result<PgResult> PgConnection::Exec(const char* sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p ? p->c_str() : nullptr);
  PGresult* res = PQexecParams(conn_, sql, static_cast<int>(params.size()), nullptr, values.data(),
                               nullptr, nullptr, /*resultFormat=*/0);
  const ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return PgResult(res);
  Status error = ErrorOf(res);
  PQclear(res);
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
