// The metadata codec's reading rules (PROTOCOL.md §4.5–4.6), on documents written here.
#include <gtest/gtest.h>

#include "encoding.h"
#include "file_cipher.h"
#include "gzip.h"
#include "metadata.h"
#include "test_support.h"

namespace nubo::e2ee {
namespace {

using nlohmann::json;
using test::must;

class Metadata : public ::testing::Test {
protected:
    SecureBytes key = must(generateMetadataKey());
    std::vector<MetadataRecipient> alice{{"alice", test::testUser("alice").certificatePem}};

    FolderMetadata sample() const
    {
        FolderMetadata m;
        m.counter = 7;
        m.files["0123456789abcdef0123456789abcdef"] = {"report.pdf", "application/pdf", SecureBytes(16, 1),
                                                       Bytes(16, 2), Bytes(16, 3)};
        m.folders["fedcba9876543210fedcba9876543210"] = "Photos";
        m.keyChecksums = {metadataKeyChecksum(key)};
        return m;
    }

    Result<FolderMetadata> reopen(const std::string& text) const
    {
        auto doc = parseMetadataDocument(text);
        if (!doc) return std::unexpected(doc.error());
        return decryptFolderMetadata(*doc, key);
    }
};

TEST_F(Metadata, WrittenDocumentReopens)
{
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    auto reopened = must(reopen(serializeMetadataDocument(doc)));
    EXPECT_EQ(toJson(reopened), toJson(sample()));
    auto metadataKey = must(decryptMetadataKey(doc.users[0], test::testUser("alice").key));
    EXPECT_EQ(metadataKey, key);
}

TEST_F(Metadata, ReadsCiphertextWithAndWithoutTheNonceSuffix)
{
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    json text = doc.json;
    std::string ciphertext = text["metadata"]["ciphertext"];
    ASSERT_NE(ciphertext.find('|'), std::string::npos);
    text["metadata"]["ciphertext"] = ciphertext.substr(0, ciphertext.find('|'));
    EXPECT_TRUE(reopen(text.dump()));
}

TEST_F(Metadata, ReadsEveryVersionSpelling)
{
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    for (const json& version : {json("2"), json("2.0"), json(2.0), json(2)}) {
        json text = doc.json;
        text["version"] = version;
        auto parsed = must(parseMetadataDocument(text.dump()));
        EXPECT_EQ(parsed.versionNumber(), 20) << version.dump();
        EXPECT_TRUE(decryptFolderMetadata(parsed, key)) << version.dump();
    }
    for (const json& version : {json("2.1"), json(2.1)}) {
        json text = doc.json;
        text["version"] = version;
        auto parsed = must(parseMetadataDocument(text.dump()));
        EXPECT_EQ(parsed.versionNumber(), 21) << version.dump();
        EXPECT_TRUE(decryptFolderMetadata(parsed, key)) << version.dump();
    }
    json old = doc.json;
    old["version"] = "1.2";
    auto parsed = must(parseMetadataDocument(old.dump()));
    auto refused = decryptFolderMetadata(parsed, key);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("not supported"), std::string::npos);
}

TEST_F(Metadata, ReadsInitializationVectorAliasAndFoldersListedAsFiles)
{
    const std::string inner = R"({"counter":1,"files":{
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":{"filename":"a.txt","mimetype":"text/plain","key":"AQEBAQEBAQEBAQEBAQEBAQ==",
            "initializationVector":"AgICAgICAgICAgICAgICAg==","authenticationTag":"AwMDAwMDAwMDAwMDAwMDAw=="},
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb":{"filename":"Sub","mimetype":"httpd/unix-directory"}},
        "folders":{}})";
    auto doc = test::documentWithRawInner(inner, key, alice);
    auto m = must(reopen(serializeMetadataDocument(doc)));
    ASSERT_EQ(m.files.size(), 1u);
    EXPECT_EQ(m.files.begin()->second.nonce, Bytes(16, 2));
    EXPECT_EQ(m.folders.at("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"), "Sub");
}

TEST_F(Metadata, AcceptsAnUncompressedInnerDocument)
{
    const std::string inner = R"({"counter":2,"files":{},"folders":{"cccccccccccccccccccccccccccccccc":"x"}})";
    auto doc = must(encryptFolderMetadata(FolderMetadata{}, key, alice));
    auto sealed = must(seal(key, 16, asBytes(inner)));
    doc.json["metadata"] = {{"ciphertext", base64Encode(sealed.ciphertextAndTag)},
                            {"nonce", base64Encode(sealed.nonce)},
                            {"authenticationTag", base64Encode(ByteView(sealed.ciphertextAndTag).last(16))}};
    auto m = must(reopen(doc.json.dump()));
    EXPECT_EQ(m.counter, 2u);
}

TEST_F(Metadata, UndoesTheExtraBase64LayerOnTheMetadataKey)
{
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    const std::string doubleEncoded = base64Encode(key);
    const auto certificate = must(Certificate::fromPem(alice[0].certificatePem));
    doc.users[0].encryptedMetadataKey = base64Encode(must(certificate.publicKey().encryptOaep(asBytes(doubleEncoded))));
    EXPECT_EQ(must(decryptMetadataKey(doc.users[0], test::testUser("alice").key)), key);
}

TEST_F(Metadata, ReadsTheDocumentInsideAnOcsReply)
{
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    const json ocs = {{"ocs",
                       {{"meta", {{"status", "ok"}, {"statuscode", 200}}},
                        {"data", {{"meta-data", serializeMetadataDocument(doc)}}}}}};
    EXPECT_TRUE(reopen(ocs.dump()));
    EXPECT_FALSE(parseMetadataDocument(R"({"ocs":{"data":{}}})"));
}

TEST_F(Metadata, SigningBytesLeaveOutFiledrop)
{
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    const std::string before = metadataSigningBytes(doc);
    doc.json["filedrop"] = {{"x", "y"}};
    doc.json["users"][0]["encryptedFiledropKey"] = "abc";
    EXPECT_EQ(metadataSigningBytes(doc), before);
    doc.json["users"][0]["userId"] = "bob";
    EXPECT_NE(metadataSigningBytes(doc), before);
    // Canonical: sorted keys, compact, '/' unescaped, UTF-8 as is.
    MetadataDocument plain;
    plain.json = json::parse(R"({"b":"a/b","a":"ä\n"})");
    EXPECT_EQ(std::string(asChars(must(base64Decode(metadataSigningBytes(plain))))), "{\"a\":\"ä\\n\",\"b\":\"a/b\"}");
}

TEST_F(Metadata, WrongKeyAndTamperedCiphertextFailToDecrypt)
{
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    SecureBytes other = must(generateMetadataKey());
    EXPECT_EQ(decryptFolderMetadata(doc, other).error().code, ErrorCode::DecryptionFailed);
    doc.ciphertext[3] ^= 1;
    EXPECT_EQ(decryptFolderMetadata(doc, key).error().code, ErrorCode::DecryptionFailed);
}

TEST_F(Metadata, MalformedDocumentsAreRejectedWithTheReason)
{
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    const auto mutated = [&](auto change) {
        json text = doc.json;
        change(text);
        return text.dump();
    };
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{not json", "not valid JSON"},
        {"[1,2]", "not a JSON object"},
        {mutated([](json& j) { j.erase("metadata"); }), "no \"metadata\""},
        {mutated([](json& j) { j["metadata"]["ciphertext"] = "%%%"; }), "not valid base64"},
        {mutated([](json& j) { j["metadata"].erase("nonce"); }), "no \"nonce\""},
        {mutated([](json& j) { j["metadata"]["nonce"] = 5; }), "not a string"},
        {mutated([](json& j) { j["users"] = "alice"; }), "not an array"},
        {mutated([](json& j) { j["users"][0].erase("certificate"); }), "no \"certificate\""},
    };
    for (const auto& [text, reason] : cases) {
        auto parsed = parseMetadataDocument(text);
        ASSERT_FALSE(parsed) << text;
        EXPECT_EQ(parsed.error().code, ErrorCode::MalformedInput);
        EXPECT_NE(parsed.error().message.find(reason), std::string::npos) << parsed.error().message;
    }
}

TEST_F(Metadata, MalformedInnerDocumentsAreRejected)
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"counter":-1})", "counter"},
        {R"({"counter":"x"})", "counter"},
        {R"({"counter":1,"files":[]})", "\"files\" is not an object"},
        {R"({"counter":1,"files":{"a":{"mimetype":"x"}}})", "no \"filename\""},
        {R"({"counter":1,"files":{"a":{"filename":"f","key":"%"}}})", "not valid base64"},
        {R"({"counter":1,"folders":{"a":1}})", "is not a string"},
        {R"({"counter":1,"keyChecksums":"x"})", "\"keyChecksums\" is not an array"},
        {R"({"counter":1,"deleted":"yes"})", "\"deleted\" is not a boolean"},
        {"not json", "not valid JSON"},
    };
    for (const auto& [inner, reason] : cases) {
        auto result = reopen(serializeMetadataDocument(test::documentWithRawInner(inner, key, alice)));
        ASSERT_FALSE(result) << inner;
        EXPECT_EQ(result.error().code, ErrorCode::MalformedInput) << inner;
        EXPECT_NE(result.error().message.find(reason), std::string::npos) << inner << ": " << result.error().message;
    }
}

TEST_F(Metadata, CounterIsRequired)
{
    for (const std::string inner : {R"({"files":{},"folders":{}})", R"({"counter":null,"files":{}})"}) {
        auto result = reopen(serializeMetadataDocument(test::documentWithRawInner(inner, key, alice)));
        ASSERT_FALSE(result) << inner;
        EXPECT_NE(result.error().message.find("no counter"), std::string::npos) << result.error().message;
    }
}

TEST_F(Metadata, CounterAbove2Pow53IsNeitherReadNorWritten)
{
    const auto withCounter = [&](const std::string& counter) {
        const std::string inner = R"({"counter":)" + counter + R"(,"files":{},"folders":{}})";
        return reopen(serializeMetadataDocument(test::documentWithRawInner(inner, key, alice)));
    };
    EXPECT_FALSE(withCounter("18446744073709551615"));
    EXPECT_FALSE(withCounter("9007199254740993"));
    EXPECT_EQ(must(withCounter("9007199254740992")).counter, 9007199254740992u);

    FolderMetadata m = sample();
    m.counter = 9007199254740993u;
    auto written = encryptFolderMetadata(m, key, alice);
    ASSERT_FALSE(written);
    EXPECT_NE(written.error().message.find("2^53"), std::string::npos) << written.error().message;
}

TEST_F(Metadata, WriterRefusesARecipientWithAKeyUnder2048Bits)
{
    const test::TestUser weak = test::serverCa().makeUser("weak", 1024);
    auto recipients = alice;
    recipients.push_back({"weak", weak.certificatePem});
    auto written = encryptFolderMetadata(sample(), key, recipients);
    ASSERT_FALSE(written);
    EXPECT_NE(written.error().message.find("1024 bits"), std::string::npos) << written.error().message;
}

TEST_F(Metadata, MalformedGzipIsRejected)
{
    Bytes fakeGzip{0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03};
    auto doc = must(encryptFolderMetadata(FolderMetadata{}, key, alice));
    auto sealed = must(seal(key, 16, fakeGzip));
    doc.json["metadata"] = {{"ciphertext", base64Encode(sealed.ciphertextAndTag)},
                            {"nonce", base64Encode(sealed.nonce)}};
    auto result = reopen(doc.json.dump());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::MalformedInput);
    EXPECT_NE(result.error().message.find("gzip"), std::string::npos) << result.error().message;
}

TEST_F(Metadata, GzipBombIsRejected)
{
    // 65 MiB of spaces compress to about 65 KiB; the reader stops at its 64 MiB cap.
    std::string inner = "{\"counter\":1";
    inner.append(65 * 1024 * 1024, ' ');
    inner += "}";
    auto doc = test::documentWithRawInner(inner, key, alice);
    inner.clear();
    inner.shrink_to_fit();
    auto result = reopen(serializeMetadataDocument(doc));
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("limit"), std::string::npos) << result.error().message;
}

TEST_F(Metadata, DocumentOver16MiBIsRejectedBeforeParsing)
{
    // Valid JSON, so that only the size can refuse it.
    std::string huge = serializeMetadataDocument(must(encryptFolderMetadata(sample(), key, alice)));
    huge.append(16 * 1024 * 1024, ' ');
    auto result = parseMetadataDocument(huge);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("larger than"), std::string::npos) << result.error().message;
}

TEST_F(Metadata, DeeplyNestedJsonIsRejected)
{
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    std::string text = serializeMetadataDocument(doc);
    text.insert(1, "\"x\":" + std::string(100000, '[') + std::string(100000, ']') + ",");
    auto result = parseMetadataDocument(text);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("nests deeper"), std::string::npos) << result.error().message;
}

TEST_F(Metadata, DocumentWithMillionsOfValuesIsRejected)
{
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    std::string values = "[0";
    for (int i = 0; i < (1 << 20) + 10; ++i)
        values += ",0";
    values += "]";
    std::string text = serializeMetadataDocument(doc);
    text.insert(1, "\"x\":" + values + ",");
    auto result = parseMetadataDocument(text);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("values"), std::string::npos) << result.error().message;
}

TEST_F(Metadata, ManySiblingObjectsAreReadInLinearTime)
{
    // 200 000 empty objects side by side. A JSON reader that scans the enclosing array after
    // each of them (json::parse with a callback) takes minutes here, and hours at 16 MiB.
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    std::string objects = "[{}";
    for (int i = 1; i < 200000; ++i)
        objects += ",{}";
    objects += "]";
    std::string text = serializeMetadataDocument(doc);
    text.insert(1, "\"x\":" + objects + ",");
    auto parsed = parseMetadataDocument(text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->json["x"].size(), 200000u);
}

TEST_F(Metadata, NonAsciiNamesAreWrittenAsUnicodeEscapes)
{
    FolderMetadata m = sample();
    m.files.begin()->second.filename = "Gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x98\x80.txt"; // "Grüße 😀.txt"
    auto doc = must(encryptFolderMetadata(m, key, alice));
    const std::string text = serializeMetadataDocument(doc);
    auto parsed = must(parseMetadataDocument(text));
    // The inner document as the official readers see it: decrypt, inflate, look at the bytes.
    auto compressed = must(decryptBlob(key, parsed.nonce, parsed.authenticationTag, parsed.ciphertext));
    auto inner = must(gzipDecompress(compressed, 1 << 20));
    const std::string innerText(inner.begin(), inner.end());
    EXPECT_NE(innerText.find("Gr\\u00fc\\u00dfe \\ud83d\\ude00.txt"), std::string::npos) << innerText;
    for (const unsigned char c : innerText)
        EXPECT_LT(c, 0x80) << "raw non-ASCII byte in the inner JSON";
    auto reopened = must(reopen(text));
    EXPECT_EQ(reopened.files.begin()->second.filename, m.files.begin()->second.filename);
}

TEST_F(Metadata, NamesTheWebClientWroteAsLatin1AreRead)
{
    // The official web client encodes names one byte per character: "Grüße" as 47 72 FC DF 65.
    auto doc = must(encryptFolderMetadata(sample(), key, alice));
    const std::string inner = std::string(R"({"counter":8,"files":{},"folders":{"fedcba9876543210fedcba9876543210":"Gr)") +
                              "\xfc\xdf" + R"(e"},"keyChecksums":[")" + metadataKeyChecksum(key) + R"("]})";
    auto compressed = must(gzipCompress(ByteView(reinterpret_cast<const unsigned char*>(inner.data()), inner.size())));
    auto sealed = must(seal(key, 12, compressed)); // the web client's 12-byte nonce
    doc.nonce = sealed.nonce;
    doc.ciphertext = sealed.ciphertextAndTag;
    doc.authenticationTag.assign(sealed.ciphertextAndTag.end() - 16, sealed.ciphertextAndTag.end());
    auto read = decryptFolderMetadata(doc, key);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->folders.at("fedcba9876543210fedcba9876543210"), "Gr\xc3\xbc\xc3\x9f" "e"); // UTF-8 "Grüße"
}

TEST_F(Metadata, NamesThatAreNotUtf8AreAnErrorNotAnException)
{
    FolderMetadata m = sample();
    m.folders["fedcba9876543210fedcba9876543210"] = "\xff\xfe";
    auto result = encryptFolderMetadata(m, key, alice);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::MalformedInput);
}

TEST_F(Metadata, DuplicateJsonKeysAreRecorded)
{
    const std::string inner = R"({"counter":1,"files":{},"folders":{"dddddddddddddddddddddddddddddddd":"a",
                                 "dddddddddddddddddddddddddddddddd":"b"}})";
    auto m = must(reopen(serializeMetadataDocument(test::documentWithRawInner(inner, key, alice))));
    ASSERT_EQ(m.duplicateIds.size(), 1u);
    EXPECT_EQ(m.duplicateIds[0], "dddddddddddddddddddddddddddddddd");
}

} // namespace
} // namespace nubo::e2ee
