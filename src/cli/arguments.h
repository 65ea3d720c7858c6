// A small, strict command-line parser: `--name value` options, `--flag` switches and
// positional arguments. Anything unknown is a usage error.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nubo::cli {

struct Arguments {
    std::map<std::string, std::string> options;
    std::set<std::string> flags;
    std::vector<std::string> positional;

    std::optional<std::string> option(const std::string& name) const
    {
        const auto it = options.find(name);
        return it == options.end() ? std::nullopt : std::optional(it->second);
    }
    bool has(const std::string& name) const { return options.contains(name) || flags.contains(name); }
};

// Fills `out` or returns a message naming the problem.
std::optional<std::string> parseArguments(const std::vector<std::string>& args, const std::set<std::string>& valued,
                                          const std::set<std::string>& switches, Arguments& out);

} // namespace nubo::cli
