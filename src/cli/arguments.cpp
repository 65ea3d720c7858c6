#include "arguments.h"

namespace nubo::cli {

std::optional<std::string> parseArguments(const std::vector<std::string>& args, const std::set<std::string>& valued,
                                          const std::set<std::string>& switches, Arguments& out)
{
    bool optionsEnded = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (optionsEnded || !arg.starts_with("--") || arg == "-") {
            out.positional.push_back(arg);
            continue;
        }
        if (arg == "--") {
            optionsEnded = true;
            continue;
        }
        std::string name = arg;
        std::optional<std::string> inlineValue;
        if (const auto eq = arg.find('='); eq != std::string::npos) {
            name = arg.substr(0, eq);
            inlineValue = arg.substr(eq + 1);
        }
        if (switches.contains(name) && !inlineValue) {
            out.flags.insert(name);
        } else if (valued.contains(name)) {
            if (out.options.contains(name)) return name + " is given twice";
            if (inlineValue) {
                out.options[name] = *inlineValue;
            } else if (i + 1 < args.size()) {
                out.options[name] = args[++i];
            } else {
                return name + " needs a value";
            }
        } else {
            return "unknown option " + name;
        }
    }
    return std::nullopt;
}

} // namespace nubo::cli
