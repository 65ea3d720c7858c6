// How nubocmd commands that talk to a server get their account: the options they share with
// nextcloudcmd (--user, --password-file, --app-password-file, --netrc, --trust), the proxy
// (--proxy, --proxy-password-file, else curl's environment variables) and the password sources (a
// file, ~/.netrc, standard input, a prompt without echo). A password is never taken from the
// command line or the environment (a proxy's may be in its environment variable, as for curl).
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "account.h"
#include "arguments.h"
#include "network_proxy.h"

namespace nubo::cli {

struct AccountArguments {
    std::string serverUrl;
    std::string user;
    std::optional<std::filesystem::path> passwordFile;
    bool netrc = false;
    bool trust = false;
    std::optional<sync::ProxySettings> proxy; // --proxy, checked; its password is never set here
    std::optional<std::filesystem::path> proxyPasswordFile;
};

// The account options, for parseArguments.
inline const std::set<std::string> ACCOUNT_OPTIONS = {"--user", "--password-file", "--app-password-file", "--proxy",
                                                      "--proxy-password-file"};
inline const std::set<std::string> ACCOUNT_SWITCHES = {"--netrc", "--trust"};

// nextcloudcmd's spellings (-u, -n, -s, --unsyncedfolders) as long names. `refused` is set (and
// nothing returned) for a password on the command line (-p, --password).
std::vector<std::string> withLongNames(const std::vector<std::string>& args, std::optional<std::string>& refused);
// The message for `refused`.
std::string passwordOnCommandLine(const std::string& refused);

// Reads the account options from `parsed`; a message when they contradict each other.
std::optional<std::string> readAccountArguments(const Arguments& parsed, std::string serverUrl,
                                                AccountArguments& out);

// Reads a secret: the first line of standard input when it is not a terminal, else asks with
// `prompt` and no echo (Ctrl-C restores the terminal).
sync::Result<void> promptSecret(const std::string& prompt, std::string& secret);

struct LoginError {
    int exitCode; // 2: usage (a file that cannot be read, no user); 4: the netrc has no entry
    std::string message;
};

// Routes every request of this process through --proxy (its password read from
// --proxy-password-file) or, without it, the proxy the environment variables name; call it before
// the first request. Exit code 2 for a file or an environment variable that cannot be read.
std::optional<LoginError> applyProxy(const AccountArguments& arguments);

// The user (option, URL, netrc) and password (file, netrc, standard input, prompt) as an
// AccountConfig ready for Account::connect. The caller wipes config.password after use.
std::expected<sync::AccountConfig, LoginError> loginFor(const AccountArguments& arguments);

} // namespace nubo::cli
