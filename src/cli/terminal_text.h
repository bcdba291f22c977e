#ifndef TFZO_CLI_TERMINAL_TEXT_H_
#define TFZO_CLI_TERMINAL_TEXT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace tfzo::cli {

// Text the server sent, made safe to print on a terminal: C0 controls, DEL, C1 controls, bidi
// overrides/isolates/marks and line/paragraph separators become visible escapes (`\x1b`,
// `\u202e`), and bytes that are not UTF-8 become `\xNN`, so a name chosen by someone else cannot
// move the cursor, recolour, hide or reorder what the CLI prints. `keep_newlines` keeps '\n' (for
// a whole multi-line document). Pure functions; thread-safe.
std::string TerminalSafe(std::string_view text, bool keep_newlines = false);

// Every string value in `j` (recursively) made TerminalSafe.
void MakeTerminalSafe(nlohmann::json& j);

// A server's JSON answer for --json: unchanged when it is already safe to print, else the same
// JSON re-encoded with every non-ASCII character escaped (`\u202e`); text that is not JSON is
// made TerminalSafe.
std::string TerminalSafeJson(std::string_view body);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_TERMINAL_TEXT_H_
