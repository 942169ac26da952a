#include "support/process_table.hpp"

#include "browser/chromium_process.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace asyncscrape::test {
namespace {

// The kernel keeps the first 15 bytes of a process's name (TASK_COMM_LEN, less the NUL).
constexpr std::size_t command_name_length = 15;

struct ProcessEntry {
    pid_t pid = 0;
    pid_t parent = 0;
    char state = 0;
    std::string name;
};

// One line of /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may hold spaces and
// brackets, so it ends at the last ')'.
std::optional<ProcessEntry> read_entry(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) {
        return std::nullopt;
    }
    const auto name_begin = line.find('(');
    const auto name_end = line.rfind(')');
    if (name_begin == std::string::npos || name_end == std::string::npos || name_end < name_begin) {
        return std::nullopt;
    }
    ProcessEntry entry;
    entry.pid = pid;
    entry.name = line.substr(name_begin + 1, name_end - name_begin - 1);
    std::istringstream rest(line.substr(name_end + 1));
    rest >> entry.state >> entry.parent;
    return entry;
}

std::vector<ProcessEntry> living_processes() {
    std::vector<ProcessEntry> entries;
    for (const auto& directory : std::filesystem::directory_iterator("/proc")) {
        const std::string name = directory.path().filename();
        if (name.empty() || !std::all_of(name.begin(), name.end(),
                                         [](unsigned char c) { return std::isdigit(c); })) {
            continue;
        }
        if (auto entry = read_entry(std::stoi(name)); entry && entry->state != 'Z') {
            entries.push_back(std::move(*entry));
        }
    }
    return entries;
}

// The command name the kernel keeps for a process that runs `executable`.
std::string command_name_of(const std::string& executable) {
    return std::filesystem::path(executable).filename().string().substr(0, command_name_length);
}

}  // namespace

std::vector<pid_t> browsers_of(pid_t parent) {
    const std::string guarded = command_name_of(browser::default_chromium_executable(true));
    const std::string unguarded = command_name_of(browser::default_chromium_executable(false));
    std::vector<pid_t> found;
    for (const ProcessEntry& entry : living_processes()) {
        if (entry.parent == parent && (entry.name == guarded || entry.name == unguarded)) {
            found.push_back(entry.pid);
        }
    }
    return found;
}

std::vector<pid_t> descendants(pid_t root) {
    const std::vector<ProcessEntry> entries = living_processes();
    std::vector<pid_t> found;
    std::vector<pid_t> parents{root};
    while (!parents.empty()) {
        const pid_t parent = parents.back();
        parents.pop_back();
        for (const ProcessEntry& entry : entries) {
            if (entry.parent == parent) {
                found.push_back(entry.pid);
                parents.push_back(entry.pid);
            }
        }
    }
    return found;
}

bool is_alive(pid_t pid) {
    const auto entry = read_entry(pid);
    return entry && entry->state != 'Z';
}

}  // namespace asyncscrape::test
