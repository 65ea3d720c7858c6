// The one rule for item names (item_name.h), shared by plain listings, encrypted metadata and
// the local scan.
#include <gtest/gtest.h>

#include "item_name.h"

namespace nubo::e2ee {
namespace {

TEST(ItemName, OrdinaryNamesAreAccepted)
{
    for (const std::string& name :
         {std::string("report.pdf"), std::string("ä ö ü.md"), std::string("emoji 😀"), std::string(".hidden"),
          std::string("..."), std::string(255, 'x'), std::string("中文") + std::string(249, 'y')}) {
        EXPECT_FALSE(invalidNameReason(name)) << name << ": " << invalidNameReason(name).value_or("");
    }
}

TEST(ItemName, ControlCharactersAreRefused)
{
    for (const std::string& name :
         {std::string("a\nb"), std::string("\x1b[31mred"), std::string("tab\t"), std::string("bell\x07"),
          std::string("cr\r"), std::string("del\x7f"), std::string("\x01")}) {
        const auto reason = invalidNameReason(name);
        ASSERT_TRUE(reason) << printableName(name);
        EXPECT_NE(reason->find("control character"), std::string::npos) << *reason;
    }
    EXPECT_NE(invalidNameReason("a\nb")->find("U+000A"), std::string::npos);
}

TEST(ItemName, NamesOver255BytesAreRefused)
{
    EXPECT_TRUE(invalidNameReason(std::string(256, 'x')));
    // 128 two-byte characters: 128 characters, but 256 bytes.
    std::string umlauts;
    for (int i = 0; i < 128; ++i)
        umlauts += "ä";
    const auto reason = invalidNameReason(umlauts);
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("256 bytes"), std::string::npos) << *reason;
}

TEST(ItemName, ItemIdsAre32LowercaseHexCharacters)
{
    EXPECT_FALSE(invalidItemIdReason("0123456789abcdef0123456789abcdef"));
    for (const std::string_view id :
         {"0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
          "0123456789abcdef0123456789abcdeg", "", "..", "../../../../../../../../../etc/x"}) {
        EXPECT_TRUE(invalidItemIdReason(id)) << id;
    }
}

TEST(ItemName, CollisionKeysEqualNamesThatAreTheSameAfterNfc)
{
    const auto key = [](std::string_view name) { return nameCollisionKey(name, NameCase::Sensitive); };
    EXPECT_EQ(key("caf\u00e9"), key("cafe\u0301"));  // é composed and decomposed
    EXPECT_EQ(key("\u212b"), key("\u00c5"));         // ANGSTROM SIGN and Å
    EXPECT_EQ(key("\u1e69"), key("s\u0323\u0307"));  // ṩ: dot below and dot above in either order
    EXPECT_NE(key("Report.pdf"), key("report.pdf")); // case counts on a case-sensitive disk
    EXPECT_NE(key("\ufb01le"), key("file"));         // the ligature "ﬁ" is a different name (no NFKC)
    EXPECT_EQ(key("bad\xff"), "bad\xff");            // not UTF-8: compared as bytes
}

TEST(ItemName, CollisionKeysIgnoreCaseWhereTheDiskDoes)
{
    const auto key = [](std::string_view name) { return nameCollisionKey(name, NameCase::Insensitive); };
    EXPECT_EQ(key("Report.PDF"), key("report.pdf"));
    EXPECT_EQ(key("\u00c9t\u00e9"), key("e\u0301te\u0301")); // Été and été, decomposed
    EXPECT_EQ(key("\u0391\u03b8\u03ae\u03bd\u03b1"), key("\u03b1\u03b8\u03ae\u03bd\u03b1"));
    EXPECT_NE(key("a"), key("b"));
}

TEST(ItemName, PrintableNameEscapesEveryControlCharacter)
{
    EXPECT_EQ(printableName("a\x1b[2Kb\n"), "a\\x1B[2Kb\\x0A");
    EXPECT_EQ(printableName("back\\slash"), "back\\\\slash");
    EXPECT_EQ(printableName("c1 \xc2\x9b"
                            "31m"),
              "c1 \\xC2\\x9B31m"); // U+009B, the 8-bit CSI
    EXPECT_EQ(printableName("\xff"), "\\xFF");
    EXPECT_EQ(printableName("ä ö ü \u00a0 😀"), "ä ö ü \u00a0 😀"); // U+00A0 is not a control character
}

} // namespace
} // namespace nubo::e2ee
