// Detached CMS signatures over metadata (PROTOCOL.md §4.6).
#pragma once

#include <string_view>

#include "error.h"
#include "keys.h"
#include "secure_bytes.h"

namespace nubo::e2ee {

// CMS SignedData, detached, SHA-256, signed attributes, signer certificate embedded; DER.
Result<Bytes> signDetached(ByteView data, const Certificate& signer, const PrivateKey& key);

// Checks that `signatureDer` is a valid detached signature over `data` and returns the
// certificate that made it. Refuses what a forger would pick: a digest other than SHA-256, a
// signature algorithm other than RSA, a signer key under kMinRsaBits. Whether that certificate
// is trusted is the caller's question.
Result<Certificate> verifyDetached(ByteView data, ByteView signatureDer);

// A signature as found in headers or files: base64 text or raw DER.
Result<Bytes> decodeSignature(ByteView text);

} // namespace nubo::e2ee
