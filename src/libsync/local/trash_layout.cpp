#include "trash_layout.h"

namespace nubo::sync::trash_layout {

std::string percentEncode(std::string_view path)
{
    static constexpr char HEX[] = "0123456789ABCDEF";
    static constexpr std::string_view MARKS = "-_.!~*'()/";
    std::string out;
    out.reserve(path.size());
    for (const char c : path) {
        const auto byte = static_cast<unsigned char>(c);
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          MARKS.find(c) != std::string_view::npos;
        if (keep) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(HEX[byte >> 4]);
            out.push_back(HEX[byte & 0x0f]);
        }
    }
    return out;
}

std::string candidateName(const std::string& name, int attempt)
{
    const std::string suffix = attempt == 1 ? std::string() : "." + std::to_string(attempt);
    const std::size_t room = NAME_MAX_BYTES - INFO_SUFFIX.size() - suffix.size();
    std::string base = name;
    if (base.size() > room) {
        std::size_t end = room;
        while (end > 0 && (static_cast<unsigned char>(base[end]) & 0xc0) == 0x80)
            --end;
        base.resize(end);
    }
    return base + suffix;
}

} // namespace nubo::sync::trash_layout
