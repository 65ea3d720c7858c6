// The 12-word mnemonic that protects the private key (PROTOCOL.md §4.2).
#pragma once

#include <array>
#include <string_view>

#include "error.h"
#include "secure_bytes.h"

namespace nubo::e2ee {

inline constexpr std::size_t kMnemonicWords = 12;

// The BIP-39 English list, embedded at build time after a SHA-256 check.
const std::array<std::string_view, 2048>& bip39EnglishWords();

// 12 distinct words drawn uniformly from the list, space-separated.
Result<SecureString> generateMnemonic();

// Trim, collapse any run of whitespace into one space, lowercase (ASCII).
SecureString normalizeMnemonic(std::string_view input);

// Normalises and checks the input: exactly 12 words, each in the list. An unknown word is
// reported by position (1-based) with the closest list words as suggestions.
Result<SecureString> parseMnemonic(std::string_view input);

// What the key derivation consumes: the normalised mnemonic without any spaces.
SecureString mnemonicPassword(std::string_view normalizedMnemonic);

} // namespace nubo::e2ee
