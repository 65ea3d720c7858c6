// Large streamed bodies (1 MiB and more) go on a connection of the sending thread's own
// (own_connection.cpp) instead of through QNetworkAccessManager. Against a real nubo-server over
// loopback: the replies, errors and guarantees are those of the other path.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QBuffer>
#include <QIODevice>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "account.h"
#include "http_client.h"
#include "http_internal.h"
#include "server_process.h"
#include "webdav_client.h"

namespace fs = std::filesystem;
using namespace nubo::sync;
using nubo::itest::ServerProcess;

namespace {

constexpr qint64 kMiB = 1024 * 1024;

QByteArray randomBytes(qint64 size, unsigned seed)
{
    std::mt19937 generator(seed);
    QByteArray out(size, '\0');
    for (auto& c : out)
        c = static_cast<char>(generator() & 0xff);
    return out;
}

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Says it holds `declared` bytes but fails after `actual`, as a file that shrinks while it is sent.
class ShrinkingDevice final : public QIODevice {
public:
    ShrinkingDevice(qint64 declared, qint64 actual) : m_declared(declared), m_actual(actual)
    {
        open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }
    bool isSequential() const override { return false; }
    qint64 size() const override { return m_declared; }

protected:
    qint64 readData(char* data, qint64 maxSize) override
    {
        const qint64 n = std::min(maxSize, m_actual - pos());
        if (n <= 0) {
            setErrorString(QStringLiteral("the file became shorter while it was being uploaded"));
            return -1;
        }
        std::fill(data, data + n, 'x');
        return n;
    }
    qint64 writeData(const char*, qint64) override { return -1; }

private:
    qint64 m_declared, m_actual;
};

class OwnConnection : public ::testing::Test {
protected:
    void TearDown() override
    {
        HttpClient::releaseThreadResources();
        m_account.reset();
    }

    void start(const std::vector<std::string>& arguments = {}, AccountConfig config = {})
    {
        m_server.addUser("alice", "secret");
        m_server.addArguments(arguments);
        m_server.start();
        connect(config);
    }
    void connect(AccountConfig config = {})
    {
        config.serverUrl = m_server.baseUrl();
        config.user = "alice";
        config.password = "secret";
        auto account = Account::connect(config);
        ASSERT_TRUE(account) << account.error().message;
        m_account = *account;
    }
    QUrl fileUrl(const std::string& name) const
    {
        return QUrl(QString::fromStdString(m_server.baseUrl() + "/remote.php/dav/files/alice/" + name));
    }
    // PUT `body` (a QBuffer over it) to `name`.
    Result<HttpResponse> put(const std::string& name, const QByteArray& body, HttpHeaders headers = {})
    {
        QBuffer device;
        device.setData(body);
        device.open(QIODevice::ReadOnly);
        return putDevice(name, device, std::move(headers));
    }
    Result<HttpResponse> putDevice(const std::string& name, QIODevice& device, HttpHeaders headers = {})
    {
        HttpRequest request;
        request.method = "PUT";
        request.url = fileUrl(name);
        request.bodyDevice = &device;
        request.headers = std::move(headers);
        return m_account->http()->send(request);
    }
    Result<HttpResponse> get(const std::string& name)
    {
        HttpRequest request;
        request.url = fileUrl(name);
        return m_account->http()->send(request);
    }
    std::string accessLog() { return readFile(m_server.dataDir() / "access.log"); }
    // The access log once it holds `text` (the server writes a line after its reply went out).
    std::string accessLogWith(const std::string& text)
    {
        std::string log;
        for (int i = 0; i < 100 && log.find(text) == std::string::npos; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            log = accessLog();
        }
        return log;
    }

    ServerProcess m_server{NUBO_SERVER_BINARY};
    std::shared_ptr<Account> m_account;
};

// Sequential large bodies from one thread share one connection, carry the request id the server
// logs, and arrive whole; a connection the server closed meanwhile (here: it restarted) is not
// used again, and the next body goes on a new one without an error.
TEST_F(OwnConnection, LargeBodiesShareOneKeptConnectionAndAClosedOneIsNotReused)
{
    start();
    const std::int64_t before = http_internal::ownConnectionsOpened();
    const QByteArray first = randomBytes(kMiB, 1);
    const QByteArray second = randomBytes(3 * kMiB + 12345, 2);
    auto one = put("one.bin", first);
    ASSERT_TRUE(one) << one.error().message;
    EXPECT_EQ(one->status, 201);
    auto two = put("two.bin", second, {{"X-OC-Mtime", "1700000000"}});
    ASSERT_TRUE(two) << two.error().message;
    EXPECT_EQ(two->status, 201);
    EXPECT_FALSE(two->header("ETag").isEmpty());
    EXPECT_EQ(two->header("X-OC-MTime"), "accepted");
    auto again = put("one.bin", second, {{"If-Match", one->header("ETag")}});
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->status, 204);
    EXPECT_EQ(http_internal::ownConnectionsOpened() - before, 1) << "three bodies, one connection";
    EXPECT_NE(accessLogWith(again->requestId.toStdString()).find(again->requestId.toStdString()), std::string::npos);

    auto read = get("one.bin");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->body, second);
    read = get("two.bin");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->body, second);

    const auto port = m_server.port();
    m_server.setListen("127.0.0.1:" + std::to_string(port));
    m_server.restart();
    ASSERT_EQ(m_server.port(), port);
    auto afterRestart = put("three.bin", first);
    ASSERT_TRUE(afterRestart) << afterRestart.error().message;
    EXPECT_EQ(afterRestart->status, 201);
    EXPECT_EQ(http_internal::ownConnectionsOpened() - before, 2);
    read = get("three.bin");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->body, first);

    // Bodies under 1 MiB keep going through QNetworkAccessManager.
    ASSERT_TRUE(put("small.bin", randomBytes(kMiB - 1, 3)));
    EXPECT_EQ(http_internal::ownConnectionsOpened() - before, 2);
}

// The server answers before it has read the body (nubo-server's refuse fault, as a web server's
// body size limit does) and closes as web servers do: its reply is the result, the rest of the
// body is not sent, and the half-sent request's connection is not kept.
TEST_F(OwnConnection, AReplyBeforeTheBodyWasSentIsTheResult)
{
    start({"--faults", "PUT /remote.php/dav/files/alice/big* refuse=413"});
    const std::int64_t before = http_internal::ownConnectionsOpened();
    for (int i = 0; i < 3; ++i) {
        std::int64_t sent = 0;
        QBuffer device;
        device.setData(randomBytes(32 * kMiB, 4));
        device.open(QIODevice::ReadOnly);
        HttpRequest request;
        request.method = "PUT";
        request.url = fileUrl("big-" + std::to_string(i) + ".bin");
        request.bodyDevice = &device;
        request.uploadProgress = [&](std::int64_t bytes) { sent = bytes; };
        auto refused = m_account->http()->send(request);
        ASSERT_TRUE(refused) << refused.error().message;
        EXPECT_EQ(refused->status, 413);
        EXPECT_TRUE(HttpClient::serverMessage(*refused).starts_with("injected fault refuse=413"))
            << HttpClient::serverMessage(*refused);
        EXPECT_LT(sent, 32 * kMiB) << "the body went on after the reply";
        EXPECT_EQ(http_internal::ownConnectionsOpened() - before, i + 1) << "a half-sent request's connection is kept";
    }
    auto after = put("after.bin", randomBytes(2 * kMiB, 5));
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_EQ(after->status, 201);
}

// A connection cut while the body goes up is a network error, and the server keeps nothing of it.
TEST_F(OwnConnection, ABodyCutMidwayIsANetworkErrorAndNothingIsStored)
{
    start({"--faults", "PUT /remote.php/dav/files/alice/cut.bin cut=50%"});
    auto cut = put("cut.bin", randomBytes(4 * kMiB, 6));
    ASSERT_FALSE(cut);
    EXPECT_EQ(cut.error().code, SyncErrorCode::Network) << cut.error().message;
    EXPECT_NE(cut.error().message.find("PUT /remote.php/dav/files/alice/cut.bin"), std::string::npos)
        << cut.error().message;
    EXPECT_EQ(get("cut.bin")->status, 404);
    // The next body goes on a new connection.
    auto next = put("next.bin", randomBytes(2 * kMiB, 7));
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(next->status, 201);
}

// A server that stops reading: the idle timeout ends the request, naming the time.
TEST_F(OwnConnection, AServerThatStopsReadingTimesOut)
{
    AccountConfig config;
    config.timeout = std::chrono::seconds(1);
    start({"--faults", "PUT /remote.php/dav/files/alice/slow.bin delay=6000"}, config);
    const auto begin = std::chrono::steady_clock::now();
    // More than the socket buffers on both sides hold, so the writes stall.
    auto slow = put("slow.bin", randomBytes(64 * kMiB, 8));
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().code, SyncErrorCode::Network);
    EXPECT_NE(slow.error().message.find("no answer from the server for 1 s"), std::string::npos)
        << slow.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(6));
}

// A body that ends before the length it announced (the file shrank) fails with its reason, and
// the server keeps nothing: it saw fewer bytes than the Content-Length.
TEST_F(OwnConnection, ABodyThatEndsEarlyFailsWithItsReasonAndNothingIsStored)
{
    start();
    ShrinkingDevice device(4 * kMiB, 3 * kMiB);
    auto shrunk = putDevice("shrunk.bin", device);
    ASSERT_FALSE(shrunk);
    EXPECT_EQ(shrunk.error().code, SyncErrorCode::Network);
    EXPECT_NE(shrunk.error().message.find("the file became shorter while it was being uploaded"), std::string::npos)
        << shrunk.error().message;
    EXPECT_EQ(get("shrunk.bin")->status, 404);
}

// Cancelling stops a large body midway (a paced upload of a file); nothing is stored.
TEST_F(OwnConnection, ACancelStopsTheBodyAndNothingIsStored)
{
    AccountConfig config;
    config.uploadLimitKiB = 2048; // 16 MiB take 8 s
    start({}, config);
    const fs::path file = fs::temp_directory_path() / ("nubo-own-cancel-" + std::to_string(::getpid()));
    {
        const QByteArray data = randomBytes(16 * kMiB, 9);
        std::ofstream out(file, std::ios::binary);
        out.write(data.constData(), data.size());
    }
    WebDavClient client(m_account);
    std::atomic<bool> cancel{false};
    UploadOptions options;
    options.chunkThreshold = 1024 * kMiB; // one PUT
    options.cancel = &cancel;
    std::int64_t progress = 0;
    options.progress = [&](std::int64_t sent) {
        progress = sent;
        if (sent >= 2 * kMiB) cancel = true;
    };
    const std::int64_t before = http_internal::ownConnectionsOpened();
    const auto begin = std::chrono::steady_clock::now();
    auto cancelled = client.upload("cancelled.bin", file, options);
    fs::remove(file);
    ASSERT_FALSE(cancelled);
    EXPECT_EQ(cancelled.error().code, SyncErrorCode::Cancelled) << cancelled.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
    EXPECT_GE(progress, 2 * kMiB);
    EXPECT_LT(progress, 16 * kMiB);
    EXPECT_EQ(http_internal::ownConnectionsOpened() - before, 1);
    EXPECT_EQ(get("cancelled.bin")->status, 404);
}

// A one-shot HTTP server for framings nubo-server never sends: it accepts one connection, reads a
// request with a Content-Length body, and writes `reply` a few bytes at a time, then closes.
class PiecemealServer {
public:
    explicit PiecemealServer(std::string reply) : m_reply(std::move(reply))
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(m_listener, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(m_listener, 1) != 0 ||
            ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
            throw std::runtime_error("cannot listen on loopback");
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~PiecemealServer()
    {
        ::shutdown(m_listener, SHUT_RDWR);
        m_thread.join();
        ::close(m_listener);
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/piece").arg(m_port)); }
    std::int64_t bodyBytesRead() const { return m_bodyRead; }

private:
    void serve()
    {
        const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        std::string head;
        char c = 0;
        while (head.find("\r\n\r\n") == std::string::npos && ::read(fd, &c, 1) == 1)
            head += c;
        const auto at = head.find("Content-Length: ");
        std::int64_t left = at == std::string::npos ? 0 : std::stoll(head.substr(at + 16));
        std::vector<char> buffer(1 << 16);
        while (left > 0) {
            const ssize_t got = ::read(fd, buffer.data(), std::min<std::size_t>(buffer.size(), std::size_t(left)));
            if (got <= 0) break;
            left -= got;
            m_bodyRead += got;
        }
        for (std::size_t i = 0; i < m_reply.size(); i += 7) {
            if (::write(fd, m_reply.data() + i, std::min<std::size_t>(7, m_reply.size() - i)) < 0) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        ::close(fd);
    }

    std::string m_reply;
    int m_listener = -1;
    std::uint16_t m_port = 0;
    std::thread m_thread;
    std::atomic<std::int64_t> m_bodyRead{0};
};

// Replies that arrive a few bytes at a time, after an interim 100 Continue, or end with the
// connection instead of a Content-Length are read whole, as QNetworkAccessManager reads them.
TEST(OwnConnectionFraming, RepliesInPiecesAfterAnInterimOneOrEndedByTheConnectionAreReadWhole)
{
    HttpClientOptions options;
    options.user = "alice";
    options.password = "secret";
    const HttpClient http(options);
    const QByteArray body = randomBytes(2 * kMiB + 3, 11);
    const auto send = [&](const QUrl& url) {
        QBuffer device;
        device.setData(body);
        device.open(QIODevice::ReadOnly);
        HttpRequest request;
        request.method = "PUT";
        request.url = url;
        request.bodyDevice = &device;
        return http.send(request);
    };
    const std::int64_t before = http_internal::ownConnectionsOpened();
    {
        PiecemealServer server("HTTP/1.1 100 Continue\r\n\r\n"
                               "HTTP/1.1 201 Created\r\nETag: \"e1\"\r\nOC-FileId: 00000042oc\r\n"
                               "Content-Length: 5\r\n\r\nhello");
        auto created = send(server.url());
        ASSERT_TRUE(created) << created.error().message;
        EXPECT_EQ(created->status, 201);
        EXPECT_EQ(created->header("etag"), "\"e1\"");
        EXPECT_EQ(created->header("OC-FileId"), "00000042oc");
        EXPECT_EQ(created->body, "hello");
        EXPECT_EQ(server.bodyBytesRead(), body.size());
    }
    {
        PiecemealServer server("HTTP/1.1 507 Insufficient Storage\r\nContent-Type: text/plain\r\n"
                               "Connection: close\r\n\r\nno space left on the server");
        auto full = send(server.url());
        ASSERT_TRUE(full) << full.error().message;
        EXPECT_EQ(full->status, 507);
        EXPECT_EQ(full->reason, "Insufficient Storage");
        EXPECT_EQ(full->body, "no space left on the server");
    }
    {
        // Cut inside the body it announced: not a reply.
        PiecemealServer server("HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\nonly part");
        auto cut = send(server.url());
        ASSERT_FALSE(cut);
        EXPECT_EQ(cut.error().code, SyncErrorCode::Network) << cut.error().message;
    }
    {
        PiecemealServer server("this is not HTTP\r\n\r\n");
        auto garbage = send(server.url());
        ASSERT_FALSE(garbage);
        EXPECT_EQ(garbage.error().code, SyncErrorCode::Network) << garbage.error().message;
        EXPECT_NE(garbage.error().message.find("the server's reply could not be read"), std::string::npos)
            << garbage.error().message;
    }
    EXPECT_EQ(http_internal::ownConnectionsOpened() - before, 4);
    HttpClient::releaseThreadResources();
}

} // namespace

// A header value with a line break would split the request (a hostile server can put one in an
// ETag that goes back as If-Match): it is refused before anything is sent, by both paths.
TEST(HttpClientHeaders, AHeaderWithALineBreakIsRefusedAndNothingIsSent)
{
    ServerProcess server{NUBO_SERVER_BINARY};
    server.addUser("alice", "secret");
    server.start();
    AccountConfig config;
    config.serverUrl = server.baseUrl();
    config.user = "alice";
    config.password = "secret";
    auto account = Account::connect(config);
    ASSERT_TRUE(account) << account.error().message;
    for (const qint64 size : {qint64(100), 2 * kMiB}) {
        QBuffer device;
        device.setData(QByteArray(size, 'x'));
        device.open(QIODevice::ReadOnly);
        HttpRequest request;
        request.method = "PUT";
        request.url = QUrl(QString::fromStdString(server.baseUrl() + "/remote.php/dav/files/alice/evil.bin"));
        request.bodyDevice = &device;
        request.headers = {{"If-Match", "\"abc\"\r\nX-Injected: yes"}};
        auto sent = (*account)->http()->send(request);
        ASSERT_FALSE(sent) << size;
        EXPECT_EQ(sent.error().code, SyncErrorCode::Protocol);
        EXPECT_EQ(sent.error().message,
                  "PUT /remote.php/dav/files/alice/evil.bin: the header If-Match holds a line break; nothing was sent");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(readFile(server.dataDir() / "access.log").find("evil.bin"), std::string::npos);
    HttpClient::releaseThreadResources();
}
