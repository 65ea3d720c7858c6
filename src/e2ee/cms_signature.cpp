#include "cms_signature.h"

#include <optional>
#include <string>

#include <openssl/err.h>
#include <openssl/objects.h>

#include "encoding.h"

namespace nubo::e2ee {

namespace {

std::string algorithmName(int nid)
{
    const char* name = OBJ_nid2sn(nid);
    return name != nullptr && nid != NID_undef ? name : "an unknown algorithm";
}

// Metadata signatures are RSA over SHA-256 (PROTOCOL.md §4.6). Anything else is what a forger
// would choose: a weaker digest lets one signed document stand for another.
std::optional<std::string> weakAlgorithmReason(CMS_SignerInfo* signerInfo)
{
    X509_ALGOR* digestAlgorithm = nullptr;
    X509_ALGOR* signatureAlgorithm = nullptr;
    CMS_SignerInfo_get0_algs(signerInfo, nullptr, nullptr, &digestAlgorithm, &signatureAlgorithm);
    if (digestAlgorithm == nullptr || signatureAlgorithm == nullptr) return "it names no algorithms";
    const ASN1_OBJECT* object = nullptr;
    X509_ALGOR_get0(&object, nullptr, nullptr, digestAlgorithm);
    if (const int digest = OBJ_obj2nid(object); digest != NID_sha256) {
        return "it uses the digest " + algorithmName(digest) + "; only SHA-256 is accepted";
    }
    X509_ALGOR_get0(&object, nullptr, nullptr, signatureAlgorithm);
    const int signature = OBJ_obj2nid(object);
    int digest = NID_undef;
    int keyType = NID_undef;
    const bool rsaSha256 = signature == NID_rsaEncryption || (OBJ_find_sigid_algs(signature, &digest, &keyType) == 1 &&
                                                              digest == NID_sha256 && keyType == NID_rsaEncryption);
    if (!rsaSha256) return "it is signed with " + algorithmName(signature) + "; only RSA with SHA-256 is accepted";
    return std::nullopt;
}

} // namespace

Result<Bytes> signDetached(ByteView data, const Certificate& signer, const PrivateKey& key)
{
    if (!signer.matches(key)) {
        return fail(ErrorCode::VerificationFailed, "the signing certificate does not belong to the private key");
    }
    auto bio = detail::memoryBio(data.data(), data.size());
    detail::CmsPtr cms(CMS_sign(signer.native(), key.native(), nullptr, bio.get(), CMS_DETACHED | CMS_BINARY));
    if (!cms) return fail(ErrorCode::Internal, "CMS signing failed: " + detail::takeOpensslError());
    unsigned char* der = nullptr;
    const int size = i2d_CMS_ContentInfo(cms.get(), &der);
    if (size <= 0) return fail(ErrorCode::Internal, "cannot encode the CMS signature: " + detail::takeOpensslError());
    Bytes out(der, der + size);
    OPENSSL_free(der);
    return out;
}

Result<Certificate> verifyDetached(ByteView data, ByteView signatureDer)
{
    if (signatureDer.empty()) return fail(ErrorCode::VerificationFailed, "the signature is empty");
    const unsigned char* cursor = signatureDer.data();
    detail::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &cursor, static_cast<long>(signatureDer.size())));
    if (!cms || cursor != signatureDer.data() + signatureDer.size()) {
        ERR_clear_error();
        return fail(ErrorCode::VerificationFailed, "the signature is not a DER CMS structure");
    }
    if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
        return fail(ErrorCode::VerificationFailed, "the signature is not CMS SignedData");
    }
    STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
    if (signers == nullptr || sk_CMS_SignerInfo_num(signers) != 1) {
        return fail(ErrorCode::VerificationFailed, "the signature must have exactly one signer");
    }
    if (auto weak = weakAlgorithmReason(sk_CMS_SignerInfo_value(signers, 0))) {
        return fail(ErrorCode::VerificationFailed, "the signature is refused: " + *weak);
    }
    auto bio = detail::memoryBio(data.data(), data.size());
    // The signer certificate is not chained here: trust comes from the metadata's users list
    // and the pinned server key, which the caller checks.
    if (CMS_verify(cms.get(), nullptr, nullptr, bio.get(), nullptr,
                   CMS_DETACHED | CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
        return fail(ErrorCode::VerificationFailed,
                    "the signature does not match the metadata: " + detail::takeOpensslError());
    }
    STACK_OF(X509)* certs = CMS_get0_signers(cms.get());
    if (certs == nullptr || sk_X509_num(certs) != 1) {
        if (certs != nullptr) sk_X509_free(certs);
        return fail(ErrorCode::VerificationFailed, "the signature carries no signer certificate");
    }
    X509* cert = sk_X509_value(certs, 0);
    X509_up_ref(cert);
    sk_X509_free(certs);
    Certificate signer{detail::X509Ptr(cert)};
    if (auto weak = signer.publicKey().weaknessReason()) {
        return fail(ErrorCode::VerificationFailed,
                    "the signature is refused: the signer's certificate is weak: " + *weak);
    }
    return signer;
}

Result<Bytes> decodeSignature(ByteView text)
{
    // DER SignedData starts with a SEQUENCE tag; anything else is taken as base64.
    if (!text.empty() && text[0] == 0x30) return Bytes(text.begin(), text.end());
    auto decoded = base64Decode(asChars(text));
    if (!decoded) return fail(ErrorCode::MalformedInput, "the signature is neither DER nor base64");
    return Bytes(decoded->begin(), decoded->end());
}

} // namespace nubo::e2ee
