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

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// The portable build's scanner (local_discovery_portable.cpp) has no file identity (inode 0), so
// a local move there is a deletion and a new item: tests of local move detection do not apply.
#ifdef NUBO_PORTABLE_ONLY
#define NUBO_SKIP_WITHOUT_LOCAL_MOVES()                                                                                \
    GTEST_SKIP() << "no local move detection in the portable build (no inode): a local move is a deletion and an " \
                    "upload there (Sync.WithoutFileIdentityALocalMoveIsADeletionAndAnUpload)"
#else
#define NUBO_SKIP_WITHOUT_LOCAL_MOVES() static_cast<void>(0)
#endif

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
    // The next sync() is cancelled this long after it starts (Ctrl-C at a chosen moment).
    std::optional<std::chrono::milliseconds> cancelAfter;

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

// A RemoteFs that passes every call on to another one: test decorators (fault injection, hooks
// that act in the middle of a run) override only what they change.
class ForwardingRemoteFs : public RemoteFs {
public:
    explicit ForwardingRemoteFs(std::shared_ptr<RemoteFs> inner) : m_inner(std::move(inner)) {}
    Result<RemoteListing> list(const std::string& path) override { return m_inner->list(path); }
    Result<RemoteEntry> stat(const std::string& path) override { return m_inner->stat(path); }
    Result<UploadResult> upload(const std::string& path, const fs::path& file, const UploadOptions& o) override
    {
        return m_inner->upload(path, file, o);
    }
    Result<DownloadResult> download(const std::string& path, const fs::path& file, const DownloadOptions& o) override
    {
        return m_inner->download(path, file, o);
    }
    bool supportsBulkUpload() const override { return m_inner->supportsBulkUpload(); }
    Result<std::vector<Result<UploadResult>>> uploadBulk(const std::vector<BulkUploadItem>& items,
                                                        const BulkUploadOptions& o) override
    {
        return m_inner->uploadBulk(items, o);
    }
    Result<RemoteEntry> makeFolder(const std::string& path, const std::string& token) override
    {
        return m_inner->makeFolder(path, token);
    }
    Result<void> move(const std::string& from, const std::string& to, const std::string& token) override
    {
        return m_inner->move(from, to, token);
    }
    Result<void> remove(const std::string& path, const std::optional<std::string>& ifMatch,
                        const std::string& token) override
    {
        return m_inner->remove(path, ifMatch, token);
    }
    using RemoteFs::makeFolder;
    using RemoteFs::move;
    using RemoteFs::remove;

protected:
    std::shared_ptr<RemoteFs> m_inner;
};

// Listings of chosen server folders fail with a 502, as a proxy in front of the server answers.
class FailingListings final : public ForwardingRemoteFs {
public:
    FailingListings(std::shared_ptr<RemoteFs> inner, std::function<bool(const std::string&)> fails)
        : ForwardingRemoteFs(std::move(inner)), m_fails(std::move(fails))
    {
    }
    Result<RemoteListing> list(const std::string& path) override
    {
        if (m_fails(path))
            return std::unexpected(SyncError{SyncErrorCode::ServerError, "bad gateway (test)", 502});
        return m_inner->list(path);
    }

private:
    std::function<bool(const std::string&)> m_fails;
};

// Every MOVE fails with a 500 (a server-side error, as an injected fault would answer).
class FailingMoves final : public ForwardingRemoteFs {
public:
    using ForwardingRemoteFs::ForwardingRemoteFs;
    Result<void> move(const std::string&, const std::string&, const std::string&) override
    {
        return std::unexpected(SyncError{SyncErrorCode::ServerError, "internal server error (test)", 500});
    }
    using ForwardingRemoteFs::move;
};

// The real server behind listings that also name hostile items, as a compromised server or a
// proxy would (names that escape the folder, NUL, '\\', not UTF-8, empty); every request the
// engine makes is recorded. test/cli/nubocmd_hostile_names_test.sh does the same at the HTTP
// level, through the WebDAV client's href checks.
class HostileListing final : public ForwardingRemoteFs {
public:
    static const std::vector<std::string>& names(); // what is added to each listing

    using ForwardingRemoteFs::ForwardingRemoteFs;
    // Which listings get the hostile names (default: the root's only).
    std::function<bool(const std::string& serverPath)> inject = [](const std::string& path) { return path.empty(); };

    Result<RemoteListing> list(const std::string& path) override;
    Result<RemoteEntry> stat(const std::string& path) override;
    Result<UploadResult> upload(const std::string& path, const fs::path& file, const UploadOptions& o) override;
    Result<DownloadResult> download(const std::string& path, const fs::path& file, const DownloadOptions& o) override;
    Result<RemoteEntry> makeFolder(const std::string& path, const std::string& token) override;
    Result<void> move(const std::string& from, const std::string& to, const std::string& token) override;
    Result<void> remove(const std::string& path, const std::optional<std::string>& ifMatch,
                        const std::string& token) override;

    std::vector<std::string> takeRequests();

private:
    void record(std::string request);
    std::mutex m_mutex;
    std::vector<std::string> m_requests;
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

// Every record of the client's journal, read from its file between runs (a failure is a test failure).
JournalTree journalOf(SyncClient& client);

// Two trees are compared with a readable difference.
::testing::AssertionResult sameTree(const Tree& a, const Tree& b);

// 6 MiB that differ in every 4 KiB block: a file of six 1 MiB chunks no two of which are equal.
std::string sixChunksOfContent();

// How often `word` occurs in `text` (overlapping occurrences count).
std::size_t occurrences(const std::string& text, const std::string& word);

} // namespace nubo::sync::test
