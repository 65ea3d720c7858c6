#include "metadata.h"

#include <algorithm>
#include <array>
#include <new>

#include "encoding.h"
#include "file_cipher.h"
#include "gzip.h"
#include "item_name.h"
#include "metadata_v1.h"

namespace nubo::e2ee {

using nlohmann::json;

namespace {

// Real metadata nests four levels; the limit keeps recursive JSON code (dump) off a cliff.
constexpr std::size_t kMaxJsonDepth = 32;
// Parsed JSON costs far more memory than its text: up to about 120 bytes per value, where the
// text of one can be 2 bytes. These bound what a document can cost. An outer document holds four
// values per user and about eight per filedrop entry: 262 144 values are tens of thousands of
// either. An inner one holds seven per entry, and one within its size cap (metadata.h) well under
// two million.
constexpr std::size_t kMaxOuterValues = 1 << 18;
constexpr std::size_t kMaxInnerValues = 1 << 21;

// nlohmann::json frees strings without wiping them; the inner document holds file keys.
// Iterative, so no document can exhaust the stack.
void wipeStrings(json& root)
{
    std::vector<json*> pending{&root};
    while (!pending.empty()) {
        json* value = pending.back();
        pending.pop_back();
        if (value->is_string()) {
            auto& text = value->get_ref<std::string&>();
            secureWipe(text.data(), text.size());
        } else if (value->is_structured()) {
            for (json& child : *value)
                pending.push_back(&child);
        }
    }
}

// Builds the document from nlohmann's SAX events, as json::parse() does, but stops at the limits
// above and lists every object key that appears twice in the same object (where json::parse()
// silently keeps the last). Not json::parse() with a callback: after every object that one scans
// the whole enclosing container for discarded values, so a document of many sibling objects
// costs time quadratic in their number (hours for 16 MiB of "{},").
class DomBuilder {
public:
    DomBuilder(json& root, std::size_t maxValues) : m_root(root), m_maxValues(maxValues) {}

    bool null() { return add(nullptr) != nullptr; }
    bool boolean(bool value) { return add(value) != nullptr; }
    bool number_integer(json::number_integer_t value) { return add(value) != nullptr; }
    bool number_unsigned(json::number_unsigned_t value) { return add(value) != nullptr; }
    bool number_float(json::number_float_t value, const json::string_t&) { return add(value) != nullptr; }
    // Moved, not copied: a string can be most of the document, and no copy of a key is left.
    bool string(json::string_t& value) { return add(std::move(value)) != nullptr; }
    bool binary(json::binary_t&) { return false; } // JSON text has none
    bool start_object(std::size_t) { return open(json::object()); }
    bool key(json::string_t& name)
    {
        json& object = *m_open.back();
        if (object.contains(name)) duplicates.push_back(name);
        m_slot = &object[name];
        return true;
    }
    bool end_object()
    {
        m_open.pop_back();
        return true;
    }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_array()
    {
        m_open.pop_back();
        return true;
    }
    template <typename Exception>
    bool parse_error(std::size_t, const std::string&, const Exception&)
    {
        return false;
    }

    bool overLimit = false;
    std::vector<std::string> duplicates;

private:
    // Where the value goes: the root, the end of the open array, or the slot of the last key.
    template <typename Value>
    json* add(Value&& value)
    {
        if (++m_values > m_maxValues) {
            overLimit = true;
            return nullptr;
        }
        if (m_open.empty()) {
            m_root = json(std::forward<Value>(value));
            return &m_root;
        }
        json& container = *m_open.back();
        if (container.is_array()) {
            container.push_back(json(std::forward<Value>(value)));
            return &container.back();
        }
        *m_slot = json(std::forward<Value>(value));
        return m_slot;
    }
    bool open(json empty)
    {
        if (m_open.size() >= kMaxJsonDepth) {
            overLimit = true;
            return false;
        }
        json* container = add(std::move(empty));
        if (container == nullptr) return false;
        m_open.push_back(container);
        return true;
    }

    json& m_root;
    std::size_t m_maxValues;
    std::size_t m_values = 0;
    std::vector<json*> m_open; // pointers stay valid: a container only grows after its open child closed
    json* m_slot = nullptr;
};

// Parses JSON and lists every object key that appears twice in the same object.
using ParsedJson = detail::StrictJson;

Result<ParsedJson> parseJsonStrict(std::string_view text, std::string_view what, std::size_t maxValues)
{
    ParsedJson out;
    DomBuilder builder(out.value, maxValues);
    const bool parsed = json::sax_parse(text.begin(), text.end(), &builder);
    if (!parsed) {
        wipeStrings(out.value); // what was read before the failure may hold file keys
        if (builder.overLimit) {
            return fail(ErrorCode::MalformedInput, std::string(what) + " nests deeper than " +
                                                       std::to_string(kMaxJsonDepth) + " levels or holds more than " +
                                                       std::to_string(maxValues) + " values");
        }
        return fail(ErrorCode::MalformedInput, std::string(what) + " is not valid JSON");
    }
    if (!out.value.is_object()) return fail(ErrorCode::MalformedInput, std::string(what) + " is not a JSON object");
    out.duplicates = std::move(builder.duplicates);
    return out;
}

// A server-supplied string, escaped and quoted for a message.
std::string printableQuoted(std::string_view text)
{
    return "\"" + printableName(text) + "\"";
}

const json* member(const json& object, const char* name)
{
    const auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
}

Result<std::string> stringField(const json& object, const char* name, std::string_view where, bool required = true)
{
    const json* value = member(object, name);
    if (value == nullptr || value->is_null()) {
        if (!required) return std::string();
        return fail(ErrorCode::MalformedInput, std::string(where) + " has no \"" + name + "\"");
    }
    if (!value->is_string()) {
        return fail(ErrorCode::MalformedInput, std::string(where) + ": \"" + name + "\" is not a string");
    }
    return value->get<std::string>();
}

// Decodes in place: a copy of the text (file keys are base64 here) would be freed unwiped.
Result<SecureBytes> base64Field(const json& object, const char* name, std::string_view where, bool required = true)
{
    const json* value = member(object, name);
    if (value == nullptr || value->is_null()) {
        if (!required) return SecureBytes();
        return fail(ErrorCode::MalformedInput, std::string(where) + " has no \"" + name + "\"");
    }
    if (!value->is_string()) {
        return fail(ErrorCode::MalformedInput, std::string(where) + ": \"" + name + "\" is not a string");
    }
    auto bytes = base64Decode(value->get_ref<const std::string&>());
    if (!bytes) {
        return fail(ErrorCode::MalformedInput, std::string(where) + ": \"" + name + "\" is not valid base64");
    }
    return bytes;
}

Bytes plain(const SecureBytes& bytes)
{
    return Bytes(bytes.begin(), bytes.end());
}

struct JsonWiper {
    json& value;
    ~JsonWiper() { wipeStrings(value); }
};

// Compact JSON in wiped memory. json::dump() builds a std::string whose every reallocation
// leaves a copy of the file keys behind, and its serializer keeps the last 512 bytes of
// escaped text in a buffer of its own, wiped here with the object. Every non-ASCII character is
// written as a \uXXXX escape (surrogate pairs above U+FFFF): valid JSON that every official
// reader decodes, where raw UTF-8 shows as "Ã¤" in the web client (PROTOCOL.md §4.5).
Result<SecureString> dumpWiped(const json& value)
{
    using Serializer = nlohmann::detail::serializer<json>;
    SecureString out;
    alignas(Serializer) std::array<unsigned char, sizeof(Serializer)> storage;
    auto* serializer = new (storage.data()) Serializer(nlohmann::detail::output_adapter<char, SecureString>(out), ' ');
    bool valid = true;
    try {
        serializer->dump(value, false, true, 0);
    } catch (const json::exception&) {
        valid = false;
    }
    serializer->~Serializer();
    secureWipe(storage.data(), storage.size());
    if (!valid) return fail(ErrorCode::MalformedInput, "a file or folder name is not valid UTF-8");
    return out;
}

} // namespace

namespace detail {

Result<StrictJson> parseStrictJson(std::string_view text, std::string_view what, std::size_t maxValues)
{
    return parseJsonStrict(text, what, maxValues);
}

void wipeJsonStrings(json& root)
{
    wipeStrings(root);
}

Result<std::string> jsonStringField(const json& object, const char* name, std::string_view where, bool required)
{
    return stringField(object, name, where, required);
}

Result<SecureBytes> jsonBase64Field(const json& object, const char* name, std::string_view where, bool required)
{
    return base64Field(object, name, where, required);
}

} // namespace detail

bool isFolderMimetype(std::string_view mimetype)
{
    return mimetype == "httpd/unix-directory" || mimetype == "inode/directory";
}

int MetadataDocument::versionNumber() const
{
    if (version == "2" || version == "2.0") return 20;
    if (version == "2.1") return 21; // 2.0 plus "s:<share token>" users (a public link), PROTOCOL.md §4.5
    if (version == "1.2") return 12;
    if (version == "1.1") return 11;
    if (version == "1" || version == "1.0") return 10;
    return 0;
}

Result<MetadataDocument> parseMetadataDocument(std::string_view text)
{
    if (text.size() > kMaxMetadataDocumentSize) {
        return fail(ErrorCode::MalformedInput, "the metadata document is larger than the limit of " +
                                                   std::to_string(kMaxMetadataDocumentSize) + " bytes");
    }
    auto parsed = parseJsonStrict(text, "the metadata document", kMaxOuterValues);
    if (!parsed) return std::unexpected(parsed.error());

    // An OCS reply wraps the document as a string in ocs.data["meta-data"].
    if (const json* ocs = member(parsed->value, "ocs"); ocs != nullptr && ocs->is_object()) {
        const json* data = member(*ocs, "data");
        const json* inner = data != nullptr && data->is_object() ? member(*data, "meta-data") : nullptr;
        if (inner == nullptr || !inner->is_string()) {
            return fail(ErrorCode::MalformedInput, "the OCS reply holds no ocs.data[\"meta-data\"] string");
        }
        return parseMetadataDocument(inner->get<std::string>());
    }

    MetadataDocument doc;
    doc.json = std::move(parsed->value);
    doc.duplicateKeys = std::move(parsed->duplicates);
    const json& root = doc.json;

    // A string as written; a number in its usual spelling (1 reads as "1.0", 1.2 as "1.2").
    const auto versionText = [](const json& version) -> std::string {
        if (version.is_string()) return version.get<std::string>();
        if (!version.is_number()) return {};
        const double v = version.get<double>();
        return v == 2.0   ? "2.0"
               : v == 2.1 ? "2.1"
               : v == 1.0 ? "1.0"
               : v == 1.1 ? "1.1"
               : v == 1.2 ? "1.2"
                          : version.dump();
    };
    if (const json* version = member(root, "version")) doc.version = versionText(*version);
    const json* metadata = member(root, "metadata");
    if (metadata == nullptr || !metadata->is_object()) {
        return fail(ErrorCode::MalformedInput, "the metadata document has no \"metadata\" object");
    }
    if (doc.version.empty()) {
        // 1.x documents kept the version inside "metadata".
        if (const json* v = member(*metadata, "version")) doc.version = versionText(*v);
    }
    // 1.x has neither one ciphertext nor users: its entries are read by metadata_v1.h, from `json`.
    if (isLegacyMetadataVersion(doc.versionNumber())) return doc;
    const json* ciphertextText = member(*metadata, "ciphertext");
    if (ciphertextText == nullptr || ciphertextText->is_null()) {
        return fail(ErrorCode::MalformedInput, "metadata has no \"ciphertext\"");
    }
    if (!ciphertextText->is_string()) {
        return fail(ErrorCode::MalformedInput, "metadata: \"ciphertext\" is not a string");
    }
    // Writers append "|base64(nonce)"; only the part before it is ciphertext. Read in place: it
    // is most of the document.
    const std::string_view ct = ciphertextText->get_ref<const std::string&>();
    auto ciphertext = base64Decode(ct.substr(0, ct.find('|')));
    if (!ciphertext) return fail(ErrorCode::MalformedInput, "metadata: \"ciphertext\" is not valid base64");
    auto nonce = base64Field(*metadata, "nonce", "metadata");
    if (!nonce) return std::unexpected(nonce.error());
    auto tag = base64Field(*metadata, "authenticationTag", "metadata", false);
    if (!tag) return std::unexpected(tag.error());
    doc.ciphertext = plain(*ciphertext);
    doc.nonce = plain(*nonce);
    doc.authenticationTag = plain(*tag);

    if (const json* users = member(root, "users"); users != nullptr && !users->is_null()) {
        if (!users->is_array()) return fail(ErrorCode::MalformedInput, "\"users\" is not an array");
        for (std::size_t i = 0; i < users->size(); ++i) {
            const json& user = (*users)[i];
            const std::string where = "users[" + std::to_string(i) + "]";
            if (!user.is_object()) return fail(ErrorCode::MalformedInput, where + " is not an object");
            auto id = stringField(user, "userId", where);
            auto cert = stringField(user, "certificate", where);
            auto key = stringField(user, "encryptedMetadataKey", where);
            if (!id) return std::unexpected(id.error());
            if (!cert) return std::unexpected(cert.error());
            if (!key) return std::unexpected(key.error());
            doc.users.push_back(UserEntry{std::move(*id), std::move(*cert), std::move(*key)});
        }
    }
    return doc;
}

std::string serializeMetadataDocument(const MetadataDocument& document)
{
    return document.json.dump();
}

std::string metadataSigningBytes(const MetadataDocument& document)
{
    json canonical = document.json;
    canonical.erase("filedrop");
    if (auto users = canonical.find("users"); users != canonical.end() && users->is_array()) {
        for (json& user : *users) {
            if (user.is_object()) user.erase("encryptedFiledropKey");
        }
    }
    // nlohmann::json keeps object keys sorted and dumps compact UTF-8 without escaping '/'.
    return base64Encode(asBytes(canonical.dump()));
}

Result<SecureBytes> decryptMetadataKey(const UserEntry& user, const PrivateKey& key)
{
    auto encrypted = base64Decode(user.encryptedMetadataKey);
    if (!encrypted) {
        return fail(ErrorCode::MalformedInput,
                    "the encryptedMetadataKey of user " + printableQuoted(user.userId) + " is not valid base64");
    }
    auto decrypted = key.decryptOaep(*encrypted);
    if (!decrypted) {
        return fail(ErrorCode::DecryptionFailed, "cannot decrypt the metadata key of user " +
                                                     printableQuoted(user.userId) +
                                                     " with this private key (wrong key, or tampered)");
    }
    if (decrypted->size() == 24) {
        // A second base64 layer written by some client versions.
        auto inner = base64Decode(asChars(*decrypted));
        if (inner) decrypted = std::move(inner);
    }
    if (decrypted->size() != kMetadataKeySize) {
        return fail(ErrorCode::MalformedInput,
                    "the metadata key has " + std::to_string(decrypted->size()) + " bytes, expected 16");
    }
    return decrypted;
}

Result<FolderMetadata> decryptFolderMetadata(const MetadataDocument& document, ByteView metadataKey)
{
    if (metadataKey.size() != kMetadataKeySize) {
        return fail(ErrorCode::MalformedInput,
                    "a metadata key has 16 bytes, this one has " + std::to_string(metadataKey.size()));
    }
    if (document.versionNumber() != 20 && document.versionNumber() != 21) {
        return fail(ErrorCode::MalformedInput, "metadata version " + printableQuoted(document.version) +
                                                   " is not supported (Nubo reads versions 2.0 and 2.1)");
    }
    std::optional<ByteView> tag;
    if (!document.authenticationTag.empty()) tag = ByteView(document.authenticationTag);
    auto compressed = decryptBlob(metadataKey, document.nonce, tag, document.ciphertext);
    if (!compressed) {
        if (compressed.error().code != ErrorCode::DecryptionFailed) return std::unexpected(compressed.error());
        return fail(ErrorCode::DecryptionFailed,
                    "the metadata does not decrypt: wrong metadata key, or the ciphertext was tampered with");
    }
    const bool isGzip = compressed->size() >= 2 && (*compressed)[0] == 0x1f && (*compressed)[1] == 0x8b;
    Result<SecureBytes> inflated = isGzip ? gzipDecompress(*compressed, kMaxInnerMetadataSize) : std::move(compressed);
    if (!inflated) {
        return fail(ErrorCode::MalformedInput, "the decrypted metadata: " + inflated.error().message);
    }
    // The official web client writes names one byte per character (Latin-1), so a document with
    // a non-ASCII name from it is not UTF-8. Everything else in it is ASCII: read it as Latin-1.
    if (!isValidUtf8(asChars(*inflated))) {
        SecureBytes utf8;
        utf8.reserve(inflated->size() + inflated->size() / 8);
        for (const std::uint8_t byte : *inflated) {
            if (byte < 0x80) {
                utf8.push_back(byte);
            } else {
                utf8.push_back(static_cast<std::uint8_t>(0xc0 | (byte >> 6)));
                utf8.push_back(static_cast<std::uint8_t>(0x80 | (byte & 0x3f)));
            }
        }
        inflated = std::move(utf8);
    }
    auto parsed = parseJsonStrict(asChars(*inflated), "the decrypted metadata", kMaxInnerValues);
    if (!parsed) return std::unexpected(parsed.error());
    const json& inner = parsed->value;
    const JsonWiper wiper{parsed->value};

    FolderMetadata out;
    out.duplicateIds = std::move(parsed->duplicates);
    // The counter is what stops a server from replaying older metadata (PROTOCOL.md §4.7).
    const json* counter = member(inner, "counter");
    if (counter == nullptr || counter->is_null()) {
        return fail(ErrorCode::MalformedInput, "the metadata has no counter, which protects it against rollback");
    }
    if (counter->is_number_unsigned()) {
        out.counter = counter->get<std::uint64_t>();
    } else if (counter->is_number_integer() && counter->get<std::int64_t>() >= 0) {
        out.counter = static_cast<std::uint64_t>(counter->get<std::int64_t>());
    } else {
        return fail(ErrorCode::MalformedInput, "the metadata counter is not a non-negative integer");
    }
    if (out.counter > kMaxMetadataCounter) {
        return fail(ErrorCode::MalformedInput, "the metadata counter " + std::to_string(out.counter) +
                                                   " is above 2^53, which would leave the folder unwritable");
    }
    if (const json* deleted = member(inner, "deleted"); deleted != nullptr && !deleted->is_null()) {
        if (!deleted->is_boolean()) return fail(ErrorCode::MalformedInput, "\"deleted\" is not a boolean");
        out.deleted = deleted->get<bool>();
    }
    if (const json* folders = member(inner, "folders"); folders != nullptr && !folders->is_null()) {
        if (!folders->is_object()) return fail(ErrorCode::MalformedInput, "\"folders\" is not an object");
        for (const auto& [id, name] : folders->items()) {
            if (!name.is_string()) {
                return fail(ErrorCode::MalformedInput, "folders[" + printableQuoted(id) + "] is not a string");
            }
            out.folders.emplace(id, name.get<std::string>());
        }
    }
    if (const json* files = member(inner, "files"); files != nullptr && !files->is_null()) {
        if (!files->is_object()) return fail(ErrorCode::MalformedInput, "\"files\" is not an object");
        for (const auto& [id, file] : files->items()) {
            const std::string where = "files[" + printableQuoted(id) + "]";
            if (!file.is_object()) return fail(ErrorCode::MalformedInput, where + " is not an object");
            FileEntry entry;
            auto filename = stringField(file, "filename", where);
            auto mimetype = stringField(file, "mimetype", where, false);
            if (!filename) return std::unexpected(filename.error());
            if (!mimetype) return std::unexpected(mimetype.error());
            entry.filename = std::move(*filename);
            entry.mimetype = std::move(*mimetype);
            if (isFolderMimetype(entry.mimetype)) {
                // Older writers listed folders among the files.
                if (!out.folders.emplace(id, entry.filename).second) out.duplicateIds.push_back(id);
                continue;
            }
            auto key = base64Field(file, "key", where, false);
            const char* nonceName = member(file, "nonce") != nullptr ? "nonce" : "initializationVector";
            auto nonce = base64Field(file, nonceName, where, false);
            auto fileTag = base64Field(file, "authenticationTag", where, false);
            if (!key) return std::unexpected(key.error());
            if (!nonce) return std::unexpected(nonce.error());
            if (!fileTag) return std::unexpected(fileTag.error());
            entry.key = std::move(*key);
            entry.nonce = plain(*nonce);
            entry.authenticationTag = plain(*fileTag);
            out.files.emplace(id, std::move(entry));
        }
    }
    for (const auto& [id, name] : out.folders) {
        if (out.files.contains(id)) out.duplicateIds.push_back(id);
    }
    if (const json* checksums = member(inner, "keyChecksums"); checksums != nullptr && !checksums->is_null()) {
        if (!checksums->is_array()) return fail(ErrorCode::MalformedInput, "\"keyChecksums\" is not an array");
        for (const json& checksum : *checksums) {
            if (!checksum.is_string()) return fail(ErrorCode::MalformedInput, "a keyChecksums entry is not a string");
            out.keyChecksums.push_back(checksum.get<std::string>());
        }
    }
    return out;
}

json toJson(const FolderMetadata& metadata)
{
    json inner = {{"counter", metadata.counter}, {"files", json::object()}, {"folders", json::object()}};
    if (metadata.deleted) inner["deleted"] = true;
    for (const auto& [id, file] : metadata.files) {
        inner["files"][id] = {{"filename", file.filename},
                              {"mimetype", file.mimetype},
                              {"key", base64Encode(file.key)}, // moved into the JSON, no copy left
                              {"nonce", base64Encode(file.nonce)},
                              {"authenticationTag", base64Encode(file.authenticationTag)}};
    }
    for (const auto& [id, name] : metadata.folders)
        inner["folders"][id] = name;
    if (!metadata.keyChecksums.empty()) inner["keyChecksums"] = metadata.keyChecksums;
    return inner;
}

Result<MetadataDocument> encryptFolderMetadata(const FolderMetadata& metadata, ByteView metadataKey,
                                               const std::vector<MetadataRecipient>& recipients)
{
    if (metadataKey.size() != kMetadataKeySize) {
        return fail(ErrorCode::MalformedInput, "a metadata key has 16 bytes");
    }
    if (metadata.counter > kMaxMetadataCounter) {
        return fail(ErrorCode::MalformedInput, "the metadata counter " + std::to_string(metadata.counter) +
                                                   " is above 2^53, which readers refuse");
    }
    json inner = toJson(metadata);
    const JsonWiper wiper{inner};

    auto innerText = dumpWiped(inner);
    if (!innerText) return std::unexpected(innerText.error());
    auto compressed = gzipCompress(asBytes(std::string_view(innerText->data(), innerText->size())));
    if (!compressed) return std::unexpected(compressed.error());
    auto sealed = seal(metadataKey, kFileNonceSize, *compressed);
    if (!sealed) return std::unexpected(sealed.error());

    MetadataDocument doc;
    doc.version = "2.0";
    doc.nonce = sealed->nonce;
    doc.authenticationTag.assign(sealed->ciphertextAndTag.end() - kGcmTagSize, sealed->ciphertextAndTag.end());
    doc.ciphertext = std::move(sealed->ciphertextAndTag);
    doc.json = {{"metadata",
                 {{"ciphertext", base64Encode(doc.ciphertext) + "|" + base64Encode(doc.nonce)},
                  {"nonce", base64Encode(doc.nonce)},
                  {"authenticationTag", base64Encode(doc.authenticationTag)}}},
                {"version", "2.0"}};
    if (!recipients.empty()) {
        json users = json::array();
        for (const MetadataRecipient& recipient : recipients) {
            auto certificate = Certificate::fromPem(recipient.certificatePem);
            if (!certificate) {
                return fail(ErrorCode::MalformedInput, "the certificate of " + printableQuoted(recipient.userId) +
                                                           ": " + certificate.error().message);
            }
            if (auto weak = certificate->publicKey().weaknessReason()) {
                return fail(ErrorCode::VerificationFailed, "refusing to encrypt the metadata key to " +
                                                               printableQuoted(recipient.userId) + ": " + *weak);
            }
            auto encrypted = certificate->publicKey().encryptOaep(metadataKey);
            if (!encrypted) return std::unexpected(encrypted.error());
            UserEntry entry{recipient.userId, recipient.certificatePem, base64Encode(*encrypted)};
            users.push_back({{"userId", entry.userId},
                             {"certificate", entry.certificatePem},
                             {"encryptedMetadataKey", entry.encryptedMetadataKey}});
            doc.users.push_back(std::move(entry));
        }
        doc.json["users"] = std::move(users);
    }
    return doc;
}

std::string metadataKeyChecksum(ByteView metadataKey)
{
    return sha256Hex(metadataKey);
}

Result<SecureBytes> generateMetadataKey()
{
    return randomBytes(kMetadataKeySize);
}

} // namespace nubo::e2ee
