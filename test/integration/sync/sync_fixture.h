// Sync scenarios as one-line tests: a real nubo-server on loopback, any number of clients (each
// its own local folder, journal and WebDavClient), and direct server-side edits that play the part
// of another device. Trees are compared as {path -> content} maps.
#pragma once

#include "folder_transaction.h"
#include "remote_discovery.h"
#include "server_process.h"
#include "sync_engine.h"
#include "webdav_client.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nubo::sync::test {

namespace fs = std::filesystem;

// path -> content; folders map to "<dir>".
using Tree = std::map<std::string, std::string>;
inline const std::string kFolder = "<dir>";

class SyncClient {
public:
    SyncClient(fs::path folder, std::shared_ptr<RemoteFs> remote, fs::path trash);

    // One run of the engine; records what the engine reported.
    Result<SyncSummary> sync();
    // sync() and expect success with no item errors.
    SyncSummary syncOk();

    SyncOptions options;
    std::shared_ptr<RemoteFolderHook> hook;             // set on the engine when not null
    std::shared_ptr<TransactionFactory> transactions;   // likewise
    std::shared_ptr<RemoteFs>& remote() { return m_remote; } // replace to wrap it
    const fs::path& folder() const { return m_folder; }
    fs::path path(const std::string& relative) const { return m_folder / relative; }
    std::vector<ItemReport> finishedItems;

    void write(const std::string& relative, const std::string& content, std::optional<std::int64_t> mtime = {});
    std::string read(const std::string& relative) const;
    bool exists(const std::string& relative) const;
    void mkdir(const std::string& relative);
    void remove(const std::string& relative);
    void move(const std::string& from, const std::string& to);
    // Everything synced: conflict copies, the journal and temporary files are left out.
    Tree tree() const;
    std::vector<std::string> conflictCopies() const;
    const fs::path& trash() const { return m_trash; }

private:
    fs::path m_folder;
    fs::path m_trash;
    std::shared_ptr<RemoteFs> m_remote;
};

class SyncFixture : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    // Restarts the server on the same data and port with these extra arguments instead of the
    // previous ones (e.g. {"--faults", "PUT * status=507 count=1"}; {} for none).
    void restartServer(const std::vector<std::string>& arguments);

    std::shared_ptr<Account> connect(const std::string& user = "alice", const std::string& password = "secret");
    SyncClient& client(const std::string& name);

    // The server side, as another device would change it.
    void serverWrite(const std::string& path, const std::string& content, std::int64_t mtime = 1700000000);
    std::string serverRead(const std::string& path);
    void serverMkdir(const std::string& path);
    void serverMove(const std::string& from, const std::string& to);
    void serverRemove(const std::string& path);
    Tree serverTree();
    WebDavClient& server() { return *m_serverDav; }
    std::string accessLog() const; // the server's access log, faults included

    fs::path m_work;
    std::unique_ptr<itest::ServerProcess> m_server;
    std::map<std::string, std::unique_ptr<SyncClient>> m_clients;
    std::shared_ptr<WebDavClient> m_serverDav;
};

// The whole content of a file ("" when it cannot be read).
std::string readFile(const fs::path& file);

// Two trees are compared with a readable difference.
::testing::AssertionResult sameTree(const Tree& a, const Tree& b);

} // namespace nubo::sync::test
