// Micro benchmarks of the answers the I/O threads give from memory, through the whole Api
// (router, authentication, handler, headers, metrics) without sockets: POST
// /api/v1/keys/verify (unscoped key, scoped key, with an org_id) beside GET /api/v1/me, the
// cached answer it is measured against. Figures only; nothing here passes or fails on time.
//
// One account and its keys are made through the Api itself (sign-up, POST /api/keys) on an
// in-memory SQLite store, as the server's tests do; each key is checked once before the
// timing, so every timed request is answered inline from the caches.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/time.h"
#include "http/routes.h"
#include "server/app.h"
#include "testing/memory_store.h"

namespace tfzo {
namespace {

namespace beast_http = boost::beast::http;
using beast_http::verb;
using nlohmann::json;

// The App, one account, an unscoped and an org-scoped key.
class World {
 public:
  World()
      : store_(testing::OpenMemoryStore()),
        // BM_MeDistinct makes 100,000 keys for one account: far past the default quota.
        app_(BuildApp(AppOptions{.max_active_keys = 1'000'000,
                                 .password_params = PasswordHasher::kCheapParams},
                      *store_, clock_, random_)) {
    http::HttpResponse signup = Send(verb::post, "/api/signup",
                                     {{"email", "bench@example.com"}, {"password", "pw-123456"}});
    const std::string set_cookie(signup[beast_http::field::set_cookie]);
    const size_t eq = set_cookie.find('='), semi = set_cookie.find(';');
    cookie_ = set_cookie.substr(eq + 1, semi - eq - 1);
    csrf_ = json::parse(signup.body())["csrf_token"];
    org_id_ = json::parse(Send(verb::post, "/api/orgs", {{"name", "Acme"}}).body())["org"]["id"];
    key_ = NewKey({{"name", "bench"}});
    scoped_key_ = NewKey({{"name", "scoped"}, {"org_id", org_id_}});
  }

  http::Request Request(verb method, const std::string& target, const json& body,
                        const std::string& bearer = "") const {
    http::Request req;
    req.msg = http::HttpRequest(method, target, 11);
    req.remote_ip = "127.0.0.1";
    req.request_id = "bench-1";
    if (!bearer.empty()) req.msg.set(beast_http::field::authorization, "Bearer " + bearer);
    if (!body.is_null()) {
      req.msg.set(beast_http::field::content_type, "application/json");
      req.msg.body() = body.dump();
    }
    req.msg.prepare_payload();
    return req;
  }

  // Answers `proto` (a copy, as each request is a new one) inline.
  std::optional<http::HttpResponse> Inline(const http::Request& proto) {
    http::Request req = proto;
    return app_->api.TryHandleInline(req);
  }
  // The same on the worker path, which reads through to the store and fills the caches.
  http::HttpResponse Handle(const http::Request& proto) {
    http::Request req = proto;
    return app_->api.Handle(req);
  }

  // The first `n` of a pool of unscoped keys, made (and checked once, filling the caches) on
  // first use.
  const std::vector<http::Request>& MeRequests(size_t n) {
    while (me_requests_.size() < n) {
      me_requests_.push_back(
          Request(verb::get, "/api/v1/me", nullptr,
                  NewKey({{"name", "k" + std::to_string(me_requests_.size())}})));
      Handle(me_requests_.back());
    }
    return me_requests_;
  }
  // Time passing as on a server answering `rate` requests a second: what changes each second
  // (a key's last use) changes as often, relative to the requests, as it does there.
  void Tick(uint64_t request, uint64_t rate) {
    if (request % rate == 0) clock_.Advance(std::chrono::seconds(1));
  }

  const std::string& key() const { return key_; }
  const std::string& scoped_key() const { return scoped_key_; }
  const std::string& org_id() const { return org_id_; }

 private:
  http::HttpResponse Send(verb method, const std::string& target, const json& body) {
    http::Request req = Request(method, target, body);
    if (!cookie_.empty()) {
      req.msg.set(beast_http::field::cookie,
                  std::string(http::SessionCookieName(false)) + "=" + cookie_);
      req.msg.set("X-CSRF-Token", csrf_);
    }
    return app_->api.Handle(req);
  }

  std::string NewKey(const json& body) {
    return json::parse(Send(verb::post, "/api/keys", body).body())["secret"];
  }

  std::unique_ptr<Store> store_;
  // Stopped: cached entries never age into a re-read (the caches' re-check) mid-benchmark.
  FakeClock clock_{FromUnix(1'800'000'000)};
  SodiumRandom random_;
  std::unique_ptr<App> app_;
  std::string cookie_, csrf_, org_id_, key_, scoped_key_;
  std::vector<http::Request> me_requests_;
};

World& TheWorld() {
  static World* world = new World();
  return *world;
}

void Run(benchmark::State& state, const http::Request& proto) {
  World& world = TheWorld();
  if (world.Handle(proto).result() != beast_http::status::ok || !world.Inline(proto)) {
    state.SkipWithError("not answered 200 inline");
    return;
  }
  for (auto _ : state) {
    auto res = world.Inline(proto);
    benchmark::DoNotOptimize(res);
  }
}

void BM_Me(benchmark::State& state) {
  World& w = TheWorld();
  Run(state, w.Request(verb::get, "/api/v1/me", nullptr, w.key()));
}

void BM_Verify(benchmark::State& state) {
  World& w = TheWorld();
  Run(state, w.Request(verb::post, "/api/v1/keys/verify", {{"key", w.key()}}));
}

void BM_VerifyScoped(benchmark::State& state) {
  World& w = TheWorld();
  Run(state, w.Request(verb::post, "/api/v1/keys/verify", {{"key", w.scoped_key()}}));
}

void BM_VerifyForOrg(benchmark::State& state) {
  World& w = TheWorld();
  Run(state,
      w.Request(verb::post, "/api/v1/keys/verify", {{"key", w.key()}, {"org_id", w.org_id()}}));
}

// GET /api/v1/me cycling through range(0) distinct keys, with time passing as on a server
// answering 40,000 of them a second. With `after_syscall`, a system call before each request,
// as the server's recv makes: on a kernel with page-table isolation and no PCID (this VM's)
// each one empties the TLB, so each distinct page a request touches costs a page walk, which
// the loop without it hides.
void RunDistinct(benchmark::State& state, bool after_syscall) {
  World& w = TheWorld();
  const size_t n = static_cast<size_t>(state.range(0));
  const std::vector<http::Request>& requests = w.MeRequests(n);
  uint64_t i = 0;
  for (auto _ : state) {
    w.Tick(i, 40000);
    if (after_syscall) benchmark::DoNotOptimize(getppid());
    auto res = w.Inline(requests[i++ % n]);
    if (!res) {
      state.SkipWithError("not answered inline");
      return;
    }
    benchmark::DoNotOptimize(res);
  }
}

void BM_MeDistinct(benchmark::State& state) { RunDistinct(state, false); }
void BM_MeDistinctAfterSyscall(benchmark::State& state) { RunDistinct(state, true); }

BENCHMARK(BM_Me);
BENCHMARK(BM_MeDistinct)->Arg(1)->Arg(10000)->Arg(100000);
BENCHMARK(BM_MeDistinctAfterSyscall)->Arg(1)->Arg(10000)->Arg(100000);
BENCHMARK(BM_Verify);
BENCHMARK(BM_VerifyScoped);
BENCHMARK(BM_VerifyForOrg);

}  // namespace
}  // namespace tfzo

BENCHMARK_MAIN();
