// WebDavClient, HttpClient and BandwidthLimiter against a real nubo-server over loopback.
#include <QCryptographicHash>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "account.h"
#include "bandwidth_limiter.h"
#include "http_client.h"
#include "server_process.h"
#include "webdav_client.h"

namespace fs = std::filesystem;
using namespace nubo::sync;
using nubo::itest::ServerProcess;

namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

std::string randomBytes(std::size_t size, unsigned seed)
{
    std::mt19937 generator(seed);
    std::string out(size, '\0');
    for (auto& c : out)
        c = static_cast<char>(generator() & 0xff);
    return out;
}

std::string sha1Of(const std::string& data)
{
    return "SHA1:" + QCryptographicHash::hash(QByteArrayView(data.data(), static_cast<qsizetype>(data.size())),
                                              QCryptographicHash::Sha1)
                         .toHex()
                         .toStdString();
}

std::string readAll(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const fs::path& path, const std::string& data)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

DownloadOptions expecting(std::string checksum)
{
    DownloadOptions options;
    options.expectedChecksum = std::move(checksum);
    return options;
}

UploadOptions chunked(std::string transferId)
{
    UploadOptions options;
    options.chunkThreshold = kMiB;
    options.chunkSize = kMiB;
    options.transferId = std::move(transferId);
    return options;
}

UploadOptions ifMatch(std::string etag, UploadOptions options = {})
{
    options.ifMatch = std::move(etag);
    return options;
}

UploadOptions mustNotExist()
{
    UploadOptions options;
    options.mustNotExist = true;
    return options;
}

UploadOptions withMtime(std::int64_t mtime)
{
    UploadOptions options;
    options.mtime = mtime;
    return options;
}

UploadOptions withChecksum(std::string checksum)
{
    UploadOptions options;
    options.checksum = std::move(checksum);
    return options;
}

class WebDavTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        char pattern[] = "/tmp/nubo-webdav-test-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        m_local = pattern;
    }
    void TearDown() override
    {
        m_client.reset();
        m_account.reset();
        std::error_code ignored;
        fs::remove_all(m_local, ignored);
    }

    // Starts nubo-server with alice and `arguments`, connects, and makes a client on `root`.
    void start(const std::vector<std::string>& arguments = {}, AccountConfig config = {}, std::string root = "")
    {
        m_server = std::make_unique<ServerProcess>(NUBO_SERVER_BINARY);
        m_server->addUser("alice", "secret");
        m_server->addArguments(arguments);
        m_server->start();
        config.serverUrl = m_server->baseUrl();
        config.user = "alice";
        config.password = "secret";
        auto account = Account::connect(config);
        ASSERT_TRUE(account) << account.error().message;
        m_account = *account;
        m_client = std::make_unique<WebDavClient>(m_account, root);
    }

    // Uploads `data` from a local file; returns the result.
    Result<UploadResult> put(const std::string& path, const std::string& data, UploadOptions options = {})
    {
        const fs::path file = m_local / ("up-" + std::to_string(m_counter++));
        writeAll(file, data);
        if (options.checksum.empty()) options.checksum = sha1Of(data);
        if (options.mtime == 0) options.mtime = 1'700'000'000;
        return m_client->upload(path, file, options);
    }

    std::string get(const std::string& path)
    {
        const fs::path target = m_local / ("down-" + std::to_string(m_counter++));
        auto result = m_client->download(path, target, {});
        EXPECT_TRUE(result) << result.error().message;
        return result ? readAll(target) : std::string();
    }

    fs::path m_local;
    std::unique_ptr<ServerProcess> m_server;
    std::shared_ptr<Account> m_account;
    std::unique_ptr<WebDavClient> m_client;
    int m_counter = 0;
};

TEST_F(WebDavTest, ListAndStatReportEveryProperty)
{
    start();
    ASSERT_TRUE(put("a.txt", "hello", withMtime(1'600'000'000)));
    auto folder = m_client->makeFolder("dir");
    ASSERT_TRUE(folder) << folder.error().message;
    EXPECT_EQ(folder->type, ItemType::Directory);

    auto listing = m_client->list("");
    ASSERT_TRUE(listing) << listing.error().message;
    EXPECT_EQ(listing->self.type, ItemType::Directory);
    EXPECT_EQ(listing->self.serverPath, "");
    EXPECT_FALSE(listing->self.etag.empty());
    ASSERT_EQ(listing->children.size(), 2u);

    const RemoteEntry* file = nullptr;
    const RemoteEntry* dir = nullptr;
    for (const auto& [name, entry] : listing->children) {
        if (name == "a.txt") file = &entry;
        if (name == "dir") dir = &entry;
    }
    ASSERT_NE(file, nullptr);
    ASSERT_NE(dir, nullptr);
    EXPECT_EQ(file->type, ItemType::File);
    EXPECT_EQ(file->serverPath, "a.txt");
    EXPECT_EQ(file->size, 5);
    EXPECT_EQ(file->mtime, 1'600'000'000);
    EXPECT_EQ(file->checksum, "SHA1:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
    EXPECT_FALSE(file->etag.empty());
    EXPECT_EQ(file->etag.find('"'), std::string::npos);
    EXPECT_FALSE(file->fileId.empty());
    EXPECT_EQ(file->fileId.find_first_not_of("0123456789"), std::string::npos);
    EXPECT_NE(file->permissions.find('W'), std::string::npos);
    EXPECT_FALSE(file->encrypted);
    EXPECT_EQ(dir->type, ItemType::Directory);
    EXPECT_NE(dir->permissions.find('C'), std::string::npos);

    auto stat = m_client->stat("a.txt");
    ASSERT_TRUE(stat) << stat.error().message;
    EXPECT_EQ(stat->etag, file->etag);
    EXPECT_EQ(stat->fileId, file->fileId);
    EXPECT_EQ(stat->serverPath, "a.txt");

    auto missing = m_client->stat("nope.txt");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, SyncErrorCode::NotFound);
    EXPECT_EQ(missing.error().httpStatus, 404);
    auto missingList = m_client->list("nope");
    ASSERT_FALSE(missingList);
    EXPECT_EQ(missingList.error().code, SyncErrorCode::NotFound);
}

TEST_F(WebDavTest, SmallUploadReadsBackWithTheSameEtagAndFileId)
{
    start();
    const std::string data = randomBytes(100'000, 1);
    auto uploaded = put("small.bin", data);
    ASSERT_TRUE(uploaded) << uploaded.error().message;
    EXPECT_EQ(uploaded->chunksReused, 0);
    auto stat = m_client->stat("small.bin");
    ASSERT_TRUE(stat);
    EXPECT_EQ(uploaded->etag, stat->etag);
    EXPECT_EQ(uploaded->fileId, stat->fileId);

    const fs::path target = m_local / "small.out";
    auto downloaded = m_client->download("small.bin", target, expecting(sha1Of(data)));
    ASSERT_TRUE(downloaded) << downloaded.error().message;
    EXPECT_EQ(readAll(target), data);
    EXPECT_EQ(downloaded->size, static_cast<std::int64_t>(data.size()));
    EXPECT_EQ(downloaded->etag, stat->etag);
    EXPECT_EQ(downloaded->checksum, sha1Of(data));

    // An empty file is a file too.
    ASSERT_TRUE(put("empty", ""));
    EXPECT_EQ(get("empty"), "");
}

TEST_F(WebDavTest, LargeUploadGoesInChunksAndReadsBack)
{
    start();
    const std::string data = randomBytes(3 * kMiB + 12345, 2);
    std::int64_t lastProgress = 0;
    UploadOptions options = chunked("large-1");
    options.progress = [&](std::int64_t done) { lastProgress = done; };
    auto uploaded = put("large.bin", data, options);
    ASSERT_TRUE(uploaded) << uploaded.error().message;
    EXPECT_EQ(lastProgress, static_cast<std::int64_t>(data.size()));
    EXPECT_EQ(get("large.bin"), data);
    auto stat = m_client->stat("large.bin");
    ASSERT_TRUE(stat);
    EXPECT_EQ(stat->checksum, sha1Of(data));
    EXPECT_EQ(stat->size, static_cast<std::int64_t>(data.size()));
    EXPECT_EQ(stat->etag, uploaded->etag);
    EXPECT_EQ(stat->fileId, uploaded->fileId);
    EXPECT_EQ(stat->mtime, 1'700'000'000);

    // Replacing it in chunks keeps the file id.
    const std::string second = randomBytes(2 * kMiB + 1, 3);
    options.transferId = "large-2";
    options.ifMatch = stat->etag;
    auto replaced = put("large.bin", second, options);
    ASSERT_TRUE(replaced) << replaced.error().message;
    EXPECT_EQ(replaced->fileId, stat->fileId);
    EXPECT_NE(replaced->etag, stat->etag);
    EXPECT_EQ(get("large.bin"), second);
    // The session is gone once assembled.
    EXPECT_EQ(m_client->abortUpload("large-2").has_value(), true);
}

// A file hashed while its chunks go up: the checksum is asked for only after the last chunk was
// sent, goes with the MOVE, and the server checks the assembled file against it. A wrong one or
// a hash that failed (the file changed) leaves no file on the server.
TEST_F(WebDavTest, AChecksumComputedDuringAChunkedUploadGoesWithItsMove)
{
    start();
    const std::string data = randomBytes(3 * kMiB + 77, 4);
    const fs::path file = m_local / "late.bin";
    writeAll(file, data);
    const auto lateUpload = [&](const std::string& path, std::string transferId, std::function<Result<std::string>()> sum) {
        UploadOptions options = chunked(std::move(transferId));
        options.mtime = 1'700'000'000;
        options.checksumLater = std::move(sum);
        return m_client->upload(path, file, options);
    };

    std::int64_t sentBeforeAsked = -1;
    std::int64_t sent = 0;
    UploadOptions options = chunked("late-1");
    options.mtime = 1'700'000'000;
    options.progress = [&](std::int64_t done) { sent = done; };
    options.checksumLater = [&]() -> Result<std::string> {
        sentBeforeAsked = sent;
        return sha1Of(data);
    };
    auto uploaded = m_client->upload("late.bin", file, options);
    ASSERT_TRUE(uploaded) << uploaded.error().message;
    EXPECT_EQ(sentBeforeAsked, static_cast<std::int64_t>(data.size())) << "asked for before every chunk was sent";
    auto stat = m_client->stat("late.bin");
    ASSERT_TRUE(stat);
    EXPECT_EQ(stat->checksum, sha1Of(data));

    auto wrong = lateUpload("wrong.bin", "late-2", [&]() -> Result<std::string> { return sha1Of("other bytes"); });
    ASSERT_FALSE(wrong);
    EXPECT_FALSE(m_client->stat("wrong.bin").has_value());

    auto changed = lateUpload("changed.bin", "late-3", []() -> Result<std::string> {
        return fail(SyncErrorCode::FileChanged, "it changed while it was being read");
    });
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().code, SyncErrorCode::FileChanged);
    EXPECT_FALSE(m_client->stat("changed.bin").has_value());

    // Below the chunk threshold the single PUT asks for it first.
    const fs::path small = m_local / "small.bin";
    writeAll(small, "small");
    UploadOptions single;
    single.mtime = 1'700'000'000;
    single.checksumLater = []() -> Result<std::string> { return sha1Of("small"); };
    ASSERT_TRUE(m_client->upload("small.bin", small, single));
    EXPECT_EQ(m_client->stat("small.bin")->checksum, sha1Of("small"));
}

TEST_F(WebDavTest, StaleIfMatchAndMustNotExistFailWithPreconditionFailed)
{
    start();
    auto first = put("f.txt", "one");
    ASSERT_TRUE(first);
    ASSERT_TRUE(put("f.txt", "two", ifMatch(first->etag)));

    auto stale = put("f.txt", "three", ifMatch(first->etag));
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, SyncErrorCode::PreconditionFailed);
    EXPECT_EQ(stale.error().httpStatus, 412);
    EXPECT_NE(stale.error().message.find("PUT /remote.php/dav/files/alice/f.txt: 412"), std::string::npos)
        << stale.error().message;

    auto exists = put("f.txt", "four", mustNotExist());
    ASSERT_FALSE(exists);
    EXPECT_EQ(exists.error().code, SyncErrorCode::PreconditionFailed);
    ASSERT_TRUE(put("new.txt", "five", mustNotExist()));

    auto staleChunked = put("f.txt", randomBytes(3 * kMiB, 4), ifMatch(first->etag, chunked("st")));
    ASSERT_FALSE(staleChunked);
    EXPECT_EQ(staleChunked.error().code, SyncErrorCode::PreconditionFailed);
    EXPECT_EQ(get("f.txt"), "two");
}

TEST_F(WebDavTest, DownloadVerifiesTheChecksumAndLeavesNothingOnMismatch)
{
    start();
    const std::string data = randomBytes(300'000, 5);
    ASSERT_TRUE(put("c.bin", data));
    const fs::path good = m_local / "good";
    auto ok = m_client->download("c.bin", good, expecting("sha1:" + sha1Of(data).substr(5)));
    ASSERT_TRUE(ok) << ok.error().message;
    const std::string md5 = QCryptographicHash::hash(QByteArrayView(data.data(), static_cast<qsizetype>(data.size())),
                                                     QCryptographicHash::Md5)
                                .toHex()
                                .toStdString();
    ASSERT_TRUE(m_client->download("c.bin", good, expecting("MD5:" + md5)));

    const fs::path bad = m_local / "bad";
    auto mismatch = m_client->download("c.bin", bad, expecting("SHA1:0000000000000000000000000000000000000000"));
    ASSERT_FALSE(mismatch);
    EXPECT_EQ(mismatch.error().code, SyncErrorCode::ChecksumMismatch);
    EXPECT_FALSE(fs::exists(bad));

    auto missing = m_client->download("absent.bin", bad, {});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, SyncErrorCode::NotFound);
    EXPECT_FALSE(fs::exists(bad));
}

TEST_F(WebDavTest, LocalDiskFullIsDiskFullAndTheDeviceIsLeftAlone)
{
    if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
    start();
    ASSERT_TRUE(put("d.bin", randomBytes(200'000, 6)));
    auto full = m_client->download("d.bin", "/dev/full", {});
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().code, SyncErrorCode::DiskFull);
    EXPECT_EQ(full.error().message.rfind("the local disk is full: ", 0), 0u) << full.error().message;
    EXPECT_TRUE(fs::exists("/dev/full"));
}

TEST_F(WebDavTest, SpecialAndNonAsciiNamesRoundTrip)
{
    start();
    const std::string folder = "sp ace #%?dir";
    ASSERT_TRUE(m_client->makeFolder(folder)) << "mkcol";
    const std::vector<std::string> names = {"héllo wörld.txt", "a#b%c?d.txt",      "100% sure & <x>.txt",
                                            "日本語ファイル",  "plus+semi;=,.txt", "%41%2F"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        auto uploaded = put(folder + "/" + names[i], "content " + std::to_string(i));
        ASSERT_TRUE(uploaded) << names[i] << ": " << uploaded.error().message;
    }
    auto listing = m_client->list(folder);
    ASSERT_TRUE(listing) << listing.error().message;
    EXPECT_EQ(listing->self.serverPath, folder);
    std::vector<std::string> listed;
    for (const auto& [name, entry] : listing->children) {
        listed.push_back(name);
        EXPECT_EQ(entry.serverPath, folder + "/" + name);
    }
    std::sort(listed.begin(), listed.end());
    std::vector<std::string> expected = names;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(listed, expected);
    for (std::size_t i = 0; i < names.size(); ++i) {
        EXPECT_EQ(get(folder + "/" + names[i]), "content " + std::to_string(i)) << names[i];
    }
    ASSERT_TRUE(m_client->move(folder + "/" + names[0], "ünï cödé ?#.txt"));
    EXPECT_EQ(get("ünï cödé ?#.txt"), "content 0");
    auto listedRoot = m_client->list("");
    ASSERT_TRUE(listedRoot);
    bool found = false;
    for (const auto& [name, entry] : listedRoot->children)
        found = found || name == folder;
    EXPECT_TRUE(found);
}

TEST_F(WebDavTest, MakeFolderMoveAndRemove)
{
    start();
    auto made = m_client->makeFolder("f");
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_EQ(made->type, ItemType::Directory);
    EXPECT_EQ(made->serverPath, "f");
    EXPECT_FALSE(made->fileId.empty());

    auto again = m_client->makeFolder("f");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().httpStatus, 405);
    auto orphan = m_client->makeFolder("missing/child");
    ASSERT_FALSE(orphan);
    EXPECT_EQ(orphan.error().code, SyncErrorCode::Conflict);

    ASSERT_TRUE(put("f/inner.txt", "x"));
    ASSERT_TRUE(m_client->makeFolder("other"));
    auto moved = m_client->move("f", "g");
    ASSERT_TRUE(moved) << moved.error().message;
    auto movedEntry = m_client->stat("g");
    ASSERT_TRUE(movedEntry);
    EXPECT_EQ(movedEntry->fileId, made->fileId);
    EXPECT_EQ(get("g/inner.txt"), "x");

    auto onto = m_client->move("g", "other");
    ASSERT_FALSE(onto);
    EXPECT_EQ(onto.error().code, SyncErrorCode::PreconditionFailed); // Overwrite: F

    ASSERT_TRUE(m_client->remove("g"));
    auto gone = m_client->stat("g");
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, SyncErrorCode::NotFound);
    auto removeAgain = m_client->remove("g");
    ASSERT_FALSE(removeAgain);
    EXPECT_EQ(removeAgain.error().code, SyncErrorCode::NotFound);
}

TEST_F(WebDavTest, RemoteRootScopesEveryPath)
{
    start();
    ASSERT_TRUE(m_client->makeFolder("Sync Root"));
    WebDavClient scoped(m_account, "/Sync Root/");
    const fs::path file = m_local / "r.txt";
    writeAll(file, "rooted");
    ASSERT_TRUE(scoped.upload("r.txt", file, withChecksum(sha1Of("rooted"))));
    EXPECT_EQ(get("Sync Root/r.txt"), "rooted");
    auto listing = scoped.list("");
    ASSERT_TRUE(listing);
    ASSERT_EQ(listing->children.size(), 1u);
    EXPECT_EQ(listing->children[0].first, "r.txt");
}

TEST_F(WebDavTest, CancelledChunkedUploadResumesFromTheChunksOnTheServer)
{
    start();
    const std::string data = randomBytes(5 * kMiB + 7, 7);
    std::atomic<bool> cancel{false};
    UploadOptions options = chunked("resume-me");
    options.cancel = &cancel;
    options.progress = [&](std::int64_t done) {
        if (done >= 2 * kMiB + kMiB / 2) cancel = true;
    };
    auto first = put("resume.bin", data, options);
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().code, SyncErrorCode::Cancelled);
    EXPECT_FALSE(m_client->stat("resume.bin"));

    cancel = false;
    options.progress = {};
    auto second = put("resume.bin", data, options);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_GE(second->chunksReused, 2);
    EXPECT_LT(second->chunksReused, 6);
    EXPECT_EQ(get("resume.bin"), data);
}

TEST_F(WebDavTest, QuotaExceededIsInsufficientStorageWithTheServersReason)
{
    start({"--quota", "alice:1000"});
    auto uploaded = put("big.txt", std::string(2000, 'x'));
    ASSERT_FALSE(uploaded);
    EXPECT_EQ(uploaded.error().code, SyncErrorCode::InsufficientStorage);
    EXPECT_EQ(uploaded.error().message,
              "PUT /remote.php/dav/files/alice/big.txt: 507 Insufficient Storage (the server is out of space or your "
              "quota is used up): the server says: Insufficient space in the user's quota");
}

TEST_F(WebDavTest, InjectedStatusesMapToErrorCodes)
{
    start({"--faults",
           "PUT /remote.php/dav/files/alice/full.txt status=507; PROPFIND /remote.php/dav/files/alice/"
           "maint* status=503; GET /remote.php/dav/files/alice/broken.txt status=500; DELETE * status=423"});
    auto full = put("full.txt", "x");
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().code, SyncErrorCode::InsufficientStorage);
    EXPECT_NE(full.error().message.find("injected fault"), std::string::npos) << full.error().message;

    auto maintenance = m_client->list("maint");
    ASSERT_FALSE(maintenance);
    EXPECT_EQ(maintenance.error().code, SyncErrorCode::Maintenance);
    EXPECT_TRUE(maintenance.error().fatal());

    ASSERT_TRUE(put("broken.txt", "x"));
    auto broken = m_client->download("broken.txt", m_local / "broken", {});
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().code, SyncErrorCode::ServerError);
    EXPECT_TRUE(broken.error().retryable());
    EXPECT_FALSE(fs::exists(m_local / "broken"));

    auto locked = m_client->remove("broken.txt");
    ASSERT_FALSE(locked);
    EXPECT_EQ(locked.error().code, SyncErrorCode::Locked);
}

TEST_F(WebDavTest, CutConnectionsAreNetworkErrors)
{
    start({"--faults", "GET /remote.php/dav/files/alice/cut.bin cut=1000; PUT /remote.php/dav/files/alice/cutup.bin "
                       "cut=50%"});
    ASSERT_TRUE(put("cut.bin", randomBytes(500'000, 8)));
    const fs::path target = m_local / "cut.out";
    auto download = m_client->download("cut.bin", target, {});
    ASSERT_FALSE(download);
    EXPECT_EQ(download.error().code, SyncErrorCode::Network) << download.error().message;
    EXPECT_FALSE(fs::exists(target));

    auto upload = put("cutup.bin", randomBytes(400'000, 9));
    ASSERT_FALSE(upload);
    EXPECT_EQ(upload.error().code, SyncErrorCode::Network) << upload.error().message;
    EXPECT_FALSE(m_client->stat("cutup.bin"));
}

TEST_F(WebDavTest, SilentServerTimesOut)
{
    AccountConfig config;
    config.timeout = std::chrono::seconds(1);
    start({"--faults", "PROPFIND /remote.php/dav/files/alice/slow delay=4000"}, config);
    ASSERT_TRUE(m_client->makeFolder("fast"));
    const auto begin = std::chrono::steady_clock::now();
    auto slow = m_client->list("slow");
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().code, SyncErrorCode::Network);
    EXPECT_NE(slow.error().message.find("no answer from the server for 1 s"), std::string::npos)
        << slow.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(4));
}

TEST_F(WebDavTest, EveryRequestCarriesARequestIdTheServerLogs)
{
    start();
    HttpRequest request;
    request.method = "PROPFIND";
    request.url = m_client->urlFor("");
    request.headers = {{"Depth", "0"}};
    auto response = m_account->http()->send(request, {207});
    ASSERT_TRUE(response) << response.error().message;
    ASSERT_EQ(response->requestId.size(), 36);
    EXPECT_EQ(response->header("X-Request-ID"), response->requestId);
    // The server writes its log line after the reply went out.
    std::string log;
    for (int i = 0; i < 50 && log.find(response->requestId.toStdString()) == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        log = readAll(m_server->dataDir() / "access.log");
    }
    EXPECT_NE(log.find("PROPFIND /remote.php/dav/files/alice"), std::string::npos) << log;
    EXPECT_NE(log.find(response->requestId.toStdString()), std::string::npos) << log;
}

TEST_F(WebDavTest, TheE2eeApiAcceptsThisClient)
{
    start();
    HttpRequest request;
    request.url = QUrl(QString::fromStdString(m_server->baseUrl() +
                                              "/ocs/v2.php/apps/end_to_end_encryption/api/v2/server-key?format=json"));
    request.ocs = true;
    auto response = m_account->http()->send(request);
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_NE(response->status, 403) << response->body.toStdString();
    EXPECT_EQ(response->status, 200) << response->body.toStdString();
}

TEST_F(WebDavTest, ParallelThreadsEachUseTheirOwnConnection)
{
    start();
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 3; ++i) {
                const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
                const std::string data = randomBytes(50'000 + static_cast<std::size_t>(t * 1000 + i), t * 10 + i);
                const fs::path file = m_local / (name + ".up");
                writeAll(file, data);
                if (!m_client->upload(name, file, withChecksum(sha1Of(data)))) ++failures;
                const fs::path target = m_local / (name + ".down");
                auto got = m_client->download(name, target, expecting(sha1Of(data)));
                if (!got || readAll(target) != data) ++failures;
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    EXPECT_EQ(failures.load(), 0);
    auto listing = m_client->list("");
    ASSERT_TRUE(listing);
    EXPECT_EQ(listing->children.size(), 12u);
}

TEST_F(WebDavTest, UploadAndDownloadLimitsHold)
{
    AccountConfig config;
    config.uploadLimitKiB = 1024;
    config.downloadLimitKiB = 1024;
    start({}, config);
    const std::string data = randomBytes(2 * kMiB, 10);
    auto begin = std::chrono::steady_clock::now();
    ASSERT_TRUE(put("limited.bin", data));
    const auto uploadTime = std::chrono::steady_clock::now() - begin;
    EXPECT_GE(uploadTime, std::chrono::milliseconds(1700));

    begin = std::chrono::steady_clock::now();
    EXPECT_EQ(get("limited.bin"), data);
    const auto downloadTime = std::chrono::steady_clock::now() - begin;
    EXPECT_GE(downloadTime, std::chrono::milliseconds(1700));
}

TEST(BandwidthLimiter, SharedBucketHoldsTheRateAcrossThreads)
{
    BandwidthLimiter limiter(512);
    std::atomic<std::int64_t> total{0};
    const auto begin = std::chrono::steady_clock::now();
    const auto end = begin + std::chrono::milliseconds(2500);
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&] {
            while (std::chrono::steady_clock::now() < end) {
                if (limiter.acquire(16 * 1024)) total += 16 * 1024;
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    const double rate = static_cast<double>(total.load()) / seconds / 1024.0;
    EXPECT_GT(rate, 512 * 0.9);
    EXPECT_LT(rate, 512 * 1.1);
}

TEST(BandwidthLimiter, UnlimitedNeverWaitsAndCancelStopsAWait)
{
    BandwidthLimiter unlimited(0);
    EXPECT_TRUE(unlimited.unlimited());
    unlimited.consume(1 << 30);
    EXPECT_EQ(unlimited.waitTime().count(), 0);

    BandwidthLimiter slow(1);
    slow.consume(1024 * 1024); // a thousand seconds of debt
    EXPECT_GT(slow.waitTime().count(), 100'000);
    std::atomic<bool> cancel{true};
    EXPECT_FALSE(slow.acquire(1, &cancel));
}

TEST(WebDavParse, MultiStatusKeepsOnlyFoundPropertiesAndPicksSha1)
{
    const QByteArray xml = R"(<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:response><d:href>/remote.php/dav/files/alice/A%20b/</d:href>
  <d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype><d:getetag>"abc"</d:getetag>
   <oc:size>42</oc:size><nc:is-encrypted>1</nc:is-encrypted><oc:permissions>RGDNVCK</oc:permissions>
   <d:getlastmodified>Sun, 06 Nov 1994 08:49:37 GMT</d:getlastmodified></d:prop>
   <d:status>HTTP/1.1 200 OK</d:status></d:propstat>
  <d:propstat><d:prop><d:getcontentlength>999</d:getcontentlength><oc:fileid>77</oc:fileid></d:prop>
   <d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>
 <d:response><d:href>/remote.php/dav/files/alice/A%20b/%C3%A9%23.txt</d:href>
  <d:propstat><d:prop><d:resourcetype/><d:getcontentlength>5</d:getcontentlength><oc:fileid>12</oc:fileid>
   <oc:checksums><oc:checksum>MD5:0123 SHA1:ABCDEF ADLER32:1</oc:checksum></oc:checksums></d:prop>
   <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>)";
    auto parsed = WebDavClient::parseMultiStatus(xml);
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_EQ(parsed->size(), 2u);
    const auto& folder = (*parsed)[0];
    EXPECT_EQ(folder.hrefPath, "/remote.php/dav/files/alice/A b");
    EXPECT_EQ(folder.entry.type, ItemType::Directory);
    EXPECT_EQ(folder.entry.etag, "abc");
    EXPECT_EQ(folder.entry.size, 42);
    EXPECT_TRUE(folder.entry.encrypted);
    EXPECT_EQ(folder.entry.fileId, ""); // only in the 404 propstat
    EXPECT_EQ(folder.entry.mtime, 784111777);
    const auto& file = (*parsed)[1];
    EXPECT_EQ(file.hrefPath, "/remote.php/dav/files/alice/A b/é#.txt");
    EXPECT_EQ(file.entry.type, ItemType::File);
    EXPECT_EQ(file.entry.size, 5);
    EXPECT_EQ(file.entry.fileId, "12");
    EXPECT_EQ(file.entry.checksum, "SHA1:abcdef");

    EXPECT_EQ(WebDavClient::pickSha1("MD5:aa"), "");
    EXPECT_FALSE(WebDavClient::parseMultiStatus("<d:multistatus xmlns:d=\"DAV:\"><d:response>"));
    EXPECT_FALSE(WebDavClient::parseMultiStatus("{\"json\": true}"));
}

TEST(WebDavBulkReply, OnlyAPartStatedStoredWithEtagAndFileIdIsAValue)
{
    const std::vector<std::string> sent{"/a.txt", "/b.txt", "/c.txt", "/d.txt", "/e.txt", "/f.txt"};
    const auto results = WebDavClient::parseBulkReply(
        R"({"/a.txt":{"error":false,"etag":"\"e1\"","fileid":"00000042ocnubo0001","permissions":"RGDNVW"},)"
        R"("/b.txt":{"error":true,"message":"quota"},"/c.txt":{"error":false,"etag":"e3"},)"
        R"("/d.txt":{"error":false,"fileid":"00000043ocnubo0001"},"/e.txt":"stored",)"
        R"("/x.txt":{"error":false,"etag":"e9","fileid":"9"}})",
        sent);
    ASSERT_EQ(results.size(), sent.size());
    ASSERT_TRUE(results[0]);
    EXPECT_EQ(results[0]->etag, "e1");
    EXPECT_EQ(results[0]->fileId, "42");
    ASSERT_FALSE(results[1]);
    EXPECT_NE(results[1].error().message.find("quota"), std::string::npos);
    EXPECT_FALSE(results[2]); // no file id
    EXPECT_FALSE(results[3]); // no ETag
    EXPECT_FALSE(results[4]); // not an object
    EXPECT_FALSE(results[5]); // not mentioned (another path is)

    // A reply that is not the expected JSON object states nothing about any part.
    for (const char* reply : {"", "not json", "[]", "null", R"("/a.txt")", R"({"/a.txt":{"error":false,"etag":"e")",
                              R"({"/a.txt":{"error":"no","etag":"e","fileid":"1"}})",
                              R"({"/a.txt":{"error":false,"etag":"","fileid":"1"}})"}) {
        const auto none = WebDavClient::parseBulkReply(reply, {"/a.txt"});
        ASSERT_EQ(none.size(), 1u) << reply;
        EXPECT_FALSE(none[0]) << reply;
    }
}

TEST_F(WebDavTest, BulkUploadNamesFilesFromTheUsersRootAndNeverReplacesOne)
{
    start({"--bulk-upload"});
    ASSERT_TRUE(m_client->makeFolder("Sub"));
    WebDavClient sub(m_account, "Sub");
    ASSERT_TRUE(sub.supportsBulkUpload());
    EXPECT_EQ(sub.bulkPathFor("x/y.txt"), "/Sub/x/y.txt");
    ASSERT_TRUE(put("Sub/taken.txt", "first"));
    std::vector<BulkUploadItem> items;
    const auto item = [&](const std::string& path, const std::string& content) {
        const fs::path file = m_local / ("bulk-" + std::to_string(m_counter++));
        writeAll(file, content);
        items.push_back({path, file, 1'700'000'000, sha1Of(content)});
    };
    item("new.txt", "new content");
    item("taken.txt", "second");
    item("line\nbreak.txt", "x");
    // Progress counts the bytes of the files sent, never the request's own (multipart headers).
    std::int64_t mostProgress = 0;
    BulkUploadOptions options;
    options.progress = [&](std::int64_t done) { mostProgress = std::max(mostProgress, done); };
    auto results = sub.uploadBulk(items, options);
    ASSERT_TRUE(results) << results.error().message;
    EXPECT_EQ(mostProgress, std::int64_t(std::string("new content").size() + std::string("second").size()));
    ASSERT_EQ(results->size(), 3u);
    ASSERT_TRUE((*results)[0]) << (*results)[0].error().message;
    EXPECT_FALSE((*results)[0]->etag.empty());
    EXPECT_EQ(get("Sub/new.txt"), "new content");
    auto stored = m_client->stat("Sub/new.txt");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->etag, (*results)[0]->etag);
    EXPECT_EQ(stored->fileId, (*results)[0]->fileId);
    EXPECT_EQ(stored->mtime, 1'700'000'000);
    EXPECT_EQ(stored->checksum, sha1Of("new content"));
    EXPECT_FALSE((*results)[1]); // If-None-Match: *
    EXPECT_EQ(get("Sub/taken.txt"), "first");
    ASSERT_FALSE((*results)[2]); // never a raw line break in a part's headers
    EXPECT_EQ((*results)[2].error().code, SyncErrorCode::NameNotAllowed);
}

TEST_F(WebDavTest, ParallelChunksResumeAfterTheRunOfChunksThereWhateverTheirSizes)
{
    start();
    const std::string data = randomBytes(5 * kMiB + 3, 11);
    // An earlier attempt with other chunk sizes left chunks 1 and 2 from the start, and chunk 4
    // after a gap (sent in parallel with a chunk 3 that failed).
    const QUrl session(m_account->davUploadsUrl().toString() + "/odd-sizes");
    const QByteArray destination = m_client->urlFor("odd.bin").toEncoded();
    const QByteArray total = QByteArray::number(static_cast<qlonglong>(data.size()));
    HttpRequest mkcol;
    mkcol.method = "MKCOL";
    mkcol.url = session;
    mkcol.headers = {{"Destination", destination}, {"OC-Total-Length", total}};
    ASSERT_TRUE(m_account->http()->send(mkcol, {201}));
    const auto chunk = [&](const char* number, std::size_t from, std::size_t length) {
        HttpRequest put;
        put.method = "PUT";
        put.url = QUrl(session.toString() + "/" + number);
        put.headers = {{"Destination", destination}, {"OC-Total-Length", total}};
        put.body = QByteArray::fromStdString(data.substr(from, length));
        ASSERT_TRUE(m_account->http()->send(put, {201, 204}));
    };
    chunk("00001", 0, kMiB + kMiB / 2);
    chunk("00002", kMiB + kMiB / 2, 700'000);
    chunk("00004", 4 * kMiB, kMiB);

    UploadOptions options = chunked("odd-sizes");
    options.parallelChunks = 3;
    options.targetChunkMilliseconds = 60'000;
    std::int64_t firstProgress = -1;
    options.progress = [&](std::int64_t done) {
        if (firstProgress < 0) firstProgress = done;
    };
    auto uploaded = put("odd.bin", data, options);
    ASSERT_TRUE(uploaded) << uploaded.error().message;
    EXPECT_EQ(uploaded->chunksReused, 2);
    EXPECT_EQ(firstProgress, static_cast<std::int64_t>(kMiB + kMiB / 2 + 700'000));
    EXPECT_EQ(get("odd.bin"), data);
    auto stat = m_client->stat("odd.bin");
    ASSERT_TRUE(stat);
    EXPECT_EQ(stat->checksum, sha1Of(data));
}

} // namespace
