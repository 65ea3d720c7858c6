// End-to-end encrypted folders in the engine, read side, against a real nubo-server: another
// device (played here by the test, writing exactly what the protocol asks: a blob under a random
// 32-hex name, then signed metadata under the folder's lock) puts files into an encrypted folder;
// the engine lists it through the verified metadata and downloads the files decrypted. What a
// hostile server forges (replayed metadata, a flipped blob, a missing blob) stops that folder
// only, and the local files stay byte for byte as they were.
#include "e2ee_fixture.h"

namespace nubo::sync::test {
namespace {

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

    std::vector<std::string> failures;
    auto summary = exportVault(failures);
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
    std::vector<std::string> ignored;
    auto again = exportVault(ignored);
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

// A device without the key leaves the encrypted folder alone. When the user deletes the plain
// folder holding it, one DELETE of that folder would take the encrypted folder along: another
// device's files, which this one never had. The folder stays on the server with the encrypted
// folder in it, also when the run that deletes lists nothing (the root's ETag did not change)
// and only the journal remembers the encrypted folder.
TEST_F(E2eeSync, AFolderDeletedHereKeepsOnTheServerAnEncryptedFolderThisDeviceHasNoKeyFor)
{
    serverMkdir("p");
    serverMkdir("p/vault");
    const auto inner = server().stat("p/vault");
    ASSERT_TRUE(inner.has_value());
    ASSERT_TRUE(encryptEmptyFolder(*m_api, *m_writer, inner->fileId).has_value());
    serverWrite("p/plain.txt", "plain");
    auto& a = client("no-key"); // no hook: this device never got the 12 words
    a.syncOk();
    ASSERT_EQ(a.read("p/plain.txt"), "plain");
    EXPECT_FALSE(a.exists("p/vault/secret.txt"));
    a.syncOk(); // a run that lists nothing: the root's ETag did not change

    fs::remove_all(a.path("p"));
    const SyncSummary s = a.syncOk();
    EXPECT_TRUE(server().stat("p/vault").has_value()) << "the encrypted folder went with its parent";
    EXPECT_FALSE(server().stat("p/plain.txt").has_value()) << "what this device syncs in it is deleted there";
    bool warned = false;
    for (const std::string& warning : s.warnings)
        warned = warned || warning.find("no key for") != std::string::npos;
    EXPECT_TRUE(warned);
    // The next run does not try again: the folder came back here, empty.
    const SyncSummary again = a.syncOk();
    EXPECT_EQ(again.deletedRemote + again.uploaded + again.downloaded, 0);
    EXPECT_TRUE(server().stat("p/vault").has_value());
}

} // namespace
} // namespace nubo::sync::test
