#ifndef TFZO_SERVICE_VALIDATION_H_
#define TFZO_SERVICE_VALIDATION_H_

#include <string>
#include <string_view>

#include "core/result.h"

namespace tfzo {

// Rules shared by every service for text a person typed (docs/spec/API.md, "Text"). Each
// check answers the form to store, or kInvalidRequest with a message that starts with the
// field's name ("name: ..."), which the console uses to show it next to the field. Stateless
// functions: thread-safe.

// Number of Unicode code points in valid UTF-8.
size_t CodePoints(std::string_view utf8);

// `value` in Unicode normalization form C, once it is valid UTF-8 without control or format
// characters (general categories Cc and Cf: C0 and C1 controls, bidi overrides and isolates,
// zero-width characters, the BOM, the soft hyphen...) or line and paragraph separators (Zl,
// Zp), and `min`..`max` code points long after normalization. `multiline` lets newlines,
// carriage returns and tabs through (descriptions).
Result<std::string> CheckText(std::string_view field, std::string_view value, size_t min,
                              size_t max, bool multiline = false);

// `email` lower-cased, once it is a WHATWG HTML "valid e-mail address" whose domain has at
// least one dot, at most 254 characters: ASCII only, so lower-casing ASCII letters is the
// whole of case-insensitive comparison.
Result<std::string> CheckEmail(std::string_view field, std::string_view email);

// A User-Agent header as a session records it (GET /api/sessions shows it): printable ASCII
// only (anything else, a control character or a byte of UTF-8 included, becomes '?'), at most
// kMaxUserAgent characters. The header is the client's to write: this keeps it one short line.
inline constexpr size_t kMaxUserAgent = 256;
std::string SanitizeUserAgent(std::string_view user_agent);

}  // namespace tfzo

#endif  // TFZO_SERVICE_VALIDATION_H_
