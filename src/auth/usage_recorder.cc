#include "auth/usage_recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/thread_name.h"

namespace tfzo {

UsageRecorder::UsageRecorder(Store& store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval), thread_([this] { Run(); }) {}

UsageRecorder::~UsageRecorder() { Stop(); }

UsageRecorder::Use* UsageRecorder::Find(std::string_view key_id) {
  return const_cast<Use*>(std::as_const(*this).Find(key_id));
}

const UsageRecorder::Use* UsageRecorder::Find(std::string_view key_id) const {
  if (std::optional<InlineId> id = InlineId::From(key_id)) return uses_.Find(*id);
  auto it = long_uses_.find(std::string(key_id));
  return it == long_uses_.end() ? nullptr : &it->second;
}

UsageRecorder::Use& UsageRecorder::Track(const std::string& key_id) {
  std::lock_guard lock(mu_);
  return TrackLocked(key_id);
}

UsageRecorder::Use& UsageRecorder::TrackLocked(const std::string& key_id) {
  if (Use* use = Find(key_id)) return *use;
  if (std::optional<InlineId> id = InlineId::From(key_id)) {
    uses_.InsertOrAssign(*id, Use{});
    return *uses_.Find(*id);
  }
  return long_uses_[key_id];
}

void UsageRecorder::Record(const std::string& key_id, Time at) {
  std::lock_guard lock(mu_);
  RecordLocked(TrackLocked(key_id), key_id, at);
}

void UsageRecorder::Record(Use& use, const std::string& key_id, Time at) {
  std::lock_guard lock(mu_);
  RecordLocked(use, key_id, at);
}

void UsageRecorder::RecordLocked(Use& use, const std::string& key_id, Time at) {
  if (use.at && !(*use.at < at)) return;
  use.before = use.at;
  use.at = at;
  MarkDirtyLocked(use, key_id);
}

void UsageRecorder::MarkDirtyLocked(Use& use, std::string_view key_id) {
  if (use.dirty) return;
  use.dirty = true;
  if (std::optional<InlineId> id = InlineId::From(key_id)) {
    dirty_.push_back({&use, *id});
  } else {
    long_dirty_.emplace_back(&use, key_id);
  }
}

std::optional<Time> UsageRecorder::LastUse(const std::string& key_id) const {
  std::lock_guard lock(mu_);
  const Use* use = Find(key_id);
  if (use == nullptr) return std::nullopt;
  return use->at;
}

std::optional<Time> UsageRecorder::UseBefore(const std::string& key_id, Time now) const {
  std::lock_guard lock(mu_);
  const Use* use = Find(key_id);
  return use != nullptr ? UseBeforeLocked(*use, now) : std::nullopt;
}

std::optional<Time> UsageRecorder::UseBefore(const Use& use, Time now) const {
  std::lock_guard lock(mu_);
  return UseBeforeLocked(use, now);
}

std::optional<Time> UsageRecorder::UseBeforeLocked(const Use& use, Time now) {
  if (!use.at) return std::nullopt;
  if (*use.at < now) return use.at;
  return use.before;
}

Status UsageRecorder::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  const auto started = std::chrono::steady_clock::now();
  // The keys used since the last flush, not a scan of every key ever used.
  std::vector<Dirty> dirty;
  std::vector<std::pair<Use*, std::string>> long_dirty;
  {
    std::lock_guard lock(mu_);
    dirty.swap(dirty_);
    long_dirty.swap(long_dirty_);
  }
  // In id order, the order of the store's index: SQLite then updates the rows a page at a time
  // instead of jumping between pages (50,000 keys of 100,000 through Python's sqlite3 module:
  // 1.0-1.1 µs a row sorted, 1.5-1.6 not, about 0.8 of it the module's own). Sorted outside
  // the lock.
  std::sort(dirty.begin(), dirty.end(),
            [](const Dirty& a, const Dirty& b) { return a.id.view() < b.id.view(); });
  // The ids are views of those above: no copy of a million strings.
  Store::KeyUses batch;
  batch.reserve(dirty.size() + long_dirty.size());
  // Each use's latest time, its mark cleared (a later use marks it again), a thousand at a time:
  // with a million keys in use, one pass would hold the lock (and every request) for
  // milliseconds. The uses, all over the table, are read a few ahead.
  constexpr size_t kPerLock = 1024;
  constexpr size_t kAhead = 8;
  for (size_t from = 0; from < dirty.size(); from += kPerLock) {
    std::lock_guard lock(mu_);
    for (size_t i = from; i < std::min(dirty.size(), from + kPerLock); ++i) {
      if (i + kAhead < dirty.size()) __builtin_prefetch(dirty[i + kAhead].use, /*rw=*/1);
      dirty[i].use->dirty = false;
      batch.emplace_back(dirty[i].id.view(), *dirty[i].use->at);  // dirty: used
    }
  }
  {
    std::lock_guard lock(mu_);
    for (auto& [use, id] : long_dirty) {
      use->dirty = false;
      batch.emplace_back(id, *use->at);
    }
  }
  if (batch.empty()) {
    NoteCaughtUp();
    return Status::Ok();
  }
  Status status = store_.RecordKeyUses(batch);
  const int64_t took = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  flushes_.fetch_add(1, std::memory_order_relaxed);
  flush_ns_.fetch_add(took, std::memory_order_relaxed);
  last_flush_ns_.store(took, std::memory_order_relaxed);
  if (status.ok()) {
    uses_written_.fetch_add(batch.size(), std::memory_order_relaxed);
    NoteCaughtUp();
  } else {
    failed_flushes_.fetch_add(1, std::memory_order_relaxed);
    // Mark the batch dirty again so the next flush retries it.
    std::lock_guard lock(mu_);
    for (const auto& [id, at] : batch) MarkDirtyLocked(*Find(id), id);
    spdlog::warn("last_used_at flush of {} keys failed: {}", batch.size(), status.message());
  }
  return status;
}

void UsageRecorder::NoteCaughtUp() {
  caught_up_ms_.store(std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count(),
                      std::memory_order_relaxed);
}

UsageRecorder::Stats UsageRecorder::stats() const {
  Stats s{
      .flushes = flushes_.load(std::memory_order_relaxed),
      .failed_flushes = failed_flushes_.load(std::memory_order_relaxed),
      .uses_written = uses_written_.load(std::memory_order_relaxed),
      .seconds = static_cast<double>(flush_ns_.load(std::memory_order_relaxed)) / 1e9,
      .last_seconds = static_cast<double>(last_flush_ns_.load(std::memory_order_relaxed)) / 1e9};
  if (const int64_t ms = caught_up_ms_.load(std::memory_order_relaxed); ms >= 0) {
    s.caught_up_unix = static_cast<double>(ms) / 1e3;
  }
  return s;
}

void UsageRecorder::Run() {
  NameThisThread("usage-flush");
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
