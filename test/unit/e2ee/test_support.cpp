#include "test_support.h"

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <openssl/x509.h>

#include "encoding.h"
#include "file_cipher.h"
#include "gzip.h"

namespace nubo::e2ee::test {

std::string readDataFile(const std::string& name)
{
    std::ifstream file(std::string(NUBO_TEST_DATA_DIR) + "/" + name, std::ios::binary);
    if (!file) throw std::runtime_error("missing test data file " + name);
    std::ostringstream out;
    out << file.rdbuf();
    return out.str();
}

nlohmann::json dataJson(const std::string& name)
{
    return nlohmann::json::parse(readDataFile(name));
}

Bytes bytesOf(std::string_view text)
{
    return Bytes(text.begin(), text.end());
}

Bytes b64(std::string_view text)
{
    auto decoded = must(base64Decode(text));
    return Bytes(decoded.begin(), decoded.end());
}

TestServerCa::TestServerCa() : m_key(must(PrivateKey::generateRsa())), m_public(m_key.publicKey()) {}

std::string TestServerCa::issue(const PrivateKey& key, const std::string& commonName, const EVP_MD* digest) const
{
    detail::X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 365);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Nextcloud"), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(commonName.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key.native());
    if (X509_sign(cert.get(), m_key.native(), digest) <= 0) throw std::runtime_error("X509_sign failed");
    return Certificate(std::move(cert)).toPem();
}

TestUser TestServerCa::makeUser(const std::string& id, int bits) const
{
    auto key = must(PrivateKey::generateRsa(bits));
    std::string pem = issue(key, id);
    return TestUser{id, std::move(key), std::move(pem)};
}

const TestServerCa& serverCa()
{
    static const TestServerCa ca;
    return ca;
}

const TestUser& testUser(const std::string& id)
{
    static std::map<std::string, TestUser> users;
    auto it = users.find(id);
    if (it == users.end()) it = users.emplace(id, serverCa().makeUser(id)).first;
    return it->second;
}

MetadataDocument documentWithRawInner(const std::string& innerJson, ByteView metadataKey,
                                      const std::vector<MetadataRecipient>& recipients)
{
    FolderMetadata empty;
    MetadataDocument doc = must(encryptFolderMetadata(empty, metadataKey, recipients));
    const auto compressed = must(gzipCompress(asBytes(innerJson)));
    SealedBox sealed = must(seal(metadataKey, 16, compressed));
    doc.nonce = sealed.nonce;
    doc.authenticationTag.assign(sealed.ciphertextAndTag.end() - 16, sealed.ciphertextAndTag.end());
    doc.ciphertext = sealed.ciphertextAndTag;
    doc.json["metadata"] = {{"ciphertext", base64Encode(doc.ciphertext)},
                            {"nonce", base64Encode(doc.nonce)},
                            {"authenticationTag", base64Encode(doc.authenticationTag)}};
    return doc;
}

} // namespace nubo::e2ee::test
