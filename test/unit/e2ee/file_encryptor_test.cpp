// FileEncryptor and FileDecryptor, the piecewise forms the sync engine drives while a blob goes up
// or comes down: the same bytes as the whole-stream encryptFile(), whatever the piece sizes; a
// snapshot encrypts the same following bytes again; a blob with or without its trailing tag
// decrypts, and any change to it fails at finish().
#include "file_encryptor.h"

#include "streams.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

namespace nubo::e2ee {
namespace {

Bytes pseudoRandom(std::size_t size, unsigned seed)
{
    std::mt19937 gen(seed);
    Bytes out(size);
    for (auto& b : out)
        b = static_cast<std::uint8_t>(gen());
    return out;
}

struct Sealed {
    Bytes key, nonce, blob, tag;
};

// Encrypts `plain` with FileEncryptor in pieces of random sizes.
Sealed encryptInPieces(const Bytes& plain, unsigned seed)
{
    auto fileKey = FileKey::generate();
    EXPECT_TRUE(fileKey.has_value());
    auto encryptor = FileEncryptor::start(std::move(*fileKey));
    EXPECT_TRUE(encryptor.has_value());
    Sealed out{Bytes(encryptor->key().begin(), encryptor->key().end()), encryptor->nonce(), {}, {}};
    std::mt19937 gen(seed);
    for (std::size_t at = 0; at < plain.size();) {
        const std::size_t n = std::min<std::size_t>(plain.size() - at, 1 + gen() % 70000);
        Bytes piece(plain.begin() + static_cast<std::ptrdiff_t>(at), plain.begin() + static_cast<std::ptrdiff_t>(at + n));
        EXPECT_TRUE(encryptor->update(piece, piece.data()).has_value());
        out.blob.insert(out.blob.end(), piece.begin(), piece.end());
        at += n;
    }
    auto tag = encryptor->finish();
    EXPECT_TRUE(tag.has_value());
    out.tag = *tag;
    out.blob.insert(out.blob.end(), tag->begin(), tag->end());
    return out;
}

Result<Bytes> decryptInPieces(const Sealed& sealed, const Bytes& blob, unsigned seed)
{
    auto decryptor = FileDecryptor::start(sealed.key, sealed.nonce, sealed.tag);
    if (!decryptor)
        return std::unexpected(decryptor.error());
    Bytes out;
    std::mt19937 gen(seed);
    for (std::size_t at = 0; at < blob.size();) {
        const std::size_t n = std::min<std::size_t>(blob.size() - at, 1 + gen() % 40);
        if (auto ok = decryptor->update(ByteView(blob).subspan(at, n), out); !ok)
            return std::unexpected(ok.error());
        at += n;
    }
    if (auto ok = decryptor->finish(out); !ok)
        return std::unexpected(ok.error());
    return out;
}

TEST(FileEncryptor, PiecesMakeWhatTheWholeStreamDecryptorReads)
{
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17},
                             std::size_t{300000}}) {
        const Bytes plain = pseudoRandom(size, static_cast<unsigned>(size));
        const Sealed sealed = encryptInPieces(plain, 7);
        auto opened = decryptBlob(sealed.key, sealed.nonce, ByteView(sealed.tag), sealed.blob);
        ASSERT_TRUE(opened.has_value()) << size;
        EXPECT_TRUE(std::equal(opened->begin(), opened->end(), plain.begin(), plain.end())) << size;
    }
}

TEST(FileEncryptor, ASnapshotEncryptsTheSameFollowingBytesAgain)
{
    auto fileKey = FileKey::generate();
    ASSERT_TRUE(fileKey.has_value());
    auto encryptor = FileEncryptor::start(std::move(*fileKey));
    ASSERT_TRUE(encryptor.has_value());
    Bytes first = pseudoRandom(1000, 1);
    ASSERT_TRUE(encryptor->update(first, first.data()).has_value());
    auto copy = encryptor->snapshot();
    ASSERT_TRUE(copy.has_value());
    Bytes a = pseudoRandom(5000, 2), b = a;
    ASSERT_TRUE(encryptor->update(a, a.data()).has_value());
    ASSERT_TRUE(copy->update(b, b.data()).has_value());
    EXPECT_EQ(a, b);
    EXPECT_EQ(*encryptor->finish(), *copy->finish());
}

TEST(FileDecryptor, ABlobComesOutWhateverThePiecesWithOrWithoutItsTrailingTag)
{
    for (std::size_t size : {std::size_t{0}, std::size_t{5}, std::size_t{16}, std::size_t{40}, std::size_t{100000}}) {
        const Bytes plain = pseudoRandom(size, static_cast<unsigned>(size) + 3);
        const Sealed sealed = encryptInPieces(plain, 11);
        auto opened = decryptInPieces(sealed, sealed.blob, 5);
        ASSERT_TRUE(opened.has_value()) << size << ": " << opened.error().message;
        EXPECT_EQ(*opened, plain);
        const Bytes withoutTag(sealed.blob.begin(), sealed.blob.end() - 16);
        auto bare = decryptInPieces(sealed, withoutTag, 9);
        ASSERT_TRUE(bare.has_value()) << size;
        EXPECT_EQ(*bare, plain);
    }
}

TEST(FileDecryptor, AnyChangedTruncatedOrExtendedBlobFailsAtTheEnd)
{
    const Bytes plain = pseudoRandom(50000, 4);
    const Sealed sealed = encryptInPieces(plain, 13);
    for (std::size_t at : {std::size_t{0}, std::size_t{25000}, sealed.blob.size() - 17, sealed.blob.size() - 1}) {
        Bytes flipped = sealed.blob;
        flipped[at] ^= 0x01;
        auto opened = decryptInPieces(sealed, flipped, 3);
        ASSERT_FALSE(opened.has_value()) << at;
        EXPECT_EQ(opened.error().code, ErrorCode::VerificationFailed);
    }
    EXPECT_FALSE(decryptInPieces(sealed, Bytes(sealed.blob.begin(), sealed.blob.end() - 20), 3).has_value());
    Bytes longer = sealed.blob;
    longer.push_back(0);
    EXPECT_FALSE(decryptInPieces(sealed, longer, 3).has_value());
    Sealed otherTag = sealed;
    otherTag.tag[0] ^= 1;
    EXPECT_FALSE(decryptInPieces(otherTag, sealed.blob, 3).has_value());
}

} // namespace
} // namespace nubo::e2ee
