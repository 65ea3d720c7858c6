#include "keys.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

namespace nubo::e2ee {

using detail::takeOpensslError;

namespace {

Result<detail::PkeyCtxPtr> oaepContext(EVP_PKEY* key, bool encrypt)
{
    detail::PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    if (!ctx) return fail(ErrorCode::Internal, "cannot create RSA context: " + takeOpensslError());
    const int init = encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get());
    if (init <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) <= 0) {
        return fail(ErrorCode::Internal, "cannot set up RSA-OAEP: " + takeOpensslError());
    }
    return ctx;
}

bool isRsa(EVP_PKEY* key)
{
    return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
}

} // namespace

Result<PublicKey> PublicKey::fromPem(std::string_view pem)
{
    auto bio = detail::memoryBio(pem.data(), pem.size());
    detail::PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key) {
        return fail(ErrorCode::MalformedInput,
                    "not a PEM public key (expected \"BEGIN PUBLIC KEY\"): " + takeOpensslError());
    }
    if (!isRsa(key.get())) return fail(ErrorCode::MalformedInput, "the public key is not an RSA key");
    return PublicKey(std::move(key));
}

std::string PublicKey::toPem() const
{
    detail::BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), m_key.get());
    return detail::bioContents(bio.get());
}

Result<Bytes> PublicKey::encryptOaep(ByteView plaintext) const
{
    auto ctx = oaepContext(m_key.get(), true);
    if (!ctx) return std::unexpected(ctx.error());
    std::size_t size = 0;
    if (EVP_PKEY_encrypt(ctx->get(), nullptr, &size, plaintext.data(), plaintext.size()) <= 0) {
        return fail(ErrorCode::Internal, "RSA-OAEP encryption failed: " + takeOpensslError());
    }
    Bytes out(size);
    if (EVP_PKEY_encrypt(ctx->get(), out.data(), &size, plaintext.data(), plaintext.size()) <= 0) {
        return fail(ErrorCode::Internal, "RSA-OAEP encryption failed: " + takeOpensslError());
    }
    out.resize(size);
    return out;
}

bool PublicKey::operator==(const PublicKey& other) const
{
    return EVP_PKEY_eq(m_key.get(), other.m_key.get()) == 1;
}

int PublicKey::bits() const
{
    return EVP_PKEY_get_bits(m_key.get());
}

std::optional<std::string> PublicKey::weaknessReason() const
{
    if (!isRsa(m_key.get())) return "it is not an RSA key";
    if (bits() < kMinRsaBits) {
        return "its RSA key has " + std::to_string(bits()) + " bits; at least " + std::to_string(kMinRsaBits) +
               " are required";
    }
    return std::nullopt;
}

Result<PrivateKey> PrivateKey::generateRsa(int bits)
{
    detail::PkeyPtr key(EVP_RSA_gen(static_cast<unsigned int>(bits)));
    if (!key) return fail(ErrorCode::Internal, "RSA key generation failed: " + takeOpensslError());
    return PrivateKey(std::move(key));
}

Result<PrivateKey> PrivateKey::fromPem(std::string_view pem)
{
    auto bio = detail::memoryBio(pem.data(), pem.size());
    // An empty passphrase callback result makes an encrypted PEM fail instead of prompting.
    detail::PkeyPtr key(PEM_read_bio_PrivateKey(
        bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
    if (!key) {
        return fail(ErrorCode::MalformedInput,
                    "not an unencrypted PEM private key (expected \"BEGIN PRIVATE KEY\"): " + takeOpensslError());
    }
    if (!isRsa(key.get())) return fail(ErrorCode::MalformedInput, "the private key is not an RSA key");
    return PrivateKey(std::move(key));
}

SecureString PrivateKey::toPkcs8Pem() const
{
    detail::BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio) bio.reset(BIO_new(BIO_s_mem()));
    PEM_write_bio_PKCS8PrivateKey(bio.get(), m_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    SecureString out(data, static_cast<std::size_t>(size > 0 ? size : 0));
    if (size > 0) secureWipe(data, static_cast<std::size_t>(size));
    return out;
}

PublicKey PrivateKey::publicKey() const
{
    // Round-trip through DER to get an object that holds only the public half.
    unsigned char* der = nullptr;
    const int size = i2d_PUBKEY(m_key.get(), &der);
    const unsigned char* cursor = der;
    detail::PkeyPtr pub(d2i_PUBKEY(nullptr, &cursor, size));
    OPENSSL_free(der);
    return PublicKey(std::move(pub));
}

Result<SecureBytes> PrivateKey::decryptOaep(ByteView ciphertext) const
{
    auto ctx = oaepContext(m_key.get(), false);
    if (!ctx) return std::unexpected(ctx.error());
    std::size_t size = 0;
    if (EVP_PKEY_decrypt(ctx->get(), nullptr, &size, ciphertext.data(), ciphertext.size()) <= 0) {
        return fail(ErrorCode::DecryptionFailed, "RSA-OAEP decryption failed: " + takeOpensslError());
    }
    SecureBytes out(size);
    if (EVP_PKEY_decrypt(ctx->get(), out.data(), &size, ciphertext.data(), ciphertext.size()) <= 0) {
        return fail(ErrorCode::DecryptionFailed,
                    "RSA-OAEP decryption failed (encrypted for another key, or tampered): " + takeOpensslError());
    }
    out.resize(size);
    return out;
}

Result<Certificate> Certificate::fromPem(std::string_view pem)
{
    auto bio = detail::memoryBio(pem.data(), pem.size());
    detail::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) return fail(ErrorCode::MalformedInput, "not a PEM X.509 certificate: " + takeOpensslError());
    return Certificate(std::move(cert));
}

Result<Certificate> Certificate::fromDer(ByteView der)
{
    const unsigned char* cursor = der.data();
    detail::X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
    if (!cert) return fail(ErrorCode::MalformedInput, "not a DER X.509 certificate: " + takeOpensslError());
    return Certificate(std::move(cert));
}

std::string Certificate::toPem() const
{
    detail::BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), m_cert.get());
    return detail::bioContents(bio.get());
}

Bytes Certificate::toDer() const
{
    unsigned char* der = nullptr;
    const int size = i2d_X509(m_cert.get(), &der);
    Bytes out(der, der + (size > 0 ? size : 0));
    OPENSSL_free(der);
    return out;
}

std::string Certificate::commonName() const
{
    X509_NAME* name = X509_get_subject_name(m_cert.get());
    const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0) return {};
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    const int size = ASN1_STRING_to_UTF8(&utf8, data);
    std::string out(reinterpret_cast<char*>(utf8), size > 0 ? static_cast<std::size_t>(size) : 0);
    OPENSSL_free(utf8);
    return out;
}

PublicKey Certificate::publicKey() const
{
    return PublicKey(detail::PkeyPtr(X509_get_pubkey(m_cert.get())));
}

bool Certificate::matches(const PrivateKey& key) const
{
    const bool result = X509_check_private_key(m_cert.get(), key.native()) == 1;
    ERR_clear_error();
    return result;
}

bool Certificate::issuedBy(const PublicKey& serverKey) const
{
    const bool result = X509_verify(m_cert.get(), serverKey.native()) == 1;
    ERR_clear_error();
    return result;
}

std::optional<std::string> Certificate::brokenSignatureReason() const
{
    int digest = NID_undef;
    int keyType = NID_undef;
    if (OBJ_find_sigid_algs(X509_get_signature_nid(m_cert.get()), &digest, &keyType) != 1) {
        return "it is signed with an algorithm OpenSSL does not know";
    }
    if (digest == NID_md5 || digest == NID_md4 || digest == NID_md2 || digest == NID_md5_sha1) {
        return std::string("it is signed with ") + OBJ_nid2sn(digest) + ", whose collisions let anyone forge one";
    }
    return std::nullopt;
}

bool Certificate::operator==(const Certificate& other) const
{
    return X509_cmp(m_cert.get(), other.m_cert.get()) == 0;
}

Result<std::string> createCsr(const PrivateKey& key, std::string_view userId)
{
    if (userId.empty()) return fail(ErrorCode::MalformedInput, "a CSR needs a user id");
    detail::X509ReqPtr req(X509_REQ_new());
    X509_NAME* name = X509_REQ_get_subject_name(req.get());
    const auto add = [&](const char* field, std::string_view value) {
        return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(value.data()),
                                          static_cast<int>(value.size()), -1, 0) == 1;
    };
    if (!add("C", "DE") || !add("ST", "Baden-Wuerttemberg") || !add("L", "Stuttgart") || !add("O", "Nextcloud") ||
        !add("CN", userId)) {
        return fail(ErrorCode::MalformedInput, "cannot put the user id into a CSR: " + takeOpensslError());
    }
    if (X509_REQ_set_version(req.get(), 0) != 1 || X509_REQ_set_pubkey(req.get(), key.native()) != 1 ||
        X509_REQ_sign(req.get(), key.native(), EVP_sha256()) <= 0) {
        return fail(ErrorCode::Internal, "cannot sign the CSR: " + takeOpensslError());
    }
    detail::BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509_REQ(bio.get(), req.get());
    return detail::bioContents(bio.get());
}

} // namespace nubo::e2ee
