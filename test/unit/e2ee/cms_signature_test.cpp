#include <stdexcept>

#include <gtest/gtest.h>
#include <openssl/cms.h>

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

// What CMS_sign would make, but with the digest chosen by the caller.
Bytes signWithDigest(ByteView data, const Certificate& signer, const PrivateKey& key, const EVP_MD* digest)
{
    const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL;
    auto bio = detail::memoryBio(data.data(), data.size());
    detail::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
    if (!cms || CMS_add1_signer(cms.get(), signer.native(), key.native(), digest, flags) == nullptr ||
        CMS_final(cms.get(), bio.get(), nullptr, flags) != 1) {
        throw std::runtime_error("cannot make the CMS signature");
    }
    unsigned char* der = nullptr;
    const int size = i2d_CMS_ContentInfo(cms.get(), &der);
    Bytes out(der, der + size);
    OPENSSL_free(der);
    return out;
}

TEST(CmsSignature, RefusesADigestOtherThanSha256)
{
    const auto& alice = test::testUser("alice");
    auto certificate = must(Certificate::fromPem(alice.certificatePem));
    const Bytes data = test::bytesOf("eyJtZXRhZGF0YSI6e319");
    EXPECT_TRUE(verifyDetached(data, signWithDigest(data, certificate, alice.key, EVP_sha256())));
    for (const EVP_MD* digest : {EVP_sha1(), EVP_md5(), EVP_sha512()}) {
        auto refused = verifyDetached(data, signWithDigest(data, certificate, alice.key, digest));
        ASSERT_FALSE(refused) << EVP_MD_get0_name(digest);
        EXPECT_EQ(refused.error().code, ErrorCode::VerificationFailed);
        EXPECT_NE(refused.error().message.find("only SHA-256"), std::string::npos) << refused.error().message;
    }
}

TEST(CmsSignature, RefusesASignerKeyUnder2048Bits)
{
    const test::TestUser weak = test::serverCa().makeUser("weak", 1024);
    auto certificate = must(Certificate::fromPem(weak.certificatePem));
    const Bytes data = test::bytesOf("eyJtZXRhZGF0YSI6e319");
    auto refused = verifyDetached(data, must(signDetached(data, certificate, weak.key)));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("1024 bits"), std::string::npos) << refused.error().message;
}

} // namespace
} // namespace nubo::e2ee
