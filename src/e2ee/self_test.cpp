#include "self_test.h"

#include <array>
#include <cstring>

#include "encoding.h"
#include "file_cipher.h"
#include "keys.h"
#include "private_key_envelope.h"

namespace nubo::e2ee {

namespace {

Bytes fromHex(std::string_view hex)
{
    Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        const auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
        out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
    }
    return out;
}

Result<void> check(bool ok, const char* what)
{
    if (ok) return {};
    return fail(ErrorCode::Internal, std::string("self-test failed: ") + what +
                                         " did not produce its known answer; this build of OpenSSL cannot be trusted");
}

// NIST GCM specification, test cases 2 and 3 (AES-128, 96-bit IV, no AAD).
Result<void> aesGcmKnownAnswers()
{
    const Bytes zero16(16, 0), zero12(12, 0);
    auto tc2 = detail::aesGcmEncryptForTest(zero16, zero12, zero16);
    if (auto ok = check(tc2 && *tc2 == fromHex("0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf"),
                        "AES-128-GCM encryption (NIST test case 2)");
        !ok) {
        return ok;
    }
    const Bytes key = fromHex("feffe9928665731c6d6a8f9467308308");
    const Bytes iv = fromHex("cafebabefacedbaddecaf888");
    const Bytes plaintext = fromHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                                    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");
    const Bytes expected = fromHex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                                   "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
                                   "4d5c2af327cd64a62cf35abd2ba6fab4");
    auto tc3 = detail::aesGcmEncryptForTest(key, iv, plaintext);
    if (auto ok = check(tc3 && *tc3 == expected, "AES-128-GCM encryption (NIST test case 3)"); !ok) return ok;
    auto opened = decryptBlob(key, iv, std::nullopt, expected);
    if (auto ok = check(opened && Bytes(opened->begin(), opened->end()) == plaintext,
                        "AES-128-GCM decryption (NIST test case 3)");
        !ok) {
        return ok;
    }
    Bytes tampered = expected;
    tampered[0] ^= 1;
    return check(!decryptBlob(key, iv, std::nullopt, tampered), "AES-128-GCM tag rejection");
}

// RFC 6070 (PBKDF2-HMAC-SHA1) and RFC 7914 §11 (PBKDF2-HMAC-SHA256).
Result<void> pbkdf2KnownAnswers()
{
    auto sha1 = pbkdf2(EVP_sha1(), 2, "password", asBytes("salt"), 20);
    if (auto ok =
            check(sha1 && Bytes(sha1->begin(), sha1->end()) == fromHex("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
                  "PBKDF2-HMAC-SHA1 (RFC 6070)");
        !ok) {
        return ok;
    }
    auto sha256 = pbkdf2(EVP_sha256(), 1, "passwd", asBytes("salt"), 64);
    return check(sha256 && Bytes(sha256->begin(), sha256->end()) ==
                               fromHex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                                       "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"),
                 "PBKDF2-HMAC-SHA256 (RFC 7914)");
}

// A fixed key, so start-up does not pay for RSA key generation.
constexpr std::string_view kSelfTestKey = R"(
-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDCSqGH6FZxFbmQ
GuG5HoS0BP/e6JATZkMHEXyqYD8e13DTovlPb03WMAotNFfZKRZRU+5W+paQzbTR
TZkLmHPSLmDLylbaIG3mK8hBF2431lTVoyiQTkv9hIrXzc7yqtPpSKnbjenJKKlq
n9Mvih305sD99pbBBVtVtp/KZKCnooGmeeRBLejEhW2sHgvOpT//XyV3Dcje6Dp+
ckFPqwoZT2IXI3uQ+6moSqFHmVeLqNNw2TvSETSlGIqjIBJQmwJ6qALPUARGfIrx
wj8c64WZ1WVABSFNLrobMagILVyr9q4Y9URNaShbIbjrD5V6Gqlne55cMQSRG/Ck
f30bK1o9AgMBAAECggEAF1zTBJ0m+80hdZcN6m0lhuINBHhRjsueprRvGaueG27L
hd9UfD1FjkpThvEC2T2MDfZ6M+JJBZt+sSZUD2VjE/R4tjib7fm1TVaZa15OZg9z
PwcyAvwvPgpYia+ZQWvSNHyE1D5BzOsDSCt0wQQqKv8uWLt0kDw9Kdbeav9jpBR8
OfSSqHsP8PHtVz1n9qhhDCs7cS1ZC/vsSml/2BMUEzIHx5huHwlfQ5ARdHAqhbCb
7Wn6D+eHIGGRTKqU763+V88E+5uXZvZsDifOjxvObIVNt+GhJa1j7wWPYmz3e3KR
yy3y3NtaNP+IMWgjKjnhBHQ1uUG29VAObFImIpb0TwKBgQDmPknaLhWlmr027OOV
JhG2lLPb07FVL+G6bFKRJzkzMvuKJuvlCVuB08mySrrx2D0yZGMt3ocjFfUAAJn+
FV/xcW8o48lc5FwB8u9nD2unw+6Ni4hPKgChXCcxzXEXtIOwSYHIsHNcM+V9hRg3
s2Hydy3PPv0JRLvp+kHpHoJWtwKBgQDYBsEyLQbvG34rslLem/X+Lu+Vk0mrC0Sr
CbNfvQS7npSWYQgWaLdS9NT46WwhtsMbqdr0Vy9WFvg3cuNTGRt1KXfYz7dZUcrv
mPh4nSMrOJWjUQn35D0Z6yfx+4H6RQGLjTjYeoCnUeFyHydo39jyxAToCAZRDvo9
+aHUOAICqwKBgQDQAiYmfsv/uTSIkqto6+PE18NGLpJfK8r66TIPASikIMMvpMop
ObL6L6Rg9zK9m2ZuSFNx9UCRahzVy7VT32u2bYzHnEMnMQgOmrO+oCfagSDbr9uN
6Zx4KxEd5UTu7Z6rfT1LWl5eRmRmaf/fEqjCrPkt6vIflYFPeVBik7WdMQKBgHEj
IH15zX7epDaYXwRNJAkqZbmteNCGx0DYhMPoR5lHVURorwalcxWUOhHelg4WHJrZ
W13KZ3Ur9HV9ywaTSKkUvbqkFr9FsgXH1KG+klOpf90XrSPRuhpf6Py3nvwGtedz
X8koZ0a6AFt3a3lmesWx2Wv3/+7l7DMXESUG7C6fAoGBANRj/oL/iVYnbktbZQzP
4fPdjWS9GvHbyQ6N7imFiO/54u/YwG01frBu8dGCVc/iIkZ4a/l3XIBEpqOXdWoi
yFrz1jgsXPDtXC8yith5mbtgfNrWiJDgx/3Y5ZFOe1Lw63N35pI5kgjqHhHSVLkX
cmx+9eH73l1ydLDGfHPWWwu1
-----END PRIVATE KEY-----
)";

Result<void> rsaOaepRoundTrip()
{
    auto key = PrivateKey::fromPem(kSelfTestKey);
    if (auto ok = check(key.has_value(), "loading the RSA self-test key"); !ok) return ok;
    const std::array<std::uint8_t, 16> message{0x4e, 0x75, 0x62, 0x6f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    auto encrypted = key->publicKey().encryptOaep(message);
    if (auto ok = check(encrypted && encrypted->size() == 256, "RSA-OAEP encryption"); !ok) return ok;
    auto decrypted = key->decryptOaep(*encrypted);
    return check(decrypted && std::equal(decrypted->begin(), decrypted->end(), message.begin(), message.end()),
                 "RSA-OAEP (SHA-256) round trip");
}

} // namespace

Result<void> selfTest()
{
    if (auto ok = aesGcmKnownAnswers(); !ok) return ok;
    if (auto ok = pbkdf2KnownAnswers(); !ok) return ok;
    return rsaOaepRoundTrip();
}

} // namespace nubo::e2ee
