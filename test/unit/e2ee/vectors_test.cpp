// The real key material and metadata in test/data, written with the official clients' layouts.
#include <gtest/gtest.h>

#include "cms_signature.h"
#include "encoding.h"
#include "metadata.h"
#include "private_key_envelope.h"
#include "test_support.h"
#include "trust.h"

namespace nubo::e2ee {
namespace {

using test::dataJson;
using test::must;

class Vectors : public ::testing::Test {
protected:
    nlohmann::json vectors = dataJson("metadata-v2-alice-bob.json");
    PublicKey serverKey = must(PublicKey::fromPem(test::readDataFile("server-key.pem")));
    std::string rootText = vectors["rootFolderMetadata"].dump();
    std::string nestedText = vectors["nestedFolderMetadata"].dump();
    std::string signature = vectors["rootFolderSignature_b64"];

    PrivateKey keyOf(const std::string& name)
    {
        return must(PrivateKey::fromPem(dataJson(name + ".json")["privateKeyPkcs8Pem"].get<std::string>()));
    }
};

TEST_F(Vectors, BothUsersOpenTheRootMetadataKey)
{
    auto doc = must(parseMetadataDocument(rootText));
    ASSERT_EQ(doc.users.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        auto key = must(decryptMetadataKey(doc.users[i], keyOf(doc.users[i].userId)));
        EXPECT_EQ(base64Encode(key), vectors["expected"]["metadataKey_b64"]);
    }
    // Alice's key does not open Bob's entry.
    EXPECT_FALSE(decryptMetadataKey(doc.users[1], keyOf("alice")));
}

TEST_F(Vectors, RootAndNestedMetadataDecryptToTheExpectedDocuments)
{
    const Bytes metadataKey = test::b64(vectors["expected"]["metadataKey_b64"].get<std::string>());
    auto root = must(decryptFolderMetadata(must(parseMetadataDocument(rootText)), metadataKey));
    EXPECT_EQ(toJson(root), vectors["expected"]["rootInner"]);
    EXPECT_EQ(root.folders.at(vectors["nestedFolderUuid"].get<std::string>()), "notes");
    auto nested = must(decryptFolderMetadata(must(parseMetadataDocument(nestedText)), metadataKey));
    EXPECT_EQ(toJson(nested), vectors["expected"]["nestedInner"]);
    EXPECT_EQ(nested.files.begin()->second.filename, "ä ö ü.md");
    // keyChecksums hold sha256 of the raw metadata key.
    EXPECT_NE(std::find(root.keyChecksums.begin(), root.keyChecksums.end(), metadataKeyChecksum(metadataKey)),
              root.keyChecksums.end());
}

TEST_F(Vectors, CanonicalSigningBytesMatchWhatWasSigned)
{
    EXPECT_EQ(metadataSigningBytes(must(parseMetadataDocument(rootText))), vectors["signedDataForRoot"]);
}

TEST_F(Vectors, RootFolderPassesEveryTrustCheckForAliceAndBob)
{
    for (const std::string name : {"alice", "bob"}) {
        const PrivateKey key = keyOf(name);
        TrustRequest request;
        request.metadata = rootText;
        request.signature = asBytes(signature);
        request.serverKey = &serverKey;
        request.userId = name;
        request.privateKey = &key;
        request.seen.highestCounter = 3;
        auto verified = verifyFolder(request);
        ASSERT_TRUE(verified) << name << ": " << trustCheckName(verified.error().check) << ": "
                              << verified.error().message;
        EXPECT_EQ(verified->signerUserId, "alice");
        EXPECT_EQ(verified->metadata.counter, 3u);
        EXPECT_EQ(verified->history.keyChecksums.size(), 2u);
        EXPECT_TRUE(verified->warnings.empty());
    }
}

TEST_F(Vectors, NestedFolderDecryptsWithTheTopLevelKeyAfterVerification)
{
    const PrivateKey alice = keyOf("alice");
    TrustRequest rootRequest;
    rootRequest.metadata = rootText;
    rootRequest.signature = asBytes(signature);
    rootRequest.serverKey = &serverKey;
    rootRequest.userId = "alice";
    rootRequest.privateKey = &alice;
    auto root = verifyFolder(rootRequest);
    ASSERT_TRUE(root);
    // The vectors carry no signature for the nested folder, so that check fails by name...
    TrustRequest nestedRequest;
    nestedRequest.metadata = nestedText;
    nestedRequest.serverKey = &serverKey;
    nestedRequest.topLevel = &*root;
    auto nested = verifyFolder(nestedRequest);
    ASSERT_FALSE(nested);
    EXPECT_EQ(nested.error().check, TrustCheck::Signature);
    // ...while a nested folder signed by a member passes.
    auto doc = must(parseMetadataDocument(nestedText));
    const auto certificate = must(Certificate::fromPem(dataJson("alice.json")["certificatePem"].get<std::string>()));
    const auto nestedSignature = must(signDetached(asBytes(metadataSigningBytes(doc)), certificate, alice));
    nestedRequest.signature = nestedSignature;
    auto signedNested = verifyFolder(nestedRequest);
    ASSERT_TRUE(signedNested) << signedNested.error().message;
    EXPECT_EQ(signedNested->metadata.files.size(), 1u);
}

TEST_F(Vectors, MetadataWrittenHereReopensAndVerifiesUnderTheRealServerKey)
{
    const auto aliceJson = dataJson("alice.json");
    const auto bobJson = dataJson("bob.json");
    const PrivateKey alice = keyOf("alice");
    const Bytes metadataKey = test::b64(vectors["expected"]["metadataKey_b64"].get<std::string>());
    auto original = must(decryptFolderMetadata(must(parseMetadataDocument(rootText)), metadataKey));
    original.counter = 4;

    auto written = must(encryptFolderMetadata(
        original, metadataKey, {{"alice", aliceJson["certificatePem"]}, {"bob", bobJson["certificatePem"]}}));
    const std::string text = serializeMetadataDocument(written);
    const auto certificate = must(Certificate::fromPem(aliceJson["certificatePem"].get<std::string>()));
    const auto writtenSignature = must(signDetached(asBytes(metadataSigningBytes(written)), certificate, alice));

    const PrivateKey bob = keyOf("bob");
    TrustRequest request;
    request.metadata = text;
    request.signature = writtenSignature;
    request.serverKey = &serverKey;
    request.userId = "bob";
    request.privateKey = &bob;
    request.seen.highestCounter = 3;
    request.seen.keyChecksums = {original.keyChecksums.begin(), original.keyChecksums.end()};
    auto verified = verifyFolder(request);
    ASSERT_TRUE(verified) << trustCheckName(verified.error().check) << ": " << verified.error().message;
    EXPECT_EQ(toJson(verified->metadata), toJson(original));
    EXPECT_EQ(*verified->history.highestCounter, 4u);

    // The layout the official clients write: ciphertext|nonce, 16-byte nonce, version "2.0".
    const auto json = nlohmann::json::parse(text);
    EXPECT_EQ(json["version"], "2.0");
    const std::string ciphertext = json["metadata"]["ciphertext"];
    EXPECT_EQ(ciphertext.substr(ciphertext.find('|') + 1), json["metadata"]["nonce"]);
    EXPECT_EQ(test::b64(json["metadata"]["nonce"].get<std::string>()).size(), 16u);
}

} // namespace
} // namespace nubo::e2ee
