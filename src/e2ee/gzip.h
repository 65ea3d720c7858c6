// gzip through zlib, with a hard cap on inflated size so a small bomb cannot exhaust memory.
#pragma once

#include "error.h"
#include "secure_bytes.h"

namespace nubo::e2ee {

// The output, and zlib's own buffers (which hold a copy of the input), are wiped: what is
// compressed here is plaintext metadata with file keys in it.
Result<SecureBytes> gzipCompress(ByteView data);
// Accepts gzip or zlib streams. Fails with MalformedInput when the data is not a complete
// stream or inflates beyond `maxSize` bytes. zlib's buffers are wiped too.
Result<SecureBytes> gzipDecompress(ByteView data, std::size_t maxSize);

} // namespace nubo::e2ee
