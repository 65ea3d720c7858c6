#include "ossl.h"

#include <openssl/err.h>

namespace nubo::e2ee::detail {

std::string takeOpensslError()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return "no detail from OpenSSL";
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    return buffer;
}

BioPtr memoryBio(const void* data, std::size_t size)
{
    return BioPtr(BIO_new_mem_buf(data, static_cast<int>(size)));
}

std::string bioContents(BIO* bio)
{
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

} // namespace nubo::e2ee::detail
