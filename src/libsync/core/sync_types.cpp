#include "sync_types.h"

namespace nubo::sync {

std::string parentPath(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string fileName(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string joinPath(const std::string& folder, const std::string& name)
{
    if (folder.empty())
        return name;
    return folder + '/' + name;
}

bool isInside(const std::string& path, const std::string& folder)
{
    if (folder.empty())
        return true;
    return path.size() >= folder.size() && path.compare(0, folder.size(), folder) == 0 &&
           (path.size() == folder.size() || path[folder.size()] == '/');
}

bool hasAncestorIn(const std::string& path, const std::unordered_set<std::string>& folders)
{
    for (std::string p = parentPath(path); !folders.empty(); p = parentPath(p)) {
        if (folders.contains(p))
            return true;
        if (p.empty())
            break;
    }
    return false;
}

std::string rebase(const std::string& path, const std::string& from, const std::string& to)
{
    if (path.size() == from.size())
        return to;
    const std::string rest = from.empty() ? path : path.substr(from.size() + 1);
    return joinPath(to, rest);
}

int depth(const std::string& path)
{
    if (path.empty())
        return 0;
    int n = 1;
    for (const char c : path)
        n += c == '/' ? 1 : 0;
    return n;
}

} // namespace nubo::sync
