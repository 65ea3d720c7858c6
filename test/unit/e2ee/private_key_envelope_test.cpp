#include <gtest/gtest.h>

#include "encoding.h"
#include "file_cipher.h"
#include "mnemonic.h"
#include "private_key_envelope.h"
#include "test_support.h"

namespace nubo::e2ee {
namespace {

using test::dataJson;
using test::must;

struct VectorUser {
    std::string name;
};

class EnvelopeVectors : public ::testing::TestWithParam<std::string> {};

TEST_P(EnvelopeVectors, UnwrapsTheServerStringToTheKnownKey)
{
    const auto user = dataJson(GetParam() + ".json");
    auto envelope = must(PrivateKeyEnvelope::parse(user["privateKeyEnvelope"]["serverString"].get<std::string>()));
    auto unwrapped = unwrapPrivateKey(envelope, user["mnemonic"].get<std::string>());
    ASSERT_TRUE(unwrapped) << unwrapped.error().message;
    EXPECT_EQ(unwrapped->variant, KdfVariant::Sha256x600000);
    const auto pem = unwrapped->key.toPkcs8Pem();
    EXPECT_EQ(std::string(pem.data(), pem.size()), user["privateKeyPkcs8Pem"].get<std::string>());
    // The key belongs to the user's certificate.
    EXPECT_TRUE(must(Certificate::fromPem(user["certificatePem"].get<std::string>())).matches(unwrapped->key));
}

TEST_P(EnvelopeVectors, UnwrapsTheJsonFormAndSloppyMnemonicInput)
{
    const auto user = dataJson(GetParam() + ".json");
    auto envelope = must(PrivateKeyEnvelope::parse(user["privateKeyEnvelope"].dump()));
    std::string mnemonic = "  " + user["mnemonic"].get<std::string>() + "\n";
    for (char& c : mnemonic)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(unwrapPrivateKey(envelope, mnemonic));
}

INSTANTIATE_TEST_SUITE_P(AliceAndBob, EnvelopeVectors, ::testing::Values("alice", "bob"));

TEST(Envelope, WrongMnemonicIsReportedAsSuch)
{
    const auto alice = dataJson("alice.json");
    const auto bob = dataJson("bob.json");
    auto envelope = must(PrivateKeyEnvelope::parse(alice["privateKeyEnvelope"]["serverString"].get<std::string>()));
    auto result = unwrapPrivateKey(envelope, bob["mnemonic"].get<std::string>());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::WrongMnemonic);
    EXPECT_NE(result.error().message.find("wrong mnemonic"), std::string::npos);
}

TEST(Envelope, WrapThenUnwrapRoundTrips)
{
    const auto& key = test::testUser("alice").key;
    const auto mnemonic = must(generateMnemonic());
    const std::string_view words(mnemonic.data(), mnemonic.size());
    auto envelope = must(wrapPrivateKey(key, words));
    EXPECT_EQ(envelope.salt.size(), 40u);
    EXPECT_EQ(envelope.iv.size(), 12u);
    auto reparsed = must(PrivateKeyEnvelope::parse(envelope.toServerString()));
    auto unwrapped = must(unwrapPrivateKey(reparsed, words));
    EXPECT_EQ(unwrapped.variant, KdfVariant::Sha256x600000);
    EXPECT_TRUE(unwrapped.key.publicKey() == key.publicKey());
}

// Envelopes as older clients wrote them: other KDFs, the "fA==" separator, a bare PEM inside.
PrivateKeyEnvelope legacyEnvelope(KdfVariant variant, std::string_view mnemonic, std::string_view plaintext)
{
    const Bytes salt = test::bytesOf("0123456789012345678901234567890123456789");
    auto normalized = must(parseMnemonic(mnemonic));
    auto derived =
        must(pbkdf2(variant, mnemonicPassword(std::string_view(normalized.data(), normalized.size())), salt));
    auto sealed = must(seal(derived, 12, asBytes(plaintext)));
    return PrivateKeyEnvelope{sealed.ciphertextAndTag, sealed.nonce, salt};
}

TEST(Envelope, ReadsEveryKdfVariantAndTheOldSeparator)
{
    const auto alice = dataJson("alice.json");
    const std::string mnemonic = alice["mnemonic"];
    const std::string pem = alice["privateKeyPkcs8Pem"];
    for (const KdfVariant variant : {KdfVariant::Sha1x600000, KdfVariant::Sha1x1024}) {
        const auto envelope = legacyEnvelope(variant, mnemonic, base64Encode(test::bytesOf(pem)));
        std::string old = envelope.toServerString();
        for (std::size_t at; (at = old.find('|')) != std::string::npos;)
            old.replace(at, 1, "fA==");
        auto parsed = PrivateKeyEnvelope::parse(old);
        ASSERT_TRUE(parsed) << parsed.error().message;
        auto unwrapped = unwrapPrivateKey(*parsed, mnemonic);
        ASSERT_TRUE(unwrapped) << kdfVariantName(variant) << ": " << unwrapped.error().message;
        EXPECT_EQ(unwrapped->variant, variant);
    }
    // A bare PEM instead of base64(PEM).
    auto bare = unwrapPrivateKey(legacyEnvelope(KdfVariant::Sha1x1024, mnemonic, pem), mnemonic);
    EXPECT_TRUE(bare);
}

TEST(Envelope, RejectsMalformedEnvelopes)
{
    for (const std::string bad : {"", "abc", "a|b", "!!!|AAAAAAAAAAAAAAAA|AAAA", "{\"iv\": 1}", "{not json",
                                  "QUFBQUFBQUFBQUFBQUFBQUFBQUE=|AAAA|AAAA"}) {
        auto parsed = PrivateKeyEnvelope::parse(bad);
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(parsed.error().code, ErrorCode::MalformedInput) << bad;
    }
}

TEST(Envelope, OversizedAndPathologicalEnvelopesAreRejectedQuickly)
{
    std::string manySeparators;
    for (int i = 0; i < 5000; ++i)
        manySeparators += "QUFBfA==";
    EXPECT_EQ(PrivateKeyEnvelope::parse(manySeparators).error().code, ErrorCode::MalformedInput);
    EXPECT_EQ(PrivateKeyEnvelope::parse(std::string(300 * 1024, 'A')).error().code, ErrorCode::MalformedInput);
}

TEST(Envelope, TamperedCiphertextIsNotMistakenForAKey)
{
    const auto alice = dataJson("alice.json");
    auto envelope = must(PrivateKeyEnvelope::parse(alice["privateKeyEnvelope"]["serverString"].get<std::string>()));
    envelope.ciphertextAndTag[10] ^= 0x01;
    auto result = unwrapPrivateKey(envelope, alice["mnemonic"].get<std::string>());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::WrongMnemonic);
}

TEST(Envelope, UnknownMnemonicWordIsReportedBeforeAnyKeyDerivation)
{
    const auto alice = dataJson("alice.json");
    auto envelope = must(PrivateKeyEnvelope::parse(alice["privateKeyEnvelope"]["serverString"].get<std::string>()));
    auto result = unwrapPrivateKey(envelope, "deputy abandon betray jacket rigid object because source primary diary "
                                             "wonder turnip");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::UnknownWord);
}

TEST(Pbkdf2, KnownAnswers)
{
    // RFC 6070.
    auto sha1 = must(pbkdf2(EVP_sha1(), 4096, "password", test::bytesOf("salt"), 20));
    EXPECT_EQ(hexEncode(sha1), "4b007901b765489abead49d926f721d065a429c1");
    auto sha1Long = must(pbkdf2(EVP_sha1(), 4096, "passwordPASSWORDpassword",
                                test::bytesOf("saltSALTsaltSALTsaltSALTsaltSALTsalt"), 25));
    EXPECT_EQ(hexEncode(sha1Long), "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
    // RFC 7914 §11.
    auto sha256 = must(pbkdf2(EVP_sha256(), 80000, "Password", test::bytesOf("NaCl"), 64));
    EXPECT_EQ(hexEncode(sha256), "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                                 "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

} // namespace
} // namespace nubo::e2ee
