#ifndef TFZO_HTTP_LOG_SAFE_H_
#define TFZO_HTTP_LOG_SAFE_H_

#include <string>
#include <string_view>

namespace tfzo::http {

// `text` (a request target, a method, an exception's message: anything a client may have
// chosen) made fit for a log line: printable ASCII stays, `"` and `\` are escaped with a
// backslash, every other byte (controls, DEL, any byte of a non-ASCII character) becomes
// \xHH; and the letters and digits after every "tfzo_" (in any case, or "tfzo%5F": an API key,
// whole or in part; docs/spec/KEYS.md) become "[redacted]". A pure function.
std::string LogSafe(std::string_view text);
// The same, appended to `out` (no allocation of its own: the access log's hot path).
void AppendLogSafe(std::string_view text, std::string& out);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_LOG_SAFE_H_
