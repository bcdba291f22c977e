#include "http/router.h"

namespace tfzo::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(beast_http::verb method, std::string pattern, Handler handler,
                 bool may_run_inline) {
  Route route{method, std::move(pattern), {}, std::move(handler), may_run_inline};
  for (std::string_view s : Split(route.pattern)) route.segments.emplace_back(s);
  routes_.push_back(std::move(route));
}

bool Router::Matches(const Route& route, const std::vector<std::string_view>& segments,
                     std::unordered_map<std::string, std::string>* params) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (IsParam(want)) {
      if (segments[i].empty()) return false;
    } else if (want != segments[i]) {
      return false;
    }
  }
  if (params != nullptr) {
    for (size_t i = 0; i < segments.size(); ++i) {
      const std::string& want = route.segments[i];
      if (IsParam(want)) (*params)[want.substr(1, want.size() - 2)] = std::string(segments[i]);
    }
  }
  return true;
}

Router::Match Router::Find(beast_http::verb method, std::string_view path,
                           std::unordered_map<std::string, std::string>& params) const {
  const std::vector<std::string_view> segments = Split(path);
  Match match;
  for (const Route& route : routes_) {
    if (route.method == method && Matches(route, segments, &params)) {
      match.handler = &route.handler;
      match.pattern = route.pattern;
      match.may_run_inline = route.may_run_inline;
      return match;
    }
  }
  for (const Route& route : routes_) {
    if (Matches(route, segments, nullptr)) {
      std::string_view name = beast_http::to_string(route.method);
      if (match.allow.find(name) == std::string::npos) {
        if (!match.allow.empty()) match.allow += ", ";
        match.allow += name;
      }
      match.pattern = route.pattern;
    }
  }
  return match;
}

}  // namespace tfzo::http
