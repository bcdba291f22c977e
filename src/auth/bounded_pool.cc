#include "auth/bounded_pool.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "core/thread_name.h"

namespace tfzo {

BoundedPool::BoundedPool(int threads, int max_waiting, Priority priority, std::string name)
    : capacity_(std::max(1, threads) + std::max(0, max_waiting)),
      priority_(priority),
      name_(std::move(name)) {
  const int n = std::max(1, threads);
  threads_.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Work(); });
}

BoundedPool::~BoundedPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

Status BoundedPool::Busy() { return Unavailable("The server is busy: try again in a moment.", 1); }

int BoundedPool::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

Status BoundedPool::Run(const std::function<void()>& task) {
  std::future<void> done;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || in_flight_ >= capacity_) return Busy();
    ++in_flight_;
    std::packaged_task<void()> packaged([&task] { task(); });
    done = packaged.get_future();
    queue_.push_back(std::move(packaged));
  }
  ready_.notify_one();
  // The slot is this caller's until it stops waiting, so capacity() bounds blocked callers
  // exactly, whatever the pool's threads are doing.
  struct Release {
    BoundedPool* pool;
    ~Release() {
      std::lock_guard lock(pool->mu_);
      --pool->in_flight_;
    }
  } release{this};
  done.get();
  return Status::Ok();
}

void BoundedPool::Work() {
  NameThisThread(name_);
  // Lowering a thread's own priority needs no privilege; if it fails anyway, the pool works at
  // the priority it has.
  if (priority_ == Priority::kIdle) {
    const sched_param param{.sched_priority = 0};
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &param) != 0) {
      // Linux schedules threads, so PRIO_PROCESS with a thread id sets this thread's niceness.
      setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
    }
  }
  for (;;) {
    std::packaged_task<void()> task;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left for a waiting caller
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace tfzo
