#include "core/thread_name.h"

#include <pthread.h>

#include <algorithm>

namespace tfzo {

namespace {
constexpr size_t kMaxName = 15;  // TASK_COMM_LEN less its terminating NUL
}  // namespace

void NameThisThread(std::string_view name) {
  const std::string cut(name.substr(0, std::min(name.size(), kMaxName)));
  pthread_setname_np(pthread_self(), cut.c_str());
}

std::string ThisThreadName() {
  char name[kMaxName + 1] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return {};
  return name;
}

}  // namespace tfzo
