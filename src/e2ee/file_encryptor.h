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

} // namespace nubo::e2ee
