#include "content_hash.h"

#include "webdav.h"

#include <openssl/evp.h>

#include <fstream>

namespace nubo::server {

std::string toHex(const unsigned char* data, std::size_t size)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        hex.push_back(kDigits[data[i] >> 4]);
        hex.push_back(kDigits[data[i] & 0xF]);
    }
    return hex;
}

HashKinds hashKindsFor(std::string_view checksumHeader)
{
    HashKinds kinds;
    const std::string type = toLower(checksumHeader.substr(0, checksumHeader.find(':')));
    if (checksumHeader.empty()) {
        kinds.sha1 = kinds.md5 = true;
    } else {
        kinds.sha1 = type == "sha1";
        kinds.md5 = type == "md5";
        kinds.sha256 = type == "sha256";
    }
    return kinds;
}

ContentHasher::ContentHasher(HashKinds kinds)
{
    const auto add = [&](const EVP_MD* md, std::string* out) {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        m_ok = m_ok && ctx && EVP_DigestInit_ex(ctx, md, nullptr) == 1;
        if (ctx)
            m_kinds.push_back({ctx, out});
    };
    if (kinds.sha1)
        add(EVP_sha1(), &m_hashes.sha1);
    if (kinds.md5)
        add(EVP_md5(), &m_hashes.md5);
    if (kinds.sha256)
        add(EVP_sha256(), &m_hashes.sha256);
}

ContentHasher::~ContentHasher()
{
    for (const Kind& kind : m_kinds)
        EVP_MD_CTX_free(kind.ctx);
}

void ContentHasher::update(const char* data, std::size_t size)
{
    for (const Kind& kind : m_kinds)
        m_ok = m_ok && EVP_DigestUpdate(kind.ctx, data, size) == 1;
}

std::expected<Hashes, std::string> ContentHasher::finish()
{
    for (const Kind& kind : m_kinds) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        m_ok = m_ok && EVP_DigestFinal_ex(kind.ctx, digest, &length) == 1;
        if (m_ok)
            *kind.out = toHex(digest, length);
    }
    if (!m_ok)
        return std::unexpected("hashing failed");
    return m_hashes;
}

std::expected<Hashes, std::string> hashFile(const std::filesystem::path& file, HashKinds wanted)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::unexpected("cannot read " + file.string());
    ContentHasher hasher(wanted);
    if (!wanted.sha1 && !wanted.md5 && !wanted.sha256)
        return hasher.finish();
    std::vector<char> buffer(1 << 18);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        hasher.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (!in.eof())
        return std::unexpected("cannot hash " + file.string());
    auto hashes = hasher.finish();
    if (!hashes)
        return std::unexpected("cannot hash " + file.string());
    return hashes;
}

} // namespace nubo::server
