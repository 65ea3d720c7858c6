// Shared helpers for the e2ee unit tests: test data, and a throwaway server CA that issues
// user certificates the way a Nextcloud server does.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "keys.h"
#include "metadata.h"
#include "secure_bytes.h"

namespace nubo::e2ee::test {

std::string readDataFile(const std::string& name);
nlohmann::json dataJson(const std::string& name);
Bytes bytesOf(std::string_view text);
Bytes b64(std::string_view text); // decodes or fails the test

// Unwraps an expected value or aborts the test with the error message.
template <typename T>
T must(Result<T> result)
{
    if (!result) throw std::runtime_error("unexpected error: " + result.error().message);
    return std::move(*result);
}

struct TestUser {
    std::string id;
    PrivateKey key;
    std::string certificatePem;
};

class TestServerCa {
public:
    TestServerCa();
    const PublicKey& publicKey() const { return m_public; }
    // Issues a certificate for `key` with CN `commonName`, like a Nextcloud server does
    // (the subject as issuer, serial 0).
    // `digest` signs the certificate (real servers: SHA-256, older ones SHA-1).
    std::string issue(const PrivateKey& key, const std::string& commonName, const EVP_MD* digest = EVP_sha256()) const;
    TestUser makeUser(const std::string& id, int bits = 2048) const;

private:
    PrivateKey m_key;
    PublicKey m_public;
};

// A shared CA and users, generated once per test binary (RSA key generation is slow).
const TestServerCa& serverCa();
const TestUser& testUser(const std::string& id); // "alice", "bob", "mallory"

// Builds an outer document whose encrypted inner part is exactly `innerJson` (gzipped),
// to test readers against documents a normal writer would never produce.
MetadataDocument documentWithRawInner(const std::string& innerJson, ByteView metadataKey,
                                      const std::vector<MetadataRecipient>& recipients);

} // namespace nubo::e2ee::test
