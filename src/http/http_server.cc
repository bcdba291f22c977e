#include "http/http_server.h"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>
#include <vector>

namespace tfzo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct HttpServer::Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;  // a request is being answered; touched on the connection's strand only
};

HttpServer::HttpServer(Options options, Handler handler, InlineHandler inline_handler,
                       std::shared_ptr<boost::asio::ssl::context> tls)
    : options_(std::move(options)),
      tls_(std::move(tls)),
      handler_(std::move(handler)),
      inline_handler_(std::move(inline_handler)),
      workers_(static_cast<size_t>(std::max(1, options_.worker_threads))),
      acceptor_(asio::make_strand(ioc_)),
      signals_(ioc_, SIGINT, SIGTERM) {
  uint8_t raw[4];
  randombytes_buf(raw, sizeof raw);
  request_id_prefix_ = fmt::format("{:02x}{:02x}{:02x}{:02x}-", raw[0], raw[1], raw[2], raw[3]);
}

HttpServer::~HttpServer() { workers_.join(); }

std::string HttpServer::NextRequestId() {
  return request_id_prefix_ + std::to_string(++request_counter_);
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
  for (int i = 1; i < options_.io_threads; ++i) threads.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (auto& t : threads) t.join();
  workers_.join();
}

void HttpServer::Shutdown() {
  asio::post(acceptor_.get_executor(), [this] {
    if (stopping_.exchange(true)) return;
    beast::error_code ignored;
    acceptor_.close(ignored);
    signals_.cancel(ignored);
    std::lock_guard lock(mu_);
    for (auto& [raw, weak] : connections_) {
      if (auto c = weak.lock()) {
        asio::post(c->stream.get_executor(), [c] {
          if (!c->busy) c->stream.socket().close();
        });
      }
    }
  });
}

asio::awaitable<void> HttpServer::AcceptLoop() {
  while (!stopping_) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(
        asio::make_strand(ioc_), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
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
    asio::co_spawn(connection->stream.get_executor(), Serve(connection), asio::detached);
  }
}

// Runs the handler on the worker pool and resumes the connection's coroutine on its own
// strand. (Boost 1.74's co_spawn would resume it on the pool thread.) The work guard keeps
// Run() from returning while a request is away on the pool during a drain.
asio::awaitable<HttpResponse> HttpServer::RunOnWorker(std::shared_ptr<Request> request) {
  auto initiate = [this, request = std::move(request)](auto handler) mutable {
    auto strand = asio::get_associated_executor(handler);
    asio::post(workers_, [this, request = std::move(request), handler = std::move(handler), strand,
                          work = asio::make_work_guard(ioc_)]() mutable {
      HttpResponse res;
      try {
        res = handler_(*request);
      } catch (const std::exception& e) {
        spdlog::error("request {} failed: {}", request->request_id, e.what());
        res = ErrorResponse(Internal("unexpected exception"));
      }
      asio::post(strand, [handler = std::move(handler), res = std::move(res)]() mutable {
        std::move(handler)(std::move(res));
      });
    });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(HttpResponse)>(
      std::move(initiate), asio::use_awaitable);
}

asio::awaitable<void> HttpServer::Serve(std::shared_ptr<Connection> c) {
  beast::error_code ec;
  std::string remote_ip = "unknown";
  if (auto ep = c->stream.socket().remote_endpoint(ec); !ec) remote_ip = ep.address().to_string();
  try {
    if (tls_) {
      asio::ssl::stream<beast::tcp_stream&> tls(c->stream, *tls_);
      c->stream.expires_after(options_.read_timeout);
      co_await tls.async_handshake(asio::ssl::stream_base::server,
                                   asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) {
        co_await ServeRequests(c, tls, remote_ip);
        c->stream.expires_after(std::chrono::seconds(2));
        co_await tls.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
      }
    } else {
      co_await ServeRequests(c, c->stream, remote_ip);
    }
  } catch (const std::exception& e) {
    spdlog::error("connection from {} ended by an exception: {}", remote_ip, e.what());
  }
  c->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  c->stream.socket().close(ec);
  std::lock_guard lock(mu_);
  connections_.erase(c.get());
}

template <typename Stream>
asio::awaitable<void> HttpServer::ServeRequests(std::shared_ptr<Connection> c, Stream& stream,
                                                const std::string& remote_ip) {
  beast::error_code ec;
  // Bytes read ahead of the request being answered (pipelining) are bounded by this buffer.
  beast::flat_buffer buffer(options_.header_limit + options_.body_limit);
  while (!stopping_) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.body_limit(options_.body_limit);
    parser.header_limit(static_cast<uint32_t>(options_.header_limit));
    c->stream.expires_after(options_.read_timeout);
    co_await beast_http::async_read(stream, buffer, parser,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      // Answer what the client got wrong; a closed, stalled or cancelled connection just ends.
      std::optional<Status> error;
      if (ec == beast_http::error::body_limit) {
        error = Status(StatusCode::kPayloadTooLarge, "body: larger than 64 KiB");
      } else if (ec == beast_http::error::header_limit) {
        error = Status(StatusCode::kHeadersTooLarge, "headers: larger than 16 KiB");
      } else if (ec.category() ==
                     beast_http::make_error_code(beast_http::error::bad_target).category() &&
                 ec != beast_http::error::end_of_stream &&
                 ec != beast_http::error::partial_message) {
        error = InvalidRequest("request: not a valid HTTP/1.1 request");
      }
      if (error) {
        HttpResponse res = ErrorResponse(*error);
        res.set("X-Request-Id", NextRequestId());
        res.keep_alive(false);
        c->stream.expires_after(options_.read_timeout);
        co_await beast_http::async_write(stream, res,
                                         asio::redirect_error(asio::use_awaitable, ec));
        // Let the client read the answer before the unread rest of its request resets the
        // connection: discard what it still sends, briefly.
        c->stream.expires_after(std::chrono::seconds(2));
        char sink[16384];
        for (size_t drained = 0; drained < (1u << 20);) {
          size_t n = co_await stream.async_read_some(asio::buffer(sink),
                                                     asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
          drained += n;
        }
      }
      co_return;
    }
    c->busy = true;
    auto request = std::make_shared<Request>();
    request->msg = parser.release();
    request->remote_ip = remote_ip;
    request->request_id = NextRequestId();
    std::optional<HttpResponse> answered;
    if (inline_handler_) answered = inline_handler_(*request);
    HttpResponse res;
    if (answered) {
      res = std::move(*answered);
    } else {
      res = co_await RunOnWorker(std::move(request));
    }
    const bool keep_alive = res.keep_alive() && !stopping_;
    res.keep_alive(keep_alive);
    c->stream.expires_after(options_.read_timeout);
    co_await beast_http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    c->busy = false;
    if (ec || !keep_alive) co_return;
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
