#ifndef TFZO_CLI_ATOMIC_FILE_H_
#define TFZO_CLI_ATOMIC_FILE_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/status.h"

namespace tfzo::cli {

// Replaces the file at `path` with `contents` so that a reader (or a crash) sees either the
// old file or the new one, never a mix: a temporary file in the same directory, created with
// `mode` from the start (a secret is never in a more readable file, not even briefly),
// written, fsync'ed, renamed over `path`, then the directory is fsync'ed. On failure the
// temporary file is removed and the old file is untouched. The directory must exist.
Status WriteFileAtomically(const std::string& path, std::string_view contents, mode_t mode);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_ATOMIC_FILE_H_
