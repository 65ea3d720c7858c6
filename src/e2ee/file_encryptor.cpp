#include "file_encryptor.h"

#include <climits>

namespace nubo::e2ee {

Result<FileEncryptor> FileEncryptor::start(FileKey fileKey)
{
    if (fileKey.m_key.size() != kFileKeySize) return fail(ErrorCode::Internal, "this file key was already used");
    detail::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(fileKey.m_nonce.size()), nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, fileKey.m_key.data(), fileKey.m_nonce.data()) != 1) {
        return fail(ErrorCode::Internal, "cannot start AES-GCM: " + detail::takeOpensslError());
    }
    return FileEncryptor(std::move(fileKey.m_key), std::move(fileKey.m_nonce), std::move(ctx));
}

Result<FileEncryptor> FileEncryptor::snapshot() const
{
    if (m_finished) return fail(ErrorCode::Internal, "the encryption of this file is finished");
    detail::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CIPHER_CTX_copy(ctx.get(), m_ctx.get()) != 1) {
        return fail(ErrorCode::Internal, "cannot copy the AES-GCM state: " + detail::takeOpensslError());
    }
    FileEncryptor copy(toSecure(ByteView(m_key)), m_nonce, std::move(ctx));
    copy.m_position = m_position;
    return copy;
}

Result<void> FileEncryptor::update(ByteView in, std::uint8_t* out)
{
    if (m_finished) return fail(ErrorCode::Internal, "the encryption of this file is finished");
    for (std::size_t done = 0; done < in.size();) {
        const int piece = static_cast<int>(std::min<std::size_t>(in.size() - done, INT_MAX / 2));
        int written = 0;
        if (EVP_EncryptUpdate(m_ctx.get(), out + done, &written, in.data() + done, piece) != 1 || written != piece) {
            return fail(ErrorCode::Internal, "AES-GCM failed: " + detail::takeOpensslError());
        }
        done += static_cast<std::size_t>(piece);
    }
    m_position += in.size();
    return {};
}

Result<Bytes> FileEncryptor::finish()
{
    if (m_finished) return fail(ErrorCode::Internal, "the encryption of this file is finished");
    m_finished = true;
    std::uint8_t none[16];
    int written = 0;
    Bytes tag(kGcmTagSize);
    if (EVP_EncryptFinal_ex(m_ctx.get(), none, &written) != 1 ||
        EVP_CIPHER_CTX_ctrl(m_ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize, tag.data()) != 1) {
        return fail(ErrorCode::Internal, "AES-GCM failed: " + detail::takeOpensslError());
    }
    return tag;
}

Result<FileDecryptor> FileDecryptor::start(ByteView key, ByteView nonce, ByteView expectedTag)
{
    if (key.size() != kFileKeySize) {
        return fail(ErrorCode::MalformedInput, "a file key has 16 bytes, this one has " + std::to_string(key.size()));
    }
    if (nonce.size() != 12 && nonce.size() != 16) {
        return fail(ErrorCode::MalformedInput, "a file nonce has 16 (or 12) bytes, this one has " + std::to_string(nonce.size()));
    }
    if (expectedTag.size() != kGcmTagSize) {
        return fail(ErrorCode::MalformedInput, "a file tag has 16 bytes, this one has " + std::to_string(expectedTag.size()));
    }
    detail::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1 ||
        EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) != 1) {
        return fail(ErrorCode::Internal, "cannot start AES-GCM: " + detail::takeOpensslError());
    }
    return FileDecryptor(std::move(ctx), Bytes(expectedTag.begin(), expectedTag.end()));
}

Result<void> FileDecryptor::decryptTo(ByteView in, std::uint8_t* out)
{
    for (std::size_t done = 0; done < in.size();) {
        const int piece = static_cast<int>(std::min<std::size_t>(in.size() - done, INT_MAX / 2));
        int written = 0;
        if (EVP_DecryptUpdate(m_ctx.get(), out + done, &written, in.data() + done, piece) != 1 || written != piece) {
            return fail(ErrorCode::Internal, "AES-GCM failed: " + detail::takeOpensslError());
        }
        done += static_cast<std::size_t>(piece);
    }
    m_plaintext += in.size();
    return {};
}

Result<void> FileDecryptor::decrypt(ByteView in, Bytes& out)
{
    if (in.empty()) return {};
    const std::size_t at = out.size();
    out.resize(at + in.size());
    return decryptTo(in, out.data() + at);
}

Result<std::size_t> FileDecryptor::update(ByteView in, std::uint8_t* out)
{
    if (m_finished) return fail(ErrorCode::Internal, "the decryption of this file is finished");
    // Everything but the last 16 bytes seen is ciphertext for certain.
    const std::size_t total = m_held.size() + in.size();
    if (total <= kGcmTagSize) {
        m_held.insert(m_held.end(), in.begin(), in.end());
        return std::size_t{0};
    }
    const std::size_t release = total - kGcmTagSize;
    const std::size_t fromHeld = std::min(release, m_held.size());
    if (auto done = decryptTo(ByteView(m_held).first(fromHeld), out); !done) return std::unexpected(done.error());
    m_held.erase(m_held.begin(), m_held.begin() + static_cast<std::ptrdiff_t>(fromHeld));
    const std::size_t fromIn = release - fromHeld;
    if (auto done = decryptTo(in.first(fromIn), out + fromHeld); !done) return std::unexpected(done.error());
    m_held.insert(m_held.end(), in.begin() + static_cast<std::ptrdiff_t>(fromIn), in.end());
    return release;
}

Result<void> FileDecryptor::update(ByteView in, Bytes& out)
{
    const std::size_t at = out.size();
    out.resize(at + in.size() + kGcmTagSize);
    auto written = update(in, out.data() + at);
    if (!written) {
        out.resize(at);
        return std::unexpected(written.error());
    }
    out.resize(at + *written);
    return {};
}

Result<void> FileDecryptor::finish(Bytes& out)
{
    if (m_finished) return fail(ErrorCode::Internal, "the decryption of this file is finished");
    m_finished = true;
    // A trailing tag equal to the metadata's ends the ciphertext; otherwise the held bytes are
    // ciphertext too (a blob stored without its tag), authenticated by the metadata's tag.
    if (m_held != m_expected) {
        if (auto done = decrypt(m_held, out); !done) return done;
    }
    std::uint8_t none[16];
    int written = 0;
    if (EVP_CIPHER_CTX_ctrl(m_ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagSize, m_expected.data()) != 1 ||
        EVP_DecryptFinal_ex(m_ctx.get(), none, &written) != 1) {
        (void)detail::takeOpensslError();
        return fail(ErrorCode::VerificationFailed,
                    "the authentication tag does not verify: the file was changed or damaged");
    }
    return {};
}

} // namespace nubo::e2ee
