#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "keys.h"
#include "test_support.h"

namespace nubo::e2ee {
namespace {

using test::dataJson;
using test::must;

TEST(Keys, GeneratedKeyRoundTripsThroughPkcs8AndSpki)
{
    const auto& key = test::testUser("alice").key;
    EXPECT_EQ(EVP_PKEY_get_bits(key.native()), 2048);
    const auto pem = key.toPkcs8Pem();
    EXPECT_TRUE(std::string_view(pem.data(), pem.size()).starts_with("-----BEGIN PRIVATE KEY-----"));
    auto back = must(PrivateKey::fromPem(std::string_view(pem.data(), pem.size())));
    EXPECT_TRUE(back.publicKey() == key.publicKey());
    const std::string spki = key.publicKey().toPem();
    EXPECT_TRUE(spki.starts_with("-----BEGIN PUBLIC KEY-----"));
    EXPECT_TRUE(must(PublicKey::fromPem(spki)) == key.publicKey());
}

TEST(Keys, OaepRoundTripAndWrongKey)
{
    const Bytes secret = test::bytesOf("0123456789abcdef");
    auto encrypted = must(test::testUser("alice").key.publicKey().encryptOaep(secret));
    EXPECT_EQ(encrypted.size(), 256u);
    auto decrypted = must(test::testUser("alice").key.decryptOaep(encrypted));
    EXPECT_EQ(Bytes(decrypted.begin(), decrypted.end()), secret);
    auto wrong = test::testUser("bob").key.decryptOaep(encrypted);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::DecryptionFailed);
}

TEST(Keys, MalformedPemIsReported)
{
    EXPECT_EQ(PrivateKey::fromPem("garbage").error().code, ErrorCode::MalformedInput);
    EXPECT_EQ(PublicKey::fromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").error().code,
              ErrorCode::MalformedInput);
    EXPECT_FALSE(Certificate::fromPem(""));
    EXPECT_FALSE(Certificate::fromDer(Bytes{0x30, 0x03, 0x02, 0x01}));
}

TEST(Keys, CsrCarriesTheUserIdAndVerifies)
{
    const auto& key = test::testUser("alice").key;
    auto csrPem = must(createCsr(key, "alice@example.org"));
    auto bio = detail::memoryBio(csrPem.data(), csrPem.size());
    detail::X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    ASSERT_TRUE(req);
    EXPECT_EQ(X509_REQ_verify(req.get(), key.native()), 1);
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req.get()), NID_commonName, cn, sizeof cn);
    EXPECT_STREQ(cn, "alice@example.org");
    EXPECT_FALSE(createCsr(key, ""));
}

TEST(Keys, VectorCertificatesMatchTheirKeysAndWereIssuedByTheServer)
{
    const auto serverKey = must(PublicKey::fromPem(test::readDataFile("server-key.pem")));
    for (const std::string name : {"alice", "bob"}) {
        const auto user = dataJson(name + ".json");
        auto certificate = must(Certificate::fromPem(user["certificatePem"].get<std::string>()));
        auto key = must(PrivateKey::fromPem(user["privateKeyPkcs8Pem"].get<std::string>()));
        EXPECT_EQ(certificate.commonName(), name);
        EXPECT_TRUE(certificate.matches(key)) << name;
        // Real server quirk: the issuer is the user's own DN and the serial is 0; still accepted.
        EXPECT_TRUE(certificate.issuedBy(serverKey)) << name;
        EXPECT_FALSE(certificate.issuedBy(test::serverCa().publicKey())) << name;
        EXPECT_FALSE(certificate.issuedBy(key.publicKey())) << name;
    }
    auto alice = must(Certificate::fromPem(dataJson("alice.json")["certificatePem"].get<std::string>()));
    auto bobKey = must(PrivateKey::fromPem(dataJson("bob.json")["privateKeyPkcs8Pem"].get<std::string>()));
    EXPECT_FALSE(alice.matches(bobKey));
}

TEST(Keys, CertificateRoundTripsThroughDerAndPem)
{
    auto certificate = must(Certificate::fromPem(test::testUser("bob").certificatePem));
    EXPECT_TRUE(must(Certificate::fromDer(certificate.toDer())) == certificate);
    EXPECT_TRUE(must(Certificate::fromPem(certificate.toPem())) == certificate);
    EXPECT_TRUE(certificate.issuedBy(test::serverCa().publicKey()));
}

} // namespace
} // namespace nubo::e2ee
