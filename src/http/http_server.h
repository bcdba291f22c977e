#ifndef TFZO_HTTP_HTTP_SERVER_H_
#define TFZO_HTTP_HTTP_SERVER_H_

// Boost 1.74's coroutine support uses std::exchange without including <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_signal_set.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "http/message.h"
#include "http/trusted_proxies.h"

namespace tfzo::http {

// The transport: a Beast/Asio listener and one coroutine per connection. Each of the
// `io_threads` threads runs its own io_context, and a connection lives on one of them from
// accept to close (Envoy's worker model): no strands, no locks on the request path.
// Requests are read with limits (header and body size; header, body and idle deadlines;
// connections in all and per address), checked (one Host; Expect answered), given their
// client address and scheme (from a trusted proxy's X-Forwarded-* headers, or the socket),
// tried on the I/O thread by `inline_handler`, else handed to `handler` on a small worker
// pool (so blocking store calls never run on an I/O thread), and answered in order.
// SIGTERM/SIGINT stop accepting, let in-flight requests finish, close idle connections, and
// make Run() return. Thread-safe where noted.
class HttpServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;
    int io_threads = 1;
    int worker_threads = 4;
    size_t body_limit = 64 * 1024;
    size_t header_limit = 16 * 1024;
    // From the start of a connection (TLS handshake included) or of a request (its first
    // byte) until its headers are complete.
    std::chrono::seconds header_timeout{10};
    // For the body once the headers are in, and for writing an answer.
    std::chrono::seconds read_timeout{30};
    // A kept-alive connection waiting for the first byte of its next request.
    std::chrono::seconds idle_timeout{60};
    size_t max_connections = 4096;
    // Open connections from one peer address; peers in `trusted_proxies` are exempt.
    size_t max_connections_per_address = 256;
    // Peers whose X-Forwarded-For and X-Forwarded-Proto are believed.
    TrustedProxies trusted_proxies;
    // Browsers come over HTTPS: the transport's own answers carry HSTS too (see Api).
    bool hsts = false;
  };
  using Handler = std::function<HttpResponse(Request&)>;
  // Tried first on the I/O thread; nullopt sends the request on to `handler` on the pool.
  using InlineHandler = std::function<std::optional<HttpResponse>(Request&)>;

  // With `tls`, every connection is TLS (see MakeTlsContext).
  HttpServer(Options options, Handler handler, InlineHandler inline_handler = nullptr,
             std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the bound endpoint (the real port when port 0 was asked).
  Result<boost::asio::ip::tcp::endpoint> Listen();
  // Serves until Shutdown() or a signal, then drains. Blocks the calling thread.
  void Run();
  // Thread-safe.
  void Shutdown();

 private:
  // Everything on the request path uses the concrete executor of an io_context, never the
  // type-erased any_io_executor: no executor copies through allocations and virtual calls.
  using Executor = boost::asio::io_context::executor_type;
  template <typename T>
  using Task = boost::asio::awaitable<T, Executor>;
  struct Connection;

  using Parser = beast_http::request_parser<beast_http::string_body>;

  // At most one line a second; the lines held back in between are counted. Used by the
  // acceptor's thread only.
  struct LogThrottle {
    // True when a line may be written now; `held_back` is then how many were not.
    bool Allow(uint64_t& held_back);
    std::chrono::steady_clock::time_point last{};
    uint64_t held = 0;
  };

  Task<void> AcceptLoop();
  // Takes an accepted socket in, unless a connection cap refuses it.
  void Admit(boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor> socket,
             boost::asio::io_context& context);
  Task<void> Serve(std::shared_ptr<Connection> connection);
  Task<void> Watch(std::shared_ptr<Connection> connection);
  template <typename Stream>
  Task<void> ServeRequests(Connection& connection, Stream& stream);
  // Reads one request into `parser`. Returns an error to answer (then the connection
  // closes), or nullopt: the request is complete unless `ec` is set (then the connection
  // ends without an answer: closed, timed out, or cut short).
  template <typename Stream>
  Task<std::optional<Status>> ReadRequest(Connection& connection, Stream& stream, Parser& parser,
                                          boost::beast::error_code& ec);
  // The client's address and scheme from a trusted proxy's X-Forwarded-* headers.
  void ApplyForwarded(Connection& connection);
  Task<HttpResponse> RunOnWorker(Connection& connection);
  void NextRequestId(std::string& out);

  Options options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Handler handler_;
  InlineHandler inline_handler_;
  // One per I/O thread; contexts_[0] also runs the acceptor and the signal handler.
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<boost::asio::executor_work_guard<Executor>> idle_guards_;  // reset on shutdown
  boost::asio::thread_pool workers_;
  boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, Executor> acceptor_;
  boost::asio::basic_signal_set<Executor> signals_;
  // Accepting pauses on it while the process is out of descriptors or memory.
  boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                    boost::asio::wait_traits<std::chrono::steady_clock>, Executor>
      accept_pause_;
  LogThrottle accept_warnings_;   // the acceptor's thread only
  LogThrottle refusal_warnings_;  // the acceptor's thread only
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> request_counter_{0};
  std::string request_id_prefix_;
  std::mutex mu_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;  // guarded by mu_
  std::unordered_map<std::string, size_t> per_address_;  // open connections; guarded by mu_
};

// A server TLS context: TLS 1.2 and later only, the certificate chain and key from PEM files.
// TLS 1.2 offers ECDHE key exchange with AEAD ciphers only (forward secrecy, no CBC); TLS 1.3
// suites are all of that kind.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                                  const std::string& key_file);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_HTTP_SERVER_H_
