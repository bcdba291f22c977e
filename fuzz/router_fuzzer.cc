// Fuzzes the router over the real route table: arbitrary methods and targets (no body)
// through Api::Handle (see api_fixture.h), credentials chosen so that a matched route runs
// its handler: A's session and CSRF token on console paths, A's unscoped key on /api/v1/.
// Input: "METHOD TARGET" ($X placeholders expanded in the target). Every answer must be a
// 2xx, a static file, or docs/spec/API.md's JSON error (404 for an unknown path, 405 with Allow for
// a known path with another method); never a crash or a 5xx.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tfzo::fuzz::ApiFixture fixture;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t space = in.find(' ');
  if (space == 0 || space == std::string_view::npos) return 0;
  const std::string_view method = in.substr(0, space);
  const std::string target = fixture.Expand(in.substr(space + 1));
  tfzo::fuzz::ApiFixture::Credentials credentials;
  if (std::string_view(target).starts_with("/api/v1/")) {
    credentials = fixture.ParseCredentials("k");
  } else {
    credentials = fixture.ParseCredentials("cx");
  }
  fixture.Send(method, target, "", credentials);
  return 0;
}
