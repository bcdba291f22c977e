#ifndef TFZO_SERVICE_PERIODIC_JOB_H_
#define TFZO_SERVICE_PERIODIC_JOB_H_

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "core/result.h"

namespace tfzo {

// Runs `run` now and every interval on a thread of its own, until Stop(), logging what each
// run did: "<name>: <count> <done>" when it did something, a warning when it failed. The
// server's periodic jobs (ExpiryNotices, SessionPurge) each own one. Start and Stop from one
// thread; Stop is idempotent and waits for a run in progress.
class PeriodicJob {
 public:
  PeriodicJob(std::string name, std::string done, std::function<Result<int>()> run)
      : name_(std::move(name)), done_(std::move(done)), run_(std::move(run)) {}
  ~PeriodicJob() { Stop(); }
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  void Start(std::chrono::milliseconds interval) {
    thread_ = std::jthread([this, interval](std::stop_token stop) {
      while (!stop.stop_requested()) {
        const Result<int> count = run_();
        if (!count.ok()) {
          spdlog::warn("{}: {}", name_, count.status().message());
        } else if (*count > 0) {
          spdlog::info("{}: {} {}", name_, *count, done_);
        }
        std::unique_lock lock(mu_);
        wake_.wait_for(lock, stop, interval, [] { return false; });
      }
    });
  }

  void Stop() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    thread_.join();
  }

 private:
  const std::string name_;
  const std::string done_;
  const std::function<Result<int>()> run_;
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_PERIODIC_JOB_H_
