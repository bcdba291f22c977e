#ifndef TFZO_CLI_BROWSER_H_
#define TFZO_CLI_BROWSER_H_

#include <string>

#include "cli/env.h"
#include "core/result.h"

namespace tfzo::cli {

// Opens `url` in the person's browser for `2501 login --web`: the first of `xdg-open` and
// `sensible-browser` found on PATH, started in its own session (Ctrl-C on the CLI does not reach
// it) with no terminal (stdin, stdout and stderr on /dev/null) and the environment minus
// TFZO_API_KEY; `url` is one argument, never through a shell. Returns the program's name. It
// waits up to 2 s for the program: one that fails in that time is an error (kUnavailable, its
// exit status); one still running (a browser in the foreground) is left running. kNotFound
// when neither program is on PATH. Call only with a URL that ParseDeviceCode checked.
Result<std::string> OpenBrowser(const std::string& url, const EnvLookup& env);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_BROWSER_H_
