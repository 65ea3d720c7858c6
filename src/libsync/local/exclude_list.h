// Exclude patterns in the syntax of Nextcloud's sync-exclude.lst:
//   - one pattern per line; empty lines and lines starting with '#' are ignored;
//   - a leading ']' marks a pattern whose matches may be deleted along with their folder
//     ("deletable"); the engine treats them as excluded all the same;
//   - a trailing '/' makes a pattern match folders only;
//   - a pattern containing '/' (other than trailing) matches the whole relative path,
//     otherwise it matches the last component (the name);
//   - wildcards: '*' (any run of characters except '/'), '?' (one character), '[...]' classes
//     ('!' or '^' negates, ranges like a-z); '\' makes the next character literal;
//   - escapes as in the official client: "\#" is a '#' (so a pattern can start with one), "\r",
//     "\n", "\t" are control characters; a leading '/' anchors a full-path pattern at the root
//     (it is dropped, since full-path patterns always match from the root).
// Matching is case-sensitive and works on UTF-8 characters ('?' is one character, not one byte).
// A built-in default list covers editor, OS and Nextcloud temporary files, the journal, and
// conflict copies are NOT excluded by it (the engine decides about those).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sync_error.h"

namespace nubo::sync {

class ExcludeList {
public:
    // The built-in defaults only.
    static ExcludeList defaults();
    // Adds the patterns of a file in sync-exclude.lst syntax.
    Result<void> addFile(const std::filesystem::path& file);
    // Adds the patterns of a text in sync-exclude.lst syntax (several lines, comments allowed).
    void addText(std::string_view text);
    // One line of sync-exclude.lst syntax; empty lines and comments are ignored.
    void addPattern(std::string_view pattern);

    // path: relative, '/'-separated. Every item below an excluded folder is excluded too; the
    // discovery code stops descending at an excluded folder, so this only checks `path` itself.
    bool isExcluded(std::string_view path, bool isDirectory) const;

    const std::vector<std::string>& patterns() const { return m_patterns; }

private:
    // One step of a compiled glob.
    struct Token {
        enum Kind : std::uint8_t { Literal, AnyChar, Star, Class };
        Kind kind = Literal;
        bool negated = false;                              // Class
        std::string text;                                  // Literal
        std::vector<std::pair<char32_t, char32_t>> ranges; // Class: inclusive code point ranges
    };
    struct Pattern {
        std::string glob;
        bool dirOnly = false;
        bool fullPath = false;
        // Every match starts with `prefix` and ends with `suffix`: two cheap comparisons reject
        // almost every name before the glob runs.
        std::string prefix;
        std::string suffix;
        std::size_t minLength = 0;  // bytes
        std::string longestLiteral; // must occur somewhere: one memmem before any backtracking
        std::vector<Token> tokens;
    };

    // Which patterns can match a subject, by the subject's first byte (patterns with a literal
    // prefix) or last byte (no prefix, literal suffix); `always` holds the rest. A name is then
    // tried against two or three patterns instead of every one.
    struct Index {
        std::array<std::vector<std::uint32_t>, 256> byFirst;
        std::array<std::vector<std::uint32_t>, 256> byLast;
        std::vector<std::uint32_t> always;
    };

    static bool matches(const Pattern& pattern, std::string_view subject);
    bool matchesAny(const Index& index, std::string_view subject, bool isDirectory) const;

    std::vector<std::string> m_patterns;
    std::vector<Pattern> m_compiled;
    Index m_nameIndex; // patterns on the last component
    Index m_pathIndex; // patterns on the whole relative path
    bool m_hasPathPatterns = false;
};

// Whether `name` is a conflict copy: "x (conflicted copy 2026-11-29 101500).ext".
bool isConflictCopyName(std::string_view name);
// "dir/report.txt" + time -> "dir/report (conflicted copy 2026-11-29 101500).txt" (local time).
// A dot at position 0 does not start an extension (".bashrc (conflicted copy ...)").
std::string conflictCopyPath(const std::string& path, std::int64_t unixTime);

} // namespace nubo::sync
