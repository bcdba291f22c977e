#ifndef TFZO_CORE_EMBEDDED_FILE_H_
#define TFZO_CORE_EMBEDDED_FILE_H_

#include <string_view>
#include <vector>

namespace tfzo {

// A file compiled into the binary by cmake/embed.cmake (the console, schema migrations).
// Immutable; safe to share between threads.
struct EmbeddedFile {
  std::string_view path;  // relative to the embedded directory, '/'-separated
  std::string_view data;
};

}  // namespace tfzo

#endif  // TFZO_CORE_EMBEDDED_FILE_H_
