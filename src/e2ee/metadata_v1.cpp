#include "metadata_v1.h"

#include <algorithm>
#include <map>

#include "encoding.h"
#include "file_cipher.h"
#include "item_name.h"
#include "mnemonic.h"

namespace nubo::e2ee {

using nlohmann::json;

namespace {

// The encrypted part of one entry is {"key", "filename", "mimetype"} and, from older writers,
// "version": a handful of values. Anything larger is not an entry.
constexpr std::size_t kMaxEntryValues = 64;
// The separator writers before 2018 put between ciphertext and IV: base64 of "|".
constexpr std::string_view kOldSeparator = "fA==";
// 1.0 entries that do not open with the key their index names are tried with every other key:
// at most this many such tries per document, so that many keys times many entries cannot keep a
// reader busy for minutes.
constexpr std::size_t kMaxExtraKeyTries = 4096;

// A server-supplied string (id, version), escaped and quoted for a message.
std::string printableQuoted(std::string_view text)
{
    return "\"" + printableName(text) + "\"";
}

const json* member(const json& object, const char* name)
{
    const auto it = object.find(name);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

struct JsonWiper {
    json& value;
    ~JsonWiper() { detail::wipeJsonStrings(value); }
};

// "E" split into its base64 ciphertext (with the GCM tag appended) and base64 IV.
struct SealedParts {
    std::string_view ciphertext;
    std::string_view iv;
};

// Splits at the last "|". Without one, at "fA==" (writers before 2018), which can also end the
// base64 of a ciphertext or of an IV whose last byte is '|': the separator is the last one after
// which the base64 of a 12- or 16-byte IV follows.
std::optional<SealedParts> splitSealed(std::string_view text)
{
    if (const auto bar = text.rfind('|'); bar != std::string_view::npos) {
        return SealedParts{text.substr(0, bar), text.substr(bar + 1)};
    }
    for (auto at = text.rfind(kOldSeparator); at != std::string_view::npos;
         at = at == 0 ? std::string_view::npos : text.rfind(kOldSeparator, at - 1)) {
        const std::string_view iv = text.substr(at + kOldSeparator.size());
        if (iv.size() == 24 || iv.size() == 16) return SealedParts{text.substr(0, at), iv};
    }
    return std::nullopt;
}

// AES-128-GCM-opens base64(ct‖tag) under `key`. A failed tag is DecryptionFailed.
Result<SecureBytes> openSealed(ByteView key, std::string_view ciphertextBase64, ByteView iv,
                               std::optional<ByteView> separateTag, const std::string& where)
{
    auto ciphertext = base64Decode(ciphertextBase64);
    if (!ciphertext) return fail(ErrorCode::MalformedInput, where + ": \"encrypted\" is not valid base64");
    if (separateTag) ciphertext->insert(ciphertext->end(), separateTag->begin(), separateTag->end());
    auto plain = decryptBlob(key, iv, std::nullopt, *ciphertext);
    if (!plain) {
        if (plain.error().code == ErrorCode::DecryptionFailed) return std::unexpected(plain.error());
        return fail(ErrorCode::MalformedInput, where + ": " + plain.error().message);
    }
    return plain;
}

// Opens a wrapped key W = base64(RSA-OAEP(base64(base64(key16)))) with the private key. The
// official clients wrap two base64 layers; up to two are peeled, so a raw or once-encoded key
// reads too. Each W is opened once, and at most kMaxLegacyKeyUnwraps of them.
class KeyUnwrapper {
public:
    explicit KeyUnwrapper(const PrivateKey* key) : m_key(key) {}

    Result<SecureBytes> unwrap(const std::string& wrapped, const std::string& what)
    {
        if (const auto it = m_opened.find(wrapped); it != m_opened.end()) return it->second;
        if (m_key == nullptr) {
            return fail(ErrorCode::DecryptionFailed,
                        what + " is wrapped to the user's private key, and no private key was given");
        }
        if (++m_used > kMaxLegacyKeyUnwraps) {
            return fail(ErrorCode::MalformedInput,
                        "the metadata asks for more than " + std::to_string(kMaxLegacyKeyUnwraps) +
                            " private-key decryptions (metadata keys and file-drop entries); refused, so that a "
                            "server cannot keep this device busy");
        }
        auto encrypted = base64Decode(wrapped);
        if (!encrypted) return fail(ErrorCode::MalformedInput, what + " is not valid base64");
        auto key = m_key->decryptOaep(*encrypted);
        if (!key) {
            return fail(ErrorCode::DecryptionFailed,
                        "cannot decrypt " + what + " with this private key (wrong key, or tampered)");
        }
        for (int layer = 0; layer < 2 && key->size() != kMetadataKeySize; ++layer) {
            auto decoded = base64Decode(asChars(*key));
            if (!decoded) break;
            key = std::move(decoded);
        }
        if (key->size() != kMetadataKeySize) {
            return fail(ErrorCode::MalformedInput,
                        what + " opens to " + std::to_string(key->size()) + " bytes, not a 16-byte key");
        }
        m_opened.emplace(wrapped, *key);
        return key;
    }

private:
    const PrivateKey* m_key;
    std::size_t m_used = 0;
    std::map<std::string, SecureBytes> m_opened; // by W as stored
};

// One wrapped metadata key of the document: "metadataKey" (index nullopt), or one of 1.0's
// "metadataKeys" by its index.
struct MetadataKeySlot {
    std::optional<long> index;
    std::string wrapped;
    std::optional<SecureBytes> key; // once opened
    bool failed = false;
};

std::string slotName(const MetadataKeySlot& slot)
{
    return slot.index ? "metadataKeys[\"" + std::to_string(*slot.index) + "\"]" : std::string("the metadataKey");
}

class LegacyReader {
public:
    LegacyReader(const MetadataDocument& document, const LegacyKeys& keys)
        : m_document(document), m_keys(keys), m_unwrapper(keys.privateKey)
    {
    }

    Result<LegacyFolder> read(std::optional<std::string_view> mnemonic)
    {
        const json& root = m_document.json;
        const json* metadata = member(root, "metadata");
        if (metadata == nullptr || !metadata->is_object()) {
            return fail(ErrorCode::MalformedInput, "the metadata document has no \"metadata\" object");
        }
        const int version = m_document.versionNumber();
        if (auto ok = collectKeys(*metadata, version); !ok) return std::unexpected(ok.error());
        orderKeys();

        // The folder's key, opened before any entry: the key of the highest index that opens.
        if (m_keys.metadataKey) {
            if (m_keys.metadataKey->size() != kMetadataKeySize) {
                return fail(ErrorCode::MalformedInput,
                            "a metadata key has 16 bytes, this one has " + std::to_string(m_keys.metadataKey->size()));
            }
            m_out.metadataKey = toSecure(*m_keys.metadataKey);
        } else {
            std::optional<Error> firstError;
            for (MetadataKeySlot* slot : m_order) {
                if (auto opened = open(*slot)) {
                    m_out.metadataKey = *opened;
                    break;
                } else if (!firstError) {
                    firstError = opened.error();
                }
            }
            if (m_out.metadataKey.empty()) return std::unexpected(*firstError);
        }

        if (const json* files = member(root, "files")) {
            if (!files->is_object()) return fail(ErrorCode::MalformedInput, "\"files\" is not an object");
            for (const auto& [id, entry] : files->items()) {
                if (auto ok = readEntry(id, entry, false); !ok) return std::unexpected(ok.error());
                m_fileIds.push_back(id);
            }
        }
        if (const json* filedrop = member(root, "filedrop")) {
            if (!filedrop->is_object()) return fail(ErrorCode::MalformedInput, "\"filedrop\" is not an object");
            for (const auto& [id, entry] : filedrop->items()) {
                if (auto ok = readEntry(id, entry, true); !ok) return std::unexpected(ok.error());
                ++m_out.filedropEntries;
            }
        }
        if (version >= 12) {
            if (auto ok = checkChecksum(*metadata, mnemonic); !ok) return std::unexpected(ok.error());
        }
        return std::move(m_out);
    }

private:
    Result<void> collectKeys(const json& metadata, int version)
    {
        // 1.1 and 1.2 hold one "metadataKey"; 1.0 a map of them. The desktop client reads
        // "metadataKey" first whatever the version, and the map only below 1.2.
        if (const json* single = member(metadata, "metadataKey")) {
            if (!single->is_string() || single->get_ref<const std::string&>().empty()) {
                return fail(ErrorCode::MalformedInput, "metadata: \"metadataKey\" is not a non-empty string");
            }
            m_slots.push_back({std::nullopt, single->get<std::string>(), std::nullopt, false});
            return {};
        }
        const json* map = version < 12 ? member(metadata, "metadataKeys") : nullptr;
        if (map == nullptr) {
            return fail(ErrorCode::MalformedInput,
                        "metadata version " + printableQuoted(m_document.version) + " has no " +
                            (version < 12 ? "\"metadataKey\" or \"metadataKeys\"" : "\"metadataKey\""));
        }
        if (!map->is_object() || map->empty()) {
            return fail(ErrorCode::MalformedInput, "metadata: \"metadataKeys\" is not a non-empty object");
        }
        if (map->size() > kMaxLegacyKeyUnwraps) {
            return fail(ErrorCode::MalformedInput,
                        "metadata: \"metadataKeys\" holds more than " + std::to_string(kMaxLegacyKeyUnwraps) + " keys");
        }
        for (const auto& [name, wrapped] : map->items()) {
            const auto index = parseIndex(name);
            if (!index) {
                return fail(ErrorCode::MalformedInput,
                            "metadata: \"metadataKeys\" has the key " + printableQuoted(name) + ", not an index");
            }
            if (!wrapped.is_string()) {
                return fail(ErrorCode::MalformedInput,
                            "metadata: metadataKeys[" + printableQuoted(name) + "] is not a string");
            }
            m_slots.push_back({index, wrapped.get<std::string>(), std::nullopt, false});
        }
        return {};
    }

    static std::optional<long> parseIndex(std::string_view text)
    {
        if (text.empty() || text.size() > 9 ||
            !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::nullopt;
        }
        return std::stol(std::string(text));
    }

    // The slots from the highest index down ("metadataKey" alone has none): the desktop client
    // read every 1.0 entry with the last key. Once, after collectKeys().
    void orderKeys()
    {
        for (MetadataKeySlot& slot : m_slots) {
            m_order.push_back(&slot);
            if (slot.index) m_byIndex.emplace(*slot.index, &slot);
        }
        std::sort(m_order.begin(), m_order.end(), [](const MetadataKeySlot* a, const MetadataKeySlot* b) {
            return a->index.value_or(-1) > b->index.value_or(-1);
        });
    }

    Result<SecureBytes> open(MetadataKeySlot& slot)
    {
        if (slot.key) return *slot.key;
        auto key = m_unwrapper.unwrap(slot.wrapped, slotName(slot));
        if (!key) {
            slot.failed = true;
            return std::unexpected(key.error());
        }
        slot.key = *key;
        return key;
    }

    // The decrypted part of an entry: base64 of compact JSON from the official clients; plain
    // JSON is read too (web writers of file-drop entries). Authenticated by GCM either way.
    Result<detail::StrictJson> parsePlaintext(const SecureBytes& plain, const std::string& where)
    {
        std::string_view text = asChars(plain);
        const auto start = text.find_first_not_of(" \t\r\n");
        SecureBytes decoded;
        if (start == std::string_view::npos || text[start] != '{') {
            auto inner = base64Decode(text);
            if (!inner) {
                return fail(ErrorCode::MalformedInput, where + ": the decrypted part is neither JSON nor base64 JSON");
            }
            decoded = std::move(*inner);
            text = asChars(decoded);
        }
        return detail::parseStrictJson(text, where + ": the decrypted part", kMaxEntryValues);
    }

    // Opens "encrypted" with the folder's metadata key(s): a given key, or the entry's index
    // first (1.0), then every other key.
    Result<SecureBytes> openWithMetadataKeys(const json& entry, const SealedParts& sealed, ByteView iv,
                                             const std::string& where)
    {
        if (m_keys.metadataKey) return openSealed(*m_keys.metadataKey, sealed.ciphertext, iv, std::nullopt, where);
        std::optional<long> index;
        if (const json* value = member(entry, "metadataKey")) {
            if (!value->is_number_integer() || value->get<long long>() < 0) {
                return fail(ErrorCode::MalformedInput, where + ": \"metadataKey\" is not an index");
            }
            index = static_cast<long>(std::min<long long>(value->get<long long>(), 1'000'000'000));
        }
        // The key the entry names, then the one that opened the entry before (a writer that used
        // one key for all), then the others: those tries are counted.
        MetadataKeySlot* named = nullptr;
        if (index) {
            if (const auto it = m_byIndex.find(*index); it != m_byIndex.end()) named = it->second;
        }
        MetadataKeySlot* const previous = m_lastOpened;
        const auto attempt = [&](MetadataKeySlot* slot) -> std::optional<Result<SecureBytes>> {
            if (slot->failed) return std::nullopt;
            auto key = open(*slot);
            if (!key) return std::nullopt;
            auto plain = openSealed(*key, sealed.ciphertext, iv, std::nullopt, where);
            if (!plain && plain.error().code == ErrorCode::DecryptionFailed) return std::nullopt;
            if (plain) m_lastOpened = slot;
            return plain;
        };
        for (MetadataKeySlot* slot : {named, previous == named ? nullptr : previous}) {
            if (slot == nullptr) continue;
            if (auto opened = attempt(slot)) return std::move(*opened);
        }
        for (MetadataKeySlot* slot : m_order) {
            if (slot == named || slot == previous) continue;
            if (++m_extraTries > kMaxExtraKeyTries) {
                return fail(ErrorCode::MalformedInput,
                            "too many entries do not open with the metadata key they name (more than " +
                                std::to_string(kMaxExtraKeyTries) + " tries with other keys)");
            }
            if (auto opened = attempt(slot)) return std::move(*opened);
        }
        return fail(ErrorCode::DecryptionFailed,
                    where + " does not decrypt with the folder's metadata key: it was tampered with");
    }

    // A file-drop entry's own key, wrapped like a metadata key (1.2). The desktop client reads
    // "encrypted" like any entry; web writers left out its "|iv" (then in
    // "encryptedInitializationVector") and may keep the tag apart (in "encryptedTag").
    Result<SecureBytes> openWithOwnKey(const json& entry, const std::string& wrappedKey, const std::string& where)
    {
        auto key = m_unwrapper.unwrap(wrappedKey, where + "'s encryptedKey");
        if (!key) return std::unexpected(key.error());
        const std::string& encrypted = entry.at("encrypted").get_ref<const std::string&>();
        std::optional<SealedParts> sealed = splitSealed(encrypted);
        SecureBytes separateIv;
        if (!sealed) {
            auto iv = detail::jsonBase64Field(entry, "encryptedInitializationVector", where, true);
            if (!iv) return std::unexpected(iv.error());
            separateIv = std::move(*iv);
            sealed = SealedParts{encrypted, {}};
        }
        auto iv = sealed->iv.empty() ? Result<SecureBytes>(std::move(separateIv)) : base64Decode(sealed->iv);
        if (!iv) return fail(ErrorCode::MalformedInput, where + ": the IV in \"encrypted\" is not valid base64");
        auto plain = openSealed(*key, sealed->ciphertext, *iv, std::nullopt, where);
        if (!plain && plain.error().code == ErrorCode::DecryptionFailed && member(entry, "encryptedTag") != nullptr) {
            auto tag = detail::jsonBase64Field(entry, "encryptedTag", where, true);
            if (!tag) return std::unexpected(tag.error());
            plain = openSealed(*key, sealed->ciphertext, *iv, ByteView(*tag), where);
        }
        if (!plain && plain.error().code == ErrorCode::DecryptionFailed) {
            return fail(ErrorCode::DecryptionFailed,
                        where + " does not decrypt with its own key: it was tampered with");
        }
        return plain;
    }

    Result<void> readEntry(const std::string& id, const json& entry, bool filedrop)
    {
        const std::string where = std::string(filedrop ? "filedrop[" : "files[") + printableQuoted(id) + "]";
        if (!entry.is_object()) return fail(ErrorCode::MalformedInput, where + " is not an object");
        auto encrypted = detail::jsonStringField(entry, "encrypted", where, true);
        if (!encrypted) return std::unexpected(encrypted.error());
        // The file blob's nonce and tag, as in 2.0 (sizes are checked with the trust checks).
        auto nonce = detail::jsonBase64Field(entry, "initializationVector", where, false);
        auto tag = detail::jsonBase64Field(entry, "authenticationTag", where, false);
        if (!nonce) return std::unexpected(nonce.error());
        if (!tag) return std::unexpected(tag.error());

        Result<SecureBytes> plain = fail(ErrorCode::Internal, "unreachable");
        const json* ownKey = filedrop ? member(entry, "encryptedKey") : nullptr;
        if (ownKey != nullptr && !(ownKey->is_string() && !ownKey->get_ref<const std::string&>().empty())) {
            return fail(ErrorCode::MalformedInput, where + ": \"encryptedKey\" is not a non-empty string");
        }
        if (ownKey != nullptr) {
            plain = openWithOwnKey(entry, ownKey->get<std::string>(), where);
        } else {
            const auto sealed = splitSealed(*encrypted);
            if (!sealed) {
                return fail(ErrorCode::MalformedInput, where + ": \"encrypted\" has no IV (no \"|\" separator)");
            }
            auto iv = base64Decode(sealed->iv);
            if (!iv) return fail(ErrorCode::MalformedInput, where + ": the IV in \"encrypted\" is not valid base64");
            plain = openWithMetadataKeys(entry, *sealed, *iv, where);
        }
        if (!plain) return std::unexpected(plain.error());

        auto parsed = parsePlaintext(*plain, where);
        if (!parsed) return std::unexpected(parsed.error());
        const JsonWiper wiper{parsed->value};
        for (const std::string& key : parsed->duplicates)
            m_out.duplicateKeys.push_back(where + " names " + printableQuoted(key) + " twice in its encrypted part");
        FileEntry file;
        auto filename = detail::jsonStringField(parsed->value, "filename", where, true);
        auto mimetype = detail::jsonStringField(parsed->value, "mimetype", where, false);
        if (!filename) return std::unexpected(filename.error());
        if (!mimetype) return std::unexpected(mimetype.error());
        file.filename = std::move(*filename);
        file.mimetype = std::move(*mimetype);

        FolderMetadata& out = m_out.metadata;
        const bool taken = out.files.contains(id) || out.folders.contains(id);
        if (taken) out.duplicateIds.push_back(id);
        if (isFolderMimetype(file.mimetype)) {
            // 1.x lists sub-folders among the files; their key, IV and tag mean nothing.
            if (!taken) out.folders.emplace(id, std::move(file.filename));
            return {};
        }
        auto key = detail::jsonBase64Field(parsed->value, "key", where, false);
        if (!key) return std::unexpected(key.error());
        file.key = std::move(*key);
        file.nonce.assign(nonce->begin(), nonce->end());
        file.authenticationTag.assign(tag->begin(), tag->end());
        if (!taken) out.files.emplace(id, std::move(file));
        return {};
    }

    Result<void> checkChecksum(const json& metadata, std::optional<std::string_view> mnemonic)
    {
        const json* stored = member(metadata, "checksum");
        if (stored == nullptr || !stored->is_string()) {
            return fail(ErrorCode::VerificationFailed, "metadata version 1.2 has no checksum");
        }
        std::string expected = stored->get<std::string>();
        std::transform(expected.begin(), expected.end(), expected.begin(),
                       [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; });
        // Computed over "metadataKey" as it stands (collectKeys() found it: 1.2 has no map).
        const std::string& wrapped = m_slots.front().wrapped;
        std::sort(m_fileIds.begin(), m_fileIds.end());
        if (mnemonic) {
            const SecureString words = mnemonicPassword(normalizeMnemonic(*mnemonic));
            if (legacyMetadataChecksum(std::string_view(words.data(), words.size()), m_fileIds, wrapped) == expected) {
                m_out.checksum = LegacyChecksum::Matches;
                return {};
            }
        }
        if (legacyMetadataChecksum({}, m_fileIds, wrapped) == expected) {
            m_out.checksum = LegacyChecksum::MatchesEmptyMnemonic;
            return {};
        }
        if (!mnemonic) {
            m_out.checksum = LegacyChecksum::NotCheckedNoMnemonic;
            return {};
        }
        return fail(ErrorCode::VerificationFailed,
                    "the 1.2 checksum does not match this mnemonic: the list of files or the metadata key was "
                    "changed after it was written");
    }

    const MetadataDocument& m_document;
    const LegacyKeys& m_keys;
    KeyUnwrapper m_unwrapper;
    std::vector<MetadataKeySlot> m_slots;
    std::vector<MetadataKeySlot*> m_order; // m_slots from the highest index down
    std::map<long, MetadataKeySlot*> m_byIndex;
    MetadataKeySlot* m_lastOpened = nullptr;
    std::size_t m_extraTries = 0;
    std::vector<std::string> m_fileIds; // every id of "files", for the checksum
    LegacyFolder m_out;
};

} // namespace

std::string legacyMetadataChecksum(std::string_view mnemonicWithoutSpaces, const std::vector<std::string>& sortedIds,
                                   std::string_view wrappedMetadataKey)
{
    SecureString input(mnemonicWithoutSpaces);
    for (const std::string& id : sortedIds)
        input.append(id);
    input.append(wrappedMetadataKey);
    return sha256Hex(asBytes(std::string_view(input.data(), input.size())));
}

Result<LegacyFolder> decryptLegacyFolderMetadata(const MetadataDocument& document, const LegacyKeys& keys,
                                                 std::optional<std::string_view> mnemonic)
{
    if (!isLegacyMetadataVersion(document.versionNumber())) {
        return fail(ErrorCode::MalformedInput,
                    "metadata version " + printableQuoted(document.version) + " is not 1.0, 1.1 or 1.2");
    }
    if (keys.privateKey == nullptr && !keys.metadataKey) {
        return fail(ErrorCode::DecryptionFailed, "neither a private key nor a metadata key was given");
    }
    LegacyReader reader(document, keys);
    return reader.read(mnemonic);
}

} // namespace nubo::e2ee
