#include "server_ca.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace nubo::server {

namespace {

template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const noexcept
    {
        Free(p);
    }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using ReqPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using OctetsPtr = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, Deleter<AUTHORITY_KEYID_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, Deleter<BASIC_CONSTRAINTS_free>>;

std::string bioText(BIO* bio)
{
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// The extensions of OpenSSL's default `v3_ca` section, which PHP's openssl_csr_sign() adds when
// no CA certificate is given (PROTOCOL.md §4.1), in that section's order:
//   subjectKeyIdentifier   = hash            SHA-1 of the subject public key's bits
//   authorityKeyIdentifier = keyid:always    the issuer certificate is the new one itself, so the
//                                            same value (keyid only: no issuer name and serial)
//   basicConstraints       = critical,CA:true
// Built by hand rather than from a config string: OpenSSL 3 derives a self-issued certificate's
// authorityKeyIdentifier differently depending on whether the signing key is known to it.
bool addV3CaExtensions(X509* cert)
{
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_pubkey_digest(cert, EVP_sha1(), hash, &length) != 1) return false;
    OctetsPtr keyId(ASN1_OCTET_STRING_new());
    if (!keyId || ASN1_OCTET_STRING_set(keyId.get(), hash, static_cast<int>(length)) != 1) return false;
    if (X509_add1_ext_i2d(cert, NID_subject_key_identifier, keyId.get(), 0, X509V3_ADD_REPLACE) != 1) return false;

    AuthorityKeyIdPtr authorityKeyId(AUTHORITY_KEYID_new());
    if (!authorityKeyId) return false;
    authorityKeyId->keyid = ASN1_OCTET_STRING_dup(keyId.get());
    if (authorityKeyId->keyid == nullptr ||
        X509_add1_ext_i2d(cert, NID_authority_key_identifier, authorityKeyId.get(), 0, X509V3_ADD_REPLACE) != 1) {
        return false;
    }

    BasicConstraintsPtr constraints(BASIC_CONSTRAINTS_new());
    if (!constraints) return false;
    constraints->ca = 0xFF; // DER TRUE
    return X509_add1_ext_i2d(cert, NID_basic_constraints, constraints.get(), 1, X509V3_ADD_REPLACE) == 1;
}

} // namespace

struct ServerCa::Impl {
    PkeyPtr key;
};

ServerCa::ServerCa(const std::filesystem::path& directory) : m_impl(new Impl)
{
    const auto path = directory / "server-ca.key";
    if (FILE* file = std::fopen(path.c_str(), "rb")) {
        m_impl->key.reset(PEM_read_PrivateKey(file, nullptr, nullptr, nullptr));
        std::fclose(file);
        if (!m_impl->key) {
            delete m_impl;
            throw std::runtime_error("cannot read the server CA key " + path.string());
        }
        return;
    }
    m_impl->key.reset(EVP_RSA_gen(2048));
    const std::string temporary = path.string() + ".tmp";
    const mode_t old = ::umask(077);
    FILE* file = std::fopen(temporary.c_str(), "wb");
    ::umask(old);
    const bool written = file != nullptr &&
                         PEM_write_PrivateKey(file, m_impl->key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (file != nullptr) std::fclose(file);
    if (!m_impl->key || !written || std::rename(temporary.c_str(), path.c_str()) != 0) {
        delete m_impl;
        throw std::runtime_error("cannot create the server CA key " + path.string());
    }
}

ServerCa::~ServerCa()
{
    delete m_impl;
}

std::string ServerCa::publicKeyPem() const
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), m_impl->key.get());
    return bioText(bio.get());
}

std::expected<std::string, ServerCa::Refusal> ServerCa::signCsr(const std::string& csrPem, const std::string& user) const
{
    BioPtr in(BIO_new_mem_buf(csrPem.data(), static_cast<int>(csrPem.size())));
    ReqPtr req(PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (!req) return std::unexpected(Refusal{400, "Could not parse the CSR, please make sure to submit a valid CSR"});
    PkeyPtr requestKey(X509_REQ_get_pubkey(req.get()));
    if (!requestKey || X509_REQ_verify(req.get(), requestKey.get()) != 1) {
        ERR_clear_error();
        return std::unexpected(Refusal{400, "The CSR's signature does not verify"});
    }
    X509_NAME* subject = X509_REQ_get_subject_name(req.get());
    char cn[512] = {};
    if (X509_NAME_get_text_by_NID(subject, NID_commonName, cn, sizeof cn) < 0 || user != cn) {
        return std::unexpected(Refusal{403, "Common name (CN) does not match the current user"});
    }
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 365 * 25);
    X509_set_subject_name(cert.get(), subject);
    X509_set_issuer_name(cert.get(), subject);
    X509_set_pubkey(cert.get(), requestKey.get());
    if (!addV3CaExtensions(cert.get()) || X509_sign(cert.get(), m_impl->key.get(), EVP_sha256()) <= 0) {
        ERR_clear_error();
        return std::unexpected(Refusal{500, "Internal error: cannot sign the certificate"});
    }
    BioPtr out(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(out.get(), cert.get());
    return bioText(out.get());
}

} // namespace nubo::server
