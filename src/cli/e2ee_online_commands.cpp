#include "e2ee_online_commands.h"

#include <QCoreApplication>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <optional>
#include <unistd.h>

#include <openssl/crypto.h>

#include "account.h"
#include "account_login.h"
#include "qt_worker.h"
#include "credential_store.h"
#include "e2ee_api_client.h"
#include "e2ee_folder_hook.h"
#include "e2ee_identity.h"
#include "encoding.h"
#include "item_name.h"
#include "webdav_client.h"

namespace nubo::cli {

using namespace nubo::sync;
namespace fs = std::filesystem;

namespace {

struct Invocation {
    std::string command;
    AccountArguments account;
    std::string keyStore = "keychain";
    std::optional<fs::path> mnemonicFile;
    std::optional<fs::path> newMnemonicFile;
    std::string remoteFolder; // encrypt, export
    fs::path outDir;          // export
};

int usage(const std::string& command, const std::string& message)
{
    std::cerr << "nubocmd e2ee " << command << ": " << message << " (see nubocmd e2ee " << command << " --help)\n";
    return E2eeExitUsage;
}

int failure(const std::string& command, const SyncError& error)
{
    std::cerr << "nubocmd e2ee " << command << ": " << error.message << "\n";
    switch (error.code) {
    case SyncErrorCode::UntrustedKey: return E2eeExitUntrusted;
    case SyncErrorCode::WrongMnemonic: return E2eeExitWrongMnemonic;
    case SyncErrorCode::Auth:
    case SyncErrorCode::Tls:
    case SyncErrorCode::Network:
    case SyncErrorCode::Maintenance: return E2eeExitAccount;
    case SyncErrorCode::Config: return E2eeExitUsage;
    default: return E2eeExitFailure;
    }
}

std::optional<std::string> parse(const std::string& command, const std::vector<std::string>& raw, Invocation& out)
{
    out.command = command;
    std::optional<std::string> refused;
    const std::vector<std::string> args = withLongNames(raw, refused);
    if (refused) return passwordOnCommandLine(*refused);
    std::set<std::string> valued = ACCOUNT_OPTIONS;
    valued.insert("--key-store");
    if (command == "init") valued.insert({"--mnemonic-file", "--new-mnemonic-file"});
    Arguments parsed;
    if (auto problem = parseArguments(args, valued, ACCOUNT_SWITCHES, parsed)) return problem;
    const std::size_t expected = command == "encrypt" ? 2 : command == "export" ? 3 : 1;
    if (parsed.positional.size() != expected)
        return std::string(command == "encrypt"  ? "expected SERVER_URL and REMOTE_FOLDER"
                           : command == "export" ? "expected SERVER_URL, REMOTE_FOLDER and OUT_DIR"
                                                 : "expected SERVER_URL");
    if (auto problem = readAccountArguments(parsed, parsed.positional[0], out.account)) return problem;
    if (command == "encrypt" || command == "export") out.remoteFolder = parsed.positional[1];
    if (command == "export") out.outDir = parsed.positional[2];
    out.keyStore = parsed.option("--key-store").value_or("keychain");
    if (out.keyStore != "keychain" && out.keyStore != "file")
        return "--key-store is keychain or file, not '" + out.keyStore + "'";
    if (auto file = parsed.option("--mnemonic-file")) out.mnemonicFile = *file;
    if (auto file = parsed.option("--new-mnemonic-file")) out.newMnemonicFile = *file;
    if (out.mnemonicFile && out.newMnemonicFile)
        return std::string("give --mnemonic-file (this account has a key) or --new-mnemonic-file (it has none), not "
                           "both");
    return std::nullopt;
}

Result<E2eeKeyStore> keyStoreFor(const Invocation& invocation, const Account& account)
{
    return openE2eeKeyStore(account, invocation.keyStore == "file" ? KeyStoreKind::File : KeyStoreKind::Keychain);
}


// REMOTE_FOLDER as a server path without slashes at either end; a usage message when a folder
// above it is encrypted (its contents are encrypted already, and their keys are up there).
std::expected<std::string, std::string> topLevelFolderArgument(WebDavClient& dav, std::string folder,
                                                                SyncError& serverError)
{
    while (!folder.empty() && folder.front() == '/') folder.erase(folder.begin());
    while (!folder.empty() && folder.back() == '/') folder.pop_back();
    for (std::string above = parentPath(folder); !above.empty(); above = parentPath(above)) {
        auto entry = dav.stat(above);
        if (!entry) {
            serverError = entry.error();
            return std::unexpected(std::string());
        }
        if (entry->encrypted)
            return std::unexpected("'" + folder + "' is inside the encrypted folder '" + above + "'");
    }
    return folder;
}

Result<std::string> readSecretFile(const fs::path& file)
{
    // The same rules as a password file: the first line; a file others can read is refused.
    return readPasswordFile(file);
}

// Writes the new words to a file that must not exist yet, mode 0600.
Result<void> writeNewMnemonic(const fs::path& file, const e2ee::SecureString& words)
{
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(SyncErrorCode::Config, "cannot create " + file.string() + ": " + std::strerror(errno) +
                                               " (it must not exist yet)");
    const std::string text = std::string(words.begin(), words.end()) + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok)
        return fail(SyncErrorCode::LocalIo, "cannot write " + file.string() + ": " + std::strerror(errno));
    return {};
}

// The 12 words go into the key store next to the key, as the desktop app keeps them (its
// "Show the 12 words" reads them there). The key works without them: a failure is a warning.
void keepMnemonic(E2eeKeyStore& store, std::string_view words)
{
    if (auto kept = store.saveMnemonic(words); !kept)
        std::cerr << "nubocmd e2ee init: warning: the 12 words could not be kept in " << store.location() << ": "
                  << kept.error().message << " (the key works; keep the words written down)\n";
}

int init(const Invocation& invocation, const Account& account)
{
    auto api = E2eeApiClient::forAccount(account);
    if (!api) return failure("init", api.error());
    auto opened = keyStoreFor(invocation, account);
    if (!opened) return failure("init", opened.error());
    E2eeKeyStore& store = *opened;
    const std::string& user = account.davUser();
    auto existing = loadE2eeIdentity(&*api, user, store);
    if (!existing) return failure("init", existing.error());
    if (*existing) {
        std::cout << "this device is already set up for " << user << " (key " << (*existing)->fingerprint()
                  << ", kept in " << store.location() << ")\n";
        return E2eeExitOk;
    }
    auto envelope = api->privateKeyEnvelope();
    if (!envelope) return failure("init", envelope.error());
    if (!*envelope) {
        if (invocation.mnemonicFile)
            return usage("init", user + " has no end-to-end encryption key yet, so there are no 12 words to give; "
                                        "run init without --mnemonic-file to create the key");
        auto created = createE2eeIdentity(*api, user, store);
        if (!created) return failure("init", created.error());
        keepMnemonic(store, std::string_view(created->mnemonic.data(), created->mnemonic.size()));
        if (invocation.newMnemonicFile) {
            if (auto written = writeNewMnemonic(*invocation.newMnemonicFile, created->mnemonic); !written) {
                // The key exists now; the words must not be lost: show them instead.
                std::cerr << "nubocmd e2ee init: " << written.error().message << "; here they are instead:\n";
                std::cout << std::string(created->mnemonic.begin(), created->mnemonic.end()) << "\n";
                return E2eeExitFailure;
            }
            std::cout << "the 12 words were written to " << invocation.newMnemonicFile->string() << "\n";
        } else {
            std::cout << "Your 12 words (shown once; write them down and keep them safe: they are the only way "
                         "to read your encrypted files on another device):\n\n    "
                      << std::string(created->mnemonic.begin(), created->mnemonic.end()) << "\n\n";
        }
        std::cout << "end-to-end encryption is set up for " << user << " (key " << created->identity.fingerprint()
                  << ", kept in " << store.location() << ")\n";
        return E2eeExitOk;
    }
    std::string words;
    struct Wipe {
        std::string& s;
        ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
    } wipe{words};
    if (invocation.mnemonicFile) {
        auto read = readSecretFile(*invocation.mnemonicFile);
        if (!read) return usage("init", read.error().message);
        words = std::move(*read);
    } else if (auto read = promptSecret("The 12 words of " + user + ": ", words); !read) {
        return usage("init", read.error().message);
    }
    auto added = addE2eeDevice(*api, user, words, store);
    if (!added) return failure("init", added.error());
    keepMnemonic(store, words);
    std::cout << "this device can now read and write " << user << "'s encrypted folders (key " << added->fingerprint()
              << ", kept in " << store.location() << ")\n";
    return E2eeExitOk;
}

// The encrypted folders directly reachable from the root (an encrypted folder's contents are
// not listed further: their names are ids).
Result<std::vector<std::pair<std::string, RemoteEntry>>> encryptedFolders(const std::shared_ptr<Account>& account)
{
    WebDavClient dav(account, "");
    std::vector<std::pair<std::string, RemoteEntry>> found;
    std::vector<std::string> pending{""};
    while (!pending.empty()) {
        const std::string folder = pending.back();
        pending.pop_back();
        auto listing = dav.list(folder);
        if (!listing) return std::unexpected(listing.error());
        for (auto& [name, entry] : listing->children) {
            if (entry.type != ItemType::Directory) continue;
            const std::string path = joinPath(folder, name);
            if (entry.encrypted)
                found.emplace_back(path, entry);
            else
                pending.push_back(path);
        }
    }
    return found;
}

int status(const Invocation& invocation, const std::shared_ptr<Account>& account)
{
    auto api = E2eeApiClient::forAccount(*account);
    if (!api) return failure("status", api.error());
    auto opened = keyStoreFor(invocation, *account);
    if (!opened) return failure("status", opened.error());
    E2eeKeyStore& store = *opened;
    auto identity = loadE2eeIdentity(&*api, account->davUser(), store);
    if (!identity) return failure("status", identity.error());
    std::cout << "account: " << e2ee::printableName(account->davUser()) << " at "
              << account->serverUrl().toString().toStdString() << " (E2EE api " << api->apiVersion() << ")\n";
    if (!*identity) {
        std::cout << "this device: not set up (nubocmd e2ee init)\n";
    } else {
        const E2eeIdentity& id = **identity;
        std::cout << "key: " << id.fingerprint() << " (certificate SHA-256), kept in " << store.location() << "\n";
        const auto serverKeyDer = id.serverKey.toPem();
        std::cout << "pinned server key: SHA-256 of its PEM "
                  << e2ee::sha256Hex(e2ee::ByteView(reinterpret_cast<const unsigned char*>(serverKeyDer.data()),
                                                    serverKeyDer.size()))
                  << " (unchanged)\n";
    }
    auto folders = encryptedFolders(account);
    if (!folders) return failure("status", folders.error());
    std::cout << "encrypted folders: " << folders->size() << "\n";
    for (const auto& [path, entry] : *folders)
        std::cout << "  /" << e2ee::printableName(path) << " (file id " << entry.fileId << ")\n";
    return E2eeExitOk;
}

int encrypt(const Invocation& invocation, const std::shared_ptr<Account>& account)
{
    auto api = E2eeApiClient::forAccount(*account);
    if (!api) return failure("encrypt", api.error());
    auto opened = keyStoreFor(invocation, *account);
    if (!opened) return failure("encrypt", opened.error());
    auto identity = loadE2eeIdentity(&*api, account->davUser(), *opened);
    if (!identity) return failure("encrypt", identity.error());
    if (!*identity)
        return usage("encrypt", "end-to-end encryption is not set up on this device; run nubocmd e2ee init first");
    WebDavClient dav(account, "");
    SyncError serverError;
    auto checked = topLevelFolderArgument(dav, invocation.remoteFolder, serverError);
    if (!checked && checked.error().empty()) return failure("encrypt", serverError);
    if (!checked) return usage("encrypt", checked.error() + ": everything in it is encrypted already");
    const std::string folder = *checked;
    if (folder.empty()) return usage("encrypt", "the root folder cannot be encrypted; name a folder in it");
    auto listing = dav.list(folder);
    if (!listing) return failure("encrypt", listing.error());
    if (listing->self.type != ItemType::Directory) return usage("encrypt", "'" + folder + "' is not a folder");
    if (listing->self.encrypted) {
        std::cout << "'" << folder << "' is encrypted already\n";
        return E2eeExitOk;
    }
    if (!listing->children.empty() || !listing->refused.empty())
        return usage("encrypt", "'" + folder + "' is not empty: only an empty folder can be encrypted (its files "
                                               "would stay readable by the server); move them out, encrypt, and "
                                               "move them back in");
    if (auto encrypted = encryptEmptyFolder(*api, **identity, listing->self.fileId); !encrypted)
        return failure("encrypt", encrypted.error());
    std::cout << "'" << folder << "' is now end-to-end encrypted\n";
    return E2eeExitOk;
}

int exportFolder(const Invocation& invocation, const std::shared_ptr<Account>& account)
{
    auto api = E2eeApiClient::forAccount(*account);
    if (!api) return failure("export", api.error());
    auto opened = keyStoreFor(invocation, *account);
    if (!opened) return failure("export", opened.error());
    auto identity = loadE2eeIdentity(&*api, account->davUser(), *opened);
    if (!identity) return failure("export", identity.error());
    if (!*identity)
        return usage("export", "this device has no end-to-end encryption key; add it with the 12 words (nubocmd e2ee "
                               "init) first");
    WebDavClient dav(account, "");
    SyncError serverError;
    auto checked = topLevelFolderArgument(dav, invocation.remoteFolder, serverError);
    if (!checked && checked.error().empty()) return failure("export", serverError);
    if (!checked) return usage("export", checked.error() + "; export that one (its metadata holds the keys)");
    const std::string folder = *checked;
    E2eeFolderHook hook(std::make_shared<E2eeApiClient>(std::move(*api)),
                        std::make_shared<E2eeIdentity>(std::move(**identity)));
    auto summary = exportEncryptedFolder(dav, hook, folder, invocation.outDir,
                                         [](const std::string& path, const SyncError& error) {
                                             std::cerr << "not exported: " << path << ": " << error.message << "\n";
                                         });
    if (!summary) return failure("export", summary.error());
    std::cout << "exported " << summary->files << " files and " << summary->folders << " folders ("
              << summary->bytes << " bytes) to " << invocation.outDir.string() << "; " << summary->failures
              << " items could not be verified or decrypted\n";
    return summary->failures == 0 ? E2eeExitOk : E2eeExitFailure;
}

int forget(const Invocation& invocation, const Account& account)
{
    auto store = keyStoreFor(invocation, account);
    if (!store) return failure("forget", store.error());
    if (auto removed = store->forget(); !removed) return failure("forget", removed.error());
    std::cout << "this device's key and pinned keys for " << account.davUser() << " were removed from "
              << store->location() << "; the key stays on the server, and the 12 words add this device again\n";
    return E2eeExitOk;
}

} // namespace

bool isE2eeOnlineCommand(const std::string& command)
{
    return command == "init" || command == "status" || command == "encrypt" || command == "export" ||
           command == "forget";
}

void printE2eeOnlineUsage()
{
    std::cout << R"(Usage: nubocmd e2ee init    [ACCOUNT] [--key-store keychain|file] [--mnemonic-file F | --new-mnemonic-file F] SERVER_URL
       nubocmd e2ee status  [ACCOUNT] [--key-store keychain|file] SERVER_URL
       nubocmd e2ee encrypt [ACCOUNT] [--key-store keychain|file] SERVER_URL REMOTE_FOLDER
       nubocmd e2ee export  [ACCOUNT] [--key-store keychain|file] SERVER_URL REMOTE_FOLDER OUT_DIR
       nubocmd e2ee forget  [ACCOUNT] [--key-store keychain|file] SERVER_URL

ACCOUNT: --user U, --password-file F | --app-password-file F | --netrc, --trust,
         --proxy URL [--proxy-password-file F] (as nubocmd sync).

init     sets this device up. If the account has no key yet, one is made, certified by the server
         and stored there wrapped with 12 new words, printed once (or written to the new file
         given with --new-mnemonic-file, mode 0600). Otherwise the 12 words are read from
         --mnemonic-file, or asked for without echo, and the account's key is installed here.
status   this device's key, where it is kept, the pinned server key, and the encrypted folders.
encrypt  flags an empty server folder as end-to-end encrypted (and writes its first metadata).
export   downloads an encrypted folder and everything below it, verifies and decrypts it, and
         writes the plain files into OUT_DIR (empty or new); no journal, nothing changes on the
         server. Each item that fails a check is named and left out (exit 1).
forget   removes this device's key and pinned keys (the key stays on the server).

The key is kept in the OS keychain (--key-store keychain, the default), or in
$XDG_DATA_HOME/nubo/e2ee-keys.json (mode 0600) with --key-store file, for machines without a
Secret Service. The server key and certificates are pinned on first use: a changed one stops.

Exit codes: 0 done; 1 the server or the disk failed; 2 usage, or a refusal that says why;
3 a certificate or server key that does not check out or changed; 4 the 12 words do not open the
key (or a word is not in the list); 5 the server cannot be reached or refused the login.
)";
}

int runE2eeOnlineCommand(const std::string& command, const std::vector<std::string>& args, char* program)
{
    for (const std::string& arg : args)
        if (arg == "--help" || arg == "-h") {
            printE2eeOnlineUsage();
            return E2eeExitOk;
        }
    Invocation invocation;
    if (auto problem = parse(command, args, invocation)) return usage(command, *problem);
    if (auto proxy = applyProxy(invocation.account)) return usage(command, proxy->message);
    auto login = loginFor(invocation.account);
    if (!login) {
        std::cerr << "nubocmd e2ee " << command << ": " << login.error().message << "\n";
        return login.error().exitCode == 2 ? E2eeExitUsage : E2eeExitAccount;
    }
    int qtArgc = 1;
    char* qtArgv[] = {program, nullptr};
    QCoreApplication app(qtArgc, qtArgv);
    AccountConfig config = std::move(*login);
    return runInWorker([&]() -> int {
        auto account = Account::connect(std::move(config));
        OPENSSL_cleanse(config.password.data(), config.password.size());
        if (!account) return failure(command, account.error());
        if (command == "init") return init(invocation, **account);
        if (command == "status") return status(invocation, *account);
        if (command == "encrypt") return encrypt(invocation, *account);
        if (command == "export") return exportFolder(invocation, *account);
        return forget(invocation, **account);
    });
}

} // namespace nubo::cli
