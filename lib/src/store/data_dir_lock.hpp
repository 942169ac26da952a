// The claim of one process on a data directory: an flock on <dir>/lock, held while this value
// lives and dropped by the kernel when the process dies, so that a restart right after a crash
// finds the directory free while a second server beside a running one is refused.
#pragma once

#include <asyncscrape/error.hpp>

#include <string>

namespace asyncscrape {

class DataDirLock {
  public:
    // Errc::unavailable when another process holds it (naming its pid when it wrote one).
    static Outcome<DataDirLock> acquire(const std::string& data_dir);

    DataDirLock(DataDirLock&& other) noexcept;
    DataDirLock& operator=(DataDirLock&& other) noexcept;
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;
    ~DataDirLock();

  private:
    explicit DataDirLock(int fd) : fd_(fd) {}
    int fd_;
};

}  // namespace asyncscrape
