#ifndef TFZO_AUTH_BOUNDED_POOL_H_
#define TFZO_AUTH_BOUNDED_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"

namespace tfzo {

// A fixed number of threads and a bounded number of waiting tasks, for expensive CPU work
// (argon2id) that must not take over the threads serving everything else. Run() hands a task
// to the pool and blocks its caller until the task has run; when `threads` tasks run and
// `max_waiting` wait already, it refuses at once with kUnavailable (Retry-After 1 s) instead
// of queueing without end. So at most `capacity()` callers are ever blocked in Run(): the
// wiring keeps that below the HTTP worker count (docs/DESIGN.md). Owns its threads; the
// destructor runs what is queued and joins them. Thread-safe.
class BoundedPool {
 public:
  // How the pool's threads are scheduled beside the threads serving everything else.
  enum class Priority {
    kNormal,
    // Only when a core has nothing else to run (Linux's SCHED_IDLE; niceness 19 where that is
    // refused): a thread waking on the core (an I/O thread with a request) takes it at once
    // instead of waiting for the end of the pool thread's time slice.
    kIdle,
  };
  // `name`: its threads' name (NameThisThread).
  BoundedPool(int threads, int max_waiting, Priority priority = Priority::kNormal,
              std::string name = "pool");
  ~BoundedPool();
  BoundedPool(const BoundedPool&) = delete;
  BoundedPool& operator=(const BoundedPool&) = delete;

  // Runs `task` on a pool thread and returns once it has run (an exception it throws is
  // rethrown here). kUnavailable, without running it, when the pool is full.
  Status Run(const std::function<void()>& task);

  int threads() const { return static_cast<int>(threads_.size()); }
  // Callers that may be inside Run() at once: running plus waiting.
  int capacity() const { return capacity_; }
  // Callers inside Run() now (for tests and metrics).
  int in_flight() const;

  // The answer when the pool is full: the server is busy, with nothing about why.
  static Status Busy();

 private:
  void Work();

  const int capacity_;
  const Priority priority_;
  const std::string name_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::packaged_task<void()>> queue_;  // guarded by mu_
  int in_flight_ = 0;                             // guarded by mu_
  bool stopping_ = false;                         // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace tfzo

#endif  // TFZO_AUTH_BOUNDED_POOL_H_
