#include "server/access_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tfzo {
namespace {

using namespace std::chrono_literals;

// A request as the server logs it: `path` is what the router saw.
http::Request Request(std::string_view path, std::string id) {
  http::Request req;
  req.msg = http::HttpRequest(http::beast_http::verb::get, std::string(path), 11);
  req.path = req.msg.target();
  req.request_id = std::move(id);
  return req;
}

const http::HttpResponse kNotFound{http::beast_http::status::not_found, 11};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A file the log writes to, read back whole.
class LogFile {
 public:
  LogFile() {
    char path[] = "/tmp/tfzo-access-log-XXXXXX";
    fd_ = ::mkstemp(path);
    path_ = path;
  }
  ~LogFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  std::string Read() const {
    std::string out;
    char buf[65536];
    for (off_t at = 0;;) {
      const ssize_t n = ::pread(fd_, buf, sizeof buf, at);
      if (n <= 0) return out;
      out.append(buf, static_cast<size_t>(n));
      at += n;
    }
  }

 private:
  int fd_;
  std::string path_;
};

TEST(AccessLogTest, ALineLooksLikeTheServersOtherLinesEscapedAndRedacted) {
  LogFile file;
  AccessLog log({.fd = file.fd()});
  log.Record(Request("/caf\xc3\xa9/\"x/tfzo_AbC123", "id-1"), kNotFound);
  log.Close();
  const std::vector<std::string> lines = Lines(file.Read());
  ASSERT_EQ(lines.size(), 1u) << file.Read();
  EXPECT_TRUE(
      std::regex_match(lines[0], std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info GET )"
                                            R"(/caf\\xC3\\xA9/\\"x/tfzo_\[redacted\] 404 id-1)")))
      << lines[0];
}

TEST(AccessLogTest, LinesAreWrittenInBatchesAndAllOfThemByClose) {
  LogFile file;
  AccessLog log({.fd = file.fd(), .flush_interval = 3600s});
  log.Record(Request("/first", "id-0"), kNotFound);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(file.Read(), "") << "one line is not written by itself";
  constexpr int kLines = 20000;  // many batches
  for (int i = 1; i < kLines; ++i) log.Record(Request("/p", "id-" + std::to_string(i)), kNotFound);
  log.Close();
  EXPECT_EQ(log.dropped(), 0u) << "4 MiB may wait: nothing is dropped here";
  const std::vector<std::string> lines = Lines(file.Read());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kLines));
  for (int i = 0; i < kLines; ++i) {
    ASSERT_TRUE(lines[i].ends_with(" 404 id-" + std::to_string(i))) << lines[i];
  }
  log.Record(Request("/late", "id-late"), kNotFound);  // a no-op once closed
  EXPECT_EQ(Lines(file.Read()).size(), static_cast<size_t>(kLines));
}

TEST(AccessLogTest, LinesFromManyThreadsAreAllWrittenWhole) {
  LogFile file;
  AccessLog log({.fd = file.fd()});
  constexpr int kThreads = 4, kEach = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < kEach; ++i) {
        log.Record(Request("/t" + std::to_string(t), std::to_string(i)), kNotFound);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  log.Close();
  std::vector<int> next(kThreads, 0);  // each thread's lines come in its order
  const std::regex pattern(R"(.*Z info GET /t(\d) 404 (\d+))");
  for (const std::string& line : Lines(file.Read())) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, pattern)) << line;
    const int t = std::stoi(m[1]);
    ASSERT_EQ(std::stoi(m[2]), next[t]++) << line;
  }
  EXPECT_EQ(next, std::vector<int>(kThreads, kEach));
}

TEST(AccessLogTest, LinesReachTheLogWithinAboutTheFlushIntervalWithoutClose) {
  LogFile file;
  AccessLog log({.fd = file.fd(), .flush_interval = 1s});
  log.Record(Request("/soon", "id-soon"), kNotFound);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (file.Read().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(file.Read().ends_with(" 404 id-soon\n")) << file.Read();
}

TEST(AccessLogTest, AStuckLogDropsLinesSaysSoAndNeverBlocksARequest) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const int read_end = pipe_fds[0], write_end = pipe_fds[1];
  // Fill the pipe, so that the log's thread blocks on its first write, as behind a reader
  // that stopped reading.
  ASSERT_EQ(::fcntl(write_end, F_SETFL, O_NONBLOCK), 0);
  const std::string filler = "filler\n";
  while (::write(write_end, filler.data(), filler.size()) > 0) {
  }
  ASSERT_EQ(::fcntl(write_end, F_SETFL, 0), 0);

  constexpr int kLines = 20000;
  auto log = std::make_unique<AccessLog>(
      AccessLog::Options{.fd = write_end, .flush_interval = 3600s, .max_pending_bytes = 4096});
  auto recording = std::async(std::launch::async, [&] {
    for (int i = 0; i < kLines; ++i) {
      log->Record(Request("/p", "id-" + std::to_string(i)), kNotFound);
    }
  });
  const bool finished = recording.wait_for(30s) == std::future_status::ready;

  // Read everything from here on, so that the log can finish.
  std::string text;
  std::thread reader([&] {
    char buf[65536];
    for (ssize_t n; (n = ::read(read_end, buf, sizeof buf)) > 0;) text.append(buf, n);
  });
  recording.wait();
  const size_t dropped_before_close = log->dropped();
  log->Close();
  const size_t dropped = log->dropped();
  log.reset();
  ::close(write_end);
  reader.join();
  ::close(read_end);

  EXPECT_TRUE(finished) << "Record() waited for the log";
  EXPECT_GT(dropped_before_close, 0u);
  size_t access_lines = 0;
  size_t said_dropped = 0;
  for (const std::string& line : Lines(text)) {
    if (line == "filler") continue;
    std::smatch m;
    if (std::regex_match(line, m,
                         std::regex(R"(.*Z warning access log: (\d+) lines dropped .*)"))) {
      said_dropped += std::stoul(m[1]);
    } else {
      ASSERT_TRUE(std::regex_match(line, std::regex(R"(.*Z info GET /p 404 id-\d+)"))) << line;
      ++access_lines;
    }
  }
  EXPECT_EQ(said_dropped, dropped) << "the log says how many lines it lost";
  EXPECT_EQ(access_lines + dropped, static_cast<size_t>(kLines));
}

}  // namespace
}  // namespace tfzo
