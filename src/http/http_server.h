#ifndef TFZO_HTTP_HTTP_SERVER_H_
#define TFZO_HTTP_HTTP_SERVER_H_

// Boost 1.74's coroutine support uses std::exchange without including <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "http/message.h"

namespace tfzo::http {

// The transport: a Beast/Asio listener and one coroutine per connection on `io_threads`
// threads. Requests are read with limits (header and body size, read timeout, connection
// cap), handed to `handler` on a small worker pool (so blocking store calls never run on an
// I/O thread), and answered in order. SIGTERM/SIGINT stop accepting, let in-flight requests
// finish, close idle connections, and make Run() return. Thread-safe where noted.
class HttpServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;
    int io_threads = 1;
    int worker_threads = 4;
    size_t body_limit = 64 * 1024;
    size_t header_limit = 16 * 1024;
    std::chrono::seconds read_timeout{30};
    size_t max_connections = 4096;
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
  struct Connection;

  boost::asio::awaitable<void> AcceptLoop();
  boost::asio::awaitable<void> Serve(std::shared_ptr<Connection> connection);
  template <typename Stream>
  boost::asio::awaitable<void> ServeRequests(std::shared_ptr<Connection> connection, Stream& stream,
                                             const std::string& remote_ip);
  boost::asio::awaitable<HttpResponse> RunOnWorker(std::shared_ptr<Request> request);
  std::string NextRequestId();

  Options options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Handler handler_;
  InlineHandler inline_handler_;
  boost::asio::io_context ioc_;
  boost::asio::thread_pool workers_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::signal_set signals_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> request_counter_{0};
  std::string request_id_prefix_;
  std::mutex mu_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;  // guarded by mu_
};

// A server TLS context: TLS 1.2 and later only, the certificate chain and key from PEM files.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                                  const std::string& key_file);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_HTTP_SERVER_H_
