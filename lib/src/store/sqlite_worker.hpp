// A thread that owns one SQLite connection and works through a queue of tasks, so that no
// SQLite call ever blocks the io_context.
//
// A writer runs its tasks in transactions and commits them in groups: it keeps taking queued
// tasks into the open transaction until the queue is empty, the group is full or 100 ms have
// passed, then commits once and only then completes every task of the group. A lone write is
// committed at once; a stream of writes costs one commit per group, not one per write. A reader
// runs each task in a read transaction of its own, a consistent snapshot beside the writer (WAL).
#pragma once

#include "store/sqlite_connection.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

namespace asyncscrape {

class DatabaseTask {
  public:
    virtual ~DatabaseTask() = default;
    // The work, on the database thread. May throw: the exception becomes the task's failure.
    virtual void run(SqliteConnection& db) = 0;
    // Hands the answer, or `failure`, to whoever waits for it. Called once, after the commit.
    virtual void complete(std::exception_ptr failure) noexcept = 0;
};

enum class WorkerRole { writer, reader };

class SqliteWorker {
  public:
    SqliteWorker(SqliteConnection db, WorkerRole role);
    // Finishes (and commits) the tasks already queued, then ends the thread.
    ~SqliteWorker();
    SqliteWorker(const SqliteWorker&) = delete;
    SqliteWorker& operator=(const SqliteWorker&) = delete;

    void submit(std::unique_ptr<DatabaseTask> task);

  private:
    void work();
    std::unique_ptr<DatabaseTask> next_task();
    void write_group();
    void read_one(DatabaseTask& task);

    SqliteConnection db_;
    WorkerRole role_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<DatabaseTask>> queue_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts once everything it uses exists
};

// SQLite's failures as the store reports them (StoreUnavailable); others pass unchanged.
std::exception_ptr as_store_failure(std::exception_ptr failure);

}  // namespace asyncscrape
