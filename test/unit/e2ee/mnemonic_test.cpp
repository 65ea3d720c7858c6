#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "mnemonic.h"

namespace nubo::e2ee {
namespace {

std::vector<std::string> wordsOf(std::string_view text)
{
    std::istringstream in{std::string(text)};
    std::vector<std::string> out;
    for (std::string w; in >> w;)
        out.push_back(w);
    return out;
}

TEST(Mnemonic, WordListIsTheBip39EnglishList)
{
    const auto& words = bip39EnglishWords();
    EXPECT_EQ(words.front(), "abandon");
    EXPECT_EQ(words[1000], "laptop");
    EXPECT_EQ(words.back(), "zoo");
    EXPECT_TRUE(std::is_sorted(words.begin(), words.end()));
}

TEST(Mnemonic, GeneratesTwelveDistinctListWords)
{
    std::set<std::string> seenFirstWords;
    for (int round = 0; round < 20; ++round) {
        auto mnemonic = generateMnemonic();
        ASSERT_TRUE(mnemonic);
        const auto words = wordsOf(std::string_view(mnemonic->data(), mnemonic->size()));
        ASSERT_EQ(words.size(), 12u);
        EXPECT_EQ(std::set<std::string>(words.begin(), words.end()).size(), 12u);
        for (const auto& w : words) {
            EXPECT_TRUE(std::binary_search(bip39EnglishWords().begin(), bip39EnglishWords().end(), w)) << w;
        }
        EXPECT_TRUE(parseMnemonic(std::string_view(mnemonic->data(), mnemonic->size())));
        seenFirstWords.insert(words[0]);
    }
    EXPECT_GT(seenFirstWords.size(), 10u);
}

TEST(Mnemonic, NormalisesWhitespaceAndCase)
{
    const auto normalized = normalizeMnemonic("  Deputy\tabandon \n BETRAY  jacket ");
    EXPECT_EQ(std::string_view(normalized.data(), normalized.size()), "deputy abandon betray jacket");
    const auto password = mnemonicPassword("deputy abandon betray");
    EXPECT_EQ(std::string_view(password.data(), password.size()), "deputyabandonbetray");
}

TEST(Mnemonic, UnknownWordIsReportedByPositionWithSuggestions)
{
    auto result = parseMnemonic("deputy abandon betray jackett rigid object because source primary diary wonder turn");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::UnknownWord);
    EXPECT_NE(result.error().message.find("word 4"), std::string::npos) << result.error().message;
    EXPECT_NE(result.error().message.find("\"jacket\""), std::string::npos) << result.error().message;

    auto typo = parseMnemonic("deputy abandon betray jacket rigid object because source primary diary wonder trun");
    ASSERT_FALSE(typo);
    EXPECT_NE(typo.error().message.find("word 12"), std::string::npos);
    EXPECT_NE(typo.error().message.find("\"turn\""), std::string::npos) << typo.error().message;
}

TEST(Mnemonic, WrongWordCountIsRejected)
{
    auto result = parseMnemonic("deputy abandon betray");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::MalformedInput);
    EXPECT_NE(result.error().message.find("has 3"), std::string::npos);
}

} // namespace
} // namespace nubo::e2ee
