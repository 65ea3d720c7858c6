// Deterministic fault injection for nubo-server (--faults SPEC, --seed N): rules that make
// chosen requests fail with a status, wait before being served, or lose their connection
// half-way through a body, so that a sync client's error handling can be tested reproducibly.
//
// SPEC is a list of rules separated by ';'; a rule is whitespace-separated words:
//
//     VERB PATH ACTION [p=FRACTION] [count=N] [after=N]
//
//   VERB    a method (GET, PUT, PROPFIND, ...; case-insensitive), several joined by '|'
//           (GET|HEAD), or '*' for any
//   PATH    a glob matched against the whole percent-decoded path (no query): '*' matches any
//           run of characters, '/' included; everything else is literal. It is itself
//           percent-decoded, so %20 is a space, %3B a ';' and %2A a literal '*'. It starts with
//           '/' or '*'.
//   ACTION  status=CODE     answer CODE (400..599) without running the request (state unchanged)
//           refuse=CODE     answer CODE (400..599) as soon as the headers are in, without reading
//                           the body, and close the connection (as a web server with a body
//                           size limit does): a client still sending sees its reply, or a reset
//           delay=MS        wait MS milliseconds (0..3600000), then serve normally
//           cut[=BYTES|PCT%] drop the connection half-way through a body: a request that carries
//                           a body (upload) is read up to that point and the socket closed
//                           without a reply; otherwise the request is served and its reply cut
//                           after the headers and that much of the body (a reply without a body
//                           is dropped whole). Never the whole body; plain `cut` means 50%.
//   p=      the probability (0..1, default 1) that a matching request gets the fault
//   count=  only the first N matching requests (after the skipped ones) may get it
//   after=  the first N matching requests are let through untouched
//
// The first rule whose VERB and PATH match a request decides it (later rules are not consulted
// even when it decides "no fault"). Each rule numbers the requests it decides k = 0, 1, 2, ...
// and the decision for the k-th depends only on (seed, rule index, k), never on timing.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nubo::server {

// A malformed SPEC; what() names the rule and the word at fault.
class FaultSpecError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

enum class FaultKind { Status, Refuse, Delay, Cut };

struct FaultAction {
    FaultKind kind = FaultKind::Status;
    unsigned status = 0;                  // Status, Refuse
    std::chrono::milliseconds delay{0};   // Delay
    std::optional<std::uint64_t> cutBytes; // Cut at this many body bytes, or else
    double cutFraction = 0.5;             // at this fraction of the body length

    // How many of `length` body bytes get through before a cut: always < length when
    // length > 0 (0 when length is 0).
    std::uint64_t cutPoint(std::uint64_t length) const;
    std::string describe() const; // "status=503", "refuse=413", "delay=200", "cut=1000", "cut=50%"
};

struct FaultRule {
    std::vector<std::string> verbs; // upper case; empty for any
    std::string pattern;            // percent-decoded, for messages
    std::vector<std::string> literals; // the pattern split at its wildcards (literals.size() - 1 of them)
    FaultAction action;
    double probability = 1.0;
    std::optional<std::uint64_t> count;
    std::uint64_t after = 0;
    std::string text; // the rule as written

    bool matches(std::string_view method, std::string_view path) const;
};

// One injected fault: what to do, and which rule's which match chose it.
struct Fault : FaultAction {
    std::size_t rule = 0;    // 1-based, as in messages and logs
    std::uint64_t match = 0; // k: 0 for the first request the rule decided
    // "status=503;rule=1;match=0", for X-Nubo-Fault and (without spaces) the access log.
    std::string describe() const;
};

class FaultPlan {
public:
    FaultPlan() = default;
    // Throws FaultSpecError. An empty SPEC (or only ';' and spaces) gives a plan without rules.
    static FaultPlan parse(std::string_view spec, std::uint64_t seed = 0);

    FaultPlan(FaultPlan&&) = default;
    FaultPlan& operator=(FaultPlan&&) = default;

    // Thread-safe. Advances the counter of the first matching rule, if any.
    std::optional<Fault> decide(std::string_view method, std::string_view path) const;

    const std::vector<FaultRule>& rules() const { return m_rules; }
    std::uint64_t seed() const { return m_seed; }
    bool empty() const { return m_rules.empty(); }

    // The draw in [0, 1) for the k-th match of rule `rule` (0-based) under `seed`; a match gets
    // the fault when it is below the rule's probability.
    static double draw(std::uint64_t seed, std::size_t rule, std::uint64_t k);

private:
    std::vector<FaultRule> m_rules;
    std::uint64_t m_seed = 0;
    std::unique_ptr<std::atomic<std::uint64_t>[]> m_counters;
};

// Parses the decimal --seed value; nullopt when it is not an unsigned 64-bit number.
std::optional<std::uint64_t> parseFaultSeed(std::string_view text);

} // namespace nubo::server
