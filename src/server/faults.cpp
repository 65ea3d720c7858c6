#include "faults.h"

#include "webdav.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

namespace nubo::server {

namespace {

constexpr std::uint64_t kMaxDelayMs = 3600 * 1000;

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string upper(std::string_view text)
{
    std::string out(text);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && upper(a) == upper(b);
}

std::optional<std::uint64_t> parseUnsigned(std::string_view text)
{
    std::uint64_t value = 0;
    if (text.empty()) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<double> parseFraction(std::string_view text)
{
    double value = 0;
    if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}


std::optional<std::string> percentDecodeNoNul(std::string_view text)
{
    auto decoded = percentDecode(text);
    if (decoded && decoded->find('\0') != std::string::npos) return std::nullopt;
    return decoded;
}

std::string formatNumber(double value)
{
    std::ostringstream out;
    out << value;
    return out.str();
}

std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

class RuleParser {
public:
    RuleParser(std::size_t number, std::string text) : m_number(number), m_text(std::move(text)) {}

    [[noreturn]] void fail(const std::string& message) const
    {
        throw FaultSpecError("rule " + std::to_string(m_number) + " (\"" + m_text + "\"): " + message);
    }

    FaultRule parse(const std::vector<std::string_view>& words)
    {
        if (words.size() < 3) {
            fail("a rule is VERB PATH ACTION [p=FRACTION] [count=N] [after=N], e.g. "
                 "\"PUT /remote.php/dav/files/* status=503 count=2\"");
        }
        FaultRule rule;
        rule.text = m_text;
        parseVerbs(words[0], rule);
        parsePattern(words[1], rule);
        bool haveAction = false, haveP = false, haveCount = false, haveAfter = false;
        std::string actionWord;
        for (std::size_t i = 2; i < words.size(); ++i) {
            const std::string_view word = words[i];
            const std::size_t eq = word.find('=');
            const std::string key = upper(word.substr(0, eq));
            const bool hasValue = eq != std::string_view::npos;
            const std::string_view value = hasValue ? word.substr(eq + 1) : std::string_view();
            const auto once = [&](bool& seen) {
                if (seen) fail("\"" + std::string(word) + "\": " + std::string(word.substr(0, eq)) + " given twice");
                seen = true;
            };
            const auto needValue = [&] {
                if (!hasValue || value.empty()) fail("\"" + std::string(word) + "\" needs a value");
            };
            if (key == "STATUS" || key == "REFUSE" || key == "DELAY" || key == "CUT") {
                if (haveAction) {
                    fail("a rule has one action, got both \"" + actionWord + "\" and \"" + std::string(word) + "\"");
                }
                haveAction = true;
                actionWord = std::string(word);
                parseAction(key, word, hasValue, value, rule.action);
            } else if (key == "P") {
                once(haveP);
                needValue();
                const auto p = parseFraction(value);
                if (!p || *p < 0 || *p > 1) {
                    fail("\"" + std::string(word) + "\": p takes a probability from 0 to 1, e.g. p=0.25");
                }
                rule.probability = *p;
            } else if (key == "COUNT") {
                once(haveCount);
                needValue();
                const auto n = parseUnsigned(value);
                if (!n || *n == 0) fail("\"" + std::string(word) + "\": count takes a whole number of at least 1");
                rule.count = *n;
            } else if (key == "AFTER") {
                once(haveAfter);
                needValue();
                const auto n = parseUnsigned(value);
                if (!n) fail("\"" + std::string(word) + "\": after takes a whole number");
                rule.after = *n;
            } else {
                fail("unknown word \"" + std::string(word) +
                     "\"; expected status=CODE, refuse=CODE, delay=MS, cut[=BYTES|PCT%], p=FRACTION, count=N or "
                     "after=N");
            }
        }
        if (!haveAction) fail("no action; add status=CODE, refuse=CODE, delay=MS or cut[=BYTES|PCT%]");
        return rule;
    }

private:
    void parseVerbs(std::string_view word, FaultRule& rule) const
    {
        if (word == "*") return;
        std::size_t start = 0;
        for (;;) {
            const std::size_t bar = word.find('|', start);
            const std::string_view verb = word.substr(start, bar == std::string_view::npos ? bar : bar - start);
            const bool valid = !verb.empty() && std::all_of(verb.begin(), verb.end(), [](char c) {
                return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '_';
            });
            if (!valid) {
                fail("\"" + std::string(word) + "\" is not a VERB: a method such as PUT, several joined by '|' "
                     "(GET|HEAD), or * for any");
            }
            rule.verbs.push_back(upper(verb));
            if (bar == std::string_view::npos) break;
            start = bar + 1;
        }
    }

    void parsePattern(std::string_view word, FaultRule& rule) const
    {
        if (word.front() != '/' && word.front() != '*') {
            fail("\"" + std::string(word) + "\" is not a PATH pattern: it starts with / or *, e.g. "
                 "/remote.php/dav/files/*");
        }
        std::size_t start = 0;
        for (;;) {
            const std::size_t star = word.find('*', start);
            const auto literal =
                percentDecodeNoNul(word.substr(start, star == std::string_view::npos ? star : star - start));
            if (!literal) {
                fail("\"" + std::string(word) + "\": a bad %-escape in the PATH pattern (write %XX with two "
                     "hex digits, %25 for a literal %)");
            }
            rule.literals.push_back(*literal);
            rule.pattern += *literal;
            if (star == std::string_view::npos) break;
            rule.pattern += '*';
            start = star + 1;
        }
    }

    void parseAction(const std::string& key, std::string_view word, bool hasValue, std::string_view value,
                     FaultAction& action) const
    {
        const std::string quoted = "\"" + std::string(word) + "\"";
        if (key == "STATUS" || key == "REFUSE") {
            action.kind = key == "STATUS" ? FaultKind::Status : FaultKind::Refuse;
            const auto code = parseUnsigned(value);
            if (!hasValue || !code || *code < 400 || *code > 599) {
                const std::string name = key == "STATUS" ? "status" : "refuse";
                fail(quoted + ": " + name + " takes an HTTP status from 400 to 599, e.g. " + name + "=" +
                     (key == "STATUS" ? "503" : "413"));
            }
            action.status = static_cast<unsigned>(*code);
        } else if (key == "DELAY") {
            action.kind = FaultKind::Delay;
            const auto ms = parseUnsigned(value);
            if (!hasValue || !ms || *ms > kMaxDelayMs) {
                fail(quoted + ": delay takes milliseconds from 0 to " + std::to_string(kMaxDelayMs) +
                     ", e.g. delay=500");
            }
            action.delay = std::chrono::milliseconds(*ms);
        } else {
            action.kind = FaultKind::Cut;
            if (!hasValue) return; // 50%
            if (!value.empty() && value.back() == '%') {
                const auto percent = parseFraction(value.substr(0, value.size() - 1));
                if (!percent || *percent < 0 || *percent > 100) {
                    fail(quoted + ": cut takes a byte count or a percentage from 0% to 100%, e.g. cut=4096 or cut=50%");
                }
                action.cutFraction = *percent / 100;
                return;
            }
            const auto bytes = parseUnsigned(value);
            if (!bytes) fail(quoted + ": cut takes a byte count or a percentage, e.g. cut=4096 or cut=50%");
            action.cutBytes = *bytes;
        }
    }

    std::size_t m_number;
    std::string m_text;
};

} // namespace

std::uint64_t FaultAction::cutPoint(std::uint64_t length) const
{
    if (length == 0) return 0;
    std::uint64_t at = 0;
    if (cutBytes) {
        at = *cutBytes;
    } else {
        const long double scaled = std::floor(static_cast<long double>(length) * cutFraction);
        at = scaled >= static_cast<long double>(length) ? length : static_cast<std::uint64_t>(scaled);
    }
    return std::min(at, length - 1);
}

std::string FaultAction::describe() const
{
    switch (kind) {
    case FaultKind::Status:
        return "status=" + std::to_string(status);
    case FaultKind::Refuse:
        return "refuse=" + std::to_string(status);
    case FaultKind::Delay:
        return "delay=" + std::to_string(delay.count());
    case FaultKind::Cut:
        return cutBytes ? "cut=" + std::to_string(*cutBytes) : "cut=" + formatNumber(cutFraction * 100) + "%";
    }
    return "?";
}

std::string Fault::describe() const
{
    return FaultAction::describe() + ";rule=" + std::to_string(rule) + ";match=" + std::to_string(match);
}

bool FaultRule::matches(std::string_view method, std::string_view path) const
{
    if (!verbs.empty() &&
        std::none_of(verbs.begin(), verbs.end(), [&](const std::string& verb) { return iequals(verb, method); })) {
        return false;
    }
    // `*`-only glob: the first literal is a prefix, the last a suffix, the others appear in
    // order in between (the leftmost occurrence of each is as good as any).
    if (literals.size() == 1) return path == literals.front();
    const std::string& first = literals.front();
    const std::string& last = literals.back();
    if (path.size() < first.size() + last.size() || !path.starts_with(first) || !path.ends_with(last)) return false;
    std::size_t pos = first.size();
    const std::size_t end = path.size() - last.size();
    for (std::size_t i = 1; i + 1 < literals.size(); ++i) {
        const std::size_t found = path.find(literals[i], pos);
        if (found == std::string_view::npos || found + literals[i].size() > end) return false;
        pos = found + literals[i].size();
    }
    return true;
}

FaultPlan FaultPlan::parse(std::string_view spec, std::uint64_t seed)
{
    FaultPlan plan;
    plan.m_seed = seed;
    std::size_t start = 0;
    while (start <= spec.size()) {
        const std::size_t semicolon = spec.find(';', start);
        const std::string_view piece =
            spec.substr(start, semicolon == std::string_view::npos ? std::string_view::npos : semicolon - start);
        std::vector<std::string_view> words;
        for (std::size_t i = 0; i < piece.size();) {
            while (i < piece.size() && isSpace(piece[i])) ++i;
            const std::size_t wordStart = i;
            while (i < piece.size() && !isSpace(piece[i])) ++i;
            if (i > wordStart) words.push_back(piece.substr(wordStart, i - wordStart));
        }
        if (!words.empty()) {
            std::string text;
            for (const auto word : words) {
                if (!text.empty()) text += ' ';
                text += word;
            }
            RuleParser parser(plan.m_rules.size() + 1, std::move(text));
            plan.m_rules.push_back(parser.parse(words));
        }
        if (semicolon == std::string_view::npos) break;
        start = semicolon + 1;
    }
    plan.m_counters = std::make_unique<std::atomic<std::uint64_t>[]>(plan.m_rules.size());
    for (std::size_t i = 0; i < plan.m_rules.size(); ++i) plan.m_counters[i].store(0);
    return plan;
}

double FaultPlan::draw(std::uint64_t seed, std::size_t rule, std::uint64_t k)
{
    const std::uint64_t h = splitmix64(splitmix64(splitmix64(seed) ^ static_cast<std::uint64_t>(rule)) ^ k);
    return static_cast<double>(h >> 11) * 0x1.0p-53;
}

std::optional<Fault> FaultPlan::decide(std::string_view method, std::string_view path) const
{
    for (std::size_t i = 0; i < m_rules.size(); ++i) {
        const FaultRule& rule = m_rules[i];
        if (!rule.matches(method, path)) continue;
        const std::uint64_t k = m_counters[i].fetch_add(1, std::memory_order_relaxed);
        if (k < rule.after) return std::nullopt;
        if (rule.count && k - rule.after >= *rule.count) return std::nullopt;
        if (!(draw(m_seed, i, k) < rule.probability)) return std::nullopt;
        Fault fault;
        static_cast<FaultAction&>(fault) = rule.action;
        fault.rule = i + 1;
        fault.match = k;
        return fault;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parseFaultSeed(std::string_view text)
{
    return parseUnsigned(text);
}

} // namespace nubo::server
