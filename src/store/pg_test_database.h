#ifndef TFZO_STORE_PG_TEST_DATABASE_H_
#define TFZO_STORE_PG_TEST_DATABASE_H_

#include <string>

#include "core/result.h"

namespace tfzo::testing {

// The throwaway PostgreSQL server the tests use: $TFZO_TEST_PG_URL, or the URL in the file
// named by $TFZO_TEST_PG_URL_FILE (written by scripts/pg-test-cluster; CTest's "pg" fixture
// sets it). kUnavailable when neither is set: PostgreSQL tests then fail, they never skip.
Result<std::string> TestPostgresUrl();

// A fresh, empty database on the test server, dropped (connections and all) on destruction,
// so every test starts from nothing and NOTIFY traffic stays within one test. Test-only;
// not thread-safe.
class PgTestDatabase {
 public:
  static Result<PgTestDatabase> Create();
  PgTestDatabase(PgTestDatabase&& other) noexcept;
  PgTestDatabase& operator=(PgTestDatabase&&) = delete;
  ~PgTestDatabase();

  const std::string& url() const { return url_; }  // postgresql://.../<fresh database>
  // Runs one statement on this database (or on the server's admin database) and returns the
  // first column of the first row ("" when none).
  Result<std::string> Query(const std::string& sql) const;
  Result<std::string> AdminQuery(const std::string& sql) const;

 private:
  PgTestDatabase(std::string admin_url, std::string name, std::string url);

  std::string admin_url_;
  std::string name_;
  std::string url_;
};

}  // namespace tfzo::testing

#endif  // TFZO_STORE_PG_TEST_DATABASE_H_
