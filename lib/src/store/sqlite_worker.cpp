#include "store/sqlite_worker.hpp"

#include <asyncscrape/store.hpp>

#include <chrono>
#include <utility>
#include <vector>

namespace asyncscrape {
namespace {

// Group limits: the issue asks for a commit at least every 100 ms; the count bounds how much a
// failed commit takes down with it.
constexpr std::size_t max_group_size = 2048;
constexpr auto max_group_time = std::chrono::milliseconds(100);

struct GroupMember {
    std::unique_ptr<DatabaseTask> task;
    std::exception_ptr failure;
};

}  // namespace

std::exception_ptr as_store_failure(std::exception_ptr failure) {
    if (!failure) {
        return failure;
    }
    try {
        std::rethrow_exception(failure);
    } catch (const SqliteError& error) {
        return std::make_exception_ptr(StoreUnavailable(error.what()));
    } catch (...) {
        return failure;
    }
}

SqliteWorker::SqliteWorker(SqliteConnection db, WorkerRole role)
    : db_(std::move(db)), role_(role), thread_([this] { work(); }) {}

SqliteWorker::~SqliteWorker() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void SqliteWorker::submit(std::unique_ptr<DatabaseTask> task) {
    {
        const std::lock_guard lock(mutex_);
        queue_.push_back(std::move(task));
    }
    wake_.notify_one();
}

void SqliteWorker::work() {
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                return;
            }
        }
        if (role_ == WorkerRole::writer) {
            write_group();
        } else {
            read_one(*next_task());
        }
    }
}

std::unique_ptr<DatabaseTask> SqliteWorker::next_task() {
    const std::lock_guard lock(mutex_);
    if (queue_.empty()) {
        return nullptr;
    }
    auto task = std::move(queue_.front());
    queue_.pop_front();
    return task;
}

void SqliteWorker::write_group() {
    std::vector<GroupMember> group;
    std::exception_ptr group_failure;
    const auto deadline = std::chrono::steady_clock::now() + max_group_time;
    try {
        db_.prepare("BEGIN IMMEDIATE").run();
        // Each task in a savepoint: a task that fails is undone alone and the group goes on.
        while (group.size() < max_group_size && std::chrono::steady_clock::now() < deadline) {
            auto task = next_task();
            if (!task) {
                break;
            }
            auto& member = group.emplace_back(GroupMember{std::move(task), nullptr});
            db_.prepare("SAVEPOINT task").run();
            try {
                member.task->run(db_);
                db_.prepare("RELEASE task").run();
            } catch (...) {
                member.failure = std::current_exception();
                if (!db_.in_transaction()) {
                    // SQLite rolled the whole transaction back: the group fails for this cause.
                    std::rethrow_exception(member.failure);
                }
                db_.prepare("ROLLBACK TO task").run();
                db_.prepare("RELEASE task").run();
            }
        }
        db_.prepare("COMMIT").run();
    } catch (...) {
        // SQLite may already have rolled back (SQLITE_FULL, SQLITE_IOERR); then ROLLBACK is not
        // needed, and when it fails there is nothing better to do than report the first cause.
        group_failure = std::current_exception();
        if (db_.in_transaction()) {
            sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        }
        if (group.empty()) {
            // BEGIN itself failed: the task waiting first learns why.
            if (auto task = next_task()) {
                group.push_back(GroupMember{std::move(task), nullptr});
            }
        }
    }
    for (auto& member : group) {
        member.task->complete(as_store_failure(group_failure ? group_failure : member.failure));
    }
}

void SqliteWorker::read_one(DatabaseTask& task) {
    std::exception_ptr failure;
    try {
        db_.prepare("BEGIN").run();
        task.run(db_);
        db_.prepare("COMMIT").run();
    } catch (...) {
        failure = std::current_exception();
        if (db_.in_transaction()) {
            sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        }
    }
    task.complete(as_store_failure(failure));
}

}  // namespace asyncscrape
