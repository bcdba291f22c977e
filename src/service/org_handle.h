#ifndef TFZO_SERVICE_ORG_HANDLE_H_
#define TFZO_SERVICE_ORG_HANDLE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tfzo {

// Organization handles (docs/spec/API.md, "Console: organizations"): what the CLI and scripts
// name an organization by, globally unique, unlike display names. GitHub's rule for user and
// organization names: ASCII lower-case letters and digits, single hyphens between them, at
// most 39 characters. Stateless functions: thread-safe.

inline constexpr size_t kMaxHandleLength = 39;

// `value` when it is a handle ([a-z0-9](-?[a-z0-9])*, 1 to 39 characters); else
// kInvalidRequest with a message that starts with `field`.
Result<std::string> CheckHandle(std::string_view field, std::string_view value);

// The handle a display name (valid UTF-8) suggests: letters folded to lower case and stripped
// of their accents ("Société Générale" -> "societe-generale"), every run of anything else one
// '-', no '-' at either end, cut to kMaxHandleLength. "" when nothing is left (a name without a
// Latin letter or digit).
std::string HandleFromName(std::string_view name);

// `handle` with `suffix` ("-" and a few characters) appended, `handle` cut first so that the
// whole is at most kMaxHandleLength and still a handle.
std::string HandleWithSuffix(std::string_view handle, std::string_view suffix);

}  // namespace tfzo

#endif  // TFZO_SERVICE_ORG_HANDLE_H_
