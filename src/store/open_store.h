#ifndef TFZO_STORE_OPEN_STORE_H_
#define TFZO_STORE_OPEN_STORE_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "model/store.h"

namespace tfzo {

// How long a PostgreSQL store call may take, from waiting for a connection to the last answer
// (--db-timeout), before it answers kUnavailable.
inline constexpr std::chrono::milliseconds kDefaultDbTimeout{2000};

// The one place that picks an implementation from a --db URL: "sqlite:PATH" (":memory:"
// allowed) or "postgresql://...". Applies pending migrations before returning.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url,
                                         std::chrono::milliseconds timeout = kDefaultDbTimeout);

// The SqlStore over one engine (see sqlite_database.h and postgres_database.h), for callers
// that name the engine: OpenStore, and the store tests.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);
Result<std::unique_ptr<Store>> OpenPostgresStore(
    const std::string& url, std::chrono::milliseconds timeout = kDefaultDbTimeout);

}  // namespace tfzo

#endif  // TFZO_STORE_OPEN_STORE_H_
