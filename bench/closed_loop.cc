// closed_loop: a closed-loop HTTP/1.1 load client that keeps the latency of every request.
//
// wrk reports latency percentiles after "correcting" them for coordinated omission (it
// stretches its histogram by the run's mean request interval), so its p99 is not the p99 any
// request saw. This client measures what each request took, send to last byte of the answer,
// and reports percentiles of those raw samples, nothing added. bench/load.sh prints its
// figures beside wrk's for the same load.
//
// N connections, one thread each, keep-alive (Boost.Beast, synchronous). Each connection sends
// one request, reads the whole answer, then sends the next: a closed loop. Items (API keys, key
// ids) come from a file, one a line; connection c walks its own slice of the file, in order,
// wrapping around, so every item is used once per pass. "{}" in the target, in a header value
// and in the body stands for the current item.
//
//   closed_loop --url http://127.0.0.1:8080 --target /api/v1/me --items keys.txt
//               --header 'Authorization: Bearer {}' --connections 32 --duration 10
//
// Prints one line: requests/s, p50 ms, p99 ms, failures (answers with another status than
// --expect, and connection errors). --once walks each slice once and stops (a warm-up pass).
// Items are never printed: they may be secrets.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <barrier>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// The barrier's completion step: it runs once, when every connection is open and before any
// passes the barrier, so the clock starts then and every thread reads the same deadline.
struct StartClock {
  Clock::duration duration;
  Clock::time_point* begin;
  Clock::time_point* deadline;
  void operator()() noexcept {
    *begin = Clock::now();
    *deadline = *begin + duration;
  }
};
using Start = std::barrier<StartClock>;

struct Options {
  std::string url;  // http://HOST:PORT
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::string items_path;
  int connections = 32;
  double duration_seconds = 10;
  bool once = false;
  unsigned expect = 200;
};

// A request with "{}" placeholders, rendered for one item. Built once; rendering is a few
// appends, so the client spends its time in the kernel, not in formatting. Immutable after
// construction: shared by every connection thread.
class RequestTemplate {
 public:
  RequestTemplate(const Options& o, const std::string& host) {
    // The Content-Length depends on the item when the body has placeholders: rendered last.
    head_ = Split(o.method + " " + o.target + " HTTP/1.1\r\nHost: " + host + "\r\n");
    for (const std::string& h : o.headers) Append(head_, Split(h + "\r\n"));
    if (!o.body.empty()) body_ = Split(o.body);
  }

  void Render(std::string_view item, std::string& out) const {
    out.clear();
    Fill(head_, item, out);
    if (body_.empty()) {
      out += "\r\n";
      return;
    }
    std::string body;
    Fill(body_, item, body);
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    out += body;
  }

 private:
  // Literal pieces; between two consecutive ones goes the item.
  using Pieces = std::vector<std::string>;

  static Pieces Split(std::string_view s) {
    Pieces out;
    for (size_t at; (at = s.find("{}")) != std::string_view::npos; s.remove_prefix(at + 2)) {
      out.emplace_back(s.substr(0, at));
    }
    out.emplace_back(s);
    return out;
  }

  static void Append(Pieces& to, Pieces more) {
    to.back() += more.front();
    to.insert(to.end(), std::make_move_iterator(more.begin() + 1),
              std::make_move_iterator(more.end()));
  }

  static void Fill(const Pieces& pieces, std::string_view item, std::string& out) {
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (i > 0) out += item;
      out += pieces[i];
    }
  }

  Pieces head_;
  Pieces body_;
};

// What one connection measured. Written by its own thread only, read after it has joined.
struct ConnectionResult {
  std::vector<int64_t> latencies_ns;  // of every answer received, failed ones included
  int64_t failures = 0;
};

// One connection's loop: connect, then request and read until the deadline (or, with --once,
// the end of the slice). Reconnects after an error or an answer that closes the connection.
void RunConnection(const Options& o, const tcp::endpoint& endpoint, const RequestTemplate& tmpl,
                   const std::vector<std::string_view>& slice, const Clock::time_point& deadline,
                   Start& start, ConnectionResult& result) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  boost::beast::flat_buffer buffer;
  const auto connect = [&]() -> bool {
    boost::system::error_code ec;
    socket.close(ec);
    buffer.clear();
    socket.connect(endpoint, ec);
    if (!ec) socket.set_option(tcp::no_delay(true), ec);
    return !ec;
  };
  bool connected = !slice.empty() && connect();
  start.arrive_and_wait();    // every connection is open before the clock starts; sets deadline
  if (slice.empty()) return;  // --once with fewer items than connections: nothing to send
  result.latencies_ns.reserve(1 << 16);
  std::string request;
  size_t next = 0;
  while (Clock::now() < deadline) {
    if (o.once && next == slice.size()) break;
    if (!connected && !(connected = connect())) {
      ++result.failures;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    tmpl.Render(slice[next], request);
    next = o.once ? next + 1 : (next + 1) % slice.size();
    boost::system::error_code ec;
    const Clock::time_point sent = Clock::now();
    net::write(socket, net::buffer(request), ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (!ec) http::read(socket, buffer, parser, ec);
    const Clock::time_point answered = Clock::now();
    if (ec) {
      ++result.failures;
      connected = false;
      continue;
    }
    result.latencies_ns.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(answered - sent).count());
    const auto& response = parser.get();
    if (response.result_int() != o.expect) ++result.failures;
    if (!response.keep_alive()) connected = false;
  }
}

std::vector<std::string_view> Lines(const std::string& text) {
  std::vector<std::string_view> out;
  std::string_view rest(text);
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) out.push_back(line);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return out;
}

// The value at quantile q (0..1) of sorted samples, nearest rank.
double QuantileMs(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return static_cast<double>(sorted[rank - 1]) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app("Closed-loop HTTP/1.1 load client: raw latency of every request");
  app.add_option("--url", o.url, "http://HOST:PORT")->required();
  app.add_option("--method", o.method, "request method")->capture_default_str();
  app.add_option("--target", o.target, "request target; {} = the item")->capture_default_str();
  app.add_option("--header", o.headers, "'Name: value' ({} = the item); repeatable");
  app.add_option("--body", o.body, "request body ({} = the item)");
  app.add_option("--items", o.items_path, "file of items, one a line (default: one empty item)");
  app.add_option("--connections,-c", o.connections, "connections, one thread each")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--duration,-d", o.duration_seconds, "seconds")->capture_default_str();
  app.add_flag("--once", o.once, "walk each connection's slice once, then stop");
  app.add_option("--expect", o.expect, "the status that counts as success")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  constexpr std::string_view kScheme = "http://";
  if (!o.url.starts_with(kScheme)) {
    std::cerr << "closed_loop: --url must be http://HOST:PORT\n";
    return 2;
  }
  const std::string host = o.url.substr(kScheme.size());
  const size_t colon = host.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "closed_loop: --url needs a port\n";
    return 2;
  }

  std::string items_text;
  if (!o.items_path.empty()) {
    std::ifstream in(o.items_path, std::ios::binary);
    if (!in) {
      std::cerr << "closed_loop: cannot read " << o.items_path << "\n";
      return 2;
    }
    items_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::vector<std::string_view> items = Lines(items_text);
  if (items.empty()) items.emplace_back();

  tcp::endpoint endpoint;
  try {
    net::io_context ioc;
    endpoint =
        *tcp::resolver(ioc)
             .resolve(host.substr(0, colon), host.substr(colon + 1), tcp::resolver::numeric_service)
             .begin();
  } catch (const std::exception& e) {
    std::cerr << "closed_loop: " << e.what() << "\n";
    return 2;
  }

  // Connection c gets items [c*n/N, (c+1)*n/N); with fewer items than connections, one each.
  const size_t n = items.size();
  const size_t conns = static_cast<size_t>(o.connections);
  std::vector<std::vector<std::string_view>> slices(conns);
  for (size_t c = 0; c < conns; ++c) {
    if (n < conns) {
      slices[c].push_back(items[c % n]);
    } else {
      slices[c].assign(items.begin() + static_cast<std::ptrdiff_t>(c * n / conns),
                       items.begin() + static_cast<std::ptrdiff_t>((c + 1) * n / conns));
    }
  }
  // With --once and fewer items than connections, each item is still sent only once.
  if (o.once && n < conns) {
    for (size_t c = n; c < conns; ++c) slices[c].clear();
  }

  const RequestTemplate tmpl(o, host);
  std::vector<ConnectionResult> results(conns);
  Clock::time_point begin;
  Clock::time_point deadline;
  Start start(static_cast<std::ptrdiff_t>(conns),
              StartClock{std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(o.duration_seconds)),
                         &begin, &deadline});
  std::vector<std::thread> threads;
  for (size_t c = 0; c < conns; ++c) {
    threads.emplace_back(
        [&, c] { RunConnection(o, endpoint, tmpl, slices[c], deadline, start, results[c]); });
  }
  for (std::thread& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();

  std::vector<int64_t> all;
  int64_t failures = 0;
  for (ConnectionResult& r : results) {
    all.insert(all.end(), r.latencies_ns.begin(), r.latencies_ns.end());
    failures += r.failures;
  }
  std::sort(all.begin(), all.end());
  std::printf("%.0f %.3f %.3f %lld\n", elapsed > 0 ? static_cast<double>(all.size()) / elapsed : 0,
              QuantileMs(all, 0.50), QuantileMs(all, 0.99), static_cast<long long>(failures));
  return 0;
}
