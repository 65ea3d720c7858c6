#include "item_name.h"

#include <algorithm>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/unistr.h>

namespace nubo::e2ee {

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when there is none.
std::size_t utf8SequenceLength(std::string_view text, std::size_t i)
{
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) return 1;
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((c & 0xe0) == 0xc0) {
        length = 2;
        cp = c & 0x1f;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        length = 3;
        cp = c & 0x0f;
        min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        length = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (next & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return length;
}

bool isAsciiControl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

std::string hexByte(unsigned char c)
{
    static constexpr char HEX[] = "0123456789ABCDEF";
    return {HEX[c >> 4], HEX[c & 0x0f]};
}

std::string toUtf8(const icu::UnicodeString& text)
{
    std::string out;
    text.toUTF8String(out);
    return out;
}

} // namespace

bool isValidUtf8(std::string_view text)
{
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8SequenceLength(text, i);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

std::optional<std::string> invalidNameReason(std::string_view name)
{
    if (name.empty()) return "the name is empty";
    if (name == "." || name == "..")
        return "\"" + std::string(name) + "\" names a folder itself or its parent, not an item in it";
    if (name.size() > kMaxNameBytes)
        return "the name is " + std::to_string(name.size()) + " bytes long; Nextcloud and most disks allow at most " +
               std::to_string(kMaxNameBytes);
    if (name.find('/') != std::string_view::npos) return "the name holds a '/', which would reach into another folder";
    if (name.find('\\') != std::string_view::npos)
        return "the name holds a '\\', which Nextcloud does not allow in names";
    if (name.find('\0') != std::string_view::npos) return "the name holds a NUL byte";
    if (const auto control = std::find_if(name.begin(), name.end(),
                                          [](char c) { return isAsciiControl(static_cast<unsigned char>(c)); });
        control != name.end())
        return "the name holds the control character U+00" + hexByte(static_cast<unsigned char>(*control)) +
               ", which Nextcloud does not allow in names and a terminal would act on";
    if (!isValidUtf8(name)) return "the name is not valid UTF-8";
    return std::nullopt;
}

std::optional<std::string> invalidItemIdReason(std::string_view id)
{
    const bool hex =
        std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
    if (id.size() != 32 || !hex) return "an encrypted item's id is 32 lowercase hex characters, this one is not";
    return std::nullopt;
}

std::string nameCollisionKey(std::string_view name, NameCase rule)
{
    if (!isValidUtf8(name)) return std::string(name);
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status)) return std::string(name); // ICU without its data: compare bytes
    const icu::UnicodeString text =
        icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<std::int32_t>(name.size())));
    if (rule == NameCase::Sensitive) {
        const icu::UnicodeString composed = nfc->normalize(text, status);
        return U_SUCCESS(status) ? toUtf8(composed) : std::string(name);
    }
    // Unicode's canonical caseless match: NFD, fold, then one normal form (NFC here) for equality.
    icu::UnicodeString folded = nfd->normalize(text, status);
    folded.foldCase(U_FOLD_CASE_DEFAULT);
    const icu::UnicodeString key = nfc->normalize(folded, status);
    return U_SUCCESS(status) ? toUtf8(key) : std::string(name);
}

std::string printableName(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t length = utf8SequenceLength(text, i);
        // C1 controls (U+0080–U+009F, UTF-8 C2 80–C2 9F) act as escape sequences on some terminals.
        const bool c1 = length == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;
        if (c == '\\') {
            out += "\\\\";
        } else if (length == 0 || isAsciiControl(c)) {
            out += "\\x" + hexByte(c);
        } else if (c1) {
            out += "\\x" + hexByte(c) + "\\x" + hexByte(static_cast<unsigned char>(text[i + 1]));
            i += 2;
            continue;
        } else {
            out.append(text.substr(i, length));
            i += length;
            continue;
        }
        ++i;
    }
    return out;
}

} // namespace nubo::e2ee
