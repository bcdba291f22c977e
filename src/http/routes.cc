#include "http/routes.h"

#include "auth/key_verifier.h"

namespace tfzo::http {

using beast_http::field;
using beast_http::verb;

namespace {

constexpr std::string_view kSessionCookie = "tfzo_session";
constexpr std::string_view kSecureSessionCookie = "__Host-tfzo_session";

// The value of cookie `name` in the request's Cookie headers, or "".
std::string_view CookieValue(const HttpRequest& msg, std::string_view name) {
  for (auto it = msg.find(field::cookie); it != msg.end() && it->name() == field::cookie; ++it) {
    std::string_view rest = it->value();
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return {};
}

bool StateChanging(verb method) {
  return method == verb::post || method == verb::patch || method == verb::delete_ ||
         method == verb::put;
}

Credentials CredentialsOf(const Request& request, bool secure_cookie) {
  const HttpRequest& msg = request.msg;
  Credentials c;
  if (auto it = msg.find(field::authorization); it != msg.end()) c.authorization = it->value();
  c.session_token = CookieValue(msg, SessionCookieName(secure_cookie));
  if (auto it = msg.find("X-CSRF-Token"); it != msg.end()) c.csrf_token = it->value();
  c.state_changing = StateChanging(msg.method());
  c.remote_ip = request.remote_ip;
  return c;
}

HttpResponse Answer(Result<HttpResponse> res, bool bearer_path) {
  return res.ok() ? std::move(res).value() : ErrorResponse(res.status(), bearer_path);
}

}  // namespace

std::string_view SessionCookieName(bool secure) {
  return secure ? kSecureSessionCookie : kSessionCookie;
}

HttpResponse Json(const json& body, beast_http::status status) {
  return JsonResponse(status, Dump(body));
}

void Routes::Public(verb method, std::string pattern, PublicHandler handler, bool may_run_inline) {
  const bool bearer_path = IsBearerPath(pattern);
  router_.Add(
      method, std::move(pattern),
      [bearer_path, handler = std::move(handler)](Request& request) {
        return Answer(handler(request), bearer_path);
      },
      may_run_inline);
}

void Routes::SignIn(verb method, std::string pattern, PublicHandler handler) {
  router_.Add(method, std::move(pattern),
              [handler = std::move(handler), same_origin = same_origin_](Request& request) {
                if (Status s = same_origin.Check(request.msg); !s.ok()) return ErrorResponse(s);
                return Answer(handler(request), false);
              });
}

void Routes::Console(verb method, std::string pattern, ConsoleHandler handler) {
  router_.Add(method, std::move(pattern),
              [handler = std::move(handler), &auth = sessions_, secure = secure_cookie_,
               same_origin = same_origin_, check_origin = StateChanging(method)](Request& request) {
                if (check_origin) {
                  if (Status s = same_origin.Check(request.msg); !s.ok()) return ErrorResponse(s);
                }
                Authenticator::Notes notes;
                const Credentials credentials = CredentialsOf(request, secure);
                auto principal = auth.Authenticate(credentials, notes);
                if (!principal.ok()) return ErrorResponse(principal.status());
                const Session session{
                    *principal->account, principal->csrf_token, credentials.session_token,
                    Caller{principal->account->id, request.remote_ip, principal->account->email}};
                return Answer(handler(request, session), false);
              });
}

void Routes::Cli(verb method, std::string pattern, std::optional<Permission> needs,
                 CliHandler handler, bool may_run_inline) {
  router_.Add(
      method, std::move(pattern),
      [handler = std::move(handler), needs, &auth = keys_,
       secure = secure_cookie_](Request& request) {
        Authenticator::Notes notes;
        auto principal = auth.Authenticate(CredentialsOf(request, secure), notes);
        request.key_check = notes.key_check;
        if (!principal.ok()) return ErrorResponse(principal.status(), true);
        if (needs) {
          const Status allowed = KeyVerifier::CheckPermission(*principal->key, *needs);
          if (!allowed.ok()) return ErrorResponse(allowed, true);
        }
        return Answer(handler(request, *principal->key), true);
      },
      may_run_inline);
}

void Routes::KeyCheck(verb method, std::string pattern, KeyCheckHandler handler) {
  router_.Add(
      method, std::move(pattern),
      [handler = std::move(handler), &auth = keys_, secure = secure_cookie_](Request& request) {
        Authenticator::Notes notes;
        const Result<Principal> principal =
            auth.Authenticate(CredentialsOf(request, secure), notes);
        request.key_check = notes.key_check;
        return handler(request, principal);
      },
      /*may_run_inline=*/true);
}

}  // namespace tfzo::http
