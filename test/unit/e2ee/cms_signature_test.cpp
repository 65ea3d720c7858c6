#include <gtest/gtest.h>

#include "cms_signature.h"
#include "encoding.h"
#include "test_support.h"

namespace nubo::e2ee {
namespace {

using test::must;

TEST(CmsSignature, VerifiesTheVectorSignatureAndNamesTheSigner)
{
    const auto vectors = test::dataJson("metadata-v2-alice-bob.json");
    const std::string signedData = vectors["signedDataForRoot"];
    const Bytes signature = test::b64(vectors["rootFolderSignature_b64"].get<std::string>());
    auto signer = verifyDetached(asBytes(signedData), signature);
    ASSERT_TRUE(signer) << signer.error().message;
    EXPECT_EQ(signer->commonName(), "alice");

    std::string tampered = signedData;
    tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verifyDetached(asBytes(tampered), signature));
}

TEST(CmsSignature, SignThenVerify)
{
    const auto& alice = test::testUser("alice");
    auto certificate = must(Certificate::fromPem(alice.certificatePem));
    const Bytes data = test::bytesOf("eyJtZXRhZGF0YSI6e319");
    auto signature = must(signDetached(data, certificate, alice.key));
    auto signer = must(verifyDetached(data, signature));
    EXPECT_TRUE(signer == certificate);
    // Both encodings a signature arrives in.
    EXPECT_EQ(must(decodeSignature(signature)), signature);
    EXPECT_EQ(must(decodeSignature(asBytes(base64Encode(signature)))), signature);
}

TEST(CmsSignature, RefusesToSignWithSomeoneElsesCertificate)
{
    auto bobCertificate = must(Certificate::fromPem(test::testUser("bob").certificatePem));
    EXPECT_FALSE(signDetached(test::bytesOf("x"), bobCertificate, test::testUser("alice").key));
}

TEST(CmsSignature, RejectsEmptyGarbageAndTruncatedSignatures)
{
    const Bytes data = test::bytesOf("data");
    EXPECT_EQ(verifyDetached(data, Bytes{}).error().code, ErrorCode::VerificationFailed);
    EXPECT_FALSE(verifyDetached(data, test::bytesOf("not a signature")));
    auto certificate = must(Certificate::fromPem(test::testUser("alice").certificatePem));
    auto signature = must(signDetached(data, certificate, test::testUser("alice").key));
    signature.resize(signature.size() / 2);
    EXPECT_FALSE(verifyDetached(data, signature));
    EXPECT_FALSE(decodeSignature(test::bytesOf("###")));
}

} // namespace
} // namespace nubo::e2ee
