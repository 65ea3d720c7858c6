// End-to-end encrypted folders in the engine, read side, against a real nubo-server: another
// device (played here by the test, writing exactly what the protocol asks: a blob under a random
// 32-hex name, then signed metadata under the folder's lock) puts files into an encrypted folder;
// the engine lists it through the verified metadata and downloads the files decrypted. What a
// hostile server forges (replayed metadata, a flipped blob, a missing blob) stops that folder
// only, and the local files stay byte for byte as they were.
#include "sync_fixture.h"

#include "cms_signature.h"
#include "credential_store.h"
#include "e2ee_api_client.h"
#include "e2ee_folder_hook.h"
#include "e2ee_identity.h"
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
namespace {

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
            c.hook = std::make_shared<E2eeFolderHook>(m_api, std::make_shared<E2eeIdentity>(std::move(*identity)));
        }
        return c;
    }

    // What an official client does to add a file to the encrypted folder: verify the current
    // metadata, encrypt the content under a fresh key and nonce, lock, PUT the blob under a new
    // random id with the token, write the new signed metadata, unlock. Returns the id.
    std::string writeEncrypted(const std::string& name, const std::string& content)
    {
        auto stored = m_api->metadata(m_vaultId);
        EXPECT_TRUE(stored && *stored);
        e2ee::TrustRequest request;
        request.metadata = (*stored)->document;
        request.signature = e2ee::ByteView(reinterpret_cast<const unsigned char*>((*stored)->signature.data()),
                                           (*stored)->signature.size());
        request.serverKey = &m_writer->serverKey;
        request.userId = "alice";
        request.privateKey = &m_writer->key;
        auto current = e2ee::verifyFolder(request);
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

TEST_F(E2eeSync, FilesAnotherDeviceEncryptedComeDownDecrypted)
{
    const std::string big(3 * 1024 * 1024 + 17, 'q');
    writeEncrypted("secret.txt", "only for alice");
    writeEncrypted("Grüße ünd Äpfel.md", "non-ASCII name");
    writeEncrypted("empty", "");
    writeEncrypted("big.bin", big);
    auto& a = device("a");
    const SyncSummary s = a.syncOk();
    EXPECT_EQ(s.downloaded, 4);
    EXPECT_EQ(a.read("vault/secret.txt"), "only for alice");
    EXPECT_EQ(a.read("vault/Grüße ünd Äpfel.md"), "non-ASCII name");
    EXPECT_EQ(a.read("vault/empty"), "");
    EXPECT_EQ(a.read("vault/big.bin"), big);
    // The server holds only 32-hex names and ciphertext.
    auto listing = server().list("vault");
    ASSERT_TRUE(listing.has_value());
    ASSERT_EQ(listing->children.size(), 4u);
    for (const auto& [name, entry] : listing->children)
        EXPECT_TRUE(std::regex_match(name, std::regex("[0-9a-f]{32}"))) << name;
    for (const auto& entry : fs::recursive_directory_iterator(m_server->dataDir())) {
        if (!entry.is_regular_file())
            continue;
        const std::string bytes = readFile(entry.path());
        EXPECT_EQ(bytes.find("only for alice"), std::string::npos) << entry.path();
        EXPECT_EQ(bytes.find("Grüße"), std::string::npos) << entry.path();
    }
    // Nothing to do next time, and one metadata read per changed folder only.
    const SyncSummary again = a.syncOk();
    EXPECT_EQ(again.downloaded + again.uploaded, 0);
    // A second version from the other device replaces the first.
    writeEncrypted("later.txt", "second write");
    EXPECT_EQ(a.syncOk().downloaded, 1);
    EXPECT_EQ(a.read("vault/later.txt"), "second write");
}

TEST_F(E2eeSync, ReplayedOlderMetadataStopsThatFolderOnlyAndChangesNothingHere)
{
    writeEncrypted("one.txt", "first");
    auto& a = device("a");
    a.syncOk();
    // The server keeps the metadata of this moment...
    const std::string oldDocument = serverScalar("SELECT metadata FROM e2ee_metadata WHERE folder = " + m_vaultId);
    const std::string oldSignature = serverScalar("SELECT signature FROM e2ee_metadata WHERE folder = " + m_vaultId);
    ASSERT_FALSE(oldDocument.empty());
    writeEncrypted("two.txt", "second");
    a.syncOk();
    ASSERT_EQ(a.read("vault/two.txt"), "second");
    const Tree before = a.tree();
    // ...and serves it again later (a rollback: "two.txt" would look deleted), while a plain
    // folder changes too.
    std::string escapedDocument = std::regex_replace(oldDocument, std::regex("'"), "''");
    serverSql("UPDATE e2ee_metadata SET metadata = '" + escapedDocument + "', signature = '" + oldSignature +
              "' WHERE folder = " + m_vaultId);
    touchVaultEtag();
    serverMkdir("plain");
    serverWrite("plain/news.txt", "other folders keep syncing");
    auto result = a.sync();
    ASSERT_TRUE(result.has_value()) << result.error().message;
    ASSERT_EQ(result->errors.size(), 1u);
    EXPECT_EQ(result->errors[0].path, "vault");
    EXPECT_NE(result->errors[0].message.find("counter"), std::string::npos) << result->errors[0].message;
    EXPECT_EQ(result->deletedLocal, 0);
    EXPECT_EQ(a.read("plain/news.txt"), "other folders keep syncing");
    Tree after = a.tree();
    after.erase("plain");
    after.erase("plain/news.txt");
    EXPECT_TRUE(sameTree(after, before)) << "the local tree is byte-identical";
    // Also in a new process: the counter seen is in the journal.
    auto& b = device("a");
    auto again = b.sync();
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->errors.size(), 1u);
}

TEST_F(E2eeSync, AFlippedBlobIsRefusedAndNothingIsWritten)
{
    const std::string id = writeEncrypted("secret.txt", "do not tamper");
    const std::string blob = serverScalar("SELECT blob FROM items WHERE name = '" + id + "'");
    ASSERT_FALSE(blob.empty());
    const fs::path blobFile = m_server->dataDir() / "blobs" / blob;
    std::string bytes = readFile(blobFile);
    bytes[3] ^= 0x01;
    std::ofstream(blobFile, std::ios::binary | std::ios::trunc) << bytes;
    auto& a = device("a");
    a.options.maxRetries = 0;
    auto result = a.sync();
    ASSERT_TRUE(result.has_value()) << result.error().message;
    ASSERT_EQ(result->errors.size(), 1u);
    EXPECT_NE(result->errors[0].message.find("does not match its signed metadata"), std::string::npos)
        << result->errors[0].message;
    EXPECT_FALSE(a.exists("vault/secret.txt"));
    for (const auto& entry : fs::recursive_directory_iterator(a.folder()))
        EXPECT_EQ(readFile(entry.path()).find("do not tamper"), std::string::npos) << entry.path();
}

TEST_F(E2eeSync, ABlobTheMetadataListsButTheServerDroppedDeletesNothing)
{
    const std::string id = writeEncrypted("keep.txt", "mine");
    auto& a = device("a");
    a.syncOk();
    ASSERT_EQ(a.read("vault/keep.txt"), "mine");
    // The server drops the blob from its listing but keeps the signed metadata naming it.
    serverSql("DELETE FROM items WHERE name = '" + id + "'");
    touchVaultEtag();
    auto result = a.sync();
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->deletedLocal, 0);
    ASSERT_EQ(result->errors.size(), 1u);
    EXPECT_NE(result->errors[0].message.find("holds no blob"), std::string::npos) << result->errors[0].message;
    EXPECT_EQ(a.read("vault/keep.txt"), "mine");
}

TEST_F(E2eeSync, LocalChangesInAnEncryptedFolderAreKeptAndReportedNotSentInTheClear)
{
    writeEncrypted("theirs.txt", "from the other device");
    auto& a = device("a");
    a.syncOk();
    a.write("vault/mine.txt", "must never reach the server in the clear");
    a.remove("vault/theirs.txt");
    a.options.maxRetries = 0;
    auto result = a.sync();
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->uploaded + result->deletedRemote, 0);
    EXPECT_EQ(result->errors.size(), 2u);
    EXPECT_EQ(a.read("vault/mine.txt"), "must never reach the server in the clear");
    auto listing = server().list("vault");
    ASSERT_TRUE(listing.has_value());
    EXPECT_EQ(listing->children.size(), 1u); // theirs.txt's blob, nothing new
    for (const auto& entry : fs::recursive_directory_iterator(m_server->dataDir())) {
        if (entry.is_regular_file()) {
            EXPECT_EQ(readFile(entry.path()).find("in the clear"), std::string::npos) << entry.path();
        }
    }
}

TEST_F(E2eeSync, ExportWritesThePlainFilesAndNamesWhatFailsWithoutAJournal)
{
    writeEncrypted("a.txt", "first");
    const std::string bad = writeEncrypted("b.txt", "tampered");
    writeEncrypted("ü.md", "third");
    const std::string blob = serverScalar("SELECT blob FROM items WHERE name = '" + bad + "'");
    const fs::path blobFile = m_server->dataDir() / "blobs" / blob;
    std::string bytes = readFile(blobFile);
    bytes.back() ^= 0x40; // in the tag
    std::ofstream(blobFile, std::ios::binary | std::ios::trunc) << bytes;

    E2eeKeyStore store(std::make_shared<FileCredentialStore>(m_work / "rescue-keys.json"), "alice", "file");
    auto identity = addE2eeDevice(*m_api, "alice", m_words, store);
    ASSERT_TRUE(identity.has_value());
    E2eeFolderHook hook(m_api, std::make_shared<E2eeIdentity>(std::move(*identity)));
    std::vector<std::string> failures;
    auto summary = exportEncryptedFolder(server(), hook, "vault", m_work / "rescued",
                                         [&](const std::string& path, const SyncError& error) {
                                             failures.push_back(path + ": " + error.message);
                                         });
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    EXPECT_EQ(summary->files, 2);
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_NE(failures[0].find("b.txt: "), std::string::npos) << failures[0];
    EXPECT_EQ(readFile(m_work / "rescued" / "a.txt"), "first");
    EXPECT_EQ(readFile(m_work / "rescued" / "ü.md"), "third");
    EXPECT_FALSE(fs::exists(m_work / "rescued" / "b.txt"));
    EXPECT_EQ(std::distance(fs::directory_iterator(m_work / "rescued"), fs::directory_iterator()), 2)
        << "no temporary files left";
    // It never writes into a folder that has something in it.
    auto again = exportEncryptedFolder(server(), hook, "vault", m_work / "rescued", [](auto&&, auto&&) {});
    ASSERT_FALSE(again.has_value());
    EXPECT_NE(again.error().message.find("not empty"), std::string::npos);
}

TEST_F(E2eeSync, WithoutTheKeyAnEncryptedFolderIsLeftAloneWithAdvice)
{
    writeEncrypted("secret.txt", "x");
    auto& a = client("no-key"); // no hook: this device never got the 12 words
    const SyncSummary s = a.syncOk();
    EXPECT_FALSE(a.exists("vault/secret.txt"));
    ASSERT_FALSE(s.warnings.empty());
    EXPECT_NE(s.warnings[0].find("nubocmd e2ee init"), std::string::npos) << s.warnings[0];
}

} // namespace
} // namespace nubo::sync::test
