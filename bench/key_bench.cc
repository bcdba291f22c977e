// Micro benchmarks of the key check (the hot path of docs/DESIGN.md), each at 1 thousand and
// 1 million keys: parse + checksum, SHA-256, a cache hit through KeyVerifier::Verify, a full
// check that reads through to SQLite, and the memory a cached key costs. Baselines in the same
// binary: the same lookups in one std::unordered_map under one std::mutex, next to the sharded
// cache, single- and multi-threaded. Reports figures only; nothing here passes or fails on time.
//
// Keys are generated at run time (never stored anywhere). Each population lives in a temp
// SQLite file opened with OpenStore (so the schema is the migrations'): its first 1000 keys
// are created through Store::CreateKey; beyond that, the rest are inserted with the sqlite3
// C API in one transaction, because CreateKey (one transaction and one audit event per key)
// grows superlinearly on SQLite and would take many minutes for 1M keys. The file is deleted
// at exit. The store's pages stay in SQLite's small page cache, so the RSS measured around
// the cache fill is the cache's own.

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/key_verifier.h"
#include "auth/sharded_cache.h"
#include "auth/usage_recorder.h"
#include "core/api_key.h"
#include "core/digest.h"
#include "core/ids.h"
#include "core/random.h"
#include "core/time.h"
#include "store/open_store.h"

namespace tfzo {
namespace {

struct DigestHash {
  size_t operator()(const Digest& d) const {
    size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

size_t HeapInUse() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "key_bench: %s: %s\n", what.c_str(), std::string(status.message()).c_str());
  std::exit(1);
}

// N keys of one account in an in-memory SQLite store, and what each benchmark needs around
// them. Built once per N, on first use; kept until exit (the benchmarks share it).
struct Population {
  std::unique_ptr<Store> store;
  std::vector<std::string> keys;
  std::vector<Digest> digests;
  std::vector<std::string> key_ids;  // keys[i]'s id

  // Built on demand (see the getters below).
  std::unique_ptr<KeyVerifier> cached;  // every key verified once; no usage recorder
  std::unique_ptr<UsageRecorder> usage;
  std::unique_ptr<KeyVerifier> cached_with_usage;  // as the server wires it
  std::unique_ptr<ShardedCache<Digest, std::shared_ptr<const KeyState>, DigestHash>> sharded;
  std::unique_ptr<std::unordered_map<Digest, std::shared_ptr<const KeyState>, DigestHash>> map;
  std::mutex map_mu;

  // Measured while filling `cached`.
  double rss_per_key = 0;
  double heap_per_key = 0;
  double fill_seconds = 0;
};

// Inserts keys [from, keys.size()) of `pop` into the SQLite file at `path` in one transaction.
void BulkInsert(const std::string& path, const std::string& account_id, Population& pop,
                size_t from, Random& random, Time now) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    Die("bulk insert", Status(StatusCode::kInternal, sqlite3_errmsg(db)));
  }
  auto check = [&](int rc) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
      Die("bulk insert", Status(StatusCode::kInternal, sqlite3_errmsg(db)));
    }
  };
  sqlite3_busy_timeout(db, 5000);
  // The whole transaction in memory, and rows in index order (digests sorted, key ids drawn
  // then sorted), so both unique indexes grow at their right edge instead of churning pages.
  check(sqlite3_exec(db, "PRAGMA cache_size = -1048576", nullptr, nullptr, nullptr));
  std::vector<size_t> order;
  for (size_t i = from; i < pop.keys.size(); ++i) order.push_back(i);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return pop.digests[a] < pop.digests[b]; });
  std::vector<std::string> ids;
  ids.reserve(order.size());
  for (size_t i = 0; i < order.size(); ++i) ids.push_back(NewId("key", random));
  std::sort(ids.begin(), ids.end());
  check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr));
  sqlite3_stmt* key_stmt = nullptr;
  sqlite3_stmt* secret_stmt = nullptr;
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO api_keys (id, account_id, name, description, hint, "
                           "created_at) VALUES (?1, ?2, 'bench', '', ?3, ?4)",
                           -1, &key_stmt, nullptr));
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO key_secrets (digest, key_id, hint, created_at) "
                           "VALUES (?1, ?2, ?3, ?4)",
                           -1, &secret_stmt, nullptr));
  const int64_t at = ToUnix(now);
  pop.key_ids.resize(pop.keys.size());
  for (size_t j = 0; j < order.size(); ++j) {
    const size_t i = order[j];
    const std::string& key_id = ids[j];
    pop.key_ids[i] = key_id;
    const std::string hint = KeyHint(pop.keys[i]);
    const std::string hex = ToHex(pop.digests[i]);
    sqlite3_bind_text(key_stmt, 1, key_id.data(), static_cast<int>(key_id.size()), SQLITE_STATIC);
    sqlite3_bind_text(key_stmt, 2, account_id.data(), static_cast<int>(account_id.size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(key_stmt, 3, hint.data(), static_cast<int>(hint.size()), SQLITE_STATIC);
    sqlite3_bind_int64(key_stmt, 4, at);
    check(sqlite3_step(key_stmt));
    sqlite3_reset(key_stmt);
    sqlite3_bind_text(secret_stmt, 1, hex.data(), static_cast<int>(hex.size()), SQLITE_STATIC);
    sqlite3_bind_text(secret_stmt, 2, key_id.data(), static_cast<int>(key_id.size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(secret_stmt, 3, hint.data(), static_cast<int>(hint.size()), SQLITE_STATIC);
    sqlite3_bind_int64(secret_stmt, 4, at);
    check(sqlite3_step(secret_stmt));
    sqlite3_reset(secret_stmt);
  }
  sqlite3_finalize(key_stmt);
  sqlite3_finalize(secret_stmt);
  // Every key's row of last uses (migration 0017), as SqlStore::CreateKey inserts it.
  check(sqlite3_exec(db,
                     "INSERT INTO key_uses (key_id) SELECT id FROM api_keys k "
                     "WHERE NOT EXISTS (SELECT 1 FROM key_uses u WHERE u.key_id = k.id)",
                     nullptr, nullptr, nullptr));
  check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr));
  sqlite3_close(db);
}

std::vector<std::string>* g_files = new std::vector<std::string>;  // deleted at exit
std::mutex g_mu;
std::map<int64_t, std::unique_ptr<Population>>* g_populations =
    new std::map<int64_t, std::unique_ptr<Population>>;  // leaked: outlives every benchmark
SystemClock g_clock;

Population& Populate(int64_t n) {
  auto& slot = (*g_populations)[n];
  if (slot) return *slot;
  const auto start = std::chrono::steady_clock::now();
  auto pop = std::make_unique<Population>();
  char dir_template[] = "/tmp/key_bench.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) Die("mkdtemp", Status(StatusCode::kInternal, "failed"));
  g_files->push_back(dir_template);
  const std::string path = std::string(dir_template) + "/store.db";
  auto opened = OpenStore("sqlite:" + path);
  if (!opened.ok()) Die("open store", opened.status());
  pop->store = std::move(opened).value();
  Store& store = *pop->store;

  SodiumRandom random;
  const Time now = g_clock.Now();
  const std::string account_id = NewId("acc", random);
  Status st =
      store.CreateAccount(AccountRecord{account_id, "bench@example.com", "Bench", "unused", now},
                          EventRecord{NewId("evt", random), now, "account.signup", account_id,
                                      std::nullopt, account_id, "127.0.0.1"});
  if (!st.ok()) Die("create account", st);

  constexpr int64_t kThroughInterface = 1000;
  pop->keys.reserve(n);
  pop->digests.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    std::string key = GenerateKey(random);
    const Digest digest = Sha256(key);
    if (i >= kThroughInterface) {
      pop->keys.push_back(std::move(key));
      pop->digests.push_back(digest);
      continue;
    }
    const std::string key_id = NewId("key", random);
    KeyRecord record;
    record.id = key_id;
    record.account_id = account_id;
    record.name = "bench";
    record.hint = KeyHint(key);
    record.created_at = now;
    SecretRecord secret;
    secret.digest = digest;
    secret.key_id = key_id;
    secret.hint = record.hint;
    secret.created_at = now;
    EventRecord event{NewId("evt", random), now,    "key.created", account_id,
                      std::nullopt,         key_id, "127.0.0.1"};
    st = store.CreateKey(record, secret, event);
    if (!st.ok()) Die("create key", st);
    pop->keys.push_back(std::move(key));
    pop->digests.push_back(digest);
    pop->key_ids.push_back(key_id);
  }
  if (n > kThroughInterface) {
    BulkInsert(path, account_id, *pop, kThroughInterface, random, now);
  }
  std::fprintf(stderr,
               "key_bench: %lld keys in the store (%lld through Store::CreateKey, the rest in "
               "one sqlite3 transaction) in %.1f s\n",
               static_cast<long long>(n), static_cast<long long>(std::min(n, kThroughInterface)),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  slot = std::move(pop);
  return *slot;
}

KeyVerifier::Options HitOptions() { return KeyVerifier::Options{}; }

Population& Plain(int64_t n) {
  std::lock_guard lock(g_mu);
  return Populate(n);
}

Population& WithCache(int64_t n) {
  std::lock_guard lock(g_mu);
  Population& pop = Populate(n);
  if (!pop.cached) {
    malloc_trim(0);
    const size_t rss0 = ResidentBytes();
    const size_t heap0 = HeapInUse();
    const auto start = std::chrono::steady_clock::now();
    pop.cached = std::make_unique<KeyVerifier>(*pop.store, g_clock, nullptr, HitOptions());
    for (const std::string& key : pop.keys) {
      if (!pop.cached->Verify(key).ok()) Die("prefill", Status(StatusCode::kInternal, "refused"));
    }
    pop.fill_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    pop.rss_per_key = static_cast<double>(ResidentBytes() - rss0) / static_cast<double>(n);
    pop.heap_per_key = static_cast<double>(HeapInUse() - heap0) / static_cast<double>(n);
  }
  return pop;
}

Population& WithUsageCache(int64_t n) {
  std::lock_guard lock(g_mu);
  Population& pop = Populate(n);
  if (!pop.cached_with_usage) {
    // Long interval: no background flush during the measurement (one flush at exit at most).
    pop.usage = std::make_unique<UsageRecorder>(*pop.store, std::chrono::hours(1));
    pop.cached_with_usage =
        std::make_unique<KeyVerifier>(*pop.store, g_clock, pop.usage.get(), HitOptions());
    for (const std::string& key : pop.keys) (void)pop.cached_with_usage->Verify(key);
  }
  return pop;
}

Population& WithTables(int64_t n) {
  std::lock_guard lock(g_mu);
  Population& pop = Populate(n);
  if (!pop.sharded) {
    pop.sharded =
        std::make_unique<ShardedCache<Digest, std::shared_ptr<const KeyState>, DigestHash>>(
            g_clock, std::chrono::hours(1));
    pop.map =
        std::make_unique<std::unordered_map<Digest, std::shared_ptr<const KeyState>, DigestHash>>();
    for (const Digest& d : pop.digests) {
      auto state = pop.store->FindKeyBySecret(d);
      if (!state.ok()) Die("find key", state.status());
      auto value = std::make_shared<const KeyState>(std::move(state).value());
      pop.sharded->Insert(d, value, pop.sharded->epoch());
      pop.map->emplace(d, value);
    }
  }
  return pop;
}

// Each thread walks the keys from its own offset, so threads touch different entries.
size_t StartIndex(const benchmark::State& state, size_t n) {
  return (n / static_cast<size_t>(state.threads())) * static_cast<size_t>(state.thread_index());
}

void BM_ParseChecksum(benchmark::State& state) {
  Population& pop = Plain(state.range(0));
  const size_t n = pop.keys.size();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(IsWellFormedKey(pop.keys[i]));
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Sha256(benchmark::State& state) {
  Population& pop = Plain(state.range(0));
  const size_t n = pop.keys.size();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Sha256(pop.keys[i]));
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// Baseline for the line above: the same SHA-256 through EVP with the digest fetched once and
// one context reused (what OpenSSL 3 recommends for hot loops), instead of EVP_Digest with
// EVP_sha256(), which fetches the implementation and allocates a context on every call.
void BM_Sha256_BaselinePrefetchedEvp(benchmark::State& state) {
  Population& pop = Plain(state.range(0));
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const size_t n = pop.keys.size();
  size_t i = 0;
  for (auto _ : state) {
    Digest out;
    unsigned int len = 0;
    EVP_DigestInit_ex2(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, pop.keys[i].data(), pop.keys[i].size());
    EVP_DigestFinal_ex(ctx, out.data(), &len);
    benchmark::DoNotOptimize(out);
    if (++i == n) i = 0;
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
}

// The whole check on a cached key: parse + checksum, SHA-256, sharded lookup, judge.
void BM_VerifyCacheHit(benchmark::State& state) {
  Population& pop = WithCache(state.range(0));
  const size_t n = pop.keys.size();
  size_t i = StartIndex(state, n);
  for (auto _ : state) {
    auto result = pop.cached->Verify(pop.keys[i]);
    benchmark::DoNotOptimize(result);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// The same, with the UsageRecorder the server passes (one Record per valid use).
void BM_VerifyCacheHitWithUsage(benchmark::State& state) {
  Population& pop = WithUsageCache(state.range(0));
  const size_t n = pop.keys.size();
  size_t i = StartIndex(state, n);
  for (auto _ : state) {
    auto result = pop.cached_with_usage->Verify(pop.keys[i]);
    benchmark::DoNotOptimize(result);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// What a miss costs beyond a hit: the digest and the read through to SQLite (a key not yet
// cached: the first check on a node), for comparison with the hit.
void BM_VerifyMissReadThrough(benchmark::State& state) {
  Population& pop = Plain(state.range(0));
  const size_t n = pop.keys.size();
  size_t i = StartIndex(state, n);
  for (auto _ : state) {
    auto result = pop.store->FindKeyBySecret(Sha256(pop.keys[i]));
    benchmark::DoNotOptimize(result);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// The table alone, by digest: ShardedCache (64 shards, a shared_mutex each) ...
void BM_ShardedCacheFind(benchmark::State& state) {
  Population& pop = WithTables(state.range(0));
  const size_t n = pop.digests.size();
  size_t i = StartIndex(state, n);
  for (auto _ : state) {
    auto hit = pop.sharded->Find(pop.digests[i]);
    benchmark::DoNotOptimize(hit);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// ... and the baseline: one std::unordered_map under one std::mutex.
void BM_BaselineMutexMapFind(benchmark::State& state) {
  Population& pop = WithTables(state.range(0));
  const size_t n = pop.digests.size();
  size_t i = StartIndex(state, n);
  for (auto _ : state) {
    std::shared_ptr<const KeyState> hit;
    {
      std::lock_guard lock(pop.map_mu);
      auto it = pop.map->find(pop.digests[i]);
      if (it != pop.map->end()) hit = it->second;
    }
    benchmark::DoNotOptimize(hit);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// The usage flush of every key (what the server writes every 2 s when each request uses a key
// not used since the last flush, as with a million keys in rotation), per row written: each
// iteration records a use of every key one second later than the last, then times Flush().
void BM_UsageFlush(benchmark::State& state) {
  Population& pop = Plain(state.range(0));
  const std::vector<std::string>& ids = pop.key_ids;
  UsageRecorder recorder(*pop.store, std::chrono::hours(1));
  std::vector<UsageRecorder::Use*> uses;
  uses.reserve(ids.size());
  for (const std::string& id : ids) uses.push_back(&recorder.Track(id));
  Time at = g_clock.Now();
  for (auto _ : state) {
    state.PauseTiming();
    at += std::chrono::seconds(1);
    for (size_t i = 0; i < ids.size(); ++i) recorder.Record(*uses[i], ids[i], at);
    state.ResumeTiming();
    if (Status status = recorder.Flush(); !status.ok()) Die("flush", status);
  }
  // The rows were written (an unknown id would be skipped, not refused).
  for (const std::string& id : {ids.front(), ids.back()}) {
    auto key = pop.store->FindKey(id);
    if (!key.ok() || key->last_used_at != at) Die("flush", Status(StatusCode::kInternal, id));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ids.size()));
}

// Memory of the cache: RSS (/proc/self/statm) and heap in use (mallinfo2) before and after
// verifying every key once into a fresh KeyVerifier, divided by the number of keys.
void BM_CachedKeyMemory(benchmark::State& state) {
  Population& pop = WithCache(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(pop.cached->stats());
  state.counters["rss_bytes_per_key"] = pop.rss_per_key;
  state.counters["heap_bytes_per_key"] = pop.heap_per_key;
  state.counters["fill_s"] = pop.fill_seconds;
  state.counters["cached_keys"] = static_cast<double>(pop.cached->stats().cached_keys);
}

void Sizes(benchmark::internal::Benchmark* b) { b->Arg(1000)->Arg(1000000); }

BENCHMARK(BM_CachedKeyMemory)->Apply(Sizes)->Iterations(1);
BENCHMARK(BM_ParseChecksum)->Apply(Sizes);
BENCHMARK(BM_Sha256)->Apply(Sizes);
BENCHMARK(BM_Sha256_BaselinePrefetchedEvp)->Apply(Sizes);
BENCHMARK(BM_VerifyCacheHit)->Apply(Sizes);
BENCHMARK(BM_VerifyCacheHit)->Apply(Sizes)->Threads(2)->UseRealTime();
BENCHMARK(BM_VerifyCacheHitWithUsage)->Apply(Sizes);
BENCHMARK(BM_VerifyCacheHitWithUsage)->Apply(Sizes)->Threads(2)->UseRealTime();
BENCHMARK(BM_VerifyMissReadThrough)->Apply(Sizes);
BENCHMARK(BM_UsageFlush)->Apply(Sizes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ShardedCacheFind)->Apply(Sizes);
BENCHMARK(BM_BaselineMutexMapFind)->Apply(Sizes);
BENCHMARK(BM_ShardedCacheFind)->Apply(Sizes)->Threads(2)->UseRealTime();
BENCHMARK(BM_BaselineMutexMapFind)->Apply(Sizes)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace tfzo

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const std::string& dir : *tfzo::g_files) std::filesystem::remove_all(dir);
  return 0;
}
