// The digests nubo-server keeps of a file's content (OC-Checksum), computed in one pass.
#pragma once

#include <cstddef>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

struct evp_md_ctx_st;

namespace nubo::server {

struct Hashes {
    std::string sha1, md5, sha256; // lowercase hex; empty when not computed
};

// Which digests to compute: the one a client's OC-Checksum names (to verify it), or the SHA1 and
// MD5 stored when it sent none. Each costs a pass of the CPU over the content (MD5 alone takes
// 1.7 s per GiB here), so nothing else is computed.
struct HashKinds {
    bool sha1 = false, md5 = false, sha256 = false;
};
HashKinds hashKindsFor(std::string_view checksumHeader);

// Digests fed block by block, for code that reads the content anyway (the chunk assembly).
class ContentHasher {
public:
    explicit ContentHasher(HashKinds kinds);
    ~ContentHasher();
    ContentHasher(const ContentHasher&) = delete;
    ContentHasher& operator=(const ContentHasher&) = delete;

    void update(const char* data, std::size_t size);
    // The digests; an error when OpenSSL failed at any step.
    std::expected<Hashes, std::string> finish();

private:
    struct Kind {
        evp_md_ctx_st* ctx;
        std::string* out;
    };
    Hashes m_hashes;
    std::vector<Kind> m_kinds;
    bool m_ok = true;
};

// Lowercase hex of `size` bytes.
std::string toHex(const unsigned char* data, std::size_t size);

// One pass over the file computing the digests asked for (the others stay empty).
std::expected<Hashes, std::string> hashFile(const std::filesystem::path& file, HashKinds wanted);

} // namespace nubo::server
