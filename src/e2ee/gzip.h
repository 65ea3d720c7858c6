// gzip through zlib, with a hard cap on inflated size so a small bomb cannot exhaust memory.
#pragma once

#include "error.h"
#include "secure_bytes.h"

namespace nubo::e2ee {

Result<Bytes> gzipCompress(ByteView data);
// Accepts gzip or zlib streams. Fails with MalformedInput when the data is not a complete
// stream or inflates beyond `maxSize` bytes.
Result<SecureBytes> gzipDecompress(ByteView data, std::size_t maxSize);

} // namespace nubo::e2ee
