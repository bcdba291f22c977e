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
#include <cerrno>
#include <latch>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "core/thread_name.h"
#include "http/log_safe.h"

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
// How long accepting pauses when the process is out of descriptors or memory: doubling from
// the first to the second while it lasts.
constexpr std::chrono::milliseconds kFirstAcceptPause{100};
constexpr std::chrono::milliseconds kLongestAcceptPause{1000};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Accept errors that say the process (EMFILE, ENOMEM) or the system (ENFILE, ENOBUFS) has no
// room for another connection now: retrying at once would only spin.
bool OutOfResources(const boost::system::error_code& ec) {
  if (ec.category() != boost::system::system_category()) return false;
  const int e = ec.value();
  return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}

// " (N more since the last warning)", or nothing.
std::string HeldBack(uint64_t n) {
  return n == 0 ? std::string() : fmt::format(" ({} more since the last warning)", n);
}

bool EqualsIgnoringCase(std::string_view a, std::string_view lower) {
  return a.size() == lower.size() &&
         std::equal(a.begin(), a.end(), lower.begin(),
                    [](char x, char y) { return (x >= 'A' && x <= 'Z' ? x | 0x20 : x) == y; });
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// What a complete header asks that the transport must refuse: no Host, or more than one, in
// HTTP/1.1 (HTTP/1.0 may omit it, but not repeat it); an Expect other than 100-continue.
// Sets `expects_continue` for "Expect: 100-continue" (ignored in HTTP/1.0, as RFC 9110 says).
std::optional<Status> CheckHeader(const HttpRequest& msg, bool& expects_continue) {
  const auto hosts = msg.equal_range(beast_http::field::host);
  const auto host_count = std::distance(hosts.first, hosts.second);
  if (host_count > 1) return InvalidRequest("Host: a request has one Host header, not several");
  if (host_count == 0 && msg.version() >= 11) {
    return InvalidRequest("Host: an HTTP/1.1 request must have a Host header");
  }
  expects_continue = false;
  if (msg.version() < 11) return std::nullopt;
  const auto expects = msg.equal_range(beast_http::field::expect);
  for (auto it = expects.first; it != expects.second; ++it) {
    std::string_view list = it->value();
    while (true) {
      const size_t comma = list.find(',');
      const std::string_view item = TrimSpace(list.substr(0, comma));
      if (!item.empty()) {
        if (!EqualsIgnoringCase(item, "100-continue")) {
          return Status(StatusCode::kExpectationFailed, "Expect: only 100-continue is supported");
        }
        expects_continue = true;
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

// One client connection. Touched only by its own I/O thread, except that the worker pool
// reads and writes `request` while the connection's coroutine waits for it (`away`).
struct HttpServer::Connection {
  explicit Connection(Socket s) : socket(std::move(s)), timer(socket.get_executor()) {}

  // Moves the deadline of the connection's current read or write. That costs a store: the
  // watchdog (Watch) never sleeps longer than the shortest timeout and re-arms itself lazily
  // when it wakes. Only a deadline sooner than its wake-up (the close grace) wakes it early.
  void ExpiresAfter(Clock::duration timeout) {
    const Clock::time_point next = Clock::now() + timeout;
    deadline = next;
    if (next < armed) {
      armed = Clock::time_point::min();  // until the watchdog re-arms: no second cancel
      timer.cancel();
    }
  }

  Socket socket;
  Timer timer;  // the watchdog's
  Clock::time_point deadline = Clock::time_point::max();
  Clock::time_point armed = Clock::time_point::max();  // when the watchdog wakes next
  bool busy = false;                  // a request is being answered: shutdown lets it finish
  bool away = false;                  // the request is on the worker pool: no deadline
  bool closed = false;                // Serve has ended
  std::string remote_ip = "unknown";  // the TCP peer's (IPv4-mapped IPv6 as IPv4)
  asio::ip::address peer;
  bool peer_trusted = false;         // inside --trusted-proxies
  std::string_view scheme = "http";  // of the connection itself
  beast::flat_buffer input;          // bytes read ahead of the current request (pipelining)
  std::string output;                // the answer being written; its capacity is reused
  Request request;                   // the request being answered; reused
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
      signals_(contexts_[0]->get_executor(), SIGINT, SIGTERM),
      accept_pause_(contexts_[0]->get_executor()) {
  // Threads other than the acceptor's would return from run() while they have no connection.
  for (size_t i = 1; i < contexts_.size(); ++i) {
    idle_guards_.push_back(asio::make_work_guard(contexts_[i]->get_executor()));
  }
  // Names the workers: each of these tasks waits until all have begun, so each has a thread of
  // its own.
  const auto workers = static_cast<ptrdiff_t>(std::max(1, options_.worker_threads));
  auto begun = std::make_shared<std::latch>(workers);
  for (ptrdiff_t i = 0; i < workers; ++i) {
    asio::post(workers_, [begun] {
      NameThisThread("worker");
      begun->arrive_and_wait();
    });
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
    threads.emplace_back([this, i] {
      NameThisThread(fmt::format("io-{}", i));
      contexts_[i]->run();
    });
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
    accept_pause_.cancel();
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

bool HttpServer::LogThrottle::Allow(uint64_t& held_back) {
  const Clock::time_point now = Clock::now();
  if (last != Clock::time_point{} && now - last < std::chrono::seconds(1)) {
    ++held;
    return false;
  }
  last = now;
  held_back = held;
  held = 0;
  return true;
}

HttpServer::Task<void> HttpServer::AcceptLoop() {
  Clock::duration pause = kFirstAcceptPause;
  for (size_t next = 0; !stopping_; ++next) {
    beast::error_code ec;
    // Connections go to the I/O threads in turn and stay there.
    asio::io_context& context = *contexts_[next % contexts_.size()];
    Socket socket =
        co_await acceptor_.async_accept(context.get_executor(), asio::redirect_error(kAwait, ec));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      // Out of descriptors: the pending connection stays in the backlog and the listener
      // stays readable, so accepting again at once would spin. Pause, longer each time.
      const bool out = OutOfResources(ec);
      if (uint64_t held_back = 0; accept_warnings_.Allow(held_back)) {
        spdlog::warn(
            "accept failed: {}{}{}", ec.message(),
            out ? fmt::format("; pausing accepts for {} ms",
                              std::chrono::duration_cast<std::chrono::milliseconds>(pause).count())
                : std::string(),
            HeldBack(held_back));
      }
      if (out) {
        accept_pause_.expires_after(pause);
        co_await accept_pause_.async_wait(asio::redirect_error(kAwait, ec));
        pause = std::min<Clock::duration>(pause * 2, kLongestAcceptPause);
      }
      continue;
    }
    pause = kFirstAcceptPause;
    Admit(std::move(socket), context);
  }
}

void HttpServer::Admit(Socket socket, asio::io_context& context) {
  beast::error_code ec;
  const tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  // Each answer is written whole in one call, so Nagle's algorithm could only delay the
  // next one of a pipelined batch.
  socket.set_option(tcp::no_delay(true), ec);
  auto c = std::make_shared<Connection>(std::move(socket));
  c->peer = TrustedProxies::Unmapped(endpoint.address());
  c->remote_ip = c->peer.to_string();
  c->peer_trusted = options_.trusted_proxies.Contains(c->peer);
  c->scheme = tls_ ? "https" : "http";
  std::string_view refused;
  {
    std::lock_guard lock(mu_);
    if (connections_.size() >= options_.max_connections) {
      refused = "the connection limit";
    } else if (!c->peer_trusted) {
      size_t& open = per_address_[c->remote_ip];
      if (open >= options_.max_connections_per_address) {
        refused = "the limit per address";
      } else {
        ++open;
      }
    }
    if (refused.empty()) connections_.emplace(c.get(), c);
  }
  if (!refused.empty()) {
    // Closed at once, without an answer (the socket closes with `c`).
    if (uint64_t held_back = 0; refusal_warnings_.Allow(held_back)) {
      spdlog::warn("refusing a connection from {}: {} ({}) is reached{}", c->remote_ip, refused,
                   refused == "the connection limit" ? options_.max_connections
                                                     : options_.max_connections_per_address,
                   HeldBack(held_back));
    }
    return;
  }
  asio::co_spawn(context.get_executor(), Serve(std::move(c)), asio::detached);
}

// The connection's deadline: closes the socket (which ends the pending read or write) once
// the deadline has passed, unless the request is away on the worker pool. A timer per
// read or write would cost a timer-queue insert and cancel per request; this costs a
// wake-up per deadline or per shortest timeout instead, whichever comes first. Sleeping no
// longer than the shortest timeout lets a sooner phase (idle, then header) move the deadline
// with a store, never a cancel.
HttpServer::Task<void> HttpServer::Watch(std::shared_ptr<Connection> c) {
  beast::error_code ec;
  const Clock::duration tick =
      std::min({options_.header_timeout, options_.read_timeout, options_.idle_timeout});
  while (!c->closed) {
    const Clock::time_point now = Clock::now();
    c->armed = c->away ? now + tick : std::min(c->deadline, now + tick);
    c->timer.expires_at(c->armed);
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
        spdlog::error("request {} failed: {}", c.request.request_id, LogSafe(e.what()));
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
  c->request.remote_ip = c->remote_ip;
  c->request.scheme = c->scheme;
  c->ExpiresAfter(options_.header_timeout);  // the TLS handshake and the first headers
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
    spdlog::error("connection from {} ended by an exception: {}", c->remote_ip, LogSafe(e.what()));
  }
  c->closed = true;
  c->timer.cancel();
  c->socket.shutdown(tcp::socket::shutdown_send, ec);
  c->socket.close(ec);
  std::lock_guard lock(mu_);
  connections_.erase(c.get());
  if (!c->peer_trusted) {
    if (auto it = per_address_.find(c->remote_ip); it != per_address_.end() && --it->second == 0) {
      per_address_.erase(it);
    }
  }
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
  for (bool first = true; !stopping_; first = false) {
    Parser parser;
    parser.body_limit(options_.body_limit);
    parser.header_limit(static_cast<uint32_t>(options_.header_limit));
    parser.eager(true);
    if (!first) {
      // Idle: a kept-alive connection waits for the first byte of its next request (unless
      // it is already here, pipelined); the header deadline starts with it. The first
      // request's started with the connection.
      if (c.input.size() == 0) {
        c.ExpiresAfter(options_.idle_timeout);
        const size_t n = co_await stream.async_read_some(
            c.input.prepare(beast::read_size(c.input, 65536)), asio::redirect_error(kAwait, ec));
        if (ec) co_return;  // closed by the client, idle too long, or a shutdown
        c.input.commit(n);
      }
      c.ExpiresAfter(options_.header_timeout);
    }
    const std::optional<Status> error = co_await ReadRequest(c, stream, parser, ec);
    if (error) {
      // Answer what the client got wrong, then close: the rest of its request is unread.
      HttpResponse res = ErrorResponse(*error);
      NextRequestId(c.request.request_id);
      res.set("X-Request-Id", c.request.request_id);
      AddSecurityHeaders(res, options_.hsts);
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
      co_return;
    }
    if (ec) co_return;  // closed, stalled or cancelled: the connection just ends
    c.busy = true;
    Request& request = c.request;
    request.msg = parser.release();
    request.path = request.query = request.key_check = {};
    request.params.clear();
    if (c.peer_trusted) ApplyForwarded(c);
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

// Beast's async_read, unrolled (the same parse-then-read loop) so that the deadline can move
// from the header to the body phase and 100 Continue be sent in between, at no extra
// dispatch when the whole request arrives at once.
template <typename Stream>
HttpServer::Task<std::optional<Status>> HttpServer::ReadRequest(Connection& c, Stream& stream,
                                                                Parser& parser,
                                                                beast::error_code& ec) {
  bool header_done = false;
  for (;;) {
    if (c.input.size() > 0) {
      const size_t used = parser.put(c.input.data(), ec);
      c.input.consume(used);
      const bool need_more = ec == beast_http::error::need_more;
      if (need_more) {
        ec = {};
      } else if (ec == beast_http::error::body_limit) {
        co_return Status(StatusCode::kPayloadTooLarge,
                         fmt::format("body: larger than {} KiB", options_.body_limit / 1024));
      } else if (ec == beast_http::error::header_limit) {
        co_return Status(StatusCode::kHeadersTooLarge,
                         fmt::format("headers: larger than {} KiB", options_.header_limit / 1024));
      } else if (ec) {
        co_return InvalidRequest("request: not a valid HTTP/1.1 request");
      }
      if (!header_done && parser.is_header_done()) {
        header_done = true;
        bool expects_continue = false;
        if (auto refused = CheckHeader(parser.get(), expects_continue)) co_return refused;
        if (!parser.is_done()) {
          c.ExpiresAfter(options_.read_timeout);  // the body's deadline
          // A client that waits for it sends the body after this; one that sent some already
          // needs none (RFC 9110 lets the server omit it then).
          if (expects_continue && c.input.size() == 0) {
            co_await asio::async_write(stream, asio::buffer(kContinue),
                                       asio::redirect_error(kAwait, ec));
            if (ec) co_return std::nullopt;
          }
        }
      }
      if (parser.is_done()) co_return std::nullopt;
      if (!need_more && used > 0 && c.input.size() > 0) continue;
    }
    const size_t size = beast::read_size(c.input, 65536);
    if (size == 0) co_return InvalidRequest("request: too much sent ahead of the answers");
    const size_t n =
        co_await stream.async_read_some(c.input.prepare(size), asio::redirect_error(kAwait, ec));
    c.input.commit(n);
    // End of stream, a reset, a deadline, a shutdown: the request will not be complete.
    if (ec) co_return std::nullopt;
  }
}

void HttpServer::ApplyForwarded(Connection& c) {
  Request& request = c.request;
  std::string forwarded_for;
  std::string_view forwarded_proto;
  bool proto_seen = false;
  for (const auto& field : request.msg) {
    const std::string_view name = field.name_string();
    if (EqualsIgnoringCase(name, "x-forwarded-for")) {
      if (!forwarded_for.empty()) forwarded_for += ',';
      forwarded_for.append(field.value());
    } else if (!proto_seen && EqualsIgnoringCase(name, "x-forwarded-proto")) {
      forwarded_proto = field.value();
      proto_seen = true;
    }
  }
  request.remote_ip = options_.trusted_proxies.ClientAddress(c.peer, forwarded_for).to_string();
  request.scheme = TrustedProxies::ForwardedScheme(forwarded_proto).value_or(c.scheme);
}

Result<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                           const std::string& key_file) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  // TLS 1.2: ECDHE key exchange (forward secrecy) with AES-GCM or ChaCha20-Poly1305 only.
  // TLS 1.3's suites are configured apart (SSL_CTX_set_ciphersuites) and are all AEAD.
  if (SSL_CTX_set_cipher_list(ctx->native_handle(), "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) {
    return Status(StatusCode::kInternal, "TLS: OpenSSL offers no ECDHE AEAD cipher suite");
  }
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  beast::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return InvalidRequest("--tls-cert: cannot load the certificate chain: " + ec.message());
  ctx->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) return InvalidRequest("--tls-key: cannot load the private key: " + ec.message());
  return ctx;
}

}  // namespace tfzo::http
