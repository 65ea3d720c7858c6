// Throughput of the streaming file cipher (encryptFile / decryptFile), compared with
// `openssl speed`, plus peak memory and the cost of the mnemonic key derivation.
//
//   nubo-bench-e2ee [--size-mib N] [--skip-kdf]
//
// The plaintext is generated on the fly from one 256 KiB random block and the ciphertext
// goes to a discarding sink or to an (already unlinked) temporary file, so memory stays
// constant whatever N is. Only the cipher calls are timed. Targets are printed, never
// enforced: the exit status is non-zero only when something actually fails.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "encoding.h"
#include "error.h"
#include "file_cipher.h"
#include "keys.h"
#include "mnemonic.h"
#include "private_key_envelope.h"
#include "streams.h"

namespace {

using namespace nubo::e2ee;

constexpr std::size_t kPatternSize = 256 * 1024;
constexpr std::uint64_t kWarmupBytes = 64ULL * 1024 * 1024;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kTargetRatio = 80.0;  // percent of `openssl speed`
constexpr double kTargetRssMiB = 32.0; // peak resident set size

// Keeps the compiler from proving that the sinks' input is unused.
volatile std::uint8_t g_guard = 0;

void touch(ByteView data)
{
    if (!data.empty()) g_guard = static_cast<std::uint8_t>(g_guard ^ data.front());
}

// Hands out `total` bytes by repeating one block of random bytes.
class PatternSource final : public ByteSource {
public:
    PatternSource(ByteView pattern, std::uint64_t total) : m_pattern(pattern), m_remaining(total) {}

    Result<std::size_t> read(std::span<std::uint8_t> buffer) override
    {
        std::size_t done = 0;
        while (done < buffer.size() && m_remaining > 0) {
            const std::size_t n = std::min({buffer.size() - done, m_pattern.size() - m_offset,
                                            static_cast<std::size_t>(std::min<std::uint64_t>(m_remaining, SIZE_MAX))});
            std::memcpy(buffer.data() + done, m_pattern.data() + m_offset, n);
            done += n;
            m_remaining -= n;
            m_offset = (m_offset + n) % m_pattern.size();
        }
        return done;
    }

private:
    ByteView m_pattern;
    std::uint64_t m_remaining;
    std::size_t m_offset = 0;
};

class DiscardSink final : public ByteSink {
public:
    Result<void> write(ByteView data) override
    {
        touch(data);
        m_written += data.size();
        return {};
    }
    std::uint64_t written() const { return m_written; }

private:
    std::uint64_t m_written = 0;
};

// Keeps what is written, for the small in-memory blob.
class BufferSink final : public ByteSink {
public:
    Result<void> write(ByteView data) override
    {
        m_data.insert(m_data.end(), data.begin(), data.end());
        return {};
    }
    ByteView data() const { return m_data; }

private:
    std::vector<std::uint8_t> m_data;
};

// Discards the plaintext and records which of commit()/discard() decryption called.
class DiscardAuthenticatedSink final : public AuthenticatedSink {
public:
    Result<void> write(ByteView data) override
    {
        touch(data);
        m_written += data.size();
        return {};
    }
    Result<void> commit() override
    {
        m_committed = true;
        return {};
    }
    void discard() noexcept override { m_discarded = true; }

    std::uint64_t written() const { return m_written; }
    bool committed() const { return m_committed && !m_discarded; }

private:
    std::uint64_t m_written = 0;
    bool m_committed = false;
    bool m_discarded = false;
};

class FileSink final : public ByteSink {
public:
    explicit FileSink(std::FILE* file) : m_file(file) {}
    Result<void> write(ByteView data) override
    {
        if (std::fwrite(data.data(), 1, data.size(), m_file) != data.size()) {
            return fail(ErrorCode::Io, std::string("cannot write the temporary file: ") + std::strerror(errno));
        }
        return {};
    }

private:
    std::FILE* m_file;
};

class FileSource final : public ByteSource {
public:
    explicit FileSource(std::FILE* file) : m_file(file) {}
    Result<std::size_t> read(std::span<std::uint8_t> buffer) override
    {
        const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), m_file);
        if (n == 0 && std::ferror(m_file)) {
            return fail(ErrorCode::Io, std::string("cannot read the temporary file: ") + std::strerror(errno));
        }
        return n;
    }

private:
    std::FILE* m_file;
};

// A temporary file that is unlinked as soon as it is created, so it disappears when it
// is closed, also if the benchmark is interrupted.
class TempFile {
public:
    static std::optional<TempFile> create()
    {
        const char* dir = std::getenv("TMPDIR");
        std::string path = (dir != nullptr && *dir != '\0') ? dir : "/tmp";
        path += "/nubo-bench-e2ee-XXXXXX";
        const int fd = ::mkstemp(path.data());
        if (fd < 0) {
            std::fprintf(stderr, "cannot create a temporary file %s: %s\n", path.c_str(), std::strerror(errno));
            return std::nullopt;
        }
        ::unlink(path.c_str());
        std::FILE* file = ::fdopen(fd, "w+b");
        if (file == nullptr) {
            std::fprintf(stderr, "cannot open the temporary file: %s\n", std::strerror(errno));
            ::close(fd);
            return std::nullopt;
        }
        return TempFile(file, std::move(path));
    }

    TempFile(TempFile&& other) noexcept : m_file(std::exchange(other.m_file, nullptr)), m_path(std::move(other.m_path))
    {
    }
    TempFile& operator=(TempFile&&) = delete;
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile()
    {
        if (m_file != nullptr) std::fclose(m_file);
    }

    std::FILE* get() const { return m_file; }
    const std::string& path() const { return m_path; }

private:
    TempFile(std::FILE* file, std::string path) : m_file(file), m_path(std::move(path)) {}
    std::FILE* m_file;
    std::string m_path;
};

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double mibPerSecond(std::uint64_t bytes, double seconds)
{
    return seconds > 0 ? static_cast<double>(bytes) / kMiB / seconds : 0.0;
}

int reportError(const char* what, const Error& error)
{
    std::fprintf(stderr, "%s failed: %s\n", what, error.message.c_str());
    return 1;
}

double peakRssMiB()
{
    rusage usage{};
    if (::getrusage(RUSAGE_SELF, &usage) != 0) return -1.0;
    return static_cast<double>(usage.ru_maxrss) / 1024.0; // ru_maxrss is in KiB on Linux
}

const char* verdict(bool met)
{
    return met ? "met" : "NOT met";
}

// The 16384-byte rate of `openssl speed -evp aes-128-gcm`, in bytes per second.
struct OpensslRate {
    bool found = false;
    std::optional<double> bytesPerSecond;
};

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

// Parses the last field of the `AES-128-GCM ...` line, e.g. `4567890.12k` (1000s of bytes/s).
std::optional<double> parseOpensslSpeed(const std::string& output)
{
    std::optional<double> rate;
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
        const std::size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos) continue;
        const std::string_view trimmed = std::string_view(line).substr(start);
        if (!startsWithIgnoringCase(trimmed, "AES-128-GCM")) continue;
        std::istringstream fields{std::string(trimmed)};
        std::string field, last;
        while (fields >> field)
            last = field;
        if (last.empty()) continue;
        double scale = 1.0;
        const char suffix = last.back();
        if (suffix == 'k' || suffix == 'K') {
            scale = 1000.0;
            last.pop_back();
        }
        if (last.empty()) continue;
        char* end = nullptr;
        errno = 0;
        const double value = std::strtod(last.c_str(), &end);
        if (errno != 0 || end == last.c_str() || *end != '\0' || !(value > 0)) continue;
        rate = value * scale;
    }
    return rate;
}

OpensslRate runOpensslSpeed(bool decrypt)
{
    OpensslRate result;
    if (std::system("command -v openssl >/dev/null 2>&1") != 0) return result;
    result.found = true;
    std::FILE* pipe = ::popen(decrypt ? "openssl speed -decrypt -evp aes-128-gcm -bytes 16384 -seconds 3 2>/dev/null"
                                      : "openssl speed -evp aes-128-gcm -bytes 16384 -seconds 3 2>/dev/null",
                              "r");
    if (pipe == nullptr) return result;
    std::string output;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        output.append(buffer, n);
    const int status = ::pclose(pipe);
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        result.found = false;
        return result;
    }
    result.bytesPerSecond = parseOpensslSpeed(output);
    return result;
}

void printUsage(const char* argv0)
{
    std::printf("usage: %s [--size-mib N] [--skip-kdf]\n"
                "  --size-mib N  plaintext size in MiB (default 1024)\n"
                "  --skip-kdf    do not time PBKDF2 and the private key unwrap\n",
                argv0);
}

struct Options {
    std::uint64_t sizeMib = 1024;
    bool skipKdf = false;
};

std::optional<std::uint64_t> parseSize(const char* text)
{
    if (text == nullptr || *text == '\0' || *text == '-') return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(text, &end, 10);
    // Bounded so that the byte count fits comfortably in 64 bits.
    if (errno != 0 || *end != '\0' || value == 0 || value > (1ULL << 40)) return std::nullopt;
    return static_cast<std::uint64_t>(value);
}

// Returns the exit status to use when parsing ends the program.
std::optional<int> parseOptions(int argc, char** argv, Options& options)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        std::optional<std::uint64_t> size;
        if (arg == "--size-mib") {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "--size-mib needs a value\n");
                return 2;
            }
            size = parseSize(argv[++i]);
            if (!size) {
                std::fprintf(stderr, "--size-mib: not a positive number of MiB: %s\n", argv[i]);
                return 2;
            }
            options.sizeMib = *size;
        } else if (arg.starts_with("--size-mib=")) {
            size = parseSize(argv[i] + std::strlen("--size-mib="));
            if (!size) {
                std::fprintf(stderr, "--size-mib: not a positive number of MiB: %s\n", argv[i]);
                return 2;
            }
            options.sizeMib = *size;
        } else if (arg == "--skip-kdf") {
            options.skipKdf = true;
        } else if (arg == "-h" || arg == "--help") {
            printUsage(argv[0]);
            return 0;
        } else {
            std::fprintf(stderr, "unknown option: %s\n", argv[i]);
            printUsage(argv[0]);
            return 2;
        }
    }
    return std::nullopt;
}

void printRate(const char* label, double mibps, double seconds)
{
    std::printf("%-22s%10.1f MiB/s  (%.3f s)\n", label, mibps, seconds);
}

void printRatio(const char* label, double percent)
{
    std::printf("%-22s%10.1f %%      (target >= %.0f %%: %s)\n", label, percent, kTargetRatio,
                verdict(percent >= kTargetRatio));
}

void printMillis(const char* label, double seconds)
{
    std::printf("%-22s%10.1f ms\n", label, seconds * 1000.0);
}

int run(const Options& options)
{
    const std::uint64_t totalBytes = options.sizeMib * 1024ULL * 1024ULL;
    std::printf("nubo e2ee benchmark (%llu MiB, AES-128-GCM, %zu-byte nonce)\n",
                static_cast<unsigned long long>(options.sizeMib), kFileNonceSize);
    double load[1] = {0};
    if (::getloadavg(load, 1) == 1) {
        std::printf("load average %.2f on %ld CPUs%s\n", load[0], ::sysconf(_SC_NPROCESSORS_ONLN),
                    load[0] >= 0.5 ? " (other work is running: the figures will be noisy)" : "");
    }
    std::fflush(stdout);

    auto random = randomBytes(kPatternSize);
    if (!random) return reportError("generating the plaintext pattern", random.error());
    const std::vector<std::uint8_t> pattern(random->begin(), random->end());

    // 0. Untimed warm-up, so the first measurement does not pay for CPU frequency ramp-up,
    // lazy OpenSSL initialisation and first-touch page faults.
    {
        auto key = FileKey::generate();
        if (!key) return reportError("FileKey::generate", key.error());
        PatternSource source(pattern, std::min<std::uint64_t>(totalBytes, kWarmupBytes));
        DiscardSink sink;
        if (auto warm = encryptFile(std::move(*key), source, sink); !warm) {
            return reportError("encryptFile (warm-up)", warm.error());
        }
    }

    // 1. Encrypt into a discarding sink: the cipher alone.
    double encryptMemSeconds = 0;
    {
        auto key = FileKey::generate();
        if (!key) return reportError("FileKey::generate", key.error());
        PatternSource source(pattern, totalBytes);
        DiscardSink sink;
        const auto start = Clock::now();
        auto encrypted = encryptFile(std::move(*key), source, sink);
        encryptMemSeconds = secondsSince(start);
        if (!encrypted) return reportError("encryptFile (memory)", encrypted.error());
        if (encrypted->plaintextSize != totalBytes || sink.written() != totalBytes + kGcmTagSize) {
            std::fprintf(stderr, "encryptFile (memory) processed an unexpected number of bytes\n");
            return 1;
        }
    }

    // 1b. Decrypt from memory: the cipher alone, on whole 4 MiB blobs decrypted one after
    // another (each a complete authenticated decryption) until totalBytes have been processed.
    double decryptMemSeconds = 0;
    {
        constexpr std::uint64_t kBlobBytes = 4ULL * 1024 * 1024;
        auto key = FileKey::generate();
        if (!key) return reportError("FileKey::generate", key.error());
        PatternSource source(pattern, kBlobBytes);
        BufferSink blobSink;
        auto encrypted = encryptFile(std::move(*key), source, blobSink);
        if (!encrypted) return reportError("encryptFile (blob)", encrypted.error());
        const std::uint64_t rounds = std::max<std::uint64_t>(1, totalBytes / kBlobBytes);
        const auto start = Clock::now();
        for (std::uint64_t round = 0; round < rounds; ++round) {
            MemorySource blob(blobSink.data());
            DiscardAuthenticatedSink plainSink;
            auto decrypted = decryptFile(encrypted->key, encrypted->nonce, ByteView(encrypted->tag), blob, plainSink);
            if (!decrypted) return reportError("decryptFile (memory)", decrypted.error());
            if (*decrypted != kBlobBytes || !plainSink.committed()) {
                std::fprintf(stderr, "decryptFile (memory) did not return the whole plaintext, or did not commit\n");
                return 1;
            }
        }
        decryptMemSeconds =
            secondsSince(start) * static_cast<double>(totalBytes) / static_cast<double>(rounds * kBlobBytes);
    }

    // 2. Encrypt into a temporary file, 3. decrypt it back (from the page cache).
    auto temp = TempFile::create();
    if (!temp) return 1;
    double encryptFileSeconds = 0;
    double decryptSeconds = 0;
    {
        auto key = FileKey::generate();
        if (!key) return reportError("FileKey::generate", key.error());
        PatternSource source(pattern, totalBytes);
        FileSink fileSink(temp->get());
        const auto start = Clock::now();
        auto encrypted = encryptFile(std::move(*key), source, fileSink);
        const bool flushed = encrypted && std::fflush(temp->get()) == 0;
        encryptFileSeconds = secondsSince(start);
        if (!encrypted) return reportError("encryptFile (file)", encrypted.error());
        if (!flushed) {
            std::fprintf(stderr, "cannot write the temporary file %s: %s\n", temp->path().c_str(),
                         std::strerror(errno));
            return 1;
        }
        if (encrypted->plaintextSize != totalBytes) {
            std::fprintf(stderr, "encryptFile (file) processed an unexpected number of bytes\n");
            return 1;
        }
        std::rewind(temp->get());

        FileSource fileSource(temp->get());
        DiscardAuthenticatedSink plainSink;
        const auto decryptStart = Clock::now();
        auto decrypted = decryptFile(encrypted->key, encrypted->nonce, ByteView(encrypted->tag), fileSource, plainSink);
        decryptSeconds = secondsSince(decryptStart);
        if (!decrypted) return reportError("decryptFile", decrypted.error());
        if (*decrypted != totalBytes || plainSink.written() != totalBytes || !plainSink.committed()) {
            std::fprintf(stderr, "decryptFile did not return the whole plaintext, or did not commit\n");
            return 1;
        }
    }
    temp.reset(); // closes, and so deletes, the temporary file

    const double rssMiB = peakRssMiB();
    const double encryptMem = mibPerSecond(totalBytes, encryptMemSeconds);
    const double encryptFileRate = mibPerSecond(totalBytes, encryptFileSeconds);
    const double decrypt = mibPerSecond(totalBytes, decryptSeconds);
    const double decryptMem = mibPerSecond(totalBytes, decryptMemSeconds);
    printRate("encrypt (memory)", encryptMem, encryptMemSeconds);
    printRate("decrypt (memory)", decryptMem, decryptMemSeconds);
    printRate("encrypt (to file)", encryptFileRate, encryptFileSeconds);
    printRate("decrypt (from file)", decrypt, decryptSeconds);
    std::fflush(stdout);

    // Each direction against openssl's own figure for it: GCM decryption is a little slower.
    const OpensslRate opensslEncrypt = runOpensslSpeed(false);
    const OpensslRate opensslDecrypt = opensslEncrypt.found ? runOpensslSpeed(true) : OpensslRate{};
    if (!opensslEncrypt.found) {
        std::printf("%-22sopenssl not found\n", "openssl speed 16 KiB");
    } else if (!opensslEncrypt.bytesPerSecond || !opensslDecrypt.bytesPerSecond) {
        std::printf("%-22scould not parse the output of `openssl speed`\n", "openssl speed 16 KiB");
    } else {
        const double encryptReference = *opensslEncrypt.bytesPerSecond / kMiB;
        const double decryptReference = *opensslDecrypt.bytesPerSecond / kMiB;
        std::printf("%-22s%10.1f MiB/s\n", "openssl enc 16 KiB", encryptReference);
        std::printf("%-22s%10.1f MiB/s\n", "openssl dec 16 KiB", decryptReference);
        printRatio("encrypt / openssl", 100.0 * encryptMem / encryptReference);
        printRatio("decrypt / openssl", 100.0 * decryptMem / decryptReference);
    }
    if (rssMiB < 0) {
        std::printf("%-22sunavailable\n", "peak RSS");
    } else {
        std::printf("%-22s%10.1f MiB    (target < %.0f MiB: %s)\n", "peak RSS", rssMiB, kTargetRssMiB,
                    verdict(rssMiB < kTargetRssMiB));
    }
    std::fflush(stdout);

    if (options.skipKdf) return 0;

    auto mnemonic = generateMnemonic();
    if (!mnemonic) return reportError("generateMnemonic", mnemonic.error());
    const SecureString password = mnemonicPassword(*mnemonic);
    auto salt = randomBytes(40);
    if (!salt) return reportError("generating a salt", salt.error());

    struct Variant {
        KdfVariant variant;
        const char* label;
    };
    const Variant variants[] = {
        {KdfVariant::Sha256x600000, "pbkdf2 sha256 x600000"},
        {KdfVariant::Sha1x600000, "pbkdf2 sha1 x600000"},
        {KdfVariant::Sha1x1024, "pbkdf2 sha1 x1024"},
    };
    for (const Variant& v : variants) {
        const auto start = Clock::now();
        auto derived = pbkdf2(v.variant, password, *salt);
        const double seconds = secondsSince(start);
        if (!derived) return reportError(v.label, derived.error());
        touch(*derived);
        printMillis(v.label, seconds);
        std::fflush(stdout);
    }

    auto privateKey = PrivateKey::generateRsa();
    if (!privateKey) return reportError("PrivateKey::generateRsa", privateKey.error());
    auto envelope = wrapPrivateKey(*privateKey, *mnemonic);
    if (!envelope) return reportError("wrapPrivateKey", envelope.error());
    const auto start = Clock::now();
    auto unwrapped = unwrapPrivateKey(*envelope, *mnemonic);
    const double unwrapSeconds = secondsSince(start);
    if (!unwrapped) return reportError("unwrapPrivateKey", unwrapped.error());
    if (unwrapped->variant != KdfVariant::Sha256x600000) {
        std::fprintf(stderr, "unwrapPrivateKey used an unexpected KDF variant\n");
        return 1;
    }
    printMillis("unwrapPrivateKey", unwrapSeconds);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    Options options;
    if (auto exitCode = parseOptions(argc, argv, options)) return *exitCode;
    return run(options);
}
