#ifndef TFZO_AUTH_USAGE_RECORDER_H_
#define TFZO_AUTH_USAGE_RECORDER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/flat_table.h"
#include "auth/inline_id.h"
#include "core/time.h"
#include "model/store.h"

namespace tfzo {

// Keeps each key's last use in memory and writes the ones that moved to the store in one
// batch every `interval` (never one write per request), and once more on Stop(). A crash
// loses at most one interval. LastUse() answers from memory, so readers see a use at once.
// Owned by the server's wiring; thread-safe; Record() is cheap (no allocation for a key
// already seen).
class UsageRecorder {
 public:
  // The server's interval: well within docs/DESIGN.md's "at least every 5 seconds".
  static constexpr std::chrono::seconds kDefaultInterval{2};

  UsageRecorder(Store& store, std::chrono::milliseconds interval);
  ~UsageRecorder();
  UsageRecorder(const UsageRecorder&) = delete;
  UsageRecorder& operator=(const UsageRecorder&) = delete;

  // What the recorder keeps of one key. A caller holds one only as Track's handle.
  struct Use {
    std::optional<Time> at;                     // the latest use; none yet
    bool dirty = false;                         // not written yet
    std::optional<Time> before = std::nullopt;  // the use `at` replaced (UseBefore)
  };

  // `key_id`'s place in the recorder, made if new: a handle a cache keeps beside the key, so
  // that recording its uses needs no lookup (KeyVerifier keeps one with each cached key). Valid
  // for the recorder's life: its uses are never erased, and neither table moves them.
  Use& Track(const std::string& key_id);

  void Record(const std::string& key_id, Time at);
  // The same through Track's handle for `key_id`.
  void Record(Use& use, const std::string& key_id, Time at);
  // The latest use recorded by this process, if any.
  std::optional<Time> LastUse(const std::string& key_id) const;
  // The latest use recorded by this process before the second `now` (a request's own use,
  // recorded at `now`, does not count), if any.
  std::optional<Time> UseBefore(const std::string& key_id, Time now) const;
  // The same through Track's handle.
  std::optional<Time> UseBefore(const Use& use, Time now) const;
  // Writes what is pending now. Returns the store's status.
  Status Flush();

  // What the flushes have done, for /metrics: read without waiting for a flush in progress.
  struct Stats {
    uint64_t flushes = 0;         // that wrote at least one use, or tried to
    uint64_t failed_flushes = 0;  // the store refused the batch (kept for the next flush)
    uint64_t uses_written = 0;    // rows the successful flushes handed the store
    double seconds = 0;           // spent in those flushes, in all
    double last_seconds = 0;      // the latest one's
    // The latest moment every use recorded before its flush had been written: the end of the
    // latest successful flush, or of one with nothing to write (Unix seconds; 0: none yet).
    double caught_up_unix = 0;
  };
  Stats stats() const;
  // Stops the background writer after a last flush. Idempotent.
  void Stop();

 private:
  void Run();
  void NoteCaughtUp();  // now is caught_up_unix

  Store& store_;
  const std::chrono::milliseconds interval_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  // The use of `key_id`, or nullptr. Under mu_.
  Use* Find(std::string_view key_id);
  const Use* Find(std::string_view key_id) const;
  // Track and Record, under mu_.
  Use& TrackLocked(const std::string& key_id);
  void RecordLocked(Use& use, const std::string& key_id, Time at);
  // Marks `use` dirty (under mu_), or, when it already is, does nothing.
  void MarkDirtyLocked(Use& use, std::string_view key_id);
  static std::optional<Time> UseBeforeLocked(const Use& use, Time now);

  // Looked up at every key check not made through a handle, among up to millions of keys: a
  // flat table, keyed in place (its nodes never move). An id too long for InlineId (this server
  // makes none) goes to long_uses_ instead. Guarded by mu_; never erased from.
  FlatTable<InlineId, Use, InlineId::Hash> uses_;
  std::unordered_map<std::string, Use> long_uses_;
  // The uses marked dirty, each once, with their ids: a key's first use since a flush costs no
  // allocation, and a flush reaches each use without a lookup. Guarded by mu_.
  struct Dirty {
    Use* use;
    InlineId id;
  };
  std::vector<Dirty> dirty_;
  std::vector<std::pair<Use*, std::string>> long_dirty_;  // ids too long for InlineId
  bool stopping_ = false;                                 // guarded by mu_
  // Stats, written by the flush, read by stats() without a lock.
  std::atomic<uint64_t> flushes_{0}, failed_flushes_{0}, uses_written_{0};
  std::atomic<int64_t> flush_ns_{0}, last_flush_ns_{0};
  std::atomic<int64_t> caught_up_ms_{-1};  // Unix milliseconds; -1: none yet
  std::mutex flush_mu_;                    // one flush at a time
  std::thread thread_;
};

}  // namespace tfzo

#endif  // TFZO_AUTH_USAGE_RECORDER_H_
