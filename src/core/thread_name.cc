#include "core/thread_name.h"

#include <pthread.h>

#include <string>

namespace tfzo {

namespace {
constexpr size_t kMaxName = 15;  // TASK_COMM_LEN less its terminating NUL
}  // namespace

void NameThisThread(std::string_view name) {
  pthread_setname_np(pthread_self(), std::string(name.substr(0, kMaxName)).c_str());
}

std::string ThisThreadName() {
  char name[kMaxName + 1] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return {};
  return name;
}

}  // namespace tfzo
