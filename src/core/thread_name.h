#ifndef TFZO_CORE_THREAD_NAME_H_
#define TFZO_CORE_THREAD_NAME_H_

#include <string>
#include <string_view>

namespace tfzo {

// Names the calling thread, as `top -H`, `ps -L`, perf, gdb and /proc/PID/task/TID/comm show
// it. Linux keeps at most 15 bytes; a longer name is cut. docs/DESIGN.md ("Threads") lists
// the server's names.
void NameThisThread(std::string_view name);

// The calling thread's name ("" when it cannot be read).
std::string ThisThreadName();

}  // namespace tfzo

#endif  // TFZO_CORE_THREAD_NAME_H_
