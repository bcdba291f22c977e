#include "http/http_server.h"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>
#include <vector>

namespace tfzo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Timer = asio::basic_waitable_timer<Clock, asio::wait_traits<Clock>, Executor>;
constexpr asio::use_awaitable_t<Executor> kAwait;
// What a closing connection gets to finish: the TLS close_notify, or the client's reading of
// an error answer while the unread rest of its request is discarded.
constexpr std::chrono::seconds kCloseGrace{2};

}  // namespace

// One client connection. Touched only by its own I/O thread, except that the worker pool
// reads and writes `request` while the connection's coroutine waits for it (`away`).
struct HttpServer::Connection {
  explicit Connection(Socket s) : socket(std::move(s)), timer(socket.get_executor()) {}

  // Moves the deadline of the connection's current read or write. Extending it costs a store;
  // the watchdog (Watch) re-arms itself lazily when it wakes. Only a sooner deadline wakes it.
  void ExpiresAfter(Clock::duration timeout) {
    const Clock::time_point next = Clock::now() + timeout;
    const bool sooner = next < deadline;
    deadline = next;
    if (sooner) timer.cancel();
  }

  Socket socket;
  Timer timer;  // the watchdog's
  Clock::time_point deadline = Clock::time_point::max();
  bool busy = false;    // a request is being answered: shutdown lets it finish
  bool away = false;    // the request is on the worker pool: no deadline
  bool closed = false;  // Serve has ended
  std::string remote_ip = "unknown";
  beast::flat_buffer input;  // bytes read ahead of the current request (pipelining)
  std::string output;        // the answer being written; its capacity is reused
  Request request;           // the request being answered; reused
};

HttpServer::HttpServer(Options options, Handler handler, InlineHandler inline_handler,
                       std::shared_ptr<boost::asio::ssl::context> tls)
    : options_(std::move(options)),
      tls_(std::move(tls)),
      handler_(std::move(handler)),
      inline_handler_(std::move(inline_handler)),
      contexts_([n = std::max(1, options_.io_threads)] {
        std::vector<std::unique_ptr<asio::io_context>> contexts;
        for (int i = 0; i < n; ++i) contexts.push_back(std::make_unique<asio::io_context>(1));
        return contexts;
      }()),
      workers_(static_cast<size_t>(std::max(1, options_.worker_threads))),
      acceptor_(contexts_[0]->get_executor()),
      signals_(contexts_[0]->get_executor(), SIGINT, SIGTERM) {
  // Threads other than the acceptor's would return from run() while they have no connection.
  for (size_t i = 1; i < contexts_.size(); ++i) {
    idle_guards_.push_back(asio::make_work_guard(contexts_[i]->get_executor()));
  }
  uint8_t raw[4];
  randombytes_buf(raw, sizeof raw);
  request_id_prefix_ = fmt::format("{:02x}{:02x}{:02x}{:02x}-", raw[0], raw[1], raw[2], raw[3]);
}

HttpServer::~HttpServer() { workers_.join(); }

void HttpServer::NextRequestId(std::string& out) {
  out.assign(request_id_prefix_);
  fmt::format_to(std::back_inserter(out), "{}", ++request_counter_);
}

Result<tcp::endpoint> HttpServer::Listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec)
    return InvalidRequest(fmt::format("--listen: \"{}\" is not an IP address", options_.host));
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(StatusCode::kUnavailable, fmt::format("cannot listen on {}:{}: {}", options_.host,
                                                        options_.port, ec.message()));
  }
  return acceptor_.local_endpoint();
}

void HttpServer::Run() {
  signals_.async_wait([this](const beast::error_code& ec, int signal) {
    if (!ec) {
      spdlog::info("signal {}: draining in-flight requests", signal);
      Shutdown();
    }
  });
  asio::co_spawn(acceptor_.get_executor(), AcceptLoop(), asio::detached);
  std::vector<std::thread> threads;
  for (size_t i = 1; i < contexts_.size(); ++i) {
    threads.emplace_back([this, i] { contexts_[i]->run(); });
  }
  contexts_[0]->run();
  for (auto& t : threads) t.join();
  workers_.join();
}

void HttpServer::Shutdown() {
  asio::post(acceptor_.get_executor(), [this] {
    if (stopping_.exchange(true)) return;
    beast::error_code ignored;
    acceptor_.close(ignored);
    signals_.cancel(ignored);
    idle_guards_.clear();  // each I/O thread returns once its connections have ended
    std::lock_guard lock(mu_);
    for (auto& [raw, weak] : connections_) {
      if (auto c = weak.lock()) {
        asio::post(c->socket.get_executor(), [c] {
          beast::error_code ignored;
          if (!c->busy) c->socket.close(ignored);
        });
      }
    }
  });
}

HttpServer::Task<void> HttpServer::AcceptLoop() {
  for (size_t next = 0; !stopping_; ++next) {
    beast::error_code ec;
    // Connections go to the I/O threads in turn and stay there.
    asio::io_context& context = *contexts_[next % contexts_.size()];
    Socket socket =
        co_await acceptor_.async_accept(context.get_executor(), asio::redirect_error(kAwait, ec));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    // Each answer is written whole in one call, so Nagle's algorithm could only delay the
    // next one of a pipelined batch.
    socket.set_option(tcp::no_delay(true), ec);
    auto connection = std::make_shared<Connection>(std::move(socket));
    {
      std::lock_guard lock(mu_);
      if (connections_.size() >= options_.max_connections) {
        spdlog::warn("connection limit ({}) reached: refusing a connection",
                     options_.max_connections);
        continue;  // the socket closes as `connection` goes out of scope
      }
      connections_.emplace(connection.get(), connection);
    }
    asio::co_spawn(context.get_executor(), Serve(connection), asio::detached);
  }
}

// The connection's deadline: closes the socket (which ends the pending read or write) once
// the deadline has passed, unless the request is away on the worker pool. A timer per
// read or write would cost a timer-queue insert and cancel per request; this costs one
// wake-up per deadline instead.
HttpServer::Task<void> HttpServer::Watch(std::shared_ptr<Connection> c) {
  beast::error_code ec;
  while (!c->closed) {
    c->timer.expires_at(c->away ? Clock::now() + options_.read_timeout : c->deadline);
    co_await c->timer.async_wait(asio::redirect_error(kAwait, ec));
    if (c->closed) break;
    if (!c->away && Clock::now() >= c->deadline) {
      c->socket.close(ec);
      break;
    }
  }
}

// Runs the handler on the worker pool and resumes the connection's coroutine on its own I/O
// thread. (Boost 1.74's co_spawn would resume it on the pool thread.) The work guard keeps
// Run() from returning while a request is away on the pool during a drain.
HttpServer::Task<HttpResponse> HttpServer::RunOnWorker(Connection& c) {
  auto initiate = [this, &c](auto handler) {
    asio::post(workers_, [this, &c, handler = std::move(handler),
                          work = asio::make_work_guard(c.socket.get_executor())]() mutable {
      HttpResponse res;
      try {
        res = handler_(c.request);
      } catch (const std::exception& e) {
        spdlog::error("request {} failed: {}", c.request.request_id, e.what());
        res = ErrorResponse(Internal("unexpected exception"));
      }
      asio::post(work.get_executor(),
                 [handler = std::move(handler), res = std::move(res)]() mutable {
                   std::move(handler)(std::move(res));
                 });
    });
  };
  co_return co_await asio::async_initiate<decltype(kAwait), void(HttpResponse)>(initiate, kAwait);
}

HttpServer::Task<void> HttpServer::Serve(std::shared_ptr<Connection> c) {
  beast::error_code ec;
  if (auto ep = c->socket.remote_endpoint(ec); !ec) c->remote_ip = ep.address().to_string();
  c->request.remote_ip = c->remote_ip;
  c->ExpiresAfter(options_.read_timeout);
  asio::co_spawn(c->socket.get_executor(), Watch(c), asio::detached);
  try {
    if (tls_) {
      asio::ssl::stream<Socket&> tls(c->socket, *tls_);
      co_await tls.async_handshake(asio::ssl::stream_base::server,
                                   asio::redirect_error(kAwait, ec));
      if (!ec) {
        co_await ServeRequests(*c, tls);
        c->ExpiresAfter(kCloseGrace);
        co_await tls.async_shutdown(asio::redirect_error(kAwait, ec));
      }
    } else {
      co_await ServeRequests(*c, c->socket);
    }
  } catch (const std::exception& e) {
    spdlog::error("connection from {} ended by an exception: {}", c->remote_ip, e.what());
  }
  c->closed = true;
  c->timer.cancel();
  c->socket.shutdown(tcp::socket::shutdown_send, ec);
  c->socket.close(ec);
  std::lock_guard lock(mu_);
  connections_.erase(c.get());
}

template <typename Stream>
HttpServer::Task<void> HttpServer::ServeRequests(Connection& c, Stream& stream) {
  beast::error_code ec;
  // Bytes read ahead of the request being answered (pipelining) are bounded by this buffer.
  c.input = beast::flat_buffer(options_.header_limit + options_.body_limit);
  auto write = [&](const HttpResponse& res) {
    c.output.clear();
    AppendWireForm(res, c.output);
    return asio::async_write(stream, asio::buffer(c.output), asio::redirect_error(kAwait, ec));
  };
  while (!stopping_) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.body_limit(options_.body_limit);
    parser.header_limit(static_cast<uint32_t>(options_.header_limit));
    c.ExpiresAfter(options_.read_timeout);
    co_await beast_http::async_read(stream, c.input, parser, asio::redirect_error(kAwait, ec));
    if (ec) {
      // Answer what the client got wrong; a closed, stalled or cancelled connection just ends.
      std::optional<Status> error;
      if (ec == beast_http::error::body_limit) {
        error = Status(StatusCode::kPayloadTooLarge,
                       fmt::format("body: larger than {} KiB", options_.body_limit / 1024));
      } else if (ec == beast_http::error::header_limit) {
        error = Status(StatusCode::kHeadersTooLarge,
                       fmt::format("headers: larger than {} KiB", options_.header_limit / 1024));
      } else if (ec.category() ==
                     beast_http::make_error_code(beast_http::error::bad_target).category() &&
                 ec != beast_http::error::end_of_stream &&
                 ec != beast_http::error::partial_message) {
        error = InvalidRequest("request: not a valid HTTP/1.1 request");
      }
      if (error) {
        HttpResponse res = ErrorResponse(*error);
        NextRequestId(c.request.request_id);
        res.set("X-Request-Id", c.request.request_id);
        res.keep_alive(false);
        c.ExpiresAfter(options_.read_timeout);
        co_await write(res);
        // Let the client read the answer before the unread rest of its request resets the
        // connection: discard what it still sends, briefly.
        c.ExpiresAfter(kCloseGrace);
        char sink[16384];
        for (size_t drained = 0; drained < (1u << 20);) {
          size_t n =
              co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(kAwait, ec));
          if (ec) break;
          drained += n;
        }
      }
      co_return;
    }
    c.busy = true;
    Request& request = c.request;
    request.msg = parser.release();
    request.path = request.query = request.key_check = {};
    request.params.clear();
    NextRequestId(request.request_id);
    std::optional<HttpResponse> answered;
    if (inline_handler_) answered = inline_handler_(request);
    HttpResponse res;
    if (answered) {
      res = std::move(*answered);
    } else {
      c.away = true;
      res = co_await RunOnWorker(c);
      c.away = false;
    }
    const bool keep_alive = res.keep_alive() && !stopping_;
    res.keep_alive(keep_alive);
    c.ExpiresAfter(options_.read_timeout);
    co_await write(res);
    c.busy = false;
    if (ec || !keep_alive) co_return;
    // A large answer's buffer is not kept for the life of the connection.
    if (c.output.capacity() > options_.body_limit) std::string().swap(c.output);
  }
}

Result<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                           const std::string& key_file) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  beast::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return InvalidRequest("--tls-cert: cannot load the certificate chain: " + ec.message());
  ctx->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) return InvalidRequest("--tls-key: cannot load the private key: " + ec.message());
  return ctx;
}

}  // namespace tfzo::http
