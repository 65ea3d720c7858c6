// The fixture of the end-to-end encrypted sync tests: a real nubo-server, an account that set up
// E2EE on "device one" (played by the test, writing exactly what the protocol asks), and an
// encrypted folder "vault". Devices added with device() install the key from the 12 words.
#pragma once

#include "sync_fixture.h"

#include "cms_signature.h"
#include "credential_store.h"
#include "e2ee_api_client.h"
#include "e2ee_folder_hook.h"
#include "e2ee_identity.h"
#include "e2ee_transaction.h"
#include "encoding.h"
#include "file_cipher.h"
#include "metadata.h"
#include "streams.h"
#include "trust.h"

#include <fstream>
#include <regex>
#include <sstream>
#include <sqlite3.h>

namespace nubo::sync::test {

// Requests of the access log whose method and target match, counted.
inline int countRequests(const std::string& log, const std::string& method, const std::string& targetPart)
{
    int n = 0;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);)
        if (line.find(" " + method + " ") != std::string::npos && line.find(targetPart) != std::string::npos)
            ++n;
    return n;
}

// Every file below the server's data directory, as bytes.
inline std::string everythingStored(const fs::path& dataDir)
{
    std::string all;
    for (const auto& entry : fs::recursive_directory_iterator(dataDir))
        if (entry.is_regular_file() && entry.path().filename() != "access.log")
            all += readFile(entry.path());
    return all;
}

// Only 32-hex names below `folder` on the server, recursively; the first other one in `bad`.
inline bool onlyHexNamesBelow(WebDavClient& server, const std::string& folder, std::string& bad)
{
    auto listing = server.list(folder);
    if (!listing) {
        bad = folder + ": " + listing.error().message;
        return false;
    }
    for (const auto& [name, entry] : listing->children) {
        if (!std::regex_match(name, std::regex("[0-9a-f]{32}"))) {
            bad = folder + "/" + name;
            return false;
        }
        if (entry.type == ItemType::Directory && !onlyHexNamesBelow(server, folder + "/" + name, bad))
            return false;
    }
    return true;
}

class E2eeSync : public SyncFixture {
protected:
    void SetUp() override
    {
        SyncFixture::SetUp();
        m_account = connect();
        auto api = E2eeApiClient::forAccount(*m_account);
        ASSERT_TRUE(api.has_value()) << api.error().message;
        m_api = std::make_shared<E2eeApiClient>(std::move(*api));
        // Device 1 (the "other client") sets up E2EE and encrypts an empty folder.
        E2eeKeyStore deviceOne(std::make_shared<FileCredentialStore>(m_work / "device-one.json"), "alice", "file");
        auto created = createE2eeIdentity(*m_api, "alice", deviceOne);
        ASSERT_TRUE(created.has_value()) << created.error().message;
        m_words = std::string(created->mnemonic.begin(), created->mnemonic.end());
        m_writer = std::make_shared<E2eeIdentity>(std::move(created->identity));
        serverMkdir("vault");
        auto vault = server().stat("vault");
        ASSERT_TRUE(vault.has_value());
        m_vaultId = vault->fileId;
        ASSERT_TRUE(encryptEmptyFolder(*m_api, *m_writer, m_vaultId).has_value());
    }

    // This device: installs the key from the 12 words and syncs with the E2EE hook.
    SyncClient& device(const std::string& name)
    {
        SyncClient& c = client(name);
        if (!c.hook) {
            E2eeKeyStore store(std::make_shared<FileCredentialStore>(m_work / (name + "-keys.json")), "alice", "file");
            auto identity = addE2eeDevice(*m_api, "alice", m_words, store);
            EXPECT_TRUE(identity.has_value()) << identity.error().message;
            auto hook = std::make_shared<E2eeFolderHook>(m_api, std::make_shared<E2eeIdentity>(std::move(*identity)));
            c.hook = hook;
            c.transactions = std::make_shared<E2eeTransactionFactory>(hook);
        }
        return c;
    }

    // A folder's metadata as device one verifies it before a write.
    std::expected<e2ee::VerifiedFolder, e2ee::TrustFailure>
    verifiedByWriter(const std::string& fileId, const e2ee::VerifiedFolder* topLevel = nullptr)
    {
        auto stored = m_api->metadata(fileId);
        if (!stored || !*stored)
            return std::unexpected(e2ee::TrustFailure{e2ee::TrustCheck{}, "no metadata for folder " + fileId});
        e2ee::TrustRequest request;
        request.metadata = (*stored)->document;
        request.signature = e2ee::asBytes((*stored)->signature);
        request.serverKey = &m_writer->serverKey;
        request.userId = "alice";
        request.privateKey = &m_writer->key;
        request.topLevel = topLevel;
        return e2ee::verifyFolder(request);
    }

    // The rescue path on a device set up from the 12 words: the vault exported below m_work/rescued.
    Result<ExportSummary> exportVault(std::vector<std::string>& failures)
    {
        E2eeKeyStore store(std::make_shared<FileCredentialStore>(m_work / "rescue-keys.json"), "alice", "file");
        auto identity = addE2eeDevice(*m_api, "alice", m_words, store);
        if (!identity)
            return std::unexpected(identity.error());
        E2eeFolderHook hook(m_api, std::make_shared<E2eeIdentity>(std::move(*identity)));
        return exportEncryptedFolder(server(), hook, "vault", m_work / "rescued",
                                     [&](const std::string& path, const SyncError& error) {
                                         failures.push_back(path + ": " + error.message);
                                     });
    }

    // What an official client does to add a file to the encrypted folder: verify the current
    // metadata, encrypt the content under a fresh key and nonce, lock, PUT the blob under a new
    // random id with the token, write the new signed metadata, unlock. Returns the id.
    std::string writeEncrypted(const std::string& name, const std::string& content)
    {
        auto current = verifiedByWriter(m_vaultId);
        EXPECT_TRUE(current.has_value()) << current.error().message;

        auto fileKey = e2ee::FileKey::generate();
        EXPECT_TRUE(fileKey.has_value());
        e2ee::MemorySource plain(
            e2ee::ByteView(reinterpret_cast<const unsigned char*>(content.data()), content.size()));
        std::ostringstream blob;
        e2ee::OstreamSink sink(blob);
        auto encrypted = e2ee::encryptFile(std::move(*fileKey), plain, sink);
        EXPECT_TRUE(encrypted.has_value());
        auto random = e2ee::randomBytes(16);
        const std::string id = e2ee::hexEncode(*random);

        e2ee::FolderMetadata metadata = current->metadata;
        metadata.counter += 1;
        metadata.files[id] = e2ee::FileEntry{name, "text/plain", encrypted->key, encrypted->nonce, encrypted->tag};
        std::vector<e2ee::MetadataRecipient> recipients;
        for (const auto& user : current->document.users)
            recipients.push_back({user.userId, user.certificatePem});
        auto document = e2ee::encryptFolderMetadata(metadata, current->metadataKey, recipients);
        EXPECT_TRUE(document.has_value());
        const std::string bytes = e2ee::metadataSigningBytes(*document);
        auto signature = e2ee::signDetached(
            e2ee::ByteView(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()), m_writer->certificate,
            m_writer->key);
        EXPECT_TRUE(signature.has_value());

        auto token = m_api->lock(m_vaultId, metadata.counter);
        EXPECT_TRUE(token.has_value()) << token.error().message;
        HttpRequest put;
        put.method = "PUT";
        put.url = server().urlFor("vault/" + id);
        put.body = QByteArray::fromStdString(blob.str());
        put.headers = {{"e2e-token", QByteArray::fromStdString(*token)}};
        auto sent = m_account->http()->send(put, {201, 204});
        EXPECT_TRUE(sent.has_value()) << sent.error().message;
        auto written = m_api->storeMetadata(
            m_vaultId, {e2ee::serializeMetadataDocument(*document), e2ee::base64Encode(*signature)}, *token, false);
        EXPECT_TRUE(written.has_value()) << written.error().message;
        EXPECT_TRUE(m_api->unlock(m_vaultId, *token, false).has_value());
        return id;
    }

    void serverSql(const std::string& sql)
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((m_server->dataDir() / "nubo.sqlite").c_str(), &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        char* error = nullptr;
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
        sqlite3_free(error);
        sqlite3_close(db);
    }

    std::string serverScalar(const std::string& sql)
    {
        sqlite3* db = nullptr;
        EXPECT_EQ(sqlite3_open((m_server->dataDir() / "nubo.sqlite").c_str(), &db), SQLITE_OK);
        sqlite3_stmt* stmt = nullptr;
        std::string value;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
            value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return value;
    }

    // The listing changes (as a hostile server would make it) so that clients read the folder again.
    void touchVaultEtag() { serverSql("UPDATE items SET etag = lower(hex(randomblob(8))) WHERE is_dir = 1"); }

    std::shared_ptr<Account> m_account;
    std::shared_ptr<E2eeApiClient> m_api;
    std::shared_ptr<E2eeIdentity> m_writer;
    std::string m_words;
    std::string m_vaultId;
};

} // namespace nubo::sync::test
