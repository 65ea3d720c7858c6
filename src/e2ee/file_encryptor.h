// AES-GCM file encryption driven by the caller, piece by piece: the engine's encrypting upload
// encrypts what the network asks for next (one PUT, or chunk after chunk), and must be able to
// go back to the start of a piece when a request is sent again. encryptFile() (file_cipher.h)
// is the whole-stream form of the same thing.
#pragma once

#include "error.h"
#include "file_cipher.h"
#include "ossl.h"
#include "secure_bytes.h"

namespace nubo::e2ee {

class FileEncryptor {
public:
    // Consumes the key: the pair encrypts this one plaintext only.
    static Result<FileEncryptor> start(FileKey key);

    FileEncryptor(FileEncryptor&&) noexcept = default;
    FileEncryptor& operator=(FileEncryptor&&) noexcept = default;
    FileEncryptor(const FileEncryptor&) = delete;
    FileEncryptor& operator=(const FileEncryptor&) = delete;

    // A copy of the state at this point, to encrypt the same following bytes again (a resent
    // request). Only the same plaintext may go through both: the caller re-reads the same file.
    Result<FileEncryptor> snapshot() const;

    // Encrypts the next in.size() bytes into out (at least as large; may be in.data()).
    Result<void> update(ByteView in, std::uint8_t* out);
    // The tag; nothing may follow.
    Result<Bytes> finish();

    const SecureBytes& key() const { return m_key; }
    const Bytes& nonce() const { return m_nonce; }
    std::uint64_t position() const { return m_position; }

private:
    FileEncryptor(SecureBytes key, Bytes nonce, detail::CipherCtxPtr ctx)
        : m_key(std::move(key)), m_nonce(std::move(nonce)), m_ctx(std::move(ctx))
    {
    }
    SecureBytes m_key;
    Bytes m_nonce;
    detail::CipherCtxPtr m_ctx;
    std::uint64_t m_position = 0;
    bool m_finished = false;
};

// The other direction, driven the same way: the engine decrypts a blob while it arrives. The
// plaintext it hands out is unauthenticated until finish() verified the tag, so it may only go
// to a temporary file that is renamed into place after that (PROTOCOL.md §4.4).
class FileDecryptor {
public:
    // expectedTag: the tag the signed metadata gives for this blob.
    static Result<FileDecryptor> start(ByteView key, ByteView nonce, ByteView expectedTag);

    FileDecryptor(FileDecryptor&&) noexcept = default;
    FileDecryptor& operator=(FileDecryptor&&) noexcept = default;

    // Takes the next bytes of the blob; appends to `out` the plaintext of all but the last
    // 16 bytes seen so far (they may be the trailing tag).
    Result<void> update(ByteView in, Bytes& out);
    // The same into caller memory with room for in.size() + 16 bytes; returns how many it wrote.
    Result<std::size_t> update(ByteView in, std::uint8_t* out);
    // After the last byte: the blob is ciphertext‖tag, or (some writers) ciphertext only, whose
    // tag is then the metadata's; either way it must authenticate under the expected tag.
    // Appends any last plaintext to `out`. Fails (VerificationFailed) when it does not verify.
    Result<void> finish(Bytes& out);
    std::uint64_t plaintextSize() const { return m_plaintext; }

private:
    FileDecryptor(detail::CipherCtxPtr ctx, Bytes expectedTag) : m_ctx(std::move(ctx)), m_expected(std::move(expectedTag)) {}
    Result<void> decrypt(ByteView in, Bytes& out);
    Result<void> decryptTo(ByteView in, std::uint8_t* out);
    detail::CipherCtxPtr m_ctx;
    Bytes m_expected;
    Bytes m_held; // the last (up to) 16 bytes, not yet decrypted
    std::uint64_t m_plaintext = 0;
    bool m_finished = false;
};

} // namespace nubo::e2ee
