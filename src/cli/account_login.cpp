#include "account_login.h"

#include <QUrl>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <map>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "credential_store.h"

namespace nubo::cli {

using namespace nubo::sync;
namespace fs = std::filesystem;

namespace {

termios g_savedTerminal;

// Ctrl-C at the password prompt must not leave the terminal without echo.
extern "C" void restoreTerminalAndExit(int)
{
    tcsetattr(STDIN_FILENO, TCSANOW, &g_savedTerminal);
    const char newline = '\n';
    (void)!write(STDERR_FILENO, &newline, 1);
    _exit(5); // SyncExitInterrupted: the user stopped it
}

// The first line of standard input, read byte by byte so nothing after it is consumed and no
// copy of the secret stays in a stream buffer.
Result<void> readLineFromStdin(std::string& line)
{
    char c = 0;
    while (true) {
        const ssize_t got = ::read(STDIN_FILENO, &c, 1);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return fail(SyncErrorCode::Config, std::string("cannot read standard input: ") + strerror(errno));
        if (got == 0 || c == '\n') break;
        line.push_back(c);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return {};
}

} // namespace

Result<void> promptSecret(const std::string& prompt, std::string& password)
{
    if (!isatty(STDIN_FILENO)) {
        if (auto read = readLineFromStdin(password); !read) return read;
        if (password.empty())
            return fail(SyncErrorCode::Config, "standard input was empty (for a password: give --password-file "
                                               "F, --app-password-file F or --netrc)");
        return {};
    }
    if (tcgetattr(STDIN_FILENO, &g_savedTerminal) != 0)
        return fail(SyncErrorCode::Config, std::string("cannot switch off echo on the terminal: ") + strerror(errno));
    struct sigaction action {};
    struct sigaction oldInt {};
    struct sigaction oldTerm {};
    action.sa_handler = restoreTerminalAndExit;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &oldInt);
    sigaction(SIGTERM, &action, &oldTerm);
    termios quiet = g_savedTerminal;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    std::cerr << prompt << std::flush;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    auto read = readLineFromStdin(password);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_savedTerminal);
    sigaction(SIGINT, &oldInt, nullptr);
    sigaction(SIGTERM, &oldTerm, nullptr);
    if (!read) return read;
    if (password.empty()) return fail(SyncErrorCode::Config, "nothing was entered");
    return {};
}

namespace {

Result<void> promptPassword(const std::string& who, std::string& password)
{
    return promptSecret("Password for " + who + ": ", password);
}

} // namespace

// nextcloudcmd's spellings, so scripts written for it need few changes. Its -h means "sync
// hidden files" there; here it is help, as everywhere else in nubocmd.
std::vector<std::string> withLongNames(const std::vector<std::string>& args, std::optional<std::string>& refused)
{
    std::vector<std::string> out;
    for (const std::string& arg : args) {
        if (arg == "--") {
            out.insert(out.end(), &arg, args.data() + args.size());
            break;
        }
        if (arg == "-p" || arg == "--password" || arg.starts_with("--password=")) {
            // A password on the command line is visible to every user through ps and lands in
            // shell histories; refuse instead of silently accepting it.
            refused = arg.starts_with("--password") ? "--password" : "-p";
            return {};
        }
        static const std::map<std::string, std::string> aliases = {
            {"-u", "--user"}, {"-n", "--netrc"}, {"-s", "--silent"}, {"--unsyncedfolders", "--unsynced-folders"}};
        const std::string name = arg.substr(0, arg.find('='));
        const auto alias = aliases.find(name);
        out.push_back(alias == aliases.end() ? arg : alias->second + arg.substr(name.size()));
    }
    return out;
}

std::string passwordOnCommandLine(const std::string& refused)
{
    return refused + " is not supported: passwords never go on the command line; use --password-file F, "
                     "--app-password-file F, --netrc or standard input";
}

std::optional<std::string> readAccountArguments(const Arguments& parsed, std::string serverUrl, AccountArguments& out)
{
    out.serverUrl = std::move(serverUrl);
    const int credentialSources =
        parsed.has("--password-file") + parsed.has("--app-password-file") + parsed.has("--netrc");
    if (credentialSources > 1) return std::string("give only one of --password-file, --app-password-file and --netrc");
    if (auto file = parsed.option("--password-file")) out.passwordFile = *file;
    if (auto file = parsed.option("--app-password-file")) out.passwordFile = *file;
    out.netrc = parsed.has("--netrc");
    out.user = parsed.option("--user").value_or("");
    if (parsed.has("--user") && out.user.empty()) return std::string("--user needs a non-empty value");
    out.trust = parsed.has("--trust");
    if (auto text = parsed.option("--proxy")) {
        auto proxy = parseProxyUrl(*text);
        if (!proxy) return "--proxy: " + proxy.error().message;
        if (!proxy->password.empty()) {
            OPENSSL_cleanse(proxy->password.data(), proxy->password.size());
            return std::string("--proxy contains a password: passwords never go on the command line; give "
                               "http://USER@HOST:PORT and --proxy-password-file F, or set https_proxy/http_proxy "
                               "in the environment");
        }
        proxy->source = "--proxy";
        out.proxy = std::move(*proxy);
    }
    if (auto file = parsed.option("--proxy-password-file")) {
        if (!out.proxy || out.proxy->user.empty())
            return std::string("--proxy-password-file needs the proxy's user in --proxy (http://USER@HOST:PORT)");
        out.proxyPasswordFile = *file;
    } else if (out.proxy && !out.proxy->user.empty()) {
        return "--proxy names the user " + out.proxy->user + ": give the proxy's password with --proxy-password-file F";
    }
    return std::nullopt;
}

std::optional<LoginError> applyProxy(const AccountArguments& arguments)
{
    ProxySettings settings = arguments.proxy.value_or(ProxySettings{});
    if (arguments.proxyPasswordFile) {
        auto read = readPasswordFile(*arguments.proxyPasswordFile);
        if (!read) return LoginError{2, "--proxy-password-file: " + read.error().message};
        settings.password = std::move(*read);
    }
    auto applied = applyProxySettings(settings);
    OPENSSL_cleanse(settings.password.data(), settings.password.size());
    if (!applied) return LoginError{2, applied.error().message};
    return std::nullopt;
}

std::expected<AccountConfig, LoginError> loginFor(const AccountArguments& arguments)
{
    // The user may come with the URL, like nextcloudcmd's https://alice@host; a password there
    // would be on the command line, which is refused like --password.
    const QString urlText = QString::fromStdString(arguments.serverUrl);
    const QUrl url(urlText.contains("://") ? urlText : "https://" + urlText);
    if (!url.password().isEmpty())
        return std::unexpected(LoginError{2, "SERVER_URL contains a password: passwords never go on the command "
                                             "line; use --password-file F, --app-password-file F, --netrc or "
                                             "standard input"});
    std::string user = arguments.user.empty() ? url.userName(QUrl::FullyDecoded).toStdString() : arguments.user;

    AccountConfig config;
    config.serverUrl = arguments.serverUrl;
    config.trustCertificates = arguments.trust;
    std::string password;
    struct Wipe {
        std::string& s;
        ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
    } wipe{password};
    if (arguments.passwordFile) {
        auto read = readPasswordFile(*arguments.passwordFile);
        if (!read) return std::unexpected(LoginError{2, read.error().message});
        password = std::move(*read);
    } else if (arguments.netrc) {
        const fs::path netrc = defaultNetrcPath();
        auto entry = lookupNetrc(netrc, url.host().toStdString(), user);
        if (!entry) return std::unexpected(LoginError{4, entry.error().message});
        if (!*entry)
            return std::unexpected(LoginError{4, netrc.string() + " has no entry for " + url.host().toStdString() +
                                                     (user.empty() ? "" : " and user " + user)});
        if (user.empty()) user = (*entry)->login;
        password = std::move((*entry)->password);
        OPENSSL_cleanse((*entry)->password.data(), (*entry)->password.size());
    }
    if (user.empty())
        return std::unexpected(
            LoginError{2, "--user is required (or https://USER@host, or a login in ~/.netrc with --netrc)"});
    if (!arguments.passwordFile && !arguments.netrc) {
        if (auto read = promptPassword(user + "@" + url.host().toStdString(), password); !read)
            return std::unexpected(LoginError{2, read.error().message});
    }
    config.user = user;
    config.password = password;
    return config;
}

} // namespace nubo::cli
