// What /proc says about processes, for tests that must show a browser dies with its parent.
#pragma once

#include <sys/types.h>

#include <vector>

namespace asyncscrape::test {

// Living processes whose parent is `parent` and that run a Chromium the runtime starts by default,
// guarded or not (their helpers are their children).
std::vector<pid_t> browsers_of(pid_t parent);

// Every living process below `root` (children, their children, ...), not `root` itself.
std::vector<pid_t> descendants(pid_t root);

// Whether `pid` exists and has not exited (a zombie waiting to be reaped has exited).
bool is_alive(pid_t pid);

}  // namespace asyncscrape::test
