#ifndef TFZO_SERVER_ACCESS_LOG_H_
#define TFZO_SERVER_ACCESS_LOG_H_

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "http/message.h"

namespace tfzo {

// The pattern of every line of the server's log (spdlog's syntax, times in UTC): the access
// log's lines look like the others.
inline constexpr char kLogLinePattern[] = "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v";

// The access log: one line per request (method, path, status, request id; never a header
// nor the query; the method and path escaped and any API key in them redacted by LogSafe),
// written off the request threads.
//
// Record() appends the line's text and time to a buffer, under a mutex held for that append
// only; a thread of the log's own takes the whole buffer at once, formats each line with
// kLogLinePattern (spdlog's formatter, as the server's other lines; its prefix once per
// millisecond) and writes them to `fd` in batches: one write(2) to a regular file, whole lines
// of at most PIPE_BUF bytes per write to a pipe, so that a pipe shared with the other log lines
// never splits one. That thread is woken once per batch (`batch_bytes`
// recorded) or every `flush_interval`, never by each line: a queue that wakes its reader per
// line costs the request a futex call and a context switch, more than the synchronous write
// this replaces (spdlog's async logger: +6% CPU per GET /api/v1/me). A request never waits for
// the log's writes: when `max_pending_bytes` are waiting (the log cannot keep up, or its
// reader stopped reading), new lines are dropped, counted (dropped()) and said in the log
// itself. Lines reach `fd` at most about `flush_interval` after they were recorded, and all of
// them by Close() or the destructor; a crash loses what was not written yet.
// Owned by the server's main; thread-safe.
class AccessLog {
 public:
  struct Options {
    int fd = STDERR_FILENO;
    std::chrono::milliseconds flush_interval{500};
    size_t batch_bytes = 32 * 1024;
    size_t max_pending_bytes = 4 * 1024 * 1024;  // about 40 000 lines
  };

  AccessLog() : AccessLog(Options{}) {}
  explicit AccessLog(Options options);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Logs `request` answered with `res`. Never waits for the log's writes.
  void Record(const http::Request& request, const http::HttpResponse& res);

  // Writes every line recorded so far and stops the log's thread; Record() does nothing after.
  void Close();

  // Lines dropped because too many were waiting to be written.
  size_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void Run();  // the log's thread

  const Options options_;
  std::mutex mu_;
  std::condition_variable wake_;
  // Records of [time: int64 ns since the epoch][size: uint32][text], appended by Record().
  std::string pending_;     // guarded by mu_
  bool wake_sent_ = false;  // guarded by mu_: the thread was told a batch is ready
  bool closing_ = false;    // guarded by mu_
  std::atomic<size_t> dropped_{0};
  std::thread writer_;
};

}  // namespace tfzo

#endif  // TFZO_SERVER_ACCESS_LOG_H_
