// Reading metadata 1.0, 1.1 and 1.2 (PROTOCOL.md §4.9) through verifyFolder(). The documents
// come from an independent writer in this file: OpenSSL EVP calls and nlohmann::json, laid out
// as the official clients before 3.10 wrote them (nextcloud/desktop foldermetadata.cpp,
// clientsideencryption.cpp), not from Nubo's reader run backwards. The keys are real user key
// material (test/data/alice.json, bob.json).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "encoding.h"
#include "metadata_v1.h"
#include "test_support.h"
#include "trust.h"

namespace nubo::e2ee {
namespace {

using nlohmann::json;
using test::must;

constexpr const char* kIdA = "0123456789abcdef0123456789abcdef";
constexpr const char* kIdB = "fedcba9876543210fedcba9876543210";
constexpr const char* kIdC = "00000000000000000000000000000001";
constexpr const char* kIdD = "ffffffffffffffffffffffffffffffff";

// ---- The independent writer: raw OpenSSL, bytes in std::string. ----

std::string b64(std::string_view bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

std::string randomString(std::size_t size)
{
    std::string out(size, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    return out;
}

std::string sha256HexOf(std::string_view data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("EVP_Digest failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 15];
    }
    return out;
}

// AES-128-GCM: ciphertext followed by the 16-byte tag.
std::string aesGcm(std::string_view key, std::string_view iv, std::string_view plain)
{
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    std::string out(plain.size() + 16, '\0');
    int length = 0;
    int total = 0;
    auto* buffer = reinterpret_cast<unsigned char*>(out.data());
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const unsigned char*>(key.data()),
                           reinterpret_cast<const unsigned char*>(iv.data())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), buffer, &length, reinterpret_cast<const unsigned char*>(plain.data()),
                          static_cast<int>(plain.size())) != 1) {
        throw std::runtime_error("AES-GCM encryption failed");
    }
    total = length;
    if (EVP_EncryptFinal_ex(ctx.get(), buffer + total, &length) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, buffer + total + length) != 1) {
        throw std::runtime_error("AES-GCM finalisation failed");
    }
    out.resize(static_cast<std::size_t>(total + length) + 16);
    return out;
}

// RSA-OAEP with SHA-256 and MGF1-SHA-256 to the public key of a PEM certificate.
std::string rsaOaep(const std::string& certificatePem, std::string_view plain)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(certificatePem.data(), static_cast<int>(certificatePem.size())), BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                            X509_free);
    if (!certificate) throw std::runtime_error("unreadable certificate");
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(X509_get_pubkey(certificate.get()), EVP_PKEY_free);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(key.get(), nullptr),
                                                                    EVP_PKEY_CTX_free);
    std::size_t size = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(plain.data());
    if (EVP_PKEY_encrypt_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_encrypt(ctx.get(), nullptr, &size, in, plain.size()) != 1) {
        throw std::runtime_error("RSA-OAEP setup failed");
    }
    std::string out(size, '\0');
    if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &size, in, plain.size()) != 1) {
        throw std::runtime_error("RSA-OAEP encryption failed");
    }
    out.resize(size);
    return out;
}

// One item as a 1.x writer holds it.
struct Item {
    explicit Item(std::string filename_, std::string mimetype_ = "text/plain")
        : filename(std::move(filename_)), mimetype(std::move(mimetype_))
    {
    }
    std::string filename;
    std::string mimetype;
    std::string key = randomString(16); // the file key
    std::string iv = randomString(16);  // the file blob's
    std::string tag = randomString(16); // the file blob's
    std::optional<int> keyIndex;        // 1.0: "metadataKey" index of the entry
};

// Writes entries the way the official 1.x writers did.
class V1Writer {
public:
    explicit V1Writer(std::string certificatePem) : m_certificatePem(std::move(certificatePem)) {}

    // W = base64(RSA-OAEP(base64(base64(key16)))).
    std::string wrap(std::string_view key) const { return b64(rsaOaep(m_certificatePem, b64(b64(key)))); }

    // E = base64(AES-128-GCM(base64(compact JSON)) ‖ tag) + separator + base64(iv).
    static std::string seal(std::string_view key, const json& plain, std::string_view separator = "|",
                            std::optional<std::string> iv = std::nullopt)
    {
        const std::string nonce = iv.value_or(randomString(16));
        return b64(aesGcm(key, nonce, b64(plain.dump()))) + std::string(separator) + b64(nonce);
    }

    static json entry(std::string_view metadataKey, const Item& item, std::string_view separator = "|")
    {
        json out = {
            {"encrypted",
             seal(metadataKey, {{"key", b64(item.key)}, {"filename", item.filename}, {"mimetype", item.mimetype}},
                  separator)},
            {"initializationVector", b64(item.iv)},
            {"authenticationTag", b64(item.tag)}};
        if (item.keyIndex) out["metadataKey"] = *item.keyIndex;
        return out;
    }

    // A 1.2 file-drop entry as the desktop client reads it: its own key, wrapped like W.
    json filedropEntry(const Item& item) const
    {
        const std::string dropKey = randomString(16);
        return {{"encrypted", seal(dropKey, {{"key", b64(item.key)},
                                             {"filename", item.filename},
                                             {"mimetype", item.mimetype},
                                             {"version", "1.2"}})},
                {"encryptedKey", wrap(dropKey)},
                {"initializationVector", b64(item.iv)},
                {"authenticationTag", b64(item.tag)}};
    }

    // As the web client wrote them: plain JSON, no "|iv" (it is in encryptedInitializationVector).
    json webFiledropEntry(const Item& item) const
    {
        const std::string dropKey = randomString(16);
        const std::string iv = randomString(16);
        const std::string sealed = aesGcm(
            dropKey, iv, json{{"key", b64(item.key)}, {"filename", item.filename}, {"mimetype", item.mimetype}}.dump());
        return {{"encrypted", b64(sealed)},
                {"encryptedKey", wrap(dropKey)},
                {"encryptedInitializationVector", b64(iv)},
                {"encryptedTag", b64(sealed.substr(sealed.size() - 16))},
                {"initializationVector", b64(item.iv)},
                {"authenticationTag", b64(item.tag)}};
    }

private:
    std::string m_certificatePem;
};

std::string checksumOf(std::string mnemonic, const json& files, const std::string& wrapped)
{
    mnemonic.erase(std::remove(mnemonic.begin(), mnemonic.end(), ' '), mnemonic.end());
    std::vector<std::string> ids;
    for (const auto& [id, entry] : files.items())
        ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    std::string input = mnemonic;
    for (const std::string& id : ids)
        input += id;
    return sha256HexOf(input + wrapped);
}

struct Reader {
    std::string userId;
    PrivateKey key;
    std::string certificatePem;
    std::string mnemonic;
};

Reader readerFrom(const std::string& file)
{
    const json data = test::dataJson(file);
    return {data.at("userId").get<std::string>(),
            must(PrivateKey::fromPem(data.at("privateKeyPkcs8Pem").get<std::string>())),
            data.at("certificatePem").get<std::string>(), data.at("mnemonic").get<std::string>()};
}

#define EXPECT_REFUSED(result, expectedCheck)                                                                          \
    do {                                                                                                               \
        const auto& r_ = (result);                                                                                     \
        ASSERT_FALSE(r_) << "expected the " << trustCheckName(expectedCheck) << " check to fail";                      \
        EXPECT_EQ(trustCheckName(r_.error().check), trustCheckName(expectedCheck)) << r_.error().message;              \
        EXPECT_FALSE(r_.error().message.empty());                                                                      \
    } while (false)

bool hasWarning(const VerifiedFolder& folder, std::string_view text)
{
    return std::any_of(folder.warnings.begin(), folder.warnings.end(),
                       [&](const std::string& warning) { return warning.find(text) != std::string::npos; });
}

class MetadataV1 : public ::testing::Test {
protected:
    static const Reader& alice()
    {
        static const Reader reader = readerFrom("alice.json");
        return reader;
    }
    static const Reader& bob()
    {
        static const Reader reader = readerFrom("bob.json");
        return reader;
    }

    V1Writer writer{alice().certificatePem};
    std::string metadataKey = randomString(16);
    std::map<std::string, Item> items{{kIdA, Item{"report.pdf", "application/pdf"}},
                                      {kIdB, Item{"notes.txt", "text/plain"}}};

    json files(std::string_view separator = "|") const
    {
        json out = json::object();
        for (const auto& [id, item] : items)
            out[id] = V1Writer::entry(metadataKey, item, separator);
        return out;
    }

    // A 1.2 document, its checksum over `checksumMnemonic`.
    json v12(const std::string& checksumMnemonic, std::string_view separator = "|") const
    {
        const json entries = files(separator);
        const std::string wrapped = writer.wrap(metadataKey);
        return {{"metadata",
                 {{"version", 1.2},
                  {"metadataKey", wrapped},
                  {"checksum", checksumOf(checksumMnemonic, entries, wrapped)}}},
                {"files", entries}};
    }

    std::expected<VerifiedFolder, TrustFailure> open(const json& document,
                                                     std::optional<std::string_view> mnemonic = std::nullopt,
                                                     FolderHistory seen = {}, const Reader* reader = nullptr,
                                                     const VerifiedFolder* topLevel = nullptr) const
    {
        return openText(document.dump(), mnemonic, std::move(seen), reader, topLevel);
    }

    std::expected<VerifiedFolder, TrustFailure> openText(const std::string& text,
                                                         std::optional<std::string_view> mnemonic = std::nullopt,
                                                         FolderHistory seen = {}, const Reader* reader = nullptr,
                                                         const VerifiedFolder* topLevel = nullptr) const
    {
        reader = reader ? reader : &alice();
        TrustRequest request;
        request.metadata = text;
        request.userId = reader->userId;
        request.privateKey = &reader->key;
        request.mnemonic = mnemonic;
        request.seen = std::move(seen);
        request.topLevel = topLevel;
        return verifyFolder(request);
    }

    void expectItems(const VerifiedFolder& folder) const
    {
        ASSERT_EQ(folder.metadata.files.size(), items.size());
        for (const auto& [id, item] : items) {
            const FileEntry& file = folder.metadata.files.at(id);
            EXPECT_EQ(file.filename, item.filename);
            EXPECT_EQ(file.mimetype, item.mimetype);
            EXPECT_EQ(asChars(file.key), item.key);
            EXPECT_EQ(asChars(file.nonce), item.iv);
            EXPECT_EQ(asChars(file.authenticationTag), item.tag);
        }
    }
};

TEST_F(MetadataV1, Version12WithItsMnemonicChecksum)
{
    auto folder = open(v12(alice().mnemonic), alice().mnemonic);
    ASSERT_TRUE(folder) << folder.error().message;
    expectItems(*folder);
    EXPECT_EQ(asChars(folder->metadataKey), metadataKey);
    EXPECT_TRUE(folder->legacy());
    EXPECT_EQ(folder->version(), 12);
    EXPECT_EQ(folder->document.version, "1.2");
    EXPECT_EQ(folder->history.highestVersion, 12);
    EXPECT_FALSE(folder->history.highestCounter);
    EXPECT_TRUE(folder->signerUserId.empty());
    EXPECT_EQ(folder->metadata.counter, 0u);
    EXPECT_TRUE(folder->metadata.keyChecksums.empty());
    // A top-level folder: the reading user stands in for the members 1.x does not list.
    EXPECT_TRUE(folder->isTopLevel());
    ASSERT_EQ(folder->document.users.size(), 1u);
    EXPECT_EQ(folder->document.users.front().userId, "alice");
    EXPECT_TRUE(hasWarning(*folder, "not authenticated"));
    EXPECT_TRUE(hasWarning(*folder, "upgraded to metadata 2.0"));
    EXPECT_FALSE(hasWarning(*folder, "1.2 checksum"));

    // The mnemonic as a user may type it.
    std::string typed = "  " + alice().mnemonic + " ";
    std::transform(typed.begin(), typed.end(), typed.begin(),
                   [](char c) { return static_cast<char>(std::toupper(c)); });
    std::replace(typed.begin(), typed.end(), ' ', '\t');
    EXPECT_TRUE(open(v12(alice().mnemonic), typed));
}

TEST_F(MetadataV1, Version12ChecksumWrittenWithoutMnemonic)
{
    const json document = v12("");
    auto withMnemonic = open(document, alice().mnemonic);
    ASSERT_TRUE(withMnemonic) << withMnemonic.error().message;
    expectItems(*withMnemonic);
    EXPECT_TRUE(hasWarning(*withMnemonic, "without a mnemonic"));
    auto without = open(document);
    ASSERT_TRUE(without) << without.error().message;
    EXPECT_TRUE(hasWarning(*without, "without a mnemonic"));

    auto legacy = must(decryptLegacyFolderMetadata(must(parseMetadataDocument(document.dump())),
                                                   LegacyKeys{&alice().key, std::nullopt}, alice().mnemonic));
    EXPECT_EQ(legacy.checksum, LegacyChecksum::MatchesEmptyMnemonic);
}

TEST_F(MetadataV1, Version12WrongChecksumIsRefused)
{
    // Written over another mnemonic: refused when this user's is known, unchecked otherwise.
    const json other = v12(bob().mnemonic);
    EXPECT_REFUSED(open(other, alice().mnemonic), TrustCheck::KeyChecksum);
    auto unchecked = open(other);
    ASSERT_TRUE(unchecked) << unchecked.error().message;
    EXPECT_TRUE(hasWarning(*unchecked, "checksum was not checked"));

    // A file the server removed from the list, a checksum changed, or none at all.
    json removed = v12(alice().mnemonic);
    removed["files"].erase(kIdB);
    EXPECT_REFUSED(open(removed, alice().mnemonic), TrustCheck::KeyChecksum);
    json changed = v12(alice().mnemonic);
    changed["metadata"]["checksum"] = sha256HexOf("something else");
    EXPECT_REFUSED(open(changed, alice().mnemonic), TrustCheck::KeyChecksum);
    json missing = v12(alice().mnemonic);
    missing["metadata"].erase("checksum");
    EXPECT_REFUSED(open(missing), TrustCheck::KeyChecksum);
}

TEST_F(MetadataV1, Version11)
{
    const json document = {{"metadata", {{"version", "1.1"}, {"metadataKey", writer.wrap(metadataKey)}}},
                           {"files", files()}};
    auto folder = open(document);
    ASSERT_TRUE(folder) << folder.error().message;
    expectItems(*folder);
    EXPECT_EQ(folder->version(), 11);
    EXPECT_EQ(folder->history.highestVersion, 11);
    EXPECT_FALSE(hasWarning(*folder, "1.2 checksum"));
}

TEST_F(MetadataV1, Version10WithTwoKeysAndPerFileIndex)
{
    const std::string key0 = randomString(16);
    const std::string key1 = randomString(16);
    Item first{"first.txt"};
    first.keyIndex = 0;
    Item second{"second.txt"};
    second.keyIndex = 1;
    Item wrongIndex{"third.txt"}; // says 1, written with 0: the other keys are tried too
    wrongIndex.keyIndex = 1;
    Item noIndex{"fourth.txt"};
    const json document = {
        {"metadata",
         {{"version", 1}, {"metadataKeys", {{"0", writer.wrap(key0)}, {"1", writer.wrap(key1)}}}, {"sharing", ""}}},
        {"files",
         {{kIdA, V1Writer::entry(key0, first)},
          {kIdB, V1Writer::entry(key1, second)},
          {kIdC, V1Writer::entry(key0, wrongIndex)},
          {kIdD, V1Writer::entry(key1, noIndex)}}}};
    auto folder = open(document);
    ASSERT_TRUE(folder) << folder.error().message;
    EXPECT_EQ(folder->document.version, "1.0");
    EXPECT_EQ(folder->version(), 10);
    EXPECT_EQ(asChars(folder->metadataKey), key1); // the highest index, as the desktop client
    EXPECT_EQ(folder->metadata.files.at(kIdA).filename, "first.txt");
    EXPECT_EQ(folder->metadata.files.at(kIdB).filename, "second.txt");
    EXPECT_EQ(folder->metadata.files.at(kIdC).filename, "third.txt");
    EXPECT_EQ(folder->metadata.files.at(kIdD).filename, "fourth.txt");
    EXPECT_EQ(asChars(folder->metadata.files.at(kIdC).key), wrongIndex.key);

    // Written with a key the document does not hold.
    json foreign = document;
    foreign["files"][kIdA] = V1Writer::entry(randomString(16), first);
    EXPECT_REFUSED(open(foreign), TrustCheck::Decryption);
}

TEST_F(MetadataV1, TryingEveryKeyForEveryEntryIsBounded)
{
    // 70 keys; entries alternate between the two keys tried last, naming none: each costs a
    // search through the others. 50 such entries read; 62 are more tries than a reader makes.
    std::vector<std::string> keys;
    json wrapped = json::object();
    for (int i = 0; i < 70; ++i) {
        keys.push_back(randomString(16));
        wrapped[std::to_string(i)] = writer.wrap(keys.back());
    }
    const auto document = [&](int entries) {
        json files = json::object();
        for (int i = 0; i < entries; ++i) {
            char id[33];
            std::snprintf(id, sizeof id, "%032x", i + 1);
            files[id] = V1Writer::entry(keys[static_cast<std::size_t>(i % 2)], Item{"f" + std::to_string(i)});
        }
        return json{{"metadata", {{"version", "1.0"}, {"metadataKeys", wrapped}}}, {"files", files}};
    };
    auto read = open(document(50));
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->metadata.files.size(), 50u);
    auto refused = open(document(62));
    EXPECT_REFUSED(refused, TrustCheck::Format);
    EXPECT_NE(refused.error().message.find("too many entries"), std::string::npos);
}

TEST_F(MetadataV1, OldSeparatorBefore2018)
{
    auto folder = open(v12(alice().mnemonic, "fA=="), alice().mnemonic);
    ASSERT_TRUE(folder) << folder.error().message;
    expectItems(*folder);

    // An IV whose last byte is '|' ends in "fA==" itself: the separator is the one before it.
    std::string iv = randomString(15) + "|";
    ASSERT_EQ(b64(iv).substr(20), "fA==");
    json document = {
        {"metadata", {{"version", "1.1"}, {"metadataKey", writer.wrap(metadataKey)}}},
        {"files",
         {{kIdA,
           {{"encrypted",
             V1Writer::seal(metadataKey,
                            {{"key", b64(items.at(kIdA).key)}, {"filename", "edge.txt"}, {"mimetype", "text/plain"}},
                            "fA==", iv)},
            {"initializationVector", b64(items.at(kIdA).iv)},
            {"authenticationTag", b64(items.at(kIdA).tag)}}}}}};
    auto edge = open(document);
    ASSERT_TRUE(edge) << edge.error().message;
    EXPECT_EQ(edge->metadata.files.at(kIdA).filename, "edge.txt");
}

TEST_F(MetadataV1, FiledropEntriesAreMergedIntoFiles)
{
    json document = v12(alice().mnemonic); // the checksum covers "files" only
    const Item dropped{"dropped.jpg", "image/jpeg"};
    const Item fromWeb{"from-web.txt", "text/plain"};
    document["filedrop"] = {{kIdC, writer.filedropEntry(dropped)}, {kIdD, writer.webFiledropEntry(fromWeb)}};
    auto folder = open(document, alice().mnemonic);
    ASSERT_TRUE(folder) << folder.error().message;
    ASSERT_EQ(folder->metadata.files.size(), 4u);
    EXPECT_EQ(folder->metadata.files.at(kIdC).filename, "dropped.jpg");
    EXPECT_EQ(asChars(folder->metadata.files.at(kIdC).key), dropped.key);
    EXPECT_EQ(asChars(folder->metadata.files.at(kIdC).nonce), dropped.iv);
    EXPECT_EQ(asChars(folder->metadata.files.at(kIdC).authenticationTag), dropped.tag);
    EXPECT_EQ(folder->metadata.files.at(kIdD).filename, "from-web.txt");
    EXPECT_EQ(asChars(folder->metadata.files.at(kIdD).key), fromWeb.key);

    // A dropped file under an id "files" already holds.
    json clash = v12(alice().mnemonic);
    clash["filedrop"] = {{kIdA, writer.filedropEntry(dropped)}};
    EXPECT_REFUSED(open(clash, alice().mnemonic), TrustCheck::Duplicates);

    // Dropped for another user: its key does not open with this one.
    json foreign = v12(alice().mnemonic);
    foreign["filedrop"] = {{kIdC, V1Writer(bob().certificatePem).filedropEntry(dropped)}};
    EXPECT_REFUSED(open(foreign, alice().mnemonic), TrustCheck::Decryption);
}

TEST_F(MetadataV1, SubFolderEntryBecomesAFolder)
{
    Item folderItem{"Photos", "httpd/unix-directory"};
    folderItem.iv.clear(); // the desktop client wrote empty IV and tag for folders
    folderItem.tag.clear();
    json document = v12(alice().mnemonic);
    document["files"][kIdC] = V1Writer::entry(metadataKey, folderItem);
    document["metadata"]["checksum"] =
        checksumOf(alice().mnemonic, document["files"], document["metadata"]["metadataKey"].get<std::string>());
    auto folder = open(document, alice().mnemonic);
    ASSERT_TRUE(folder) << folder.error().message;
    EXPECT_EQ(folder->metadata.folders.at(kIdC), "Photos");
    EXPECT_FALSE(folder->metadata.files.contains(kIdC));
    expectItems(*folder);
}

TEST_F(MetadataV1, TamperedDataIsRefused)
{
    // One byte of an entry's ciphertext.
    json document = v12(alice().mnemonic);
    std::string encrypted = document["files"][kIdA]["encrypted"];
    encrypted[5] = encrypted[5] == 'A' ? 'B' : 'A';
    document["files"][kIdA]["encrypted"] = encrypted;
    EXPECT_REFUSED(open(document, alice().mnemonic), TrustCheck::Decryption);

    // The wrapped metadata key.
    json wrapped = v12(alice().mnemonic);
    std::string key = wrapped["metadata"]["metadataKey"];
    key[10] = key[10] == 'A' ? 'B' : 'A';
    wrapped["metadata"]["metadataKey"] = key;
    EXPECT_REFUSED(open(wrapped), TrustCheck::Decryption);

    // Another user's private key.
    EXPECT_REFUSED(open(v12(alice().mnemonic), std::nullopt, {}, &bob()), TrustCheck::Decryption);

    // Not JSON inside, or the same JSON key twice inside.
    json notJson = v12("");
    notJson["files"][kIdA]["encrypted"] =
        b64(aesGcm(metadataKey, std::string(16, 'i'), b64("not json"))) + "|" + b64(std::string(16, 'i'));
    EXPECT_REFUSED(open(notJson), TrustCheck::Format);
    json twice = v12("");
    const std::string inner =
        R"({"key":")" + b64(randomString(16)) + R"(","filename":"a.txt","filename":"b.txt","mimetype":"text/plain"})";
    twice["files"][kIdA]["encrypted"] =
        b64(aesGcm(metadataKey, std::string(16, 'i'), b64(inner))) + "|" + b64(std::string(16, 'i'));
    EXPECT_REFUSED(open(twice), TrustCheck::Duplicates);

    // A file key of the wrong size.
    items.at(kIdA).key = randomString(8);
    EXPECT_REFUSED(open(v12("")), TrustCheck::KeyMaterial);
}

TEST_F(MetadataV1, HostileNamesAndIdsAreRefused)
{
    for (const std::string& name :
         std::vector<std::string>{"../.bashrc", "a/b", "..", ".", std::string("a\0b", 3), "", "a\nb"}) {
        items.at(kIdA).filename = name;
        EXPECT_REFUSED(open(v12("")), TrustCheck::UnsafeName);
    }
    items.at(kIdA).filename = "notes.txt"; // as kIdB
    EXPECT_REFUSED(open(v12("")), TrustCheck::Duplicates);
    items.at(kIdA).filename = "report.pdf";

    for (const std::string& id :
         {std::string("0123456789ABCDEF0123456789ABCDEF"), std::string("../x"), std::string("0123456789abcdef")}) {
        json document = v12("");
        document["files"][id] = document["files"][kIdA];
        document["files"].erase(kIdA);
        EXPECT_REFUSED(open(document), TrustCheck::UnsafeName);
    }
}

TEST_F(MetadataV1, DowngradeFromVersion2IsRefused)
{
    const json document = v12(alice().mnemonic);
    EXPECT_REFUSED(open(document, alice().mnemonic, FolderHistory{5, {"abc"}, 20}), TrustCheck::Version);
    EXPECT_REFUSED(open(document, alice().mnemonic, FolderHistory{std::nullopt, {}, 21}), TrustCheck::Version);
    // 1.2 seen, then 1.0: a downgrade too; 1.0 seen, then 1.2: an upgrade.
    const json v10 = {{"metadata", {{"version", "1.0"}, {"metadataKeys", {{"0", writer.wrap(metadataKey)}}}}},
                      {"files", files()}};
    EXPECT_REFUSED(open(v10, std::nullopt, FolderHistory{std::nullopt, {}, 12}), TrustCheck::Version);
    auto upgraded = open(document, alice().mnemonic, FolderHistory{std::nullopt, {}, 10});
    ASSERT_TRUE(upgraded) << upgraded.error().message;
    EXPECT_EQ(upgraded->history.highestVersion, 12);
}

TEST_F(MetadataV1, OversizeIsRefusedBeforeParsing)
{
    std::string text = v12("").dump();
    text.insert(text.size() - 1, std::string(kMaxMetadataDocumentSize, ' '));
    auto refused = openText(text);
    EXPECT_REFUSED(refused, TrustCheck::Format);
    EXPECT_NE(refused.error().message.find("larger than the limit"), std::string::npos);

    // More metadata keys than a reader unwraps.
    json keys = json::object();
    for (std::size_t i = 0; i <= kMaxLegacyKeyUnwraps; ++i)
        keys[std::to_string(i)] = "AAAA";
    EXPECT_REFUSED(open({{"metadata", {{"version", "1.0"}, {"metadataKeys", keys}}}}), TrustCheck::Format);
}

TEST_F(MetadataV1, NestedFolders)
{
    auto top = open(v12(alice().mnemonic), alice().mnemonic);
    ASSERT_TRUE(top) << top.error().message;

    // A nested 1.x folder holds its own key: read below a top-level folder, it is not one.
    const std::string nestedKey = randomString(16);
    const json nested = {{"metadata", {{"version", "1.1"}, {"metadataKey", writer.wrap(nestedKey)}}},
                         {"files", {{kIdC, V1Writer::entry(nestedKey, Item{"inner.txt"})}}}};
    auto folder = open(nested, std::nullopt, {}, nullptr, &*top);
    ASSERT_TRUE(folder) << folder.error().message;
    EXPECT_FALSE(folder->isTopLevel());
    EXPECT_TRUE(folder->legacy());
    EXPECT_EQ(asChars(folder->metadataKey), nestedKey);
    EXPECT_EQ(folder->metadata.files.at(kIdC).filename, "inner.txt");

    // A 2.0 folder below a 1.x top-level folder: no certificates to check its signature against.
    const SecureBytes key = must(generateMetadataKey());
    const MetadataDocument v20 = must(encryptFolderMetadata(FolderMetadata{}, key, {}));
    TrustRequest request;
    const std::string text = v20.json.dump();
    request.metadata = text;
    request.serverKey = &test::serverCa().publicKey();
    request.metadataKey = ByteView(key);
    request.topLevel = &*top;
    EXPECT_REFUSED(verifyFolder(request), TrustCheck::Users);
}

TEST_F(MetadataV1, GivenMetadataKeyAndOcsReply)
{
    const json document = v12(alice().mnemonic);
    const json ocs = {{"ocs", {{"data", {{"meta-data", document.dump()}}}}}};
    TrustRequest request;
    const std::string text = ocs.dump();
    request.metadata = text;
    const SecureBytes key = toSecure(asBytes(metadataKey));
    request.metadataKey = ByteView(key);
    request.mnemonic = alice().mnemonic;
    auto folder = verifyFolder(request);
    ASSERT_TRUE(folder) << folder.error().message;
    expectItems(*folder);
    EXPECT_TRUE(folder->isTopLevel());
}

TEST_F(MetadataV1, VersionSpellings)
{
    for (const auto& [version, number] : std::vector<std::pair<json, int>>{{json(1), 10},
                                                                           {json(1.0), 10},
                                                                           {json("1"), 10},
                                                                           {json("1.0"), 10},
                                                                           {json(1.1), 11},
                                                                           {json("1.1"), 11},
                                                                           {json(1.2), 12},
                                                                           {json("1.2"), 12}}) {
        json document = v12("");
        document["metadata"]["version"] = version;
        EXPECT_EQ(must(parseMetadataDocument(document.dump())).versionNumber(), number) << version.dump();
    }
}

// The fixture the CLI test opens (test/data/cli/legacy-1.2.metadata.json): alice's, with the file
// key, nonce and tag of test/data/cli/hello.blob, a sub-folder, and a dropped file.
constexpr const char* kFixtureMetadataKey = "bGVnYWN5IGtleSAxLjIhIQ=="; // "legacy key 1.2!!"
constexpr const char* kHelloId = "6f4a0b1f2e3d4c5b6a7980a1b2c3d4e5";
constexpr const char* kPhotosId = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
constexpr const char* kDroppedId = "d1d2d3d4d5d6d7d8d9dadbdcdddedfe0";

// Run once to (re)write the fixture, from the source directory:
//   NUBO_V1_FIXTURE=test/data/cli/legacy-1.2.metadata.json BUILD/test/unit/e2ee/nubo_e2ee_tests
//   --gtest_filter='*WriteCliFixture' --gtest_also_run_disabled_tests
TEST_F(MetadataV1, DISABLED_WriteCliFixture)
{
    const char* path = std::getenv("NUBO_V1_FIXTURE");
    ASSERT_NE(path, nullptr) << "set NUBO_V1_FIXTURE to the file to write";
    const std::string key(asChars(test::b64(kFixtureMetadataKey)));
    Item hello{"hello.txt", "text/plain"};
    hello.key = std::string(asChars(test::b64("w0rOw1GNeb1te4YI2V1HeA==")));
    hello.iv = std::string(asChars(test::b64("RzaaKRiDVgCLkC09EchyOQ==")));
    hello.tag = std::string(asChars(test::b64("bIZ2niCsvYexJ7FTHxHr0w==")));
    Item photos{"Photos", "httpd/unix-directory"};
    photos.iv.clear();
    photos.tag.clear();
    const json entries = {{kHelloId, V1Writer::entry(key, hello)}, {kPhotosId, V1Writer::entry(key, photos)}};
    const std::string wrapped = writer.wrap(key);
    const json document = {
        {"metadata",
         {{"version", 1.2}, {"metadataKey", wrapped}, {"checksum", checksumOf(alice().mnemonic, entries, wrapped)}}},
        {"files", entries},
        {"filedrop", {{kDroppedId, writer.filedropEntry(Item{"dropped.txt", "text/plain"})}}}};
    std::ofstream(path) << document.dump(1) << "\n";
}

TEST_F(MetadataV1, CliFixtureReads)
{
    const std::string text = test::readDataFile("cli/legacy-1.2.metadata.json");
    auto folder = openText(text, alice().mnemonic);
    ASSERT_TRUE(folder) << folder.error().message;
    EXPECT_EQ(base64Encode(folder->metadataKey), kFixtureMetadataKey);
    EXPECT_EQ(folder->metadata.files.at(kHelloId).filename, "hello.txt");
    EXPECT_EQ(base64Encode(folder->metadata.files.at(kHelloId).key), "w0rOw1GNeb1te4YI2V1HeA==");
    EXPECT_EQ(folder->metadata.folders.at(kPhotosId), "Photos");
    EXPECT_EQ(folder->metadata.files.at(kDroppedId).filename, "dropped.txt");
    EXPECT_FALSE(hasWarning(*folder, "1.2 checksum"));
    EXPECT_REFUSED(openText(text, bob().mnemonic), TrustCheck::KeyChecksum);
}

} // namespace
} // namespace nubo::e2ee
