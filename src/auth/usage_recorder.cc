#include "auth/usage_recorder.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace tfzo {

UsageRecorder::UsageRecorder(Store& store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval), thread_([this] { Run(); }) {}

UsageRecorder::~UsageRecorder() { Stop(); }

void UsageRecorder::Record(const std::string& key_id, Time at) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = pending_.try_emplace(key_id, at);
  if (!inserted && it->second < at) it->second = at;
}

Status UsageRecorder::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  std::unordered_map<std::string, Time> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return Status::Ok();
  std::vector<std::pair<std::string, Time>> uses(batch.begin(), batch.end());
  Status status = store_.RecordKeyUses(uses);
  if (!status.ok()) {
    // Put the batch back so the next flush retries it; newer uses win.
    std::lock_guard lock(mu_);
    for (auto& [id, at] : uses) {
      auto [it, inserted] = pending_.try_emplace(id, at);
      if (!inserted && it->second < at) it->second = at;
    }
    spdlog::warn("last_used_at flush of {} keys failed: {}", uses.size(), status.message());
  }
  return status;
}

void UsageRecorder::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    lock.unlock();
    (void)Flush();
    lock.lock();
  }
}

void UsageRecorder::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  (void)Flush();
}

}  // namespace tfzo
