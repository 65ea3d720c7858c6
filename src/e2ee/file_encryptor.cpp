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

} // namespace nubo::e2ee
