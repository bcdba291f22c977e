#ifndef TFZO_SERVER_ACCESS_LOG_H_
#define TFZO_SERVER_ACCESS_LOG_H_

#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "http/message.h"

namespace spdlog {
class async_logger;
namespace details {
class thread_pool;
}
}  // namespace spdlog

namespace tfzo {

// The pattern of every line of the server's log (spdlog's syntax, times in UTC): the access
// log's lines look like the others.
inline constexpr char kLogLinePattern[] = "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v";

// The access log: one line per request (method, path, status, request id; never a header
// nor the query; the method and path escaped and any API key in them redacted by LogSafe),
// written off the request thread. Record() formats the line and hands it to spdlog's async
// logger: a bounded queue and one thread of its own, which writes the lines to `fd` in
// batches (a few kilobytes per write, whole lines each, so that a pipe shared with the other
// log lines never splits one). A request never waits for the log: when the queue is full the
// oldest lines are dropped, counted (dropped()) and said in the log itself. Lines reach `fd`
// at most `flush_interval` after they were recorded (about a second: spdlog's periodic
// flusher counts whole seconds), and all of them by Close() or the destructor; a crash loses
// what was not written yet. Owned by the server's main; thread-safe.
class AccessLog {
 public:
  struct Options {
    int fd = STDERR_FILENO;
    size_t queue_lines = 8192;  // lines waiting to be written at most (about 300 bytes each)
    std::chrono::seconds flush_interval{1};
  };

  AccessLog() : AccessLog(Options{}) {}
  explicit AccessLog(Options options);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Logs `request` answered with `res`. Never blocks on the log's writes.
  void Record(const http::Request& request, const http::HttpResponse& res);

  // Writes every line recorded so far and stops the log's thread; Record() is a no-op after.
  // Call it once no request can be recorded any more.
  void Close();

  // Lines dropped because the queue was full.
  size_t dropped() const;

 private:
  std::string name_;  // in spdlog's registry, for its periodic flusher
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::async_logger> logger_;
  size_t dropped_at_close_ = 0;
};

}  // namespace tfzo

#endif  // TFZO_SERVER_ACCESS_LOG_H_
