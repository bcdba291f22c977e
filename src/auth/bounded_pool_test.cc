#include "auth/bounded_pool.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tfzo {
namespace {

// Holds pool threads inside a task until released.
struct Gate {
  std::atomic<bool> open{false};
  void Wait() const {
    while (!open) std::this_thread::yield();
  }
};

void WaitForInFlight(const BoundedPool& pool, int n) {
  while (pool.in_flight() < n) std::this_thread::yield();
}

TEST(BoundedPoolTest, RunsTheTaskOnAPoolThreadAndWaitsForIt) {
  BoundedPool pool(2, 4);
  EXPECT_EQ(pool.threads(), 2);
  EXPECT_EQ(pool.capacity(), 6);
  std::thread::id ran_on;
  ASSERT_TRUE(pool.Run([&] { ran_on = std::this_thread::get_id(); }).ok());
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_NE(ran_on, std::thread::id());
  EXPECT_EQ(pool.in_flight(), 0);
}

// An idle pool's threads run only when their core has nothing else to run: a thread waking
// there takes the core at once (a key check beside a login flood, bench/load.sh section 4).
TEST(BoundedPoolTest, AnIdlePoolsThreadsAreScheduledAsIdle) {
  BoundedPool idle(1, 0, BoundedPool::Priority::kIdle);
  int policy = -1;
  ASSERT_TRUE(idle.Run([&] { policy = sched_getscheduler(0); }).ok());
  EXPECT_EQ(policy, SCHED_IDLE);
  BoundedPool normal(1, 0);
  ASSERT_TRUE(normal.Run([&] { policy = sched_getscheduler(0); }).ok());
  EXPECT_EQ(policy, SCHED_OTHER);
}

TEST(BoundedPoolTest, AFullQueueAnswersUnavailableAtOnce) {
  BoundedPool pool(1, 1);
  Gate gate;
  std::atomic<int> ran{0};
  // One task runs (held at the gate), one waits: the pool is full.
  std::thread running([&] {
    EXPECT_TRUE(pool.Run([&] {
                      gate.Wait();
                      ++ran;
                    })
                    .ok());
  });
  WaitForInFlight(pool, 1);
  std::thread waiting([&] { EXPECT_TRUE(pool.Run([&] { ++ran; }).ok()); });
  WaitForInFlight(pool, 2);

  bool third_ran = false;
  const Status full = pool.Run([&] { third_ran = true; });
  EXPECT_EQ(full.code(), StatusCode::kUnavailable);
  EXPECT_EQ(full.retry_after(), 1);
  EXPECT_EQ(full.message().find("pool"), std::string::npos);  // nothing about internals
  EXPECT_FALSE(third_ran);

  gate.open = true;
  running.join();
  waiting.join();
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(pool.in_flight(), 0);
  // Room again.
  EXPECT_TRUE(pool.Run([&] { third_ran = true; }).ok());
  EXPECT_TRUE(third_ran);
}

TEST(BoundedPoolTest, NoQueueMeansOnlyTheThreadsWork) {
  BoundedPool pool(2, 0);
  Gate gate;
  std::vector<std::thread> holders;
  for (int i = 0; i < 2; ++i) {
    holders.emplace_back([&] { EXPECT_TRUE(pool.Run([&] { gate.Wait(); }).ok()); });
  }
  WaitForInFlight(pool, 2);
  EXPECT_EQ(pool.Run([] {}).code(), StatusCode::kUnavailable);
  gate.open = true;
  for (auto& t : holders) t.join();
}

TEST(BoundedPoolTest, UsesEveryThread) {
  BoundedPool pool(3, 0);
  Gate gate;
  std::mutex mu;
  std::set<std::thread::id> ids;
  std::vector<std::thread> callers;
  for (int i = 0; i < 3; ++i) {
    callers.emplace_back([&] {
      EXPECT_TRUE(pool.Run([&] {
                        {
                          std::lock_guard lock(mu);
                          ids.insert(std::this_thread::get_id());
                        }
                        gate.Wait();
                      })
                      .ok());
    });
  }
  WaitForInFlight(pool, 3);
  // All three run at once (none can finish before the gate opens), each on its own thread.
  while (true) {
    std::lock_guard lock(mu);
    if (ids.size() == 3) break;
  }
  gate.open = true;
  for (auto& t : callers) t.join();
  EXPECT_EQ(ids.size(), 3u);
}

TEST(BoundedPoolTest, ATasksExceptionReachesItsCaller) {
  BoundedPool pool(1, 1);
  EXPECT_THROW((void)pool.Run([] { throw std::runtime_error("boom"); }), std::runtime_error);
  EXPECT_EQ(pool.in_flight(), 0);
  EXPECT_TRUE(pool.Run([] {}).ok());
}

}  // namespace
}  // namespace tfzo
