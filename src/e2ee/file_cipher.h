// Streaming AES-GCM for file contents (PROTOCOL.md §4.4): the server blob is
// ciphertext‖tag, the tag is also kept in the metadata.
#pragma once

#include <optional>

#include "error.h"
#include "secure_bytes.h"
#include "streams.h"

namespace nubo::e2ee {

inline constexpr std::size_t kFileKeySize = 16;   // AES-128
inline constexpr std::size_t kFileNonceSize = 16; // what the official clients write; 12 is read too
inline constexpr std::size_t kGcmTagSize = 16;

// What the metadata records for an encrypted file version.
struct EncryptedFile {
    SecureBytes key;
    Bytes nonce;
    Bytes tag;
    std::uint64_t plaintextSize = 0;
};

// A key and nonce for exactly one file version. Move-only, and encryptFile() consumes it,
// so a pair cannot encrypt two plaintexts through this API.
class FileKey {
public:
    static Result<FileKey> generate();
    // Only for offline tools and known-answer tests, where the caller vouches that the pair
    // never encrypted anything else. The sync engine always uses generate().
    static Result<FileKey> fromCallerSupplied(ByteView key, ByteView nonce);
    // The pair of an encrypted upload that was cut off, to encrypt the very same plaintext again
    // so that the chunks already on the server stay valid. The sync engine keeps such a pair only
    // for one file version (its transfer id covers size, times, change time and inode, and any
    // write moves the change time) and forgets it once the upload is done.
    static Result<FileKey> forResumedUpload(ByteView key, ByteView nonce) { return fromCallerSupplied(key, nonce); }

    FileKey(FileKey&&) noexcept = default;
    FileKey& operator=(FileKey&&) noexcept = default;
    FileKey(const FileKey&) = delete;
    FileKey& operator=(const FileKey&) = delete;

private:
    FileKey(SecureBytes key, Bytes nonce) : m_key(std::move(key)), m_nonce(std::move(nonce)) {}
    SecureBytes m_key;
    Bytes m_nonce;
    friend Result<EncryptedFile> encryptFile(FileKey, ByteSource&, ByteSink&);
    friend class FileEncryptor;
};

// Encrypts all of `in` to `out` as ciphertext‖tag in constant memory. `in` is read (and
// encrypted) on a worker thread while this thread writes `out`; see streams.h.
Result<EncryptedFile> encryptFile(FileKey key, ByteSource& in, ByteSink& out);

// Decrypts a ciphertext‖tag blob from `in` into `out` in constant memory and calls
// out.commit() only if the tag verifies, out.discard() otherwise. With `expectedTag` (from
// the metadata) the blob's trailing tag must equal it; a blob without a trailing tag is
// accepted when the expected tag authenticates it. Returns the plaintext size. As with
// encryptFile(), `in` is read on a worker thread; `out` is only used from this thread.
Result<std::uint64_t> decryptFile(ByteView key, ByteView nonce, std::optional<ByteView> expectedTag, ByteSource& in,
                                  AuthenticatedSink& out);

// Whole-buffer helper over decryptFile(): the plaintext, or nothing.
Result<SecureBytes> decryptBlob(ByteView key, ByteView nonce, std::optional<ByteView> expectedTag, ByteView blob);

// Encrypts a small buffer under a long-lived key (metadata key, KDF output) with a nonce
// generated here, so a nonce is never chosen by the caller.
struct SealedBox {
    Bytes nonce;
    Bytes ciphertextAndTag;
};
Result<SealedBox> seal(ByteView key, std::size_t nonceSize, ByteView plaintext);

namespace detail {
// encryptFile() and decryptFile() read (and run the cipher) on a thread of their own into a
// ring of this many buffers of this size, while the calling thread writes: at most
// kPipelineSlots * kPipelineChunkSize bytes are in flight, whatever the size of the file.
inline constexpr std::size_t kPipelineChunkSize = 1024 * 1024;
inline constexpr std::size_t kPipelineSlots = 4;

// Known-answer access for self-tests: raw one-shot AES-GCM with caller-chosen nonce.
Result<Bytes> aesGcmEncryptForTest(ByteView key, ByteView nonce, ByteView plaintext);
} // namespace detail

} // namespace nubo::e2ee
