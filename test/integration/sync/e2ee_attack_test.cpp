// A malicious server against end-to-end encrypted folders, read side (PROTOCOL.md §4.7, and the
// attacks of "Share with Care: Breaking E2EE in Nextcloud", Albrecht et al., 2024). Each test lets
// a device sync a good state, then forges what the server stores (its sqlite database, its blob
// files, or metadata a user signed and wrote through the API), and syncs again. Every attack must
// (a) refuse the folder, or the file, with a message naming the check that failed, (b) leave the
// local tree byte for byte as it was, (c) let a plain folder keep syncing in the same run, and
// (d) write or delete nothing under the encrypted folder on this computer.
// Replayed older metadata, a flipped blob and a missing blob are in e2ee_sync_test.cpp.
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "e2ee_fixture.h"

namespace nubo::sync::test {
namespace {

struct EncryptedFolder {
    std::string path; // on the server, plain
    std::string id;   // its file id
};

// A key pair and a self-signed certificate for `commonName`: what a server that wants to read
// new files would slip in, made without the server's CA key.
struct ForgedIdentity {
    e2ee::Certificate certificate;
    e2ee::PrivateKey key;
};

ForgedIdentity forgeSelfSigned(const std::string& commonName)
{
    EVP_PKEY* pkey = EVP_RSA_gen(2048);
    X509* x509 = X509_new();
    if (pkey == nullptr || x509 == nullptr) throw std::runtime_error("OpenSSL cannot make a key or a certificate");
    X509_set_version(x509, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x509), 0);
    X509_gmtime_adj(X509_getm_notBefore(x509), 0);
    X509_gmtime_adj(X509_getm_notAfter(x509), 365L * 24 * 3600);
    X509_set_pubkey(x509, pkey);
    X509_NAME* name = X509_get_subject_name(x509);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(commonName.c_str()), -1,
                               -1, 0);
    X509_set_issuer_name(x509, name);
    if (X509_sign(x509, pkey, EVP_sha256()) <= 0) throw std::runtime_error("OpenSSL cannot sign the certificate");
    const auto toPem = [](auto write) {
        BIO* bio = BIO_new(BIO_s_mem());
        write(bio);
        char* data = nullptr;
        const long size = BIO_get_mem_data(bio, &data);
        std::string pem(data, static_cast<std::size_t>(size));
        BIO_free(bio);
        return pem;
    };
    const std::string certificatePem = toPem([&](BIO* bio) { PEM_write_bio_X509(bio, x509); });
    const std::string keyPem =
        toPem([&](BIO* bio) { PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr); });
    X509_free(x509);
    EVP_PKEY_free(pkey);
    auto certificate = e2ee::Certificate::fromPem(certificatePem);
    auto key = e2ee::PrivateKey::fromPem(keyPem);
    if (!certificate || !key) throw std::runtime_error("the forged certificate or key does not read back");
    return {std::move(*certificate), std::move(*key)};
}

// Everything under `root`, hidden and temporary files included, with each file's mtime: a
// write or a delete anywhere below shows.
Tree rawTree(const fs::path& root)
{
    Tree tree;
    if (!fs::exists(root)) return tree;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        const std::string relative = fs::relative(entry.path(), root).generic_string();
        tree[relative] = entry.is_directory()
                             ? kFolder
                             : readFile(entry.path()) + "\n@mtime " +
                                   std::to_string(fs::last_write_time(entry.path()).time_since_epoch().count());
    }
    return tree;
}

std::string sqlQuoted(const std::string& text)
{
    return "'" + std::regex_replace(text, std::regex("'"), "''") + "'";
}

class E2eeAttack : public E2eeSync {
protected:
    EncryptedFolder vault() const { return {"vault", m_vaultId}; }

    // Another top-level encrypted folder, set up by device one.
    EncryptedFolder makeTopLevel(const std::string& path)
    {
        serverMkdir(path);
        auto folder = server().stat(path);
        EXPECT_TRUE(folder.has_value());
        auto made = encryptEmptyFolder(*m_api, *m_writer, folder->fileId);
        EXPECT_TRUE(made.has_value()) << made.error().message;
        return {path, folder->fileId};
    }

    // The folder's metadata as device one verifies it before a write.
    e2ee::VerifiedFolder readFolder(const std::string& fileId, const e2ee::VerifiedFolder* topLevel = nullptr)
    {
        auto verified = verifiedByWriter(fileId, topLevel);
        if (!verified)
            throw std::runtime_error("device one cannot verify folder " + fileId + ": " + verified.error().message);
        return std::move(*verified);
    }

    static std::vector<e2ee::MetadataRecipient> recipientsOf(const e2ee::VerifiedFolder& folder)
    {
        std::vector<e2ee::MetadataRecipient> recipients;
        for (const auto& user : folder.document.users)
            recipients.push_back({user.userId, user.certificatePem});
        return recipients;
    }

    struct Signed {
        std::string document;
        std::string signature; // base64
    };
    static std::string signature(const e2ee::MetadataDocument& document, const e2ee::Certificate& certificate,
                                 const e2ee::PrivateKey& key)
    {
        auto made = e2ee::signDetached(e2ee::asBytes(e2ee::metadataSigningBytes(document)), certificate, key);
        if (!made) throw std::runtime_error("signing: " + made.error().message);
        return e2ee::base64Encode(*made);
    }
    // The inner document encrypted under `metadataKey` to `recipients` (none: a nested folder),
    // signed with `certificate` and `key`.
    static Signed seal(const e2ee::FolderMetadata& metadata, e2ee::ByteView metadataKey,
                       const std::vector<e2ee::MetadataRecipient>& recipients, const e2ee::Certificate& certificate,
                       const e2ee::PrivateKey& key)
    {
        auto document = e2ee::encryptFolderMetadata(metadata, metadataKey, recipients);
        if (!document) throw std::runtime_error("encrypting metadata: " + document.error().message);
        return {e2ee::serializeMetadataDocument(*document), signature(*document, certificate, key)};
    }
    Signed sealAsAlice(const e2ee::FolderMetadata& metadata, e2ee::ByteView metadataKey,
                       const std::vector<e2ee::MetadataRecipient>& recipients)
    {
        return seal(metadata, metadataKey, recipients, m_writer->certificate, m_writer->key);
    }

    struct Upload {
        std::string serverPath;
        std::string blob;
    };
    struct MetadataWrite {
        std::string fileId;
        Signed metadata;
        bool create = false;
    };
    // One transaction of device one (PROTOCOL.md §4.8): lock the top-level folder with `counter`,
    // upload, write the metadata, unlock.
    void transact(const std::string& lockId, std::uint64_t counter, const std::vector<Upload>& uploads,
                  const std::vector<MetadataWrite>& writes)
    {
        auto token = m_api->lock(lockId, counter);
        ASSERT_TRUE(token.has_value()) << token.error().message;
        for (const Upload& upload : uploads) {
            HttpRequest request;
            request.method = "PUT";
            request.url = server().urlFor(upload.serverPath);
            request.body = QByteArray::fromStdString(upload.blob);
            request.headers = {{"e2e-token", QByteArray::fromStdString(*token)}};
            auto sent = m_account->http()->send(request, {201, 204});
            ASSERT_TRUE(sent.has_value()) << upload.serverPath << ": " << sent.error().message;
        }
        for (const MetadataWrite& write : writes) {
            auto stored = m_api->storeMetadata(write.fileId, {write.metadata.document, write.metadata.signature},
                                               *token, write.create);
            ASSERT_TRUE(stored.has_value()) << stored.error().message;
        }
        ASSERT_TRUE(m_api->unlock(lockId, *token, false).has_value());
    }

    // Device one adds an encrypted folder `name` inside the top-level folder `top`.
    EncryptedFolder addNested(const EncryptedFolder& top, const std::string& name)
    {
        const e2ee::VerifiedFolder topLevel = readFolder(top.id);
        const std::string id = e2ee::hexEncode(*e2ee::randomBytes(16));
        e2ee::FolderMetadata nested;
        nested.counter = 1;
        e2ee::FolderMetadata parent = topLevel.metadata;
        parent.counter += 1;
        parent.folders[id] = name;
        auto token = m_api->lock(top.id, parent.counter);
        EXPECT_TRUE(token.has_value()) << token.error().message;
        HttpRequest mkcol;
        mkcol.method = "MKCOL";
        mkcol.url = server().urlFor(top.path + "/" + id);
        mkcol.headers = {{"e2e-token", QByteArray::fromStdString(*token)}};
        auto made = m_account->http()->send(mkcol, {201});
        EXPECT_TRUE(made.has_value()) << made.error().message;
        // The folder exists (staged) under the lock: its file id is known before the unlock.
        const std::string fileId =
            serverScalar("SELECT id FROM items WHERE name = '" + id + "' AND parent = " + top.id);
        EXPECT_FALSE(fileId.empty());
        const Signed first = sealAsAlice(nested, topLevel.metadataKey, {});
        const Signed updated = sealAsAlice(parent, topLevel.metadataKey, recipientsOf(topLevel));
        EXPECT_TRUE(m_api->storeMetadata(fileId, {first.document, first.signature}, *token, true).has_value());
        EXPECT_TRUE(m_api->storeMetadata(top.id, {updated.document, updated.signature}, *token, false).has_value());
        EXPECT_TRUE(m_api->unlock(top.id, *token, false).has_value());
        return {top.path + "/" + id, fileId};
    }

    // Device one adds a file to `top`, or to its nested folder `nested`; the file's id. Both
    // metadata documents get counter + 1 under one lock of the top-level folder.
    std::string addFile(const EncryptedFolder& top, const EncryptedFolder* nested, const std::string& name,
                        const std::string& content)
    {
        const e2ee::VerifiedFolder topLevel = readFolder(top.id);
        auto fileKey = e2ee::FileKey::generate();
        EXPECT_TRUE(fileKey.has_value());
        e2ee::MemorySource plain(e2ee::asBytes(content));
        std::ostringstream blob;
        e2ee::OstreamSink sink(blob);
        auto encrypted = e2ee::encryptFile(std::move(*fileKey), plain, sink);
        EXPECT_TRUE(encrypted.has_value());
        const std::string id = e2ee::hexEncode(*e2ee::randomBytes(16));
        const e2ee::FileEntry entry{name, "text/plain", encrypted->key, encrypted->nonce, encrypted->tag};

        std::vector<MetadataWrite> writes;
        e2ee::FolderMetadata parent = topLevel.metadata;
        parent.counter += 1;
        if (nested == nullptr) {
            parent.files[id] = entry;
        } else {
            const e2ee::VerifiedFolder folder = readFolder(nested->id, &topLevel);
            e2ee::FolderMetadata inner = folder.metadata;
            inner.counter += 1;
            inner.files[id] = entry;
            writes.push_back({nested->id, sealAsAlice(inner, topLevel.metadataKey, {})});
        }
        writes.push_back({top.id, sealAsAlice(parent, topLevel.metadataKey, recipientsOf(topLevel))});
        transact(top.id, parent.counter, {{(nested ? nested->path : top.path) + "/" + id, blob.str()}}, writes);
        return id;
    }

    // What a hostile server does with its own database: serve this document and signature as
    // the folder's metadata, and change the etags so that clients read it.
    void serverSetMetadata(const std::string& fileId, const std::string& document, const std::string& signatureText)
    {
        serverSql("UPDATE e2ee_metadata SET metadata = " + sqlQuoted(document) +
                  ", signature = " + sqlQuoted(signatureText) + " WHERE folder = " + fileId);
        touchVaultEtag();
    }
    std::string serverMetadata(const std::string& fileId)
    {
        return serverScalar("SELECT metadata FROM e2ee_metadata WHERE folder = " + fileId);
    }
    std::string serverSignature(const std::string& fileId)
    {
        return serverScalar("SELECT signature FROM e2ee_metadata WHERE folder = " + fileId);
    }

    // The device with a synced good state: the encrypted folders as the server has them, and a
    // plain folder.
    SyncClient& syncedDevice()
    {
        serverMkdir("plain");
        serverWrite("plain/old.txt", "plain before");
        SyncClient& a = device("a");
        a.options.maxRetries = 0;
        a.syncOk();
        return a;
    }

    struct Expected {
        std::string path;      // the item the error is reported on
        std::string substring; // what the message must say
    };
    // The run after an attack: only the expected errors; the plain folder gets its new file in
    // the same run; the local tree is byte-identical otherwise; nothing under the encrypted
    // folders `guarded` was written or deleted, and nothing went to the trash.
    void expectRefused(SyncClient& a, const std::vector<Expected>& expected,
                       const std::vector<std::string>& guarded = {"vault"})
    {
        const Tree before = a.tree();
        std::map<std::string, Tree> rawBefore;
        for (const std::string& folder : guarded)
            rawBefore[folder] = rawTree(a.path(folder));
        const Tree trashBefore = rawTree(a.trash());
        const std::string news = "plain/news" + std::to_string(++m_round) + ".txt";
        serverWrite(news, "other folders keep syncing " + std::to_string(m_round));

        auto result = a.sync();
        ASSERT_TRUE(result.has_value()) << result.error().message;
        std::vector<std::string> messages;
        for (const ItemReport& error : result->errors)
            messages.push_back(error.path + ": " + error.message);
        EXPECT_EQ(result->errors.size(), expected.size()) << ::testing::PrintToString(messages);
        for (const Expected& want : expected) {
            const bool found = std::any_of(result->errors.begin(), result->errors.end(), [&](const ItemReport& e) {
                return e.path == want.path && e.message.find(want.substring) != std::string::npos;
            });
            EXPECT_TRUE(found) << "no error on '" << want.path << "' saying '" << want.substring
                               << "'; errors: " << ::testing::PrintToString(messages);
        }
        EXPECT_EQ(result->deletedLocal, 0);
        EXPECT_EQ(a.read(news), "other folders keep syncing " + std::to_string(m_round));
        Tree after = a.tree();
        after.erase(news);
        EXPECT_TRUE(sameTree(after, before)) << "the local tree is byte-identical";
        for (const std::string& folder : guarded)
            EXPECT_TRUE(sameTree(rawTree(a.path(folder)), rawBefore[folder]))
                << "nothing written or deleted under " << folder;
        EXPECT_TRUE(sameTree(rawTree(a.trash()), trashBefore)) << "nothing moved to the trash";
    }

    int m_round = 0;
};

// Attack 1. A user (here alice's other device, or anyone whose signature is trusted) rewrites
// the folder under a new metadata key and drops the old key's checksum: readers that still
// accepted the dropped key could be fed metadata under it again.
TEST_F(E2eeAttack, AKeyChecksumSeenBeforeThatDisappearsIsRefused)
{
    addFile(vault(), nullptr, "one.txt", "first");
    SyncClient& a = syncedDevice();
    ASSERT_EQ(a.read("vault/one.txt"), "first");

    const e2ee::VerifiedFolder current = readFolder(m_vaultId);
    auto newKey = e2ee::generateMetadataKey();
    ASSERT_TRUE(newKey.has_value());
    e2ee::FolderMetadata rotated = current.metadata;
    rotated.counter += 1;
    rotated.files.clear(); // accepted, this would delete one.txt here
    rotated.keyChecksums = {e2ee::metadataKeyChecksum(*newKey)};
    transact(m_vaultId, rotated.counter, {}, {{m_vaultId, sealAsAlice(rotated, *newKey, recipientsOf(current))}});

    expectRefused(a, {{"vault", "failed the key-checksum check (a key checksum seen before"}});
    EXPECT_EQ(a.read("vault/one.txt"), "first");
    // The device remembers the checksum in its journal: refused again on the next run.
    expectRefused(a, {{"vault", "is no longer listed"}});
}

// Attack 2 (Share with Care, "key injection"): the server replaces alice's certificate in
// users[] with one of its own making, wraps a metadata key to it and signs with it; or adds a
// member whose certificate it made, so that the next writer encrypts the folder key to it.
TEST_F(E2eeAttack, ACertificateNotIssuedByThePinnedServerKeyIsRefused)
{
    addFile(vault(), nullptr, "one.txt", "first");
    SyncClient& a = syncedDevice();
    const e2ee::VerifiedFolder current = readFolder(m_vaultId);
    const ForgedIdentity forgedAlice = forgeSelfSigned("alice");
    const ForgedIdentity mallory = forgeSelfSigned("mallory");
    auto attackerKey = e2ee::generateMetadataKey();
    ASSERT_TRUE(attackerKey.has_value());
    e2ee::FolderMetadata forged = current.metadata;
    forged.counter += 1;
    forged.files.clear();
    forged.keyChecksums.push_back(e2ee::metadataKeyChecksum(*attackerKey));

    // alice's certificate swapped for the forged one, the key wrapped to it, signed with it.
    const Signed swapped = seal(forged, *attackerKey, {{"alice", forgedAlice.certificate.toPem()}},
                                forgedAlice.certificate, forgedAlice.key);
    serverSetMetadata(m_vaultId, swapped.document, swapped.signature);
    expectRefused(a, {{"vault", "certificates check (the certificate of \"alice\" was not issued by the pinned "
                                "server key)"}});

    // A member added with a forged certificate, signed by that member.
    const Signed injected =
        seal(forged, *attackerKey, {{"alice", m_writer->certificate.toPem()}, {"mallory", mallory.certificate.toPem()}},
             mallory.certificate, mallory.key);
    serverSetMetadata(m_vaultId, injected.document, injected.signature);
    expectRefused(a, {{"vault", "certificates check (the certificate of \"mallory\" was not issued by the pinned "
                                "server key)"}});
    EXPECT_EQ(a.read("vault/one.txt"), "first");
}

// Attack 3: a signature by a certificate the server key did issue (bob, another user of the same
// server) who is not a member of the folder.
TEST_F(E2eeAttack, ASignatureByAUserWhoIsNotAMemberIsRefused)
{
    addFile(vault(), nullptr, "one.txt", "first");
    SyncClient& a = syncedDevice();
    auto bobAccount = connect("bob", "secret");
    auto bobApi = E2eeApiClient::forAccount(*bobAccount);
    ASSERT_TRUE(bobApi.has_value());
    E2eeKeyStore bobStore(std::make_shared<FileCredentialStore>(m_work / "bob-keys.json"), "bob", "file");
    auto bob = createE2eeIdentity(*bobApi, "bob", bobStore);
    ASSERT_TRUE(bob.has_value()) << bob.error().message;
    ASSERT_TRUE(bob->identity.certificate.issuedBy(m_writer->serverKey));

    // The members stay as they are (alice); the change is signed by bob.
    const e2ee::VerifiedFolder current = readFolder(m_vaultId);
    e2ee::FolderMetadata forged = current.metadata;
    forged.counter += 1;
    forged.files.clear();
    const Signed bySomeoneElse =
        seal(forged, current.metadataKey, recipientsOf(current), bob->identity.certificate, bob->identity.key);
    serverSetMetadata(m_vaultId, bySomeoneElse.document, bySomeoneElse.signature);
    expectRefused(a, {{"vault", "signature check (the signature was made by a certificate (CN \"bob\") that is "
                                "not a member's)"}});
    EXPECT_EQ(a.read("vault/one.txt"), "first");
}

// Attack 4: the server's CA key replaced (it could then certify keys of its own for anyone).
// The check lives where the identity is loaded (loadE2eeIdentity compares the server key with the
// pin); nubocmd then gives the engine a RefusingFolderHook with that reason (sync_command.cpp
// e2eeHookFor), which is what this test puts together: every encrypted folder of the account
// that is listed stops with that reason, plain folders go on.
TEST_F(E2eeAttack, AChangedServerKeyStopsEveryEncryptedFolderOfTheAccount)
{
    addFile(vault(), nullptr, "one.txt", "first");
    const EncryptedFolder second = makeTopLevel("vault2");
    addFile(second, nullptr, "two.txt", "second");
    SyncClient& a = syncedDevice();
    ASSERT_EQ(a.read("vault2/two.txt"), "second");

    // Device one writes on in both folders, so that this run lists them again. (A folder whose
    // etag did not change is not listed, so the engine reports nothing for it: nubocmd then
    // still says why and exits with "items failed", see runOnce.)
    addFile(vault(), nullptr, "later.txt", "not to be shown");
    addFile(second, nullptr, "later.txt", "not to be shown");
    const std::string before = *m_api->serverKey();
    m_server->stop();
    fs::remove(m_server->dataDir() / "server-ca.key");
    restartServer({}); // makes a new CA key
    ASSERT_NE(*m_api->serverKey(), before);

    E2eeKeyStore store(std::make_shared<FileCredentialStore>(m_work / "a-keys.json"), "alice", "file");
    auto identity = loadE2eeIdentity(m_api.get(), "alice", store);
    ASSERT_FALSE(identity.has_value());
    EXPECT_EQ(identity.error().code, SyncErrorCode::UntrustedKey);
    a.hook = std::make_shared<RefusingFolderHook>(identity.error());
    const std::string why = "the server's end-to-end encryption key changed since this device first saw it";
    expectRefused(a, {{"vault", why}, {"vault2", why}}, {"vault", "vault2"});
    EXPECT_EQ(a.read("vault/one.txt"), "first");
    EXPECT_EQ(a.read("vault2/two.txt"), "second");
    EXPECT_FALSE(a.exists("vault/later.txt"));
}

// Attack 5: a signature with one byte flipped, the old signature on a changed document, and
// no signature at all.
TEST_F(E2eeAttack, ABrokenOrMissingSignatureIsRefused)
{
    addFile(vault(), nullptr, "one.txt", "first");
    SyncClient& a = syncedDevice();
    const std::string document = serverMetadata(m_vaultId);
    const std::string good = serverSignature(m_vaultId);
    auto der = e2ee::base64Decode(good);
    ASSERT_TRUE(der.has_value());

    e2ee::SecureBytes flipped = *der;
    flipped[flipped.size() - 5] ^= 0x01; // inside the RSA signature value, the last field
    serverSetMetadata(m_vaultId, document, e2ee::base64Encode(flipped));
    expectRefused(a, {{"vault", "signature check (the signature does not match the metadata"}});

    // The server edits what it can (alice's encryptedMetadataKey) and keeps the signature.
    auto json = nlohmann::json::parse(document);
    json["users"][0]["encryptedMetadataKey"] = e2ee::base64Encode(*e2ee::randomBytes(256));
    serverSetMetadata(m_vaultId, json.dump(), good);
    expectRefused(a, {{"vault", "signature check (the signature does not match the metadata"}});

    serverSetMetadata(m_vaultId, document, "");
    expectRefused(a, {{"vault", "signature check (the metadata has no signature)"}});
    EXPECT_EQ(a.read("vault/one.txt"), "first");
}

// Attack 6: two valid blobs of the same folder swapped on the server (each with its own etag,
// as if the files had changed): each blob's tag is the other file's, so neither decrypts
// under the key and tag its entry names.
TEST_F(E2eeAttack, BlobsSwappedWithinAFolderAreRefusedAndNothingIsWritten)
{
    const std::string one = addFile(vault(), nullptr, "one.txt", "the first file");
    const std::string two = addFile(vault(), nullptr, "two.txt", "the second, longer file");
    SyncClient& a = syncedDevice();
    const std::string blobOne = serverScalar("SELECT blob FROM items WHERE name = '" + one + "'");
    const std::string blobTwo = serverScalar("SELECT blob FROM items WHERE name = '" + two + "'");
    const std::string sizeOne = serverScalar("SELECT size FROM items WHERE name = '" + one + "'");
    const std::string sizeTwo = serverScalar("SELECT size FROM items WHERE name = '" + two + "'");
    serverSql("UPDATE items SET blob = '" + blobTwo + "', size = " + sizeTwo +
              ", etag = lower(hex(randomblob(8))) WHERE name = '" + one + "'");
    serverSql("UPDATE items SET blob = '" + blobOne + "', size = " + sizeOne +
              ", etag = lower(hex(randomblob(8))) WHERE name = '" + two + "'");
    touchVaultEtag();
    const std::string why = "does not match its signed metadata (the authentication tag does not verify";
    expectRefused(a, {{"vault/one.txt", why}, {"vault/two.txt", why}});
    EXPECT_EQ(a.read("vault/one.txt"), "the first file");
    EXPECT_EQ(a.read("vault/two.txt"), "the second, longer file");
}

// Attack 7: a blob cut short (the server says the new size, and a new etag).
TEST_F(E2eeAttack, ATruncatedBlobIsRefusedAndNothingIsWritten)
{
    const std::string content(100000, 'x');
    const std::string id = addFile(vault(), nullptr, "long.txt", content);
    SyncClient& a = syncedDevice();
    ASSERT_EQ(a.read("vault/long.txt"), content);
    const std::string blob = serverScalar("SELECT blob FROM items WHERE name = '" + id + "'");
    const fs::path blobFile = m_server->dataDir() / "blobs" / blob;
    for (const std::size_t keep : {std::size_t{50000}, std::size_t{10}}) {
        SCOPED_TRACE("truncated to " + std::to_string(keep) + " bytes");
        fs::resize_file(blobFile, keep);
        serverSql("UPDATE items SET size = " + std::to_string(keep) +
                  ", etag = lower(hex(randomblob(8))) WHERE name = '" + id + "'");
        touchVaultEtag();
        expectRefused(
            a, {{"vault/long.txt", "does not match its signed metadata (the authentication tag does not verify"}});
    }
    EXPECT_EQ(a.read("vault/long.txt"), content);
}

// Attack 8 (Share with Care, "metadata key replacement"): alice's encryptedMetadataKey wraps a
// key other than the folder's. Signed by a member (here alice's own key: a member's device, or a
// member who turned hostile), so only the key checks can tell.
TEST_F(E2eeAttack, AMetadataKeyOtherThanTheFoldersIsRefused)
{
    addFile(vault(), nullptr, "one.txt", "first");
    SyncClient& a = syncedDevice();
    const e2ee::VerifiedFolder current = readFolder(m_vaultId);
    auto otherKey = e2ee::generateMetadataKey();
    ASSERT_TRUE(otherKey.has_value());
    e2ee::FolderMetadata forged = current.metadata;
    forged.counter += 1;
    forged.files.clear();

    // The metadata encrypted under the other key, which alice is given; keyChecksums unchanged.
    const Signed underOtherKey = sealAsAlice(forged, *otherKey, recipientsOf(current));
    serverSetMetadata(m_vaultId, underOtherKey.document, underOtherKey.signature);
    expectRefused(a, {{"vault", "key-checksum check (the metadata key's checksum is not in keyChecksums)"}});

    // The metadata still under the folder's key, alice given the other key.
    auto document = e2ee::encryptFolderMetadata(forged, current.metadataKey, recipientsOf(current));
    ASSERT_TRUE(document.has_value());
    auto wrapped = m_writer->certificate.publicKey().encryptOaep(*otherKey);
    ASSERT_TRUE(wrapped.has_value());
    document->json["users"][0]["encryptedMetadataKey"] = e2ee::base64Encode(*wrapped);
    serverSetMetadata(m_vaultId, e2ee::serializeMetadataDocument(*document),
                      signature(*document, m_writer->certificate, m_writer->key));
    expectRefused(a, {{"vault", "decryption check (the metadata does not decrypt"}});
    EXPECT_EQ(a.read("vault/one.txt"), "first");
}

// Attack 9: the blob of another encrypted folder's file served under an id this folder's
// metadata lists for another file: refused by its tag. And a blob of the other folder added under
// its own id, which this folder's metadata does not list: not an item of this folder (showing it
// would need this folder's metadata to list it, that is a member's signature).
TEST_F(E2eeAttack, ABlobFromAnotherEncryptedFolderIsRefusedOrIgnored)
{
    const std::string mine = addFile(vault(), nullptr, "mine.txt", "in vault");
    const EncryptedFolder other = makeTopLevel("vault2");
    const std::string theirs = addFile(other, nullptr, "theirs.txt", "in vault2 only");
    SyncClient& a = syncedDevice();
    ASSERT_EQ(a.read("vault2/theirs.txt"), "in vault2 only");

    const std::string theirBlob = serverScalar("SELECT blob FROM items WHERE name = '" + theirs + "'");
    const std::string theirSize = serverScalar("SELECT size FROM items WHERE name = '" + theirs + "'");
    const std::string myBlob = serverScalar("SELECT blob FROM items WHERE name = '" + mine + "'");
    const std::string mySize = serverScalar("SELECT size FROM items WHERE name = '" + mine + "'");
    serverSql("UPDATE items SET blob = '" + theirBlob + "', size = " + theirSize +
              ", etag = lower(hex(randomblob(8))) WHERE name = '" + mine + "'");
    touchVaultEtag();
    expectRefused(a, {{"vault/mine.txt", "does not match its signed metadata (the authentication tag does not verify"}},
                  {"vault", "vault2"});
    EXPECT_EQ(a.read("vault/mine.txt"), "in vault");

    // Put back; then their blob appears in vault under its own id.
    serverSql("UPDATE items SET blob = '" + myBlob + "', size = " + mySize +
              ", etag = lower(hex(randomblob(8))) WHERE name = '" + mine + "'");
    serverSql("INSERT INTO items(owner, parent, name, is_dir, size, mtime, etag, blob, checksum, encrypted) "
              "SELECT owner, " +
              m_vaultId +
              ", name, is_dir, size, mtime, lower(hex(randomblob(8))), blob, checksum, "
              "encrypted FROM items WHERE name = '" +
              theirs + "'");
    touchVaultEtag();
    expectRefused(a, {}, {"vault2"});
    EXPECT_EQ(a.read("vault/mine.txt"), "in vault");
    EXPECT_FALSE(a.exists("vault/theirs.txt"));
    for (const auto& entry : fs::recursive_directory_iterator(a.path("vault")))
        EXPECT_EQ(readFile(entry.path()).find("in vault2 only"), std::string::npos) << entry.path();
}

// Attack 9, one level up: another top-level folder's metadata (signed by alice, alice's key
// wrapped in it) served for this one. Only the history tells them apart: the checksum of the key
// this device saw for the folder is not in the other folder's keyChecksums. (A device that reads
// the folder for the first time has no history to compare with.)
TEST_F(E2eeAttack, AnotherTopLevelFoldersMetadataIsRefused)
{
    addFile(vault(), nullptr, "mine.txt", "in vault");
    const EncryptedFolder other = makeTopLevel("vault2");
    addFile(other, nullptr, "theirs.txt", "in vault2 only");
    addFile(other, nullptr, "theirs2.txt", "in vault2 only"); // its counter is above vault's
    SyncClient& a = syncedDevice();
    serverSetMetadata(m_vaultId, serverMetadata(other.id), serverSignature(other.id));
    expectRefused(a, {{"vault", "failed the key-checksum check (a key checksum seen before"}}, {"vault", "vault2"});
    EXPECT_EQ(a.read("vault/mine.txt"), "in vault");
}

// Attack 10: a nested folder's metadata replaced by another nested folder's of the same tree
// (a valid document, signed by a member, under the same metadata key). Nested metadata names
// neither its folder nor its parent, so the signature and the key pass, and the counter too when
// the other folder's is not lower; what catches it then is that the other folder's entries have
// no blobs in this folder's listing.
TEST_F(E2eeAttack, ANestedFoldersMetadataSwappedForAnotherWhoseBlobsAreElsewhereIsRefused)
{
    const EncryptedFolder left = addNested(vault(), "left");
    const EncryptedFolder right = addNested(vault(), "right");
    addFile(vault(), &left, "l.txt", "left file");
    addFile(vault(), &right, "r.txt", "right file");
    addFile(vault(), &right, "r2.txt", "right file 2"); // right's counter is now above left's
    SyncClient& a = syncedDevice();
    ASSERT_EQ(a.read("vault/left/l.txt"), "left file");
    ASSERT_EQ(a.read("vault/right/r2.txt"), "right file 2");

    const std::string leftDocument = serverMetadata(left.id);
    const std::string leftSignature = serverSignature(left.id);
    serverSetMetadata(left.id, serverMetadata(right.id), serverSignature(right.id));
    expectRefused(a, {{"vault/left", "the server holds no blob for"}});
    EXPECT_EQ(a.read("vault/left/l.txt"), "left file");

    // The other way round, left's document (counter 2) served for right (seen at 3) is also a
    // rollback.
    serverSetMetadata(left.id, leftDocument, leftSignature);
    serverSetMetadata(right.id, leftDocument, leftSignature);
    expectRefused(a, {{"vault/right", "counter check (the metadata counter went back from 3 to 2"}});
    EXPECT_EQ(a.read("vault/right/r.txt"), "right file");
}

// The same swap made consistent by also copying the other folder's blobs into this folder: every
// check of §4.7 passes for the document alone (nothing in a nested folder's metadata binds it to
// its folder id). The same file id in two folders gives it away: both are left alone, and l.txt
// is not taken for deleted.
TEST_F(E2eeAttack, ANestedFoldersMetadataSwappedForAnotherWithItsBlobsIsRefused)
{
    const EncryptedFolder left = addNested(vault(), "left");
    const EncryptedFolder right = addNested(vault(), "right");
    addFile(vault(), &left, "l.txt", "left file");
    const std::string r = addFile(vault(), &right, "r.txt", "right file");
    const std::string r2 = addFile(vault(), &right, "r2.txt", "right file 2");
    SyncClient& a = syncedDevice();
    ASSERT_EQ(a.read("vault/left/l.txt"), "left file");
    const std::string leftDocument = serverMetadata(left.id);
    const std::string leftSignature = serverSignature(left.id);

    serverSql("INSERT INTO items(owner, parent, name, is_dir, size, mtime, etag, blob, checksum, encrypted) "
              "SELECT owner, " +
              left.id +
              ", name, is_dir, size, mtime, lower(hex(randomblob(8))), blob, checksum, "
              "encrypted FROM items WHERE name IN ('" +
              r + "', '" + r2 + "')");
    serverSetMetadata(left.id, serverMetadata(right.id), serverSignature(right.id));
    expectRefused(a, {{"vault/left", "lists a file that the metadata of 'vault/right' lists too"},
                      {"vault/right", "lists a file that the metadata of 'vault/left' lists too"}});
    EXPECT_EQ(a.read("vault/left/l.txt"), "left file");
    EXPECT_FALSE(a.exists("vault/left/r.txt"));
    EXPECT_FALSE(a.exists("vault/left/r2.txt"));
    // Undone on the server, both folders sync again: the swapped document's counter was not kept.
    serverSql("DELETE FROM items WHERE parent = " + left.id + " AND name IN ('" + r + "', '" + r2 + "')");
    serverSetMetadata(left.id, leftDocument, leftSignature);
    const SyncSummary after = a.syncOk();
    EXPECT_EQ(after.deletedLocal, 0);
    EXPECT_EQ(a.read("vault/left/l.txt"), "left file");
    EXPECT_EQ(a.read("vault/right/r2.txt"), "right file 2");
}

// A downgrade: the server lists the encrypted folder as a plain one (the flag dropped, its blobs
// under their random names). Nothing edited or added here may go up in plain text, no blob may
// come down as a file, and nothing here is deleted because its plain name is not listed.
TEST_F(E2eeAttack, AFolderListedUnencryptedGetsNothingInPlainText)
{
    SyncClient& a = syncedDevice();
    a.write("vault/kept.txt", "synced while encrypted");
    a.syncOk();
    a.write("vault/kept.txt", "edited here: marker 7c1e");
    a.write("vault/new.txt", "new here: marker 7c1e");
    serverSql("UPDATE items SET encrypted = 0 WHERE name = 'vault' AND is_dir = 1");
    touchVaultEtag();
    expectRefused(a, {{"vault", "lists it unencrypted"}});
    EXPECT_EQ(serverScalar("SELECT count(*) FROM items WHERE name IN ('kept.txt', 'new.txt')"), "0")
        << "a plain name reached the server";
    EXPECT_EQ(occurrences(accessLog(), "/vault/kept.txt"), 0u);
    EXPECT_EQ(occurrences(accessLog(), "/vault/new.txt"), 0u);
}

// The server deletes the encrypted folder (or says it did) while an edit waits here: the folder
// is not made again unencrypted with the edit in it; it stays here, reported.
TEST_F(E2eeAttack, AnEncryptedFolderDeletedOnTheServerIsNotMadeAgainInPlainText)
{
    SyncClient& a = syncedDevice();
    a.write("vault/kept.txt", "synced while encrypted");
    a.syncOk();
    a.write("vault/kept.txt", "edited here: marker 5d2a");
    serverSql("WITH RECURSIVE gone(id) AS (SELECT id FROM items WHERE name = 'vault' AND is_dir = 1 UNION ALL "
              "SELECT items.id FROM items JOIN gone ON items.parent = gone.id) DELETE FROM items WHERE id IN gone");
    touchVaultEtag();
    const std::size_t folderWrites = occurrences(accessLog(), "MKCOL /remote.php/dav/files/alice/vault");
    expectRefused(a, {{"vault", "not uploaded again unencrypted"}});
    EXPECT_FALSE(server().stat("vault").has_value());
    EXPECT_EQ(occurrences(accessLog(), "MKCOL /remote.php/dav/files/alice/vault"), folderWrites);
    EXPECT_EQ(occurrences(accessLog(), "/vault/kept.txt"), 0u);
}

} // namespace
} // namespace nubo::sync::test
