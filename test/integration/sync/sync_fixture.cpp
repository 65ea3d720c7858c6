#include "sync_fixture.h"

#include "exclude_list.h"
#include "journal.h"
#include "local_file.h"

#include <condition_variable>
#include <fstream>
#include <thread>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace nubo::sync::test {

namespace {

void setMtime(const fs::path& path, std::int64_t mtime)
{
    ASSERT_TRUE(setModificationTime(path, mtime).has_value()) << path;
}

bool hiddenFromSync(const std::string& name)
{
    return name.starts_with(JOURNAL_FILE_NAME) || isConflictCopyName(name) || isTemporaryName(name);
}

} // namespace

SyncClient::SyncClient(fs::path folder, std::shared_ptr<RemoteFs> remote, fs::path trash)
    : m_folder(std::move(folder)), m_trash(std::move(trash)), m_remote(std::move(remote))
{
    fs::create_directories(m_folder);
    options.localRoot = m_folder;
    options.trashFolder = m_trash;
    options.backoffBaseSeconds = 0; // tests run again right away
    options.maxRetries = 2;
}

Result<SyncSummary> SyncClient::sync()
{
    SyncEngine engine(m_remote, options);
    // Ctrl-C after a delay: a thread that cancels unless the run ended first.
    std::mutex cancelMutex;
    std::condition_variable cancelWake;
    bool finished = false;
    std::thread canceller;
    if (const auto delay = std::exchange(cancelAfter, std::nullopt)) {
        canceller = std::thread([&, delay] {
            std::unique_lock lock(cancelMutex);
            if (!cancelWake.wait_for(lock, *delay, [&] { return finished; }))
                engine.cancel();
        });
    }
    struct JoinCanceller {
        std::thread& thread;
        std::mutex& mutex;
        std::condition_variable& wake;
        bool& done;
        ~JoinCanceller()
        {
            {
                std::lock_guard lock(mutex);
                done = true;
            }
            wake.notify_all();
            if (thread.joinable())
                thread.join();
        }
    } joinCanceller{canceller, cancelMutex, cancelWake, finished};
    if (hook)
        engine.setFolderHook(hook);
    if (transactions)
        engine.setTransactionFactory(transactions);
    QObject::connect(
        &engine, &SyncEngine::itemFinished, &engine,
        [this](const ItemReport& item) {
            static std::mutex mutex;
            std::lock_guard lock(mutex);
            finishedItems.push_back(item);
        },
        Qt::DirectConnection);
    return engine.run();
}

SyncSummary SyncClient::syncOk()
{
    auto result = sync();
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
    if (!result)
        return {};
    for (const ItemReport& error : result->errors)
        ADD_FAILURE() << "item error: " << error.path << ": " << error.message;
    return *result;
}

void SyncClient::write(const std::string& relative, const std::string& content, std::optional<std::int64_t> mtime)
{
    const fs::path file = path(relative);
    fs::create_directories(file.parent_path());
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out << content;
    }
    // Whole-second mtimes repeat within a test; make every write visible to size+mtime checks.
    static std::int64_t clock = 1600000000;
    setMtime(file, mtime.value_or(++clock));
}

std::string SyncClient::read(const std::string& relative) const { return readFile(path(relative)); }

bool SyncClient::exists(const std::string& relative) const
{
    std::error_code error;
    return fs::exists(fs::symlink_status(path(relative), error));
}

void SyncClient::mkdir(const std::string& relative) { fs::create_directories(path(relative)); }

void SyncClient::remove(const std::string& relative) { fs::remove_all(path(relative)); }

void SyncClient::move(const std::string& from, const std::string& to)
{
    fs::create_directories(path(to).parent_path());
    fs::rename(path(from), path(to));
}

Tree SyncClient::tree() const
{
    Tree result;
    for (auto it = fs::recursive_directory_iterator(m_folder); it != fs::recursive_directory_iterator(); ++it) {
        const std::string relative = fs::relative(it->path(), m_folder).generic_string();
        if (hiddenFromSync(it->path().filename().string())) {
            if (it->is_directory())
                it.disable_recursion_pending();
            continue;
        }
        result[relative] = it->is_directory() ? kFolder : read(relative);
    }
    return result;
}

std::vector<std::string> SyncClient::conflictCopies() const
{
    std::vector<std::string> result;
    for (const auto& entry : fs::recursive_directory_iterator(m_folder))
        if (isConflictCopyName(entry.path().filename().string()))
            result.push_back(fs::relative(entry.path(), m_folder).generic_string());
    return result;
}

void SyncFixture::SetUp()
{
    char pattern[] = "/tmp/nubo-sync-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    m_work = pattern;
    m_server = std::make_unique<itest::ServerProcess>(NUBO_SERVER_BINARY);
    m_server->addUser("alice", "secret").addUser("bob", "secret");
    m_server->start();
    m_serverDav = std::make_shared<WebDavClient>(connect());
}

void SyncFixture::TearDown()
{
    m_clients.clear();
    m_serverDav.reset();
    if (m_server)
        m_server->stop();
    if (HasFailure() || std::getenv("NUBO_ITEST_KEEP_DATA"))
        std::cerr << "work folder kept: " << m_work << "\n";
    else
        fs::remove_all(m_work);
}

void SyncFixture::restartServer(const std::vector<std::string>& arguments)
{
    // Same port, so the clients' accounts stay valid.
    m_server->setListen(m_server->host() + ":" + std::to_string(m_server->port()));
    m_server->clearArguments().addArguments(arguments);
    m_server->restart();
}

std::shared_ptr<Account> SyncFixture::connect(const std::string& user, const std::string& password)
{
    AccountConfig config;
    config.serverUrl = m_server->baseUrl();
    config.user = user;
    config.password = password;
    auto account = Account::connect(config);
    EXPECT_TRUE(account.has_value()) << (account ? "" : account.error().message);
    return account ? *account : nullptr;
}

SyncClient& SyncFixture::client(const std::string& name)
{
    auto& slot = m_clients[name];
    if (!slot) {
        auto remote = std::make_shared<WebDavClient>(connect());
        slot = std::make_unique<SyncClient>(m_work / name, remote, m_work / ("trash-" + name));
    }
    return *slot;
}

void SyncFixture::serverWrite(const std::string& path, const std::string& content, std::int64_t mtime)
{
    const fs::path temp = m_work / "server-upload.tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << content;
    }
    UploadOptions options;
    options.mtime = mtime;
    options.checksum = *sha1OfFile(temp);
    auto result = m_serverDav->upload(path, temp, options);
    ASSERT_TRUE(result.has_value()) << path << ": " << result.error().message;
}

std::string SyncFixture::serverRead(const std::string& path)
{
    const fs::path temp = m_work / "server-download.tmp";
    auto result = m_serverDav->download(path, temp, {});
    EXPECT_TRUE(result.has_value()) << path << ": " << (result ? "" : result.error().message);
    std::string content = readFile(temp);
    fs::remove(temp);
    return content;
}

void SyncFixture::serverMkdir(const std::string& path)
{
    auto result = m_serverDav->makeFolder(path);
    ASSERT_TRUE(result.has_value()) << path << ": " << result.error().message;
}

void SyncFixture::serverMove(const std::string& from, const std::string& to)
{
    auto result = m_serverDav->move(from, to);
    ASSERT_TRUE(result.has_value()) << from << " -> " << to << ": " << result.error().message;
}

void SyncFixture::serverRemove(const std::string& path)
{
    auto result = m_serverDav->remove(path);
    ASSERT_TRUE(result.has_value()) << path << ": " << result.error().message;
}

Tree SyncFixture::serverTree()
{
    Tree result;
    std::vector<std::string> folders{""};
    while (!folders.empty()) {
        const std::string folder = folders.back();
        folders.pop_back();
        auto listing = m_serverDav->list(folder);
        EXPECT_TRUE(listing.has_value()) << folder << ": " << (listing ? "" : listing.error().message);
        if (!listing)
            return result;
        for (const auto& [name, entry] : listing->children) {
            const std::string path = joinPath(folder, name);
            if (isConflictCopyName(name))
                continue;
            if (entry.type == ItemType::Directory) {
                result[path] = kFolder;
                folders.push_back(path);
            } else {
                result[path] = serverRead(path);
            }
        }
    }
    return result;
}

std::string SyncFixture::accessLog() const { return readFile(m_server->dataDir() / "access.log"); }

const std::vector<std::string>& HostileListing::names()
{
    static const std::vector<std::string> list{"..", ".", "../x", "sub/../../x", "/etc/x",
                                               std::string("nul\0x.txt", 9), "back\\slash.txt", "\xff\xfe.txt", ""};
    return list;
}

Result<RemoteListing> HostileListing::list(const std::string& path)
{
    record("list " + path);
    auto listing = m_inner->list(path);
    if (!listing || !inject || !inject(path))
        return listing;
    for (const std::string& name : names()) {
        RemoteEntry entry;
        entry.type = name == ".." || name == "." ? ItemType::Directory : ItemType::File;
        entry.etag = "hostile";
        entry.fileId = std::to_string(900000 + listing->children.size());
        entry.size = 6;
        entry.permissions = "RGDNVWCK";
        entry.serverPath = joinPath(path, name);
        listing->children.emplace_back(name, entry);
    }
    return listing;
}

Result<RemoteEntry> HostileListing::stat(const std::string& path)
{
    record("stat " + path);
    return m_inner->stat(path);
}

Result<UploadResult> HostileListing::upload(const std::string& path, const fs::path& file, const UploadOptions& o)
{
    record("upload " + path);
    return m_inner->upload(path, file, o);
}

Result<DownloadResult> HostileListing::download(const std::string& path, const fs::path& file,
                                                const DownloadOptions& o)
{
    record("download " + path);
    return m_inner->download(path, file, o);
}

Result<RemoteEntry> HostileListing::makeFolder(const std::string& path, const std::string& token)
{
    record("mkcol " + path);
    return m_inner->makeFolder(path, token);
}

Result<void> HostileListing::move(const std::string& from, const std::string& to, const std::string& token)
{
    record("move " + from + " -> " + to);
    return m_inner->move(from, to, token);
}

Result<void> HostileListing::remove(const std::string& path, const std::optional<std::string>& ifMatch,
                                    const std::string& token)
{
    record("delete " + path);
    return m_inner->remove(path, ifMatch, token);
}

std::vector<std::string> HostileListing::takeRequests()
{
    std::lock_guard lock(m_mutex);
    return std::exchange(m_requests, {});
}

void HostileListing::record(std::string request)
{
    std::lock_guard lock(m_mutex);
    m_requests.push_back(std::move(request));
}

JournalTree journalOf(SyncClient& client)
{
    auto journal = Journal::open(client.path(JOURNAL_FILE_NAME));
    EXPECT_TRUE(journal.has_value()) << (journal ? "" : journal.error().message);
    if (!journal)
        return {};
    auto all = (*journal)->loadAll();
    EXPECT_TRUE(all.has_value());
    return all ? *all : JournalTree{};
}

std::string readFile(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string sixChunksOfContent()
{
    std::string big(6 * (1 << 20), 'z');
    for (std::size_t i = 0; i < big.size(); i += 4096)
        big[i] = static_cast<char>(i / 4096);
    return big;
}

std::size_t occurrences(const std::string& text, const std::string& word)
{
    std::size_t n = 0;
    for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1))
        ++n;
    return n;
}

::testing::AssertionResult sameTree(const Tree& a, const Tree& b)
{
    std::ostringstream difference;
    for (const auto& [path, content] : a) {
        const auto it = b.find(path);
        if (it == b.end())
            difference << "  only in the first: " << path << "\n";
        else if (it->second != content)
            difference << "  differs: " << path << " (" << content.size() << " vs " << it->second.size()
                       << " bytes)\n";
    }
    for (const auto& [path, content] : b)
        if (!a.contains(path))
            difference << "  only in the second: " << path << "\n";
    if (difference.str().empty())
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "trees differ:\n" << difference.str();
}

} // namespace nubo::sync::test
