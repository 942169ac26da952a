#include "store/data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace asyncscrape {
namespace {

std::string read_holder_pid(int fd) {
    char text[32] = {};
    const ssize_t size = pread(fd, text, sizeof(text) - 1, 0);
    std::string pid(text, size > 0 ? static_cast<std::size_t>(size) : 0);
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) {
        pid.pop_back();
    }
    return pid;
}

// The pid is only a hint for the message that a second process prints; failing to write it
// does not matter.
void write_own_pid(int fd) {
    const std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(fd, 0) == 0) {
        [[maybe_unused]] const ssize_t written = pwrite(fd, pid.data(), pid.size(), 0);
    }
}

}  // namespace

Outcome<DataDirLock> DataDirLock::acquire(const std::string& data_dir) {
    const std::string path = data_dir + "/lock";
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 && (errno == EACCES || errno == EROFS)) {
        // A read-only data directory can still be locked and read from.
        fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        return unavailable("cannot open " + path + ": " + std::strerror(errno));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int cause = errno;
        const std::string holder = read_holder_pid(fd);
        close(fd);
        if (cause == EWOULDBLOCK) {
            return unavailable("data directory " + data_dir +
                               " is in use by another asyncscrape process" +
                               (holder.empty() ? "" : " (pid " + holder + ")"));
        }
        return unavailable("cannot lock " + path + ": " + std::strerror(cause));
    }
    write_own_pid(fd);
    return DataDirLock(fd);
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
}

DataDirLock::~DataDirLock() {
    if (fd_ >= 0) {
        close(fd_);
    }
}

}  // namespace asyncscrape
