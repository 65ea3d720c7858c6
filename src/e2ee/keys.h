// RSA identities: key pairs, certificates, CSRs, and RSA-OAEP for metadata keys
// (PROTOCOL.md §4.1).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "error.h"
#include "ossl.h"
#include "secure_bytes.h"

namespace nubo::e2ee {

// The smallest RSA key accepted for signing metadata or receiving a metadata key (NIST SP
// 800-57: 1024-bit RSA is no longer acceptable; every Nextcloud client generates 2048 bits).
inline constexpr int kMinRsaBits = 2048;

class PublicKey {
public:
    // SPKI ("BEGIN PUBLIC KEY") PEM.
    static Result<PublicKey> fromPem(std::string_view pem);
    std::string toPem() const;
    // RSA-OAEP with SHA-256 and MGF1-SHA-256, as the official clients write.
    Result<Bytes> encryptOaep(ByteView plaintext) const;
    bool operator==(const PublicKey& other) const;
    int bits() const;
    // Why this key is too weak to encrypt a metadata key to or to accept a signature from (not
    // RSA, or fewer than kMinRsaBits bits), or nullopt.
    std::optional<std::string> weaknessReason() const;

    EVP_PKEY* native() const { return m_key.get(); }
    explicit PublicKey(detail::PkeyPtr key) : m_key(std::move(key)) {}

private:
    detail::PkeyPtr m_key;
};

class PrivateKey {
public:
    static Result<PrivateKey> generateRsa(int bits = 2048);
    // PKCS#8 ("BEGIN PRIVATE KEY") or traditional RSA PEM, unencrypted.
    static Result<PrivateKey> fromPem(std::string_view pem);
    SecureString toPkcs8Pem() const;
    PublicKey publicKey() const;
    Result<SecureBytes> decryptOaep(ByteView ciphertext) const;

    EVP_PKEY* native() const { return m_key.get(); }

private:
    explicit PrivateKey(detail::PkeyPtr key) : m_key(std::move(key)) {}
    detail::PkeyPtr m_key; // OpenSSL wipes private key material when it frees it
};

class Certificate {
public:
    // One X.509 certificate, PEM or DER.
    static Result<Certificate> fromPem(std::string_view pem);
    static Result<Certificate> fromDer(ByteView der);
    std::string toPem() const;
    Bytes toDer() const;
    std::string commonName() const;
    PublicKey publicKey() const;
    // The certificate holds the public half of this private key.
    bool matches(const PrivateKey& key) const;
    // The certificate's signature verifies under this (server CA) key. Deliberately not a
    // chain build: real servers write the user's DN as issuer and serial 0 (PROTOCOL.md §4.1).
    bool issuedBy(const PublicKey& serverKey) const;
    // Why the issuer's signature on this certificate proves nothing, whoever made it: a digest
    // with cheap collisions (MD5, MD4, MD2), so a certificate a user obtained for their own CSR
    // could be twinned with one for another user's CN. Nullopt otherwise. SHA-1 is still
    // accepted: real servers issued older users' certificates with it (PROTOCOL.md §4.1), and
    // such a twin costs a chosen-prefix collision of months of GPU time, not seconds.
    std::optional<std::string> brokenSignatureReason() const;
    bool operator==(const Certificate& other) const;

    X509* native() const { return m_cert.get(); }
    explicit Certificate(detail::X509Ptr cert) : m_cert(std::move(cert)) {}

private:
    detail::X509Ptr m_cert;
};

// A PEM certificate signing request (SHA-256) with the subject the official clients use
// and CN = userId.
Result<std::string> createCsr(const PrivateKey& key, std::string_view userId);

} // namespace nubo::e2ee
