#include "api_fixture.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "core/random.h"
#include "core/time.h"
#include "http/check_routes.h"
#include "http/routes.h"
#include "server/app.h"
#include "store/open_store.h"

namespace tfzo::fuzz {

namespace beast_http = boost::beast::http;
using nlohmann::json;

namespace {

// splitmix64: the same ids and secrets for every rebuild, so a crash reproduces.
class DeterministicRandom final : public Random {
 public:
  void Fill(std::span<uint8_t> out) override {
    for (uint8_t& b : out) b = static_cast<uint8_t>(Next());
  }
  uint32_t Uniform(uint32_t upper) override {
    return upper == 0 ? 0 : static_cast<uint32_t>(Next() % upper);
  }

 private:
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t state_ = 2501;
};

// docs/spec/API.md's error table.
int StatusOfCode(const std::string& code) {
  static const std::map<std::string, int> kTable = {
      {"invalid_request", 400},    {"weak_password", 400},
      {"unauthenticated", 401},    {"invalid_credentials", 401},
      {"key_malformed", 401},      {"key_invalid", 401},
      {"key_revoked", 401},        {"key_expired", 401},
      {"csrf_failed", 403},        {"session_required", 403},
      {"org_out_of_scope", 403},   {"forbidden", 403},
      {"not_found", 404},          {"method_not_allowed", 405},
      {"email_taken", 409},        {"conflict", 409},
      {"payload_too_large", 413},  {"rate_limited", 429},
      {"cross_site_request", 403}, {"unsupported_media_type", 415},
      {"invalid_token", 400},      {"two_factor_required", 403}};
  auto it = kTable.find(code);
  return it == kTable.end() ? -1 : it->second;
}

std::string_view Header(const http::HttpResponse& res, beast_http::field f) {
  auto it = res.find(f);
  return it == res.end() ? std::string_view() : std::string_view(it->value());
}

std::string_view Header(const http::HttpResponse& res, std::string_view name) {
  auto it = res.find(name);
  return it == res.end() ? std::string_view() : std::string_view(it->value());
}

// A Cookie header with the session token `token` (the fixture serves plain HTTP).
std::string SessionCookie(const std::string& token) {
  return std::string(http::SessionCookieName(/*secure=*/false)) + "=" + token;
}

}  // namespace

void Require(bool ok, std::string_view what, const http::HttpResponse* res) {
  if (ok) return;
  std::fprintf(stderr, "API invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  if (res != nullptr) {
    std::fprintf(stderr, "status %u, body: %.*s\n", res->result_int(),
                 static_cast<int>(std::min<size_t>(res->body().size(), 2000)), res->body().data());
  }
  std::abort();
}

struct ApiFixture::World {
  World()
      : store(Open()),
        clock(FromUnix(1767225600)),  // 2026-01-01T00:00:00Z, forever
        app(BuildApp(
            AppOptions{
                // No background writes: one thread, and every input meets the same store.
                .usage_interval = std::chrono::hours(1),
                .password_params = PasswordHasher::kCheapParams,
            },
            *store, clock, random)),
        api(app->api) {}

  static std::unique_ptr<Store> Open() {
    auto opened = OpenStore("sqlite::memory:");
    Require(opened.ok(), "OpenStore(sqlite::memory:) failed");
    return std::move(opened).value();
  }

  std::unique_ptr<Store> store;
  FakeClock clock;
  DeterministicRandom random;
  std::unique_ptr<App> app;
  http::Api& api;

  // The world's names, filled by Populate().
  std::map<char, std::string> values;  // placeholder letter -> text
  std::string cookie_a, cookie_b, csrf_a, csrf_b;
  std::vector<std::string> secrets;  // never allowed in an answer
};

ApiFixture::ApiFixture() {
  spdlog::set_level(spdlog::level::off);  // handlers log errors; a fuzzer wants silence
  Rebuild();
}

ApiFixture::~ApiFixture() = default;

void ApiFixture::Rebuild() {
  world_.reset();
  world_ = std::make_unique<World>();
  sent_since_rebuild_ = 0;
  Populate();
}

void ApiFixture::Populate() {
  World& w = *world_;

  auto call = [&](beast_http::verb method, const std::string& target, const json& body,
                  const std::string& cookie, const std::string& csrf,
                  const std::string& bearer) -> std::pair<unsigned, json> {
    http::Request req;
    req.msg = http::HttpRequest(method, target, 11);
    req.remote_ip = "198.51.100.1";
    req.request_id = "setup";
    if (!cookie.empty()) req.msg.set(beast_http::field::cookie, SessionCookie(cookie));
    if (!csrf.empty()) req.msg.set("X-CSRF-Token", csrf);
    if (!bearer.empty()) req.msg.set(beast_http::field::authorization, "Bearer " + bearer);
    if (!body.is_null()) {
      req.msg.set(beast_http::field::content_type, "application/json");
      req.msg.body() = body.dump();
    }
    req.msg.prepare_payload();
    http::HttpResponse res = w.api.Handle(req);
    if (res.result_int() >= 300) Require(false, "fixture setup request failed: " + target, &res);
    json j = res.body().empty() ? json() : json::parse(res.body());
    if (method == beast_http::verb::post && target == "/api/signup") {
      const std::string set_cookie(Header(res, beast_http::field::set_cookie));
      const size_t eq = set_cookie.find('='), semi = set_cookie.find(';');
      j["cookie"] = set_cookie.substr(eq + 1, semi - eq - 1);
    }
    return {res.result_int(), j};
  };
  using beast_http::verb;

  auto a =
      call(verb::post, "/api/signup",
           {{"email", "a@example.com"}, {"password", "password-a"}, {"name", "Ada"}}, "", "", "")
          .second;
  auto b =
      call(verb::post, "/api/signup",
           {{"email", "b@example.com"}, {"password", "password-b"}, {"name", "Bob"}}, "", "", "")
          .second;
  w.cookie_a = a["cookie"];
  w.csrf_a = a["csrf_token"];
  w.cookie_b = b["cookie"];
  w.csrf_b = b["csrf_token"];
  auto& v = w.values;
  v['A'] = a["account"]["id"];
  v['B'] = b["account"]["id"];
  auto as_a = [&](verb m, const std::string& t, const json& body) {
    return call(m, t, body, w.cookie_a, w.csrf_a, "").second;
  };
  auto as_b = [&](verb m, const std::string& t, const json& body) {
    return call(m, t, body, w.cookie_b, w.csrf_b, "").second;
  };
  v['O'] = as_a(verb::post, "/api/orgs", {{"name", "Org A"}})["org"]["id"];
  v['P'] = as_b(verb::post, "/api/orgs", {{"name", "Org B"}})["org"]["id"];
  v['M'] = as_b(verb::post, "/api/orgs", {{"name", "Org M"}})["org"]["id"];
  // A joins B's org M. People join by accepting an invitation to their verified address, whose
  // link only a mail carries: the fixture adds the membership through the store instead.
  Require(w.store
              ->AddMember(v['M'], v['A'], Role::kMember,
                          EventRecord{.id = "evt_setup_join",
                                      .at = w.clock.Now(),
                                      .action = "org.invitation_accepted",
                                      .actor_id = v['A'],
                                      .org_id = v['M'],
                                      .target_id = v['A'],
                                      .ip = "198.51.100.1"})
              .ok(),
          "fixture setup: A joins M");
  auto k = as_a(verb::post, "/api/keys", {{"name", "unscoped"}});
  v['K'] = k["key"]["id"];
  v['S'] = k["secret"];
  auto t = as_a(verb::post, "/api/keys", {{"name", "scoped"}, {"org_id", v['O']}});
  v['Y'] = t["key"]["id"];
  v['T'] = t["secret"];
  auto x = as_a(verb::post, "/api/keys", {{"name", "revoked"}});
  v['X'] = x["key"]["id"];
  v['R'] = x["secret"];
  as_a(verb::post, "/api/keys/" + v['X'] + "/revoke", nullptr);
  auto l = as_b(verb::post, "/api/keys", {{"name", "b key"}, {"org_id", v['P']}});
  v['L'] = l["key"]["id"];
  v['U'] = l["secret"];
  v['H'] = call(verb::post, "/api/v1/orgs/" + v['O'] + "/hosts",
                {{"name", "host-a"}, {"address", "10.0.0.1"}}, "", "", v['S'])
               .second["host"]["id"];
  v['G'] = call(verb::post, "/api/v1/orgs/" + v['O'] + "/agents",
                {{"name", "agent-a"}, {"host_id", v['H']}}, "", "", v['S'])
               .second["agent"]["id"];
  v['Q'] = call(verb::post, "/api/v1/orgs/" + v['P'] + "/hosts",
                {{"name", "host-b"}, {"address", "10.0.0.2"}}, "", "", v['U'])
               .second["host"]["id"];
  w.secrets = {v['S'], v['T'], v['R'], v['U'], w.cookie_a, w.cookie_b};
}

std::string ApiFixture::Expand(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size()) {
      auto it = world_->values.find(text[i + 1]);
      if (it != world_->values.end()) {
        out += it->second;
        ++i;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

ApiFixture::Credentials ApiFixture::ParseCredentials(std::string_view line) const {
  Credentials c;
  const size_t space = line.find(' ');
  for (char f : line.substr(0, space)) {
    switch (f) {
      case 'c':
        c.cookie = true;
        break;
      case 'b':
        c.cookie = true;
        c.as_b = true;
        break;
      case 'x':
        c.csrf = true;
        break;
      case 'k':
        c.authorization = "Bearer " + world_->values.at('S');
        break;
      case 's':
        c.authorization = "Bearer " + world_->values.at('T');
        break;
      case 'r':
        c.authorization = "Bearer " + world_->values.at('R');
        break;
      case 'u':
        c.authorization = "Bearer " + world_->values.at('U');
        break;
      default:
        break;
    }
  }
  if (space != std::string_view::npos) c.authorization = Expand(line.substr(space + 1));
  return c;
}

http::HttpResponse ApiFixture::Send(std::string_view method, std::string_view target,
                                    std::string body, const Credentials& credentials) {
  if (++sent_since_rebuild_ > kRequestsPerRebuild) Rebuild();  // bounds what failures leave
  World& w = *world_;
  http::Request req;
  req.msg.version(11);
  const beast_http::verb verb = beast_http::string_to_verb(method);
  if (verb == beast_http::verb::unknown) {
    req.msg.method_string(method);
  } else {
    req.msg.method(verb);
  }
  req.msg.target(target);
  req.remote_ip = "203.0.113.7";
  req.request_id = "fuzz-" + std::to_string(++requests_);
  req.msg.set(beast_http::field::host, "localhost");
  if (credentials.cookie) {
    req.msg.set(beast_http::field::cookie,
                SessionCookie(credentials.as_b ? w.cookie_b : w.cookie_a));
  }
  if (credentials.csrf) req.msg.set("X-CSRF-Token", credentials.as_b ? w.csrf_b : w.csrf_a);
  if (!credentials.authorization.empty()) {
    req.msg.set(beast_http::field::authorization, credentials.authorization);
  }
  if (!body.empty()) req.msg.set(beast_http::field::content_type, "application/json");
  req.msg.body() = std::move(body);
  req.msg.prepare_payload();

  http::HttpResponse res = w.api.Handle(req);
  const std::string path(req.path);
  CheckResponse(req, res);
  // TFZO_FUZZ_VERBOSE=1: one line per request, to see where seeds land (fuzz/README.md).
  static const bool verbose = std::getenv("TFZO_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "%.*s %.*s -> %u\n", static_cast<int>(req.msg.method_string().size()),
                 req.msg.method_string().data(),
                 static_cast<int>(std::min<size_t>(path.size(), 200)), path.data(),
                 res.result_int());
  }

  // Anything that may have changed the world (a success that is not a read) rebuilds it, so
  // the next input meets the same accounts, keys and sessions.
  const bool read =
      req.msg.method() == beast_http::verb::get || req.msg.method() == beast_http::verb::head;
  if (!read && res.result_int() < 300) Rebuild();
  return res;
}

void ApiFixture::CheckResponse(const http::Request& req, const http::HttpResponse& res) const {
  const std::string_view method = req.msg.method_string();
  const std::string_view path = req.path;
  const unsigned st = res.result_int();
  Require(st >= 200 && st < 500, "a 5xx (or a status outside 2xx-4xx) answer", &res);
  Require(Header(res, "X-Request-Id").starts_with("fuzz-"), "no X-Request-Id", &res);
  for (const std::string& secret : world_->secrets) {
    // An answer may echo what the client itself sent (an unknown field's name, a description).
    if (req.msg.body().find(secret) != std::string::npos ||
        std::string_view(req.msg.target()).find(secret) != std::string_view::npos) {
      continue;
    }
    Require(res.body().find(secret) == std::string::npos, "an answer carries a secret", &res);
    for (const auto& h : res) {
      if (h.name() != beast_http::field::set_cookie) {
        Require(std::string_view(h.value()).find(secret) == std::string_view::npos,
                "a header carries a secret", &res);
      }
    }
  }
  // Envoy's form of the key check grants with 200 and no body (ext_authz passes only a 200).
  if (method == "HEAD" || st == 204 || (st == 200 && http::IsForwardedKeyCheck(path))) {
    Require(res.body().empty(), "a HEAD, 204 or granted key check answer with a body", &res);
    return;
  }
  const bool json_body =
      Header(res, beast_http::field::content_type).starts_with("application/json");
  const bool api = path.starts_with("/api/") || path == "/healthz";
  if (st >= 400 || (api && path != "/metrics")) {
    Require(json_body, "an API answer or error that is not JSON", &res);
  }
  if (!json_body) return;
  json j = json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
  Require(!j.is_discarded(), "a JSON answer that does not parse", &res);
  Require(j.is_object(), "a JSON answer that is not an object", &res);
  if (st < 400) return;

  // {"error": {"code", "message"}} and nothing else; the code is docs/spec/API.md's for the status.
  Require(j.size() == 1 && j.contains("error") && j["error"].is_object(), "malformed error body",
          &res);
  const json& e = j["error"];
  Require(e.size() == 2 && e.contains("code") && e["code"].is_string() && e.contains("message") &&
              e["message"].is_string() && !e["message"].get<std::string>().empty(),
          "error without code and message", &res);
  const std::string code = e["code"];
  Require(StatusOfCode(code) == static_cast<int>(st), "error code does not match the status", &res);
  if (code == "invalid_request") {
    // "name: must be 1 to 100 characters": the field first. An unknown field's name is the
    // client's own text, so it may hold anything.
    const std::string message = e["message"];
    const size_t colon = message.find(": ");
    bool field_first = colon != std::string::npos && colon > 0;
    for (size_t i = 0; field_first && i < colon; ++i) {
      const char c = message[i];
      field_first = (c >= 'a' && c <= 'z') || c == '_';
    }
    Require(field_first || message.ends_with(": unknown field"),
            "invalid_request message does not start with the field name", &res);
  }
  if (st == 405) Require(!Header(res, beast_http::field::allow).empty(), "405 without Allow", &res);
  if (st == 429) {
    Require(!Header(res, beast_http::field::retry_after).empty(), "429 without Retry-After", &res);
  }
  if (st == 401 && path.starts_with("/api/v1/")) {
    // The key check (nginx auth_request, Envoy ext_authz) names its realm, and leaves the
    // error out when no key was sent (RFC 6750 3.1); every other /api/v1 route answers one way.
    const std::string_view challenge = Header(res, beast_http::field::www_authenticate);
    const bool check = path.starts_with(http::kKeyCheckPath);
    Require(check ? challenge.starts_with("Bearer realm=\"2501\"")
                  : challenge == "Bearer error=\"invalid_token\"",
            "401 on /api/v1 without WWW-Authenticate", &res);
  }
}

}  // namespace tfzo::fuzz
