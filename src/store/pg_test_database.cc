#include "store/pg_test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <utility>

#include "store/pg_connection.h"

namespace tfzo::testing {
namespace {

Result<std::string> QueryOne(const std::string& url, const std::string& sql) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                   PgConnection::Connect(url, std::chrono::seconds(10)));
  ASSIGN_OR_RETURN(PgResult r, conn->Exec(sql.c_str()));
  if (r.rows() == 0 || r.IsNull(0, 0)) return std::string();
  return r.Text(0, 0);
}

// postgresql://user@host:port/db?x -> the same URL naming database `name`.
std::string WithDatabase(const std::string& url, const std::string& name) {
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return url + "/" + name;
  const size_t query = url.find('?', slash);
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

}  // namespace

Result<std::string> TestPostgresUrl() {
  if (const char* url = std::getenv("TFZO_TEST_PG_URL"); url != nullptr && *url != '\0') {
    return std::string(url);
  }
  if (const char* file = std::getenv("TFZO_TEST_PG_URL_FILE"); file != nullptr && *file != '\0') {
    std::ifstream in(file);
    std::string url;
    if (in && std::getline(in, url) && !url.empty()) return url;
    return Status(StatusCode::kUnavailable,
                  std::string("no PostgreSQL URL in ") + file + " (did the pg fixture start?)");
  }
  return Status(StatusCode::kUnavailable,
                "set TFZO_TEST_PG_URL (e.g. from `scripts/pg-test-cluster start DIR`) or run "
                "through ctest, whose pg fixture starts a throwaway cluster");
}

Result<PgTestDatabase> PgTestDatabase::Create() {
  ASSIGN_OR_RETURN(std::string admin, TestPostgresUrl());
  static std::atomic<int> counter{0};
  std::random_device rd;
  const std::string name = "tfzo_t" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
                           "_" + std::to_string(rd() % 100000);
  RETURN_IF_ERROR(QueryOne(admin, "CREATE DATABASE " + name).status());
  return PgTestDatabase(admin, name, WithDatabase(admin, name));
}

PgTestDatabase::PgTestDatabase(std::string admin_url, std::string name, std::string url)
    : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

PgTestDatabase::PgTestDatabase(PgTestDatabase&& other) noexcept
    : admin_url_(std::move(other.admin_url_)),
      name_(std::exchange(other.name_, "")),
      url_(std::move(other.url_)) {}

PgTestDatabase::~PgTestDatabase() {
  if (!name_.empty())
    (void)QueryOne(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

Result<std::string> PgTestDatabase::Query(const std::string& sql) const {
  return QueryOne(url_, sql);
}

Result<std::string> PgTestDatabase::AdminQuery(const std::string& sql) const {
  return QueryOne(admin_url_, sql);
}

}  // namespace tfzo::testing
