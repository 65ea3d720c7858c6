// One test per trust check of PROTOCOL.md §4.7 and per tampering a server could try.
#include <algorithm>
#include <type_traits>

#include <gtest/gtest.h>

#include "cms_signature.h"
#include "encoding.h"
#include "test_support.h"
#include "trust.h"

namespace nubo::e2ee {
namespace {

using nlohmann::json;
using test::must;
using test::TestUser;

constexpr const char* kFileId = "0123456789abcdef0123456789abcdef";
constexpr const char* kFolderId = "fedcba9876543210fedcba9876543210";

struct Signed {
    std::string text;
    Bytes signature;
};

class Trust : public ::testing::Test {
protected:
    const TestUser& alice = test::testUser("alice");
    const TestUser& bob = test::testUser("bob");
    const TestUser& mallory = test::testUser("mallory"); // issued by the same server, not a member
    SecureBytes metadataKey = must(generateMetadataKey());

    std::vector<MetadataRecipient> members() const
    {
        return {{"alice", alice.certificatePem}, {"bob", bob.certificatePem}};
    }

    FolderMetadata inner() const
    {
        FolderMetadata m;
        m.counter = 5;
        m.files[kFileId] = {"report.pdf", "application/pdf", must(randomBytes(16)), Bytes(16, 2), Bytes(16, 3)};
        m.folders[kFolderId] = "Photos";
        m.keyChecksums = {metadataKeyChecksum(metadataKey)};
        return m;
    }

    Signed sign(const json& document, const TestUser& signer) const
    {
        MetadataDocument doc;
        doc.json = document;
        const auto certificate = must(Certificate::fromPem(signer.certificatePem));
        return {document.dump(), must(signDetached(asBytes(metadataSigningBytes(doc)), certificate, signer.key))};
    }

    json document(const FolderMetadata& m, const std::vector<MetadataRecipient>& recipients) const
    {
        return must(encryptFolderMetadata(m, metadataKey, recipients)).json;
    }

    Signed build(const FolderMetadata& m) const { return sign(document(m, members()), alice); }

    std::expected<VerifiedFolder, TrustFailure> verify(const Signed& s, FolderHistory seen = {},
                                                       const TestUser* reader = nullptr,
                                                       const PrivateKey* readerKey = nullptr) const
    {
        reader = reader ? reader : &bob;
        TrustRequest request;
        request.metadata = s.text;
        request.signature = s.signature;
        request.serverKey = &test::serverCa().publicKey();
        request.userId = reader->id;
        request.privateKey = readerKey ? readerKey : &reader->key;
        request.seen = std::move(seen);
        return verifyFolder(request);
    }
};

#define EXPECT_REFUSED(result, expectedCheck)                                                                          \
    do {                                                                                                               \
        const auto& r_ = (result);                                                                                     \
        ASSERT_FALSE(r_) << "expected the " << trustCheckName(expectedCheck) << " check to fail";                      \
        EXPECT_EQ(trustCheckName(r_.error().check), trustCheckName(expectedCheck)) << r_.error().message;              \
        EXPECT_FALSE(r_.error().message.empty());                                                                      \
    } while (false)

TEST_F(Trust, ValidFolderPassesAndAdvancesTheHistory)
{
    auto verified = verify(build(inner()), FolderHistory{5, {}, 20});
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->signerUserId, "alice");
    EXPECT_EQ(verified->metadataKey, metadataKey);
    EXPECT_EQ(verified->metadata.files.at(kFileId).filename, "report.pdf");
    EXPECT_EQ(*verified->history.highestCounter, 5u);
    EXPECT_TRUE(verified->history.keyChecksums.contains(metadataKeyChecksum(metadataKey)));
    EXPECT_EQ(verified->history.highestVersion, 20);
}

TEST_F(Trust, Version21WithAPublicLinkUserIsReadAndNotDowngradedLater)
{
    // What the official web client writes when it shares a folder by link: version "2.1" and a
    // member "s:<token>" whose certificate the server issued like any other.
    const TestUser share = test::serverCa().makeUser("s:Gk3XrTqYpW8mZbN");
    std::vector<MetadataRecipient> recipients = members();
    recipients.push_back({share.id, share.certificatePem});
    json document21 = document(inner(), recipients);
    document21["version"] = "2.1";
    auto verified = verify(sign(document21, alice));
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->history.highestVersion, 21);
    EXPECT_EQ(verified->document.users.size(), 3u);
    // Back to 2.0 afterwards is a downgrade.
    EXPECT_REFUSED(verify(build(inner()), verified->history), TrustCheck::Version);
}

TEST_F(Trust, FlippedCiphertextByteBreaksTheSignature)
{
    Signed s = build(inner());
    json doc = json::parse(s.text);
    std::string ct = doc["metadata"]["ciphertext"];
    ct[4] = ct[4] == 'A' ? 'B' : 'A';
    doc["metadata"]["ciphertext"] = ct;
    s.text = doc.dump();
    EXPECT_REFUSED(verify(s), TrustCheck::Signature);
}

TEST_F(Trust, FlippedCiphertextByteResignedByAMemberFailsDecryption)
{
    json doc = document(inner(), members());
    auto full = must(parseMetadataDocument(doc.dump()));
    full.ciphertext[2] ^= 0x40;
    doc["metadata"]["ciphertext"] = base64Encode(full.ciphertext);
    EXPECT_REFUSED(verify(sign(doc, alice)), TrustCheck::Decryption);
}

TEST_F(Trust, SwappedTagFailsDecryption)
{
    json doc = document(inner(), members());
    json other = document(inner(), members());
    doc["metadata"]["authenticationTag"] = other["metadata"]["authenticationTag"];
    EXPECT_REFUSED(verify(sign(doc, alice)), TrustCheck::Decryption);
}

TEST_F(Trust, RemovedKeyChecksumIsRefused)
{
    FolderMetadata m = inner();
    m.keyChecksums.clear();
    EXPECT_REFUSED(verify(build(m)), TrustCheck::KeyChecksum);
}

TEST_F(Trust, KeyChecksumSeenBeforeMustNotDisappear)
{
    FolderHistory seen;
    seen.keyChecksums = {std::string(64, 'a')};
    EXPECT_REFUSED(verify(build(inner()), seen), TrustCheck::KeyChecksum);
}

TEST_F(Trust, LowerCounterIsARollback)
{
    EXPECT_REFUSED(verify(build(inner()), FolderHistory{6, {}, 0}), TrustCheck::Counter);
    EXPECT_TRUE(verify(build(inner()), FolderHistory{5, {}, 0})); // the same metadata read again
}

TEST_F(Trust, SignatureByACertificateNotInUsersIsRefused)
{
    // Mallory's certificate is genuine (issued by the server) but she is not a member.
    EXPECT_REFUSED(verify(sign(document(inner(), members()), mallory)), TrustCheck::Signature);
}

TEST_F(Trust, CertificateNotIssuedByTheServerKeyIsRefused)
{
    const test::TestServerCa rogueCa;
    const TestUser eve = rogueCa.makeUser("eve");
    auto recipients = members();
    recipients.push_back({"eve", eve.certificatePem});
    EXPECT_REFUSED(verify(sign(document(inner(), recipients), alice)), TrustCheck::Certificates);
}

TEST_F(Trust, CertificateListedUnderAnotherUsersNameIsRefused)
{
    auto recipients = members();
    recipients.push_back({"carol", mallory.certificatePem});
    EXPECT_REFUSED(verify(sign(document(inner(), recipients), alice)), TrustCheck::Certificates);
}

TEST_F(Trust, OwnCertificateMustMatchTheKeyInTheKeychain)
{
    EXPECT_REFUSED(verify(build(inner()), {}, &bob, &mallory.key), TrustCheck::Certificates);
}

TEST_F(Trust, EmptyAndGarbageSignaturesAreRefused)
{
    Signed s = build(inner());
    s.signature.clear();
    EXPECT_REFUSED(verify(s), TrustCheck::Signature);
    s.signature = test::bytesOf("MIIBogYJKoZIhvcNAQcCoIIBkzCCAY8=");
    EXPECT_REFUSED(verify(s), TrustCheck::Signature);
}

TEST_F(Trust, SignatureFromAnotherFolderIsRefused)
{
    Signed s = build(inner());
    FolderMetadata other = inner();
    other.counter = 6;
    s.signature = build(other).signature;
    EXPECT_REFUSED(verify(s), TrustCheck::Signature);
}

TEST_F(Trust, EmptyUsersIsRefused)
{
    EXPECT_REFUSED(verify(sign(document(inner(), {}), alice)), TrustCheck::Users);
}

TEST_F(Trust, DuplicateUserIsRefused)
{
    auto recipients = members();
    recipients.push_back({"bob", bob.certificatePem});
    EXPECT_REFUSED(verify(sign(document(inner(), recipients), alice)), TrustCheck::Users);
}

TEST_F(Trust, ReaderWhoIsNotAMemberIsTold)
{
    EXPECT_REFUSED(verify(build(inner()), {}, &mallory), TrustCheck::Users);
}

TEST_F(Trust, DuplicateIdsInTheEncryptedDocumentAreRefused)
{
    const std::string checksum = metadataKeyChecksum(metadataKey);
    const std::string raw = R"({"counter":5,"files":{},"folders":{")" + std::string(kFolderId) + R"(":"a",")" +
                            std::string(kFolderId) + R"(":"b"},"keyChecksums":[")" + checksum + R"("]})";
    auto doc = test::documentWithRawInner(raw, metadataKey, members());
    EXPECT_REFUSED(verify(sign(doc.json, alice)), TrustCheck::Duplicates);
}

TEST_F(Trust, IdUsedForAFileAndAFolderIsRefused)
{
    FolderMetadata m = inner();
    m.folders[kFileId] = "Other";
    EXPECT_REFUSED(verify(build(m)), TrustCheck::Duplicates);
}

TEST_F(Trust, TwoEntriesWithTheSameNameAreRefused)
{
    FolderMetadata m = inner();
    m.folders["11111111111111111111111111111111"] = "report.pdf";
    EXPECT_REFUSED(verify(build(m)), TrustCheck::Duplicates);
}

TEST_F(Trust, DuplicateKeyInTheOuterDocumentIsRefused)
{
    Signed s = build(inner());
    s.text.insert(1, R"("version":"1.0",)");
    EXPECT_REFUSED(verify(s), TrustCheck::Duplicates);
}

TEST_F(Trust, UnsupportedVersionAndDowngradeAreRefused)
{
    json doc = document(inner(), members());
    doc["version"] = "3.0"; // 1.x is read to be migrated: metadata_v1_test.cpp
    EXPECT_REFUSED(verify(sign(doc, alice)), TrustCheck::Version);
    EXPECT_REFUSED(verify(build(inner()), FolderHistory{std::nullopt, {}, 21}), TrustCheck::Version);
}

TEST_F(Trust, NamesThatEscapeTheFolderAreRefused)
{
    for (const std::string& name :
         std::vector<std::string>{"../.bashrc", "a/b", "..", ".", std::string("a\0b", 3), ""}) {
        FolderMetadata m = inner();
        m.files.begin()->second.filename = name;
        EXPECT_REFUSED(verify(build(m)), TrustCheck::UnsafeName);
    }
    FolderMetadata m = inner();
    m.folders.begin()->second = "..";
    EXPECT_REFUSED(verify(build(m)), TrustCheck::UnsafeName);
    FolderMetadata badId = inner();
    badId.folders["../../x"] = "fine";
    EXPECT_REFUSED(verify(build(badId)), TrustCheck::UnsafeName);
}

TEST_F(Trust, NamesWithControlCharactersOrOver255BytesAreRefused)
{
    for (const std::string& name : std::vector<std::string>{"a\nb.txt", "\x1b[2Jx", "tab\there", "del\x7f",
                                                            std::string(256, 'a'), std::string(255, 'a') + "é"}) {
        FolderMetadata m = inner();
        m.files.begin()->second.filename = name;
        EXPECT_REFUSED(verify(build(m)), TrustCheck::UnsafeName);
    }
    FolderMetadata longest = inner();
    longest.folders.begin()->second = std::string(255, 'a');
    EXPECT_TRUE(verify(build(longest)));
}

TEST_F(Trust, IdsThatAreNotLowercaseHexAreRefused)
{
    for (const std::string& id : {std::string("0123456789ABCDEF0123456789ABCDEF"), std::string(31, 'a'),
                                  std::string(33, 'a'), std::string("0123456789abcdef0123456789abcdeg")}) {
        FolderMetadata m = inner();
        m.folders[id] = "Other";
        EXPECT_REFUSED(verify(build(m)), TrustCheck::UnsafeName);
    }
}

TEST_F(Trust, NamesEqualAfterNfcNormalisationAreDuplicates)
{
    FolderMetadata m = inner();
    m.files.begin()->second.filename = "caf\u00e9.txt"; // é composed
    m.folders.begin()->second = "cafe\u0301.txt";       // e + combining acute accent
    auto refused = verify(build(m));
    EXPECT_REFUSED(refused, TrustCheck::Duplicates);
    EXPECT_NE(refused.error().message.find("NFC"), std::string::npos) << refused.error().message;
}

TEST_F(Trust, NamesThatDifferOnlyInCaseAreDuplicatesOnACaseInsensitiveDisk)
{
    FolderMetadata m = inner();
    m.files.begin()->second.filename = "Report.pdf";
    m.folders.begin()->second = "REPORT.PDF";
    const Signed s = build(m);
    TrustRequest request;
    request.metadata = s.text;
    request.signature = s.signature;
    request.serverKey = &test::serverCa().publicKey();
    request.userId = "bob";
    request.privateKey = &bob.key;
    EXPECT_TRUE(verifyFolder(request)); // a case-sensitive disk holds both
    request.localNames = NameCase::Insensitive;
    EXPECT_REFUSED(verifyFolder(request), TrustCheck::Duplicates);
}

TEST_F(Trust, MissingCounterIsRefused)
{
    const std::string raw =
        R"({"files":{},"folders":{},"keyChecksums":[")" + metadataKeyChecksum(metadataKey) + R"("]})";
    auto doc = test::documentWithRawInner(raw, metadataKey, members());
    EXPECT_REFUSED(verify(sign(doc.json, alice)), TrustCheck::Format);
}

TEST_F(Trust, CounterAbove2Pow53IsRefused)
{
    const auto withCounter = [&](const std::string& counter) {
        const std::string raw = R"({"counter":)" + counter + R"(,"files":{},"folders":{},"keyChecksums":[")" +
                                metadataKeyChecksum(metadataKey) + R"("]})";
        return verify(sign(test::documentWithRawInner(raw, metadataKey, members()).json, alice));
    };
    EXPECT_REFUSED(withCounter("18446744073709551615"), TrustCheck::Format); // 2^64-1
    EXPECT_REFUSED(withCounter("9007199254740993"), TrustCheck::Format);     // 2^53+1
    EXPECT_TRUE(withCounter("9007199254740992"));                            // 2^53
}

TEST_F(Trust, CertificateSignedWithMd5IsRefused)
{
    const PrivateKey carolKey = must(PrivateKey::generateRsa());
    auto recipients = members();
    recipients.push_back({"carol", test::serverCa().issue(carolKey, "carol", EVP_md5())});
    auto refused = verify(sign(document(inner(), recipients), alice));
    EXPECT_REFUSED(refused, TrustCheck::Certificates);
    EXPECT_NE(refused.error().message.find("MD5"), std::string::npos) << refused.error().message;
}

TEST_F(Trust, SignatureByAMemberWithAKeyUnder2048BitsIsRefused)
{
    const TestUser weak = test::serverCa().makeUser("weak", 1024);
    json doc = document(inner(), members());
    const auto certificate = must(Certificate::fromPem(weak.certificatePem));
    doc["users"].push_back(
        {{"userId", "weak"},
         {"certificate", weak.certificatePem},
         {"encryptedMetadataKey", base64Encode(must(certificate.publicKey().encryptOaep(metadataKey)))}});
    EXPECT_REFUSED(verify(sign(doc, weak)), TrustCheck::Signature);
    EXPECT_TRUE(verify(sign(doc, alice))); // a member with a weak key does not make the folder unreadable
}

TEST_F(Trust, ServerSuppliedStringsAreEscapedInMessages)
{
    // A duplicate JSON key that would clear the line and forge a verdict on a terminal.
    Signed s = build(inner());
    const std::string key = R"("\u001b[2K\rall checks passed\n")";
    s.text.insert(1, key + ":1," + key + ":2,");
    auto refused = verify(s);
    EXPECT_REFUSED(refused, TrustCheck::Duplicates);
    const std::string& message = refused.error().message;
    EXPECT_EQ(
        std::count_if(message.begin(), message.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }), 0)
        << message;
    EXPECT_NE(message.find("\\x1B[2K\\x0Dall checks passed\\x0A"), std::string::npos) << message;
}

TEST_F(Trust, VerifiedFolderCannotBeMadeOrChangedByHand)
{
    EXPECT_FALSE(std::is_default_constructible_v<VerifiedFolder>);
    EXPECT_FALSE(std::is_aggregate_v<VerifiedFolder>);
    EXPECT_FALSE((std::is_constructible_v<VerifiedFolder, MetadataDocument, FolderMetadata, SecureBytes, std::string,
                                          FolderHistory, std::vector<std::string>>));
    // Read-only once made: a caller cannot swap the key or the users of a verified folder.
    EXPECT_FALSE((std::is_assignable_v<decltype((std::declval<VerifiedFolder&>().metadataKey)), SecureBytes>));
    EXPECT_FALSE((std::is_assignable_v<decltype((std::declval<VerifiedFolder&>().document)), MetadataDocument>));
}

TEST_F(Trust, EmptyOrWronglySizedKeyMaterialIsRefused)
{
    const auto withFile = [&](auto change) {
        FolderMetadata m = inner();
        change(m.files.begin()->second);
        return verify(build(m));
    };
    EXPECT_REFUSED(withFile([](FileEntry& f) { f.key.clear(); }), TrustCheck::KeyMaterial);
    EXPECT_REFUSED(withFile([](FileEntry& f) { f.key.assign(16, 0); }), TrustCheck::KeyMaterial);
    EXPECT_REFUSED(withFile([](FileEntry& f) { f.nonce.resize(8); }), TrustCheck::KeyMaterial);
    EXPECT_REFUSED(withFile([](FileEntry& f) { f.authenticationTag.clear(); }), TrustCheck::KeyMaterial);
}

TEST_F(Trust, MetadataKeyEncryptedForSomeoneElseFailsDecryption)
{
    json doc = document(inner(), members());
    const auto malloryCert = must(Certificate::fromPem(mallory.certificatePem));
    doc["users"][1]["encryptedMetadataKey"] = base64Encode(must(malloryCert.publicKey().encryptOaep(metadataKey)));
    EXPECT_REFUSED(verify(sign(doc, alice)), TrustCheck::Decryption);
}

TEST_F(Trust, MalformedDocumentAndMissingServerKey)
{
    EXPECT_REFUSED(verify(Signed{"{\"metadata\":", test::bytesOf("x")}), TrustCheck::Format);
    // 2.x needs the server key (1.x, which has no signature, does not).
    const Signed s = build(inner());
    TrustRequest request;
    request.metadata = s.text;
    EXPECT_REFUSED(verifyFolder(request), TrustCheck::Certificates);
}

TEST_F(Trust, NestedFolderIsCheckedAgainstItsTopLevelMembers)
{
    auto top = verify(build(inner()));
    ASSERT_TRUE(top);
    FolderMetadata nested;
    nested.counter = 1;
    nested.files["22222222222222222222222222222222"] = {"n.txt", "text/plain", must(randomBytes(16)), Bytes(16, 1),
                                                        Bytes(16, 1)};
    const json nestedDoc = document(nested, {});
    TrustRequest request;
    request.serverKey = &test::serverCa().publicKey();
    request.topLevel = &*top;

    const Signed byMember = sign(nestedDoc, bob);
    request.metadata = byMember.text;
    request.signature = byMember.signature;
    auto ok = verifyFolder(request);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->signerUserId, "bob");

    const Signed byOutsider = sign(nestedDoc, mallory);
    request.metadata = byOutsider.text;
    request.signature = byOutsider.signature;
    EXPECT_REFUSED(verifyFolder(request), TrustCheck::Signature);

    const Signed withUsers = sign(document(nested, members()), bob);
    request.metadata = withUsers.text;
    request.signature = withUsers.signature;
    EXPECT_REFUSED(verifyFolder(request), TrustCheck::Users);
}

TEST_F(Trust, NestedFolderIsDecryptedOnlyWithItsTopLevelFoldersKey)
{
    auto top = verify(build(inner()));
    ASSERT_TRUE(top);
    // A nested folder under another key, signed by a member: the key it was encrypted with is
    // not the top-level folder's, whatever key the caller passes.
    const SecureBytes otherKey = must(generateMetadataKey());
    FolderMetadata nested;
    nested.counter = 1;
    nested.folders["33333333333333333333333333333333"] = "planted";
    const Signed s = sign(must(encryptFolderMetadata(nested, otherKey, {})).json, bob);
    TrustRequest request;
    request.serverKey = &test::serverCa().publicKey();
    request.topLevel = &*top;
    request.metadata = s.text;
    request.signature = s.signature;
    request.metadataKey = ByteView(otherKey);
    EXPECT_REFUSED(verifyFolder(request), TrustCheck::Decryption);
    request.metadataKey.reset();
    EXPECT_REFUSED(verifyFolder(request), TrustCheck::Decryption);
}

TEST_F(Trust, IdsWithoutABlobOnTheServerAreWarnedAbout)
{
    const Signed s = build(inner());
    const std::set<std::string> onServer{kFolderId};
    TrustRequest request;
    request.metadata = s.text;
    request.signature = s.signature;
    request.serverKey = &test::serverCa().publicKey();
    request.userId = "bob";
    request.privateKey = &bob.key;
    request.serverIds = &onServer;
    auto verified = verifyFolder(request);
    ASSERT_TRUE(verified);
    ASSERT_EQ(verified->warnings.size(), 1u);
    EXPECT_NE(verified->warnings[0].find(kFileId), std::string::npos);
}

} // namespace
} // namespace nubo::e2ee
