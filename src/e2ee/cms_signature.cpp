#include "cms_signature.h"

#include <openssl/err.h>

#include "encoding.h"

namespace nubo::e2ee {

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
    return Certificate(detail::X509Ptr(cert));
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
