// What /proc says about processes, for tests that must show a browser dies with its parent.
#pragma once

#include <sys/types.h>

#include <string_view>
#include <vector>

namespace asyncscrape::test {

// Living processes whose parent is `parent` and whose command name is `name` (e.g. "chromium").
std::vector<pid_t> children_named(pid_t parent, std::string_view name);

// Every living process below `root` (children, their children, ...), not `root` itself.
std::vector<pid_t> descendants(pid_t root);

// Whether `pid` exists and has not exited (a zombie waiting to be reaped has exited).
bool is_alive(pid_t pid);

}  // namespace asyncscrape::test
