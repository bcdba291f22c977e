#include "server/access_log.h"

#include <fmt/compile.h>
#include <fmt/format.h>
#include <limits.h>
#include <spdlog/pattern_formatter.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <string_view>

#include "core/thread_name.h"
#include "http/log_safe.h"

namespace tfzo {
namespace {

// One write(2) at most: a pipe writes up to PIPE_BUF bytes at once, so the whole lines of one
// write are never interleaved with another writer's (the server's other log lines share stderr).
constexpr size_t kWriteBytes = PIPE_BUF;

using LogClock = spdlog::log_clock;

constexpr size_t kRecordHeader = sizeof(int64_t) + sizeof(uint32_t);

void AppendRecord(std::string& out, LogClock::time_point at, std::string_view text) {
  const int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  const auto size = static_cast<uint32_t>(text.size());
  char header[kRecordHeader];
  std::memcpy(header, &ns, sizeof ns);
  std::memcpy(header + sizeof ns, &size, sizeof size);
  out.append(header, sizeof header);
  out.append(text);
}

// Whether `fd` is a regular file: one write(2) of any size is then placed whole (the file's
// offset moves past it at once), so a batch needs no splitting.
bool IsRegularFile(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

// Writes `text` to `fd`: at once to a regular file; to anything else (a pipe, a socket, a
// terminal) in writes of whole lines of at most kWriteBytes each (a line longer than that
// alone goes in pieces). Gives up on an error: those lines are lost, as a synchronous log's
// would be.
void WriteLines(int fd, std::string_view text, bool regular_file) {
  while (!text.empty()) {
    size_t n = text.size();
    if (!regular_file && n > kWriteBytes) {
      const size_t end = text.rfind('\n', kWriteBytes - 1);
      n = end == std::string_view::npos ? kWriteBytes : end + 1;
    }
    const ssize_t written = ::write(fd, text.data(), n);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;
    }
    text.remove_prefix(static_cast<size_t>(written));
  }
}

}  // namespace

AccessLog::AccessLog(Options options) : options_(options) {
  pending_.reserve(options_.batch_bytes * 2);
  writer_ = std::thread([this] { Run(); });
}

AccessLog::~AccessLog() { Close(); }

void AccessLog::Record(const http::Request& request, const http::HttpResponse& res) {
  const LogClock::time_point now = LogClock::now();
  // The line's text is built here, in the thread's own buffer: no allocation once it has
  // grown, no format string parsed.
  thread_local std::string text;
  text.clear();
  http::AppendLogSafe(request.msg.method_string(), text);
  text += ' ';
  http::AppendLogSafe(request.path, text);
  text += ' ';
  fmt::format_to(std::back_inserter(text), FMT_COMPILE("{}"), res.result_int());
  text += ' ';
  text += request.request_id;

  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (closing_) return;
    if (pending_.size() + kRecordHeader + text.size() > options_.max_pending_bytes) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    AppendRecord(pending_, now, text);
    if (!wake_sent_ && pending_.size() >= options_.batch_bytes) wake = wake_sent_ = true;
  }
  if (wake) wake_.notify_one();
}

void AccessLog::Close() {
  {
    std::lock_guard lock(mu_);
    if (closing_) return;
    closing_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

void AccessLog::Run() {
  NameThisThread("access-log");
  spdlog::pattern_formatter formatter(kLogLinePattern, spdlog::pattern_time_type::utc);
  // The pattern ends with the text (%v): a line is the formatter's prefix for its millisecond
  // and level, the text, and a newline. The prefix is formatted once per millisecond, not per
  // line (that was most of this thread's work).
  static_assert(std::string_view(kLogLinePattern).ends_with("%v"));
  spdlog::memory_buf_t formatted;
  std::string prefix;
  int64_t prefix_ms = std::numeric_limits<int64_t>::min();  // of `prefix`, an info line's
  std::string batch;
  std::string out;
  size_t reported = 0;
  auto append = [&](LogClock::time_point at, spdlog::level::level_enum level,
                    std::string_view text) {
    const int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    if (level != spdlog::level::info || ms != prefix_ms) {
      formatted.clear();
      formatter.format(spdlog::details::log_msg(at, {}, "", level, ""), formatted);
      prefix.assign(formatted.data(), formatted.size());
      if (prefix.ends_with('\n')) prefix.pop_back();
      prefix_ms = level == spdlog::level::info ? ms : std::numeric_limits<int64_t>::min();
    }
    out += prefix;
    out += text;
    out += '\n';
  };
  const bool regular_file = IsRegularFile(options_.fd);
  for (bool last = false; !last;) {
    batch.clear();
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.flush_interval, [&] { return wake_sent_ || closing_; });
      batch.swap(pending_);
      wake_sent_ = false;
      last = closing_;
    }
    out.clear();
    for (std::string_view rest = batch; rest.size() >= kRecordHeader;) {
      int64_t ns;
      uint32_t size;
      std::memcpy(&ns, rest.data(), sizeof ns);
      std::memcpy(&size, rest.data() + sizeof ns, sizeof size);
      rest.remove_prefix(kRecordHeader);
      append(LogClock::time_point(
                 std::chrono::duration_cast<LogClock::duration>(std::chrono::nanoseconds(ns))),
             spdlog::level::info, rest.substr(0, size));
      rest.remove_prefix(size);
    }
    if (const size_t dropped = dropped_.load(std::memory_order_relaxed); dropped > reported) {
      append(LogClock::now(), spdlog::level::warn,
             fmt::format("access log: {} lines dropped (too many were waiting to be written)",
                         dropped - reported));
      reported = dropped;
    }
    WriteLines(options_.fd, out, regular_file);
  }
}

}  // namespace tfzo
