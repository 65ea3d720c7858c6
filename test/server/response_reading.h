// Reading a Response in the storage tests: headers by name, and the body whether it is held in
// memory or streamed from a file range.
#pragma once

#include <fstream>
#include <string>
#include <string_view>

#include "http_types.h"
#include "webdav.h"

namespace nubo::server::test {

inline std::string headerOf(const Response& r, std::string_view name)
{
    for (const auto& [k, v] : r.headers) {
        if (toLower(k) == toLower(name))
            return v;
    }
    return {};
}

inline std::string responseBody(const Response& r)
{
    if (!r.file)
        return r.body;
    std::ifstream in(*r.file, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(r.fileOffset));
    std::string out(r.fileLength, '\0');
    in.read(out.data(), static_cast<std::streamsize>(out.size()));
    out.resize(static_cast<std::size_t>(in.gcount()));
    return out;
}

} // namespace nubo::server::test
