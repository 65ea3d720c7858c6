# Turns resources/bip39-english.txt into a C++ array at build time, refusing a
# list whose SHA-256 differs from the one in PROTOCOL.md §4.2.
# Invoked as: cmake -DINPUT=... -DOUTPUT=... -P EmbedWordList.cmake
set(expected "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda")
file(SHA256 "${INPUT}" actual)
if(NOT actual STREQUAL expected)
    message(FATAL_ERROR "${INPUT}: SHA-256 ${actual} is not the BIP-39 English list (${expected})")
endif()
file(STRINGS "${INPUT}" words)
list(LENGTH words count)
if(NOT count EQUAL 2048)
    message(FATAL_ERROR "${INPUT}: ${count} words, expected 2048")
endif()
set(body "")
foreach(word IN LISTS words)
    string(APPEND body "    \"${word}\",\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from resources/bip39-english.txt by cmake/EmbedWordList.cmake. Do not edit.
#include \"mnemonic.h\"

namespace nubo::e2ee {
const std::array<std::string_view, 2048>& bip39EnglishWords()
{
    static constexpr std::array<std::string_view, 2048> words{
${body}    };
    return words;
}
} // namespace nubo::e2ee
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
