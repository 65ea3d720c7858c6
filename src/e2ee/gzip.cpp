#include "gzip.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>

#include <zlib.h>

namespace nubo::e2ee {

namespace {

// zlib's allocator hooks: each block carries its size in front, so that it can be wiped when
// freed. The deflate and inflate windows hold up to 32 KiB of the plaintext.
constexpr std::size_t kHeader = alignof(std::max_align_t);

voidpf wipingAlloc(voidpf, uInt items, uInt size)
{
    const std::size_t bytes = std::size_t{items} * size;
    // The plain operator new, like the plain delete in wipingFree: a sanitizer may replace the
    // nothrow form on its own, and a pair from two allocators is undefined.
    unsigned char* block = nullptr;
    try {
        block = static_cast<unsigned char*>(::operator new(kHeader + bytes));
    } catch (const std::bad_alloc&) {
        return Z_NULL;
    }
    std::memcpy(block, &bytes, sizeof bytes);
    return block + kHeader;
}

void wipingFree(voidpf, voidpf address)
{
    if (address == Z_NULL) return;
    auto* block = static_cast<unsigned char*>(address) - kHeader;
    std::size_t bytes = 0;
    std::memcpy(&bytes, block, sizeof bytes);
    secureWipe(address, bytes);
    ::operator delete(block);
}

z_stream wipingStream()
{
    z_stream stream{};
    stream.zalloc = wipingAlloc;
    stream.zfree = wipingFree;
    return stream;
}

} // namespace

Result<SecureBytes> gzipCompress(ByteView data)
{
    z_stream stream = wipingStream();
    // windowBits 15 + 16: a gzip header, as the official clients write.
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return fail(ErrorCode::Internal, "zlib deflateInit2 failed");
    }
    SecureBytes out(deflateBound(&stream, static_cast<uLong>(data.size())) + 32);
    stream.next_in = const_cast<Bytef*>(data.data());
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (rc != Z_STREAM_END) return fail(ErrorCode::Internal, "zlib deflate failed");
    return out;
}

Result<SecureBytes> gzipDecompress(ByteView data, std::size_t maxSize)
{
    z_stream stream = wipingStream();
    if (inflateInit2(&stream, 15 + 32) != Z_OK) return fail(ErrorCode::Internal, "zlib inflateInit2 failed");
    stream.next_in = const_cast<Bytef*>(data.data());
    stream.avail_in = static_cast<uInt>(data.size());
    SecureBytes out;
    std::size_t capacity = std::min<std::size_t>(std::max<std::size_t>(data.size() * 4, 4096), maxSize + 1);
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (stream.total_out >= capacity) {
            if (capacity > maxSize) break;
            capacity = std::min(capacity * 2, maxSize + 1);
        }
        out.resize(capacity);
        stream.next_out = out.data() + stream.total_out;
        stream.avail_out = static_cast<uInt>(capacity - stream.total_out);
        rc = inflate(&stream, Z_NO_FLUSH);
        if (rc == Z_BUF_ERROR && stream.avail_in == 0) break; // truncated input
    }
    const std::size_t total = stream.total_out;
    const bool trailing = stream.avail_in != 0;
    inflateEnd(&stream);
    if (total > maxSize) {
        return fail(ErrorCode::MalformedInput, "compressed data inflates beyond the limit of " +
                                                   std::to_string(maxSize) + " bytes (a decompression bomb?)");
    }
    if (rc != Z_STREAM_END) return fail(ErrorCode::MalformedInput, "not a complete gzip stream");
    if (trailing) return fail(ErrorCode::MalformedInput, "unexpected data after the gzip stream");
    out.resize(total);
    return out;
}

} // namespace nubo::e2ee
