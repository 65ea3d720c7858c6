#include "credential_store.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QThread>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <future>
#include <qt6keychain/keychain.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace nubo::sync {

namespace {

void wipe(std::string& secret)
{
    OPENSSL_cleanse(secret.data(), secret.size());
    secret.clear();
}

void wipe(QByteArray& secret)
{
    OPENSSL_cleanse(secret.data(), static_cast<std::size_t>(secret.size()));
    secret.clear();
}

std::string errnoText(int error)
{
    return std::strerror(error);
}

// The whole file, refusing (with the chmod advice) one that group or others can access.
// nullopt when it does not exist.
Result<std::optional<std::string>> readPrivateFile(const std::filesystem::path& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return std::optional<std::string>();
        return fail(SyncErrorCode::Config,
                    "cannot read the credential file " + path.string() + ": " + errnoText(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail(SyncErrorCode::Config, "the credential file " + path.string() + " is not a regular file");
    }
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return fail(SyncErrorCode::Config, "the credential file " + path.string() +
                                               " can be read by other users (mode " + mode + "): run chmod 600 " +
                                               path.string());
    }
    std::string content;
    std::vector<char> buffer(64 * 1024);
    while (true) {
        const ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            const int error = errno;
            ::close(fd);
            wipe(content);
            return fail(SyncErrorCode::Config,
                        "cannot read the credential file " + path.string() + ": " + errnoText(error));
        }
        if (got == 0) break;
        content.append(buffer.data(), static_cast<std::size_t>(got));
    }
    OPENSSL_cleanse(buffer.data(), buffer.size());
    ::close(fd);
    return std::optional<std::string>(std::move(content));
}

Result<QJsonObject> loadSecrets(const std::filesystem::path& path)
{
    auto content = readPrivateFile(path);
    if (!content) return std::unexpected(content.error());
    if (!*content) return QJsonObject();
    QJsonParseError error{};
    QByteArray bytes = QByteArray::fromStdString(**content);
    wipe(**content);
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    wipe(bytes);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return fail(SyncErrorCode::Config, "the credential file " + path.string() + " is not valid JSON");
    }
    return document.object().value("secrets").toObject();
}

Result<void> saveSecrets(const std::filesystem::path& path, const QJsonObject& secrets)
{
    std::error_code ec;
    const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    if (!std::filesystem::exists(folder, ec)) {
        std::filesystem::create_directories(folder, ec);
        if (ec) return fail(SyncErrorCode::Config, "cannot create " + folder.string() + ": " + ec.message());
        std::filesystem::permissions(folder, std::filesystem::perms::owner_all, ec);
    }
    QJsonObject root;
    root["version"] = 1;
    root["secrets"] = secrets;
    QByteArray bytes = QJsonDocument(root).toJson(QJsonDocument::Indented);

    unsigned char random[8];
    RAND_bytes(random, sizeof random);
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, ".tmp-%02x%02x%02x%02x%02x%02x%02x%02x", random[0], random[1], random[2],
                  random[3], random[4], random[5], random[6], random[7]);
    const std::filesystem::path temp = path.string() + suffix;
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        wipe(bytes);
        return fail(SyncErrorCode::Config, "cannot write " + temp.string() + ": " + errnoText(errno));
    }
    int error = ::fchmod(fd, 0600) == 0 ? 0 : errno; // whatever the umask
    for (qsizetype done = 0; error == 0 && done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.constData() + done, static_cast<std::size_t>(bytes.size() - done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            error = errno;
        else
            done += n;
    }
    wipe(bytes);
    if (error == 0 && ::fsync(fd) != 0) error = errno;
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error == 0 && ::rename(temp.c_str(), path.c_str()) != 0) error = errno;
    if (error != 0) {
        ::unlink(temp.c_str());
        return fail(error == ENOSPC || error == EDQUOT ? SyncErrorCode::DiskFull : SyncErrorCode::Config,
                    "cannot write the credential file " + path.string() + ": " + errnoText(error));
    }
    // The rename is durable only once the folder is.
    if (const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return {};
}

// Runs a QtKeychain job to completion on a local event loop.
// QtKeychain's jobs (D-Bus to the Secret Service, or dbus-launch when there is no session bus)
// crash when several threads run them at once, as the folders of the desktop app would: one at a
// time in the process.
std::mutex& keychainMutex()
{
    static std::mutex mutex;
    return mutex;
}

void runJob(QKeychain::Job& job)
{
    bool done = false;
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        done = true;
        loop.quit();
    });
    job.setAutoDelete(false);
    job.start();
    if (!done) loop.exec();
}

// QtKeychain hands every job to one object of its own (its JobExecutor), which lives on the thread
// that ran the first job and hears that a job finished through that thread's event loop. Once that
// thread no longer runs one (a pool thread back in its pool), a job started on any other thread
// waits forever: the desktop app's folder threads did, reading the end-to-end encryption key. So
// every job runs on one thread that does nothing else and always runs its event loop, and the
// caller waits for it.
QObject* keychainThreadContext()
{
    static QObject* const context = [] {
        auto* thread = new QThread; // never destroyed: it serves until the process ends
        thread->setObjectName(QStringLiteral("keychain"));
        thread->start();
        auto* object = new QObject;
        object->moveToThread(thread);
        return object;
    }();
    return context;
}

template <typename Work>
std::invoke_result_t<Work> onKeychainThread(Work work)
{
    QObject* context = keychainThreadContext();
    if (QThread::currentThread() == context->thread()) return work();
    std::promise<std::invoke_result_t<Work>> promise;
    QMetaObject::invokeMethod(context, [&] { promise.set_value(work()); }, Qt::QueuedConnection);
    return promise.get_future().get();
}

SyncError keychainError(const QKeychain::Job& job, const std::string& what)
{
    return SyncError{SyncErrorCode::Config, "the system keychain could not " + what + ": " +
                                                job.errorString().toStdString() +
                                                " (is a keyring such as gnome-keyring or KWallet running and "
                                                "unlocked? Otherwise use --password-file)"};
}

} // namespace

FileCredentialStore::FileCredentialStore(std::filesystem::path path) : m_path(std::move(path)) {}

Result<std::optional<std::string>> FileCredentialStore::read(const std::string& key)
{
    std::lock_guard lock(m_mutex);
    auto secrets = loadSecrets(m_path);
    if (!secrets) return std::unexpected(secrets.error());
    const QJsonValue value = secrets->value(QString::fromStdString(key));
    if (!value.isString()) return std::optional<std::string>();
    return std::optional<std::string>(value.toString().toStdString());
}

Result<void> FileCredentialStore::write(const std::string& key, const std::string& secret)
{
    std::lock_guard lock(m_mutex);
    auto secrets = loadSecrets(m_path);
    if (!secrets) return std::unexpected(secrets.error());
    (*secrets)[QString::fromStdString(key)] = QString::fromStdString(secret);
    return saveSecrets(m_path, *secrets);
}

Result<void> FileCredentialStore::remove(const std::string& key)
{
    std::lock_guard lock(m_mutex);
    auto secrets = loadSecrets(m_path);
    if (!secrets) return std::unexpected(secrets.error());
    if (!secrets->contains(QString::fromStdString(key))) return {};
    secrets->remove(QString::fromStdString(key));
    return saveSecrets(m_path, *secrets);
}

KeychainCredentialStore::KeychainCredentialStore(std::string service) : m_service(std::move(service)) {}

Result<std::optional<std::string>> KeychainCredentialStore::read(const std::string& key)
{
    std::lock_guard lock(keychainMutex());
    return onKeychainThread([&]() -> Result<std::optional<std::string>> {
        QKeychain::ReadPasswordJob job(QString::fromStdString(m_service));
        job.setKey(QString::fromStdString(key));
        runJob(job);
        if (job.error() == QKeychain::EntryNotFound) return std::optional<std::string>();
        if (job.error() != QKeychain::NoError) return std::unexpected(keychainError(job, "read '" + key + "'"));
        QByteArray data = job.textData().toUtf8();
        std::string secret = data.toStdString();
        wipe(data);
        return std::optional<std::string>(std::move(secret));
    });
}

Result<void> KeychainCredentialStore::write(const std::string& key, const std::string& secret)
{
    std::lock_guard lock(keychainMutex());
    return onKeychainThread([&]() -> Result<void> {
        QKeychain::WritePasswordJob job(QString::fromStdString(m_service));
        job.setKey(QString::fromStdString(key));
        job.setTextData(QString::fromStdString(secret));
        runJob(job);
        if (job.error() != QKeychain::NoError) return std::unexpected(keychainError(job, "store '" + key + "'"));
        return {};
    });
}

Result<void> KeychainCredentialStore::remove(const std::string& key)
{
    std::lock_guard lock(keychainMutex());
    return onKeychainThread([&]() -> Result<void> {
        QKeychain::DeletePasswordJob job(QString::fromStdString(m_service));
        job.setKey(QString::fromStdString(key));
        runJob(job);
        if (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound) {
            return std::unexpected(keychainError(job, "remove '" + key + "'"));
        }
        return {};
    });
}

Result<std::string> readPasswordFile(const std::filesystem::path& file)
{
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(SyncErrorCode::Config, "cannot read the password file " + file.string() + ": " + errnoText(errno));
    std::string content;
    char buffer[4096];
    while (content.find('\n') == std::string::npos && content.size() < 64 * 1024) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            const int error = errno;
            ::close(fd);
            wipe(content);
            return fail(SyncErrorCode::Config,
                        "cannot read the password file " + file.string() + ": " + errnoText(error));
        }
        if (got == 0) break;
        content.append(buffer, static_cast<std::size_t>(got));
    }
    OPENSSL_cleanse(buffer, sizeof buffer);
    ::close(fd);
    std::string password = content.substr(0, content.find('\n'));
    wipe(content);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) return fail(SyncErrorCode::Config, "the password file " + file.string() + " is empty");
    return password;
}

std::filesystem::path defaultNetrcPath()
{
    if (const char* netrc = std::getenv("NETRC"); netrc && *netrc) return netrc;
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home ? home : ".") / ".netrc";
}

namespace {

// Splits netrc text into tokens: whitespace separates, "..." quotes (with \ escapes, as curl
// reads them), and a macdef body runs to the next blank line and is dropped.
std::vector<std::string> netrcTokens(const std::string& text)
{
    std::vector<std::string> tokens;
    std::size_t i = 0;
    const auto isSpace = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    while (i < text.size()) {
        while (i < text.size() && isSpace(text[i]))
            ++i;
        if (i >= text.size()) break;
        std::string token;
        if (text[i] == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i) {
                if (text[i] == '\\' && i + 1 < text.size()) ++i;
                token += text[i];
            }
            ++i; // closing quote
        } else {
            while (i < text.size() && !isSpace(text[i]))
                token += text[i++];
        }
        tokens.push_back(token);
        if (token == "macdef") {
            while (i < text.size() && text[i] != '\n')
                ++i; // the macro name line
            const std::size_t end = text.find("\n\n", i);
            i = end == std::string::npos ? text.size() : end + 2;
        }
    }
    return tokens;
}

bool sameHost(const std::string& a, const std::string& b)
{
    return QString::fromStdString(a).compare(QString::fromStdString(b), Qt::CaseInsensitive) == 0;
}

} // namespace

Result<std::optional<NetrcEntry>> lookupNetrc(const std::filesystem::path& file, const std::string& host,
                                              const std::string& login)
{
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return std::optional<NetrcEntry>();
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(SyncErrorCode::Config, "cannot read " + file.string() + ": " + errnoText(errno));
    std::string text;
    char buffer[4096];
    while (true) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        text.append(buffer, static_cast<std::size_t>(got));
    }
    OPENSSL_cleanse(buffer, sizeof buffer);
    ::close(fd);
    std::vector<std::string> tokens = netrcTokens(text);
    wipe(text);

    struct Entry {
        bool isDefault = false;
        std::string machine;
        NetrcEntry credentials;
    };
    std::vector<Entry> entries;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const std::string& token = tokens[i];
        const bool hasValue = i + 1 < tokens.size();
        if (token == "machine" && hasValue) {
            entries.push_back(Entry{false, tokens[++i], {}});
        } else if (token == "default") {
            entries.push_back(Entry{true, {}, {}});
        } else if (token == "login" && hasValue && !entries.empty()) {
            entries.back().credentials.login = tokens[++i];
        } else if (token == "password" && hasValue && !entries.empty()) {
            entries.back().credentials.password = tokens[++i];
        } else if (token == "account" && hasValue) { // a macdef name went with its body
            ++i;
        }
    }
    for (auto& token : tokens)
        wipe(token);

    const auto matches = [&](const Entry& entry) { return login.empty() || entry.credentials.login == login; };
    std::optional<NetrcEntry> found;
    for (const auto& entry : entries) {
        if (!entry.isDefault && sameHost(entry.machine, host) && matches(entry)) {
            found = entry.credentials;
            break;
        }
    }
    if (!found) {
        for (const auto& entry : entries) {
            if (entry.isDefault && matches(entry)) {
                found = entry.credentials;
                break;
            }
        }
    }
    for (auto& entry : entries)
        wipe(entry.credentials.password);
    return found;
}

} // namespace nubo::sync
