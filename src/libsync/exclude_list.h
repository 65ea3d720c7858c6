// Exclude patterns in the syntax of Nextcloud's sync-exclude.lst:
//   - one pattern per line; empty lines and lines starting with '#' are ignored;
//   - a leading ']' marks a pattern whose matches may be deleted along with their folder
//     ("deletable"); the engine treats them as excluded all the same;
//   - a trailing '/' makes a pattern match folders only;
//   - a pattern containing '/' (other than trailing) matches the whole relative path,
//     otherwise it matches the last component (the name);
//   - wildcards: '*' (any run of characters except '/'), '?' (one character), '[...]' classes.
// A built-in default list covers editor, OS and Nextcloud temporary files, the journal, and
// conflict copies are NOT excluded by it (the engine decides about those).
#pragma once

#include "sync_error.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace nubo::sync {

class ExcludeList {
public:
    // The built-in defaults only.
    static ExcludeList defaults();
    // Adds the patterns of a file in sync-exclude.lst syntax.
    Result<void> addFile(const std::filesystem::path& file);
    void addPattern(std::string_view pattern);

    // path: relative, '/'-separated. Every item below an excluded folder is excluded too; the
    // discovery code stops descending at an excluded folder, so this only checks `path` itself.
    bool isExcluded(std::string_view path, bool isDirectory) const;

    const std::vector<std::string>& patterns() const { return m_patterns; }

private:
    struct Pattern {
        std::string glob;
        bool dirOnly = false;
        bool fullPath = false;
    };
    std::vector<std::string> m_patterns;
    std::vector<Pattern> m_compiled;
};

// Whether `name` is a conflict copy: "x (conflicted copy 2026-11-29 101500).ext".
bool isConflictCopyName(std::string_view name);
// "dir/report.txt" + time -> "dir/report (conflicted copy 2026-11-29 101500).txt" (local time).
// A dot at position 0 does not start an extension (".bashrc (conflicted copy ...)").
std::string conflictCopyPath(const std::string& path, std::int64_t unixTime);

} // namespace nubo::sync
