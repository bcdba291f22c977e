// Fuzzes the JSON request decoding of every endpoint of docs/spec/API.md: one request per input,
// through the real Api::Handle over SQLite in memory (see api_fixture.h). Input format (text):
//
//   METHOD TARGET\n          e.g. "POST /api/orgs/$O/members"  ($X: the fixture's ids)
//   CREDENTIALS\n            letters: c cookie, x CSRF, b B's cookie, k/s/r/u Bearer keys;
//                            after a space, a raw Authorization value
//   BODY                     the rest, bytes as they are ($X placeholders expanded)
//
// Every answer must be 2xx with JSON or docs/spec/API.md's JSON error with the status of its code;
// never a crash, a sanitizer report or a 5xx.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tfzo::fuzz::ApiFixture fixture;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto next_line = [&in]() {
    const size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    return line;
  };
  const std::string_view request_line = next_line();
  const std::string_view credentials = next_line();
  const size_t space = request_line.find(' ');
  std::string_view method = request_line.substr(0, space);
  std::string_view target =
      space == std::string_view::npos ? std::string_view("/") : request_line.substr(space + 1);
  // The endpoints' methods only: other methods are the router fuzzer's.
  if (method != "GET" && method != "POST" && method != "PATCH" && method != "DELETE" &&
      method != "PUT" && method != "HEAD") {
    method = "POST";
  }
  if (target.empty() || target.front() != '/') return 0;  // Beast's parser refuses these
  fixture.Send(method, fixture.Expand(target), fixture.Expand(in),
               fixture.ParseCredentials(credentials));
  return 0;
}
