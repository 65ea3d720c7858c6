// Shared pieces of the storage tests: a fixture with a fresh data folder and two users, and
// reading a Response (headers by name; the body whether held in memory or streamed from a file).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "http_types.h"
#include "storage.h"
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

class StorageFixture : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::random_device rd;
        dir = std::filesystem::temp_directory_path() /
              ("nubo-storage-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(dir);
        open();
        storage->addUser("alice", "secret");
        storage->addUser("bob", "hunter2");
    }
    void TearDown() override
    {
        storage.reset();
        std::filesystem::remove_all(dir);
    }
    void open() { storage = std::make_unique<Storage>(dir); }

    std::filesystem::path dir;
    std::unique_ptr<Storage> storage;
};

} // namespace nubo::server::test
