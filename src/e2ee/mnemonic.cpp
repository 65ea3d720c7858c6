#include "mnemonic.h"

#include <algorithm>
#include <vector>

#include "encoding.h"

namespace nubo::e2ee {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
// neighbouring letters, the typos people make when copying words.
std::size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

bool inList(std::string_view word)
{
    const auto& words = bip39EnglishWords();
    return std::binary_search(words.begin(), words.end(), word);
}

// Up to three list words closest to an unknown one: words sharing its first four letters
// (BIP-39 words are unique in their first four) come first, then by edit distance.
std::vector<std::string_view> suggestionsFor(std::string_view word)
{
    std::vector<std::pair<std::size_t, std::string_view>> ranked;
    for (const std::string_view candidate : bip39EnglishWords()) {
        const bool samePrefix = word.size() >= 4 && candidate.starts_with(word.substr(0, 4));
        const std::size_t distance = samePrefix ? 0 : editDistance(word, candidate);
        if (distance <= 2) ranked.emplace_back(distance, candidate);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i)
        out.push_back(ranked[i].second);
    return out;
}

} // namespace

Result<SecureString> generateMnemonic()
{
    const auto& words = bip39EnglishWords();
    std::vector<std::uint32_t> picked;
    while (picked.size() < kMnemonicWords) {
        auto index = randomBelow(static_cast<std::uint32_t>(words.size()));
        if (!index) return std::unexpected(index.error());
        if (std::find(picked.begin(), picked.end(), *index) == picked.end()) picked.push_back(*index);
    }
    SecureString out;
    for (const std::uint32_t index : picked) {
        if (!out.empty()) out.push_back(' ');
        out.append(words[index]);
    }
    secureWipe(picked.data(), picked.size() * sizeof(std::uint32_t));
    return out;
}

SecureString normalizeMnemonic(std::string_view input)
{
    SecureString out;
    out.reserve(input.size());
    bool pendingSpace = false;
    for (const char c : input) {
        if (isSpace(c)) {
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace) out.push_back(' ');
        pendingSpace = false;
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    return out;
}

Result<SecureString> parseMnemonic(std::string_view input)
{
    SecureString normalized = normalizeMnemonic(input);
    std::vector<std::string_view> words;
    const std::string_view view(normalized.data(), normalized.size());
    for (std::size_t start = 0; start < view.size();) {
        const std::size_t end = std::min(view.find(' ', start), view.size());
        words.push_back(view.substr(start, end - start));
        start = end + 1;
    }
    if (words.size() != kMnemonicWords) {
        return fail(ErrorCode::MalformedInput, "a mnemonic has 12 words; this one has " + std::to_string(words.size()));
    }
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (inList(words[i])) continue;
        std::string message = "word " + std::to_string(i + 1) + " of the mnemonic is not in the BIP-39 word list";
        const auto suggestions = suggestionsFor(words[i]);
        if (!suggestions.empty()) {
            message += "; did you mean ";
            for (std::size_t s = 0; s < suggestions.size(); ++s) {
                if (s > 0) message += s + 1 == suggestions.size() ? " or " : ", ";
                message += "\"" + std::string(suggestions[s]) + "\"";
            }
            message += "?";
        }
        return fail(ErrorCode::UnknownWord, std::move(message));
    }
    return normalized;
}

SecureString mnemonicPassword(std::string_view normalizedMnemonic)
{
    SecureString out;
    out.reserve(normalizedMnemonic.size());
    for (const char c : normalizedMnemonic) {
        if (!isSpace(c)) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    return out;
}

} // namespace nubo::e2ee
