#ifndef TFZO_SERVICE_PERIODIC_JOB_H_
#define TFZO_SERVICE_PERIODIC_JOB_H_

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "core/result.h"
#include "core/thread_name.h"
#include "service/context.h"

namespace tfzo {

// What one tick of a periodic job came to: it ran (successfully), another node (or an earlier
// run within the interval) had it (skipped), or the claim or the run failed.
enum class JobOutcome { kRan, kSkipped, kFailed };
inline std::string_view JobOutcomeName(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::kRan:
      return "ran";
    case JobOutcome::kSkipped:
      return "skipped";
    case JobOutcome::kFailed:
      return "failed";
  }
  return "failed";
}
// Hears each tick's outcome (the server counts them in /metrics), on the job's thread.
using JobObserver = std::function<void(std::string_view job, JobOutcome outcome)>;

// Runs `run` now and every interval on a thread of its own, until Stop(), once per cluster:
// each tick first claims the job `id` through the store (Store::RunJob), so that of several
// nodes on one database one runs it per interval and no two at once; a node that did not
// claim it skips that tick. Logs what each run did: "<name>: <count> <done>" when it did
// something, a warning when it failed. The server's periodic jobs (ExpiryNotices,
// SessionPurge, UnusedKeyRevocation) each own one. Start and Stop from one thread; Stop is
// idempotent and waits for a run in progress.
class PeriodicJob {
 public:
  PeriodicJob(const ServiceDeps& deps, std::string id, std::string name, std::string done,
              std::function<Result<int>()> run)
      : store_(deps.store),
        clock_(deps.clock),
        id_(std::move(id)),
        name_(std::move(name)),
        done_(std::move(done)),
        run_(std::move(run)) {}
  ~PeriodicJob() { Stop(); }
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  // The job's name in the store and in /metrics ("session_purge").
  const std::string& id() const { return id_; }

  // One tick: claims the job for the interval that starts now and, when claimed, runs it.
  JobOutcome Tick(std::chrono::milliseconds interval) {
    std::optional<Result<int>> count;
    const Result<bool> ran =
        store_.RunJob(id_, clock_.Now(), std::chrono::ceil<std::chrono::seconds>(interval),
                      [&] { count = run_(); });
    if (!ran.ok()) {
      spdlog::warn("{}: {}", name_, ran.status().message());
      return JobOutcome::kFailed;
    }
    if (!*ran) return JobOutcome::kSkipped;
    if (!count->ok()) {
      spdlog::warn("{}: {}", name_, count->status().message());
      return JobOutcome::kFailed;
    }
    if (**count > 0) spdlog::info("{}: {} {}", name_, **count, done_);
    return JobOutcome::kRan;
  }

  void Start(std::chrono::milliseconds interval, JobObserver observer = {}) {
    thread_ = std::jthread([this, interval, observer = std::move(observer)](std::stop_token stop) {
      NameThisThread(id_);
      while (!stop.stop_requested()) {
        const JobOutcome outcome = Tick(interval);
        if (observer) observer(id_, outcome);
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
  Store& store_;
  const Clock& clock_;
  const std::string id_;
  const std::string name_;
  const std::string done_;
  const std::function<Result<int>()> run_;
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

// The shell shared by the server's periodic jobs (ExpiryNotices, SessionPurge,
// UnusedKeyRevocation): owns the deps and the PeriodicJob that runs Derived::RunOnce() (a
// Result<int>, the count logged with `done`), and gives them Start and Stop. Derived keeps only
// its own: RunOnce and its constants.
template <typename Derived>
class PeriodicService {
 public:
  PeriodicService(const PeriodicService&) = delete;
  PeriodicService& operator=(const PeriodicService&) = delete;

  // Runs RunOnce now and every `interval` on a thread of its own, until Stop().
  void Start(std::chrono::milliseconds interval, JobObserver observer = {}) {
    job_.Start(interval, std::move(observer));
  }
  // Idempotent.
  void Stop() { job_.Stop(); }

 protected:
  PeriodicService(ServiceDeps deps, std::string id, std::string name, std::string done)
      : deps_(deps), job_(deps_, std::move(id), std::move(name), std::move(done), [this] {
          return static_cast<Derived*>(this)->RunOnce();
        }) {}
  ~PeriodicService() = default;

  ServiceDeps deps_;

 private:
  PeriodicJob job_;  // last: destroyed (stopped) first, while deps_ is still there
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_PERIODIC_JOB_H_
