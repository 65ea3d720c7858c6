// The --faults SPEC parser and the deterministic decisions of nubo-server's fault injection.
#include "faults.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace nubo::server {
namespace {

// The decisions of `n` requests in a row, as "-" (none) or the fault's action.
std::vector<std::string> decisions(const FaultPlan& plan, std::string_view method, std::string_view path, int n)
{
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
        const auto fault = plan.decide(method, path);
        out.push_back(fault ? fault->FaultAction::describe() : "-");
    }
    return out;
}

// The message of the FaultSpecError that parsing `spec` throws, or "" when it parses.
std::string parseError(std::string_view spec)
{
    try {
        FaultPlan::parse(spec);
    } catch (const FaultSpecError& e) {
        return e.what();
    }
    return {};
}

TEST(FaultSpecTest, ParsesEveryActionAndOption)
{
    const FaultPlan plan = FaultPlan::parse(
        "PUT /remote.php/dav/files/* status=503 p=0.2 count=2 after=1;"
        "  get|Head  *.bin   delay=250 ;"
        "* /a%20b/* cut=4096;"
        "GET * cut=25%;"
        "MOVE * cut;"
        "PUT /big/* refuse=413",
        42);
    ASSERT_EQ(plan.rules().size(), 6u);
    EXPECT_EQ(plan.seed(), 42u);

    const FaultRule& put = plan.rules()[0];
    EXPECT_EQ(put.verbs, std::vector<std::string>{"PUT"});
    EXPECT_EQ(put.pattern, "/remote.php/dav/files/*");
    EXPECT_EQ(put.action.kind, FaultKind::Status);
    EXPECT_EQ(put.action.status, 503u);
    EXPECT_DOUBLE_EQ(put.probability, 0.2);
    EXPECT_EQ(put.count, 2u);
    EXPECT_EQ(put.after, 1u);

    const FaultRule& get = plan.rules()[1];
    EXPECT_EQ(get.verbs, (std::vector<std::string>{"GET", "HEAD"}));
    EXPECT_EQ(get.action.kind, FaultKind::Delay);
    EXPECT_EQ(get.action.delay.count(), 250);
    EXPECT_DOUBLE_EQ(get.probability, 1.0);
    EXPECT_FALSE(get.count.has_value());
    EXPECT_EQ(get.text, "get|Head *.bin delay=250");

    const FaultRule& any = plan.rules()[2];
    EXPECT_TRUE(any.verbs.empty());
    EXPECT_EQ(any.pattern, "/a b/*");
    EXPECT_EQ(any.action.kind, FaultKind::Cut);
    EXPECT_EQ(any.action.cutBytes, 4096u);

    EXPECT_FALSE(plan.rules()[3].action.cutBytes.has_value());
    EXPECT_DOUBLE_EQ(plan.rules()[3].action.cutFraction, 0.25);
    EXPECT_EQ(plan.rules()[3].action.describe(), "cut=25%");
    EXPECT_DOUBLE_EQ(plan.rules()[4].action.cutFraction, 0.5);

    EXPECT_EQ(plan.rules()[5].action.kind, FaultKind::Refuse);
    EXPECT_EQ(plan.rules()[5].action.status, 413u);
    EXPECT_EQ(plan.rules()[5].action.describe(), "refuse=413");
}

TEST(FaultSpecTest, EmptySpecsGiveNoRules)
{
    EXPECT_TRUE(FaultPlan::parse("").empty());
    EXPECT_TRUE(FaultPlan::parse(" ; ;\n").empty());
    EXPECT_TRUE(FaultPlan::parse("* * status=500").decide("GET", "/").has_value());
}

TEST(FaultSpecTest, BadSpecsAreRejectedNamingTheBadPart)
{
    struct Case {
        const char* spec;
        std::vector<const char*> mentions;
    };
    const std::vector<Case> cases = {
        {"PUT /x", {"rule 1", "VERB PATH ACTION"}},
        {"PUT /x stat=503", {"rule 1", "unknown word \"stat=503\""}},
        {"* * status=503; PUT /x status=200", {"rule 2", "\"status=200\"", "400 to 599"}},
        {"PUT /x status=abc", {"\"status=abc\""}},
        {"PUT /x status", {"\"status\""}},
        {"PUT /x refuse=200", {"\"refuse=200\"", "400 to 599", "refuse=413"}},
        {"PUT /x refuse", {"\"refuse\""}},
        {"PUT /x refuse=413 status=503", {"one action", "refuse=413", "status=503"}},
        {"GET /x delay=-5", {"\"delay=-5\"", "milliseconds"}},
        {"GET /x delay=99999999", {"\"delay=99999999\""}},
        {"GET /x cut=ten", {"\"cut=ten\""}},
        {"GET /x cut=150%", {"\"cut=150%\""}},
        {"GET /x status=503 delay=10", {"one action", "status=503", "delay=10"}},
        {"GET /x p=0.5", {"no action"}},
        {"GET /x status=503 p=1.5", {"\"p=1.5\"", "0 to 1"}},
        {"GET /x status=503 p=", {"\"p=\"", "needs a value"}},
        {"GET /x status=503 p=0.1 p=0.2", {"\"p=0.2\"", "twice"}},
        {"GET /x status=503 count=0", {"\"count=0\""}},
        {"GET /x status=503 after=x", {"\"after=x\""}},
        {"GET remote.php status=503", {"\"remote.php\"", "PATH"}},
        {"/x GET status=503", {"\"/x\"", "VERB"}},
        {"GET|| /x status=503", {"\"GET||\"", "VERB"}},
        {"GET /a%2 status=503", {"\"/a%2\"", "%-escape"}},
        {"GET /a%zz status=503", {"\"/a%zz\"", "%-escape"}},
    };
    for (const auto& c : cases) {
        const std::string message = parseError(c.spec);
        ASSERT_FALSE(message.empty()) << "accepted: " << c.spec;
        for (const char* part : c.mentions) {
            EXPECT_NE(message.find(part), std::string::npos)
                << "spec: " << c.spec << "\nmessage: " << message << "\nshould mention: " << part;
        }
    }
}

TEST(FaultSpecTest, SeedsAreDecimalUnsigned64)
{
    EXPECT_EQ(parseFaultSeed("0"), 0u);
    EXPECT_EQ(parseFaultSeed("18446744073709551615"), 18446744073709551615ull);
    EXPECT_FALSE(parseFaultSeed("18446744073709551616"));
    EXPECT_FALSE(parseFaultSeed("-1"));
    EXPECT_FALSE(parseFaultSeed("12x"));
    EXPECT_FALSE(parseFaultSeed(""));
}

TEST(FaultMatchTest, VerbsAndGlobs)
{
    const FaultPlan plan = FaultPlan::parse("PUT|move /remote.php/dav/files/*/*.txt status=500");
    const FaultRule& rule = plan.rules()[0];
    EXPECT_TRUE(rule.matches("PUT", "/remote.php/dav/files/alice/a.txt"));
    EXPECT_TRUE(rule.matches("MOVE", "/remote.php/dav/files/alice/deep/er/b.txt"));
    EXPECT_TRUE(rule.matches("put", "/remote.php/dav/files/alice/.txt"));
    EXPECT_FALSE(rule.matches("GET", "/remote.php/dav/files/alice/a.txt"));
    EXPECT_FALSE(rule.matches("PUT", "/remote.php/dav/files/alice/a.txt.part"));
    EXPECT_FALSE(rule.matches("PUT", "/remote.php/dav/files/a.txt")); // needs the second '/'
    EXPECT_FALSE(rule.matches("PUT", "/remote.php/webdav/a.txt"));

    const auto matches = [](std::string_view pattern, std::string_view path) {
        return FaultPlan::parse("* " + std::string(pattern) + " status=500").rules()[0].matches("GET", path);
    };
    EXPECT_TRUE(matches("/status.php", "/status.php"));
    EXPECT_FALSE(matches("/status.php", "/status.php/x"));
    EXPECT_FALSE(matches("/status.php", "/status.ph"));
    EXPECT_TRUE(matches("*", "/"));
    EXPECT_TRUE(matches("*", "/anything/at/all"));
    EXPECT_TRUE(matches("/a*", "/a"));
    EXPECT_TRUE(matches("*a*a*", "/aa"));
    EXPECT_FALSE(matches("*a*a*", "/a"));
    EXPECT_TRUE(matches("/ab*ab", "/abab"));
    EXPECT_FALSE(matches("/ab*ab", "/aba")); // prefix and suffix may not overlap
    EXPECT_TRUE(matches("*/x/*/y", "/q/x/x/y/y"));
    EXPECT_TRUE(matches("/a%20b/*", "/a b/c"));    // the pattern is percent-decoded,
    EXPECT_FALSE(matches("/a%20b/*", "/a%20b/c")); // the path it is matched with too
    EXPECT_TRUE(matches("/a%3Bb", "/a;b"));
    EXPECT_TRUE(matches("/star%2A", "/star*"));     // %2A is a literal star
    EXPECT_FALSE(matches("/star%2A", "/starlet"));
    EXPECT_TRUE(matches("/caf%C3%A9/*", "/caf\xC3\xA9/x"));
}

TEST(FaultDecideTest, FirstMatchingRuleDecidesAndCountsLimit)
{
    const FaultPlan plan = FaultPlan::parse("PUT /f/* status=503 count=2; * * delay=10");
    EXPECT_EQ(decisions(plan, "PUT", "/f/a", 4),
              (std::vector<std::string>{"status=503", "status=503", "-", "-"})); // rule 2 is not consulted
    EXPECT_EQ(decisions(plan, "GET", "/f/a", 2), (std::vector<std::string>{"delay=10", "delay=10"}));

    const auto fault = plan.decide("PUT", "/f/b");
    EXPECT_FALSE(fault.has_value());
    const auto other = plan.decide("GET", "/x");
    ASSERT_TRUE(other.has_value());
    EXPECT_EQ(other->rule, 2u);
    EXPECT_EQ(other->match, 2u);
    EXPECT_EQ(other->describe(), "delay=10;rule=2;match=2");
}

TEST(FaultDecideTest, AfterSkipsThenCountLimits)
{
    const FaultPlan plan = FaultPlan::parse("GET * status=500 after=2 count=3");
    EXPECT_EQ(decisions(plan, "GET", "/", 7),
              (std::vector<std::string>{"-", "-", "status=500", "status=500", "status=500", "-", "-"}));
    const FaultPlan third = FaultPlan::parse("PUT * status=507 after=2 count=1");
    EXPECT_EQ(decisions(third, "PUT", "/", 4), (std::vector<std::string>{"-", "-", "status=507", "-"}));
}

TEST(FaultDecideTest, ProbabilityZeroAndOne)
{
    const FaultPlan never = FaultPlan::parse("* * status=500 p=0");
    const FaultPlan always = FaultPlan::parse("* * status=500 p=1");
    for (int i = 0; i < 1000; ++i) {
        EXPECT_FALSE(never.decide("GET", "/").has_value());
        EXPECT_TRUE(always.decide("GET", "/").has_value());
    }
}

TEST(FaultDecideTest, SameSeedSameDecisionsOtherSeedOthers)
{
    const std::string spec = "PUT * status=503 p=0.3; GET * cut p=0.5";
    const auto run = [&](std::uint64_t seed) {
        const FaultPlan plan = FaultPlan::parse(spec, seed);
        std::string out;
        for (int i = 0; i < 200; ++i) {
            out += plan.decide("PUT", "/f") ? 'P' : '.';
            out += plan.decide("GET", "/f") ? 'G' : '.';
        }
        return out;
    };
    EXPECT_EQ(run(7), run(7));
    EXPECT_NE(run(7), run(8));
    // A rule's decisions do not depend on how other rules' requests interleave with it.
    const FaultPlan a = FaultPlan::parse(spec, 7), b = FaultPlan::parse(spec, 7);
    std::string onlyPuts, putsAmongGets;
    for (int i = 0; i < 200; ++i) {
        onlyPuts += a.decide("PUT", "/f") ? 'P' : '.';
        for (int j = 0; j < i % 3; ++j) b.decide("GET", "/g");
        putsAmongGets += b.decide("PUT", "/f") ? 'P' : '.';
    }
    EXPECT_EQ(onlyPuts, putsAmongGets);
    // The decision for the k-th match is the pure function draw(seed, rule, k).
    const FaultPlan c = FaultPlan::parse(spec, 99);
    for (std::uint64_t k = 0; k < 100; ++k) {
        EXPECT_EQ(c.decide("PUT", "/").has_value(), FaultPlan::draw(99, 0, k) < 0.3) << k;
    }
}

TEST(FaultDecideTest, DecisionsDoNotDependOnThreadTiming)
{
    // Concurrent callers may take the k's in any order, but the set of faulted k's is fixed.
    const std::string spec = "* * status=500 p=0.4";
    const FaultPlan serial = FaultPlan::parse(spec, 5);
    std::vector<bool> expected;
    for (int k = 0; k < 4000; ++k) expected.push_back(serial.decide("GET", "/").has_value());

    const FaultPlan parallel = FaultPlan::parse(spec, 5);
    std::vector<std::atomic<int>> seen(4000);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                const auto fault = parallel.decide("GET", "/");
                if (fault) seen[fault->match].fetch_add(1);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (int k = 0; k < 4000; ++k) EXPECT_EQ(seen[k].load(), expected[k] ? 1 : 0) << k;
}

TEST(FaultDecideTest, ProbabilityIsRoughlyHonoured)
{
    for (const double p : {0.05, 0.2, 0.5, 0.9}) {
        for (const std::uint64_t seed : {0ull, 1ull, 12345ull}) {
            const FaultPlan plan = FaultPlan::parse("* * status=503 p=" + std::to_string(p), seed);
            int hits = 0;
            for (int i = 0; i < 10000; ++i) hits += plan.decide("GET", "/") ? 1 : 0;
            // Binomial(10000, p) has a standard deviation of at most 50: allow ~5 of them.
            EXPECT_NEAR(hits, 10000 * p, 250) << "p=" << p << " seed=" << seed;
        }
    }
    // Neighbouring rules and seeds are not correlated.
    int both = 0;
    for (std::uint64_t k = 0; k < 10000; ++k) {
        both += (FaultPlan::draw(3, 0, k) < 0.5 && FaultPlan::draw(3, 1, k) < 0.5) ? 1 : 0;
    }
    EXPECT_NEAR(both, 2500, 200);
}

TEST(FaultActionTest, CutPointsNeverDeliverTheWholeBody)
{
    const auto cut = [](std::string_view word) { return FaultPlan::parse("* * " + std::string(word)).rules()[0].action; };
    EXPECT_EQ(cut("cut").cutPoint(1000), 500u);
    EXPECT_EQ(cut("cut").cutPoint(1), 0u);
    EXPECT_EQ(cut("cut").cutPoint(0), 0u);
    EXPECT_EQ(cut("cut=10%").cutPoint(1000), 100u);
    EXPECT_EQ(cut("cut=100%").cutPoint(1000), 999u);
    EXPECT_EQ(cut("cut=0%").cutPoint(1000), 0u);
    EXPECT_EQ(cut("cut=4096").cutPoint(100000), 4096u);
    EXPECT_EQ(cut("cut=4096").cutPoint(4096), 4095u);
    EXPECT_EQ(cut("cut=4096").cutPoint(10), 9u);
}

} // namespace
} // namespace nubo::server
