// Where account secrets live between runs: the system keychain (QtKeychain) on desktops, a
// private JSON file on headless machines and in tests. Plus the ways `nubocmd` reads a password
// it is given: a password file or ~/.netrc.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "sync_error.h"

namespace nubo::sync {

class CredentialStore {
public:
    virtual ~CredentialStore() = default;
    // nullopt when there is no secret under `key`.
    virtual Result<std::optional<std::string>> read(const std::string& key) = 0;
    virtual Result<void> write(const std::string& key, const std::string& secret) = 0;
    // Removing a key that is not there succeeds.
    virtual Result<void> remove(const std::string& key) = 0;
};

// A JSON file {"version": 1, "secrets": {key: secret}} with mode 0600, replaced atomically
// (temporary file, fsync, rename). Refuses to read a file that group or others may access.
class FileCredentialStore final : public CredentialStore {
public:
    explicit FileCredentialStore(std::filesystem::path path);

    Result<std::optional<std::string>> read(const std::string& key) override;
    Result<void> write(const std::string& key, const std::string& secret) override;
    Result<void> remove(const std::string& key) override;

    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
    std::mutex m_mutex;
};

// The system keychain through QtKeychain (Secret Service / gnome-keyring, KWallet, macOS
// Keychain, Windows Credential Manager). Each call runs its job to completion on a local event
// loop, so it can be used from any thread of a process with a QCoreApplication.
class KeychainCredentialStore final : public CredentialStore {
public:
    explicit KeychainCredentialStore(std::string service = "Nubo");

    Result<std::optional<std::string>> read(const std::string& key) override;
    Result<void> write(const std::string& key, const std::string& secret) override;
    Result<void> remove(const std::string& key) override;

private:
    std::string m_service;
};

// The first line of a file, without its line ending (--password-file, --app-password-file).
// Config error when the file cannot be read or the line is empty.
Result<std::string> readPasswordFile(const std::filesystem::path& file);

struct NetrcEntry {
    std::string login;
    std::string password;
};

// Looks up `host` in a netrc file (machine/login/password/account/macdef/default, as ftp(1) and
// curl read it). When `login` is given, only an entry with that login matches. The `default`
// entry is used when no machine matches. nullopt when nothing matches or the file does not exist.
Result<std::optional<NetrcEntry>> lookupNetrc(const std::filesystem::path& file, const std::string& host,
                                              const std::string& login = {});
// $NETRC, else $HOME/.netrc.
std::filesystem::path defaultNetrcPath();

} // namespace nubo::sync
