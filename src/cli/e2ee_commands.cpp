#include "e2ee_commands.h"

#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "arguments.h"
#include "cms_signature.h"
#include "encoding.h"
#include "file_cipher.h"
#include "metadata.h"
#include "output_file.h"
#include "private_key_envelope.h"
#include "self_test.h"
#include "trust.h"

namespace nubo::cli {

using namespace nubo::e2ee;

namespace {

constexpr std::size_t kMaxSmallInput = 1024 * 1024; // keys, mnemonics, envelopes, signatures

int exitCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::MalformedInput:
    case ErrorCode::UnknownWord: return ExitMalformed;
    case ErrorCode::DecryptionFailed:
    case ErrorCode::WrongMnemonic: return ExitDecryption;
    case ErrorCode::VerificationFailed: return ExitVerification;
    case ErrorCode::Io:
    case ErrorCode::Internal: return ExitFailure;
    }
    return ExitFailure;
}

int report(const Error& error, std::string_view context = {})
{
    std::cerr << "nubocmd: " << context << (context.empty() ? "" : ": ") << error.message << "\n";
    return exitCodeFor(error.code);
}

int usage(const std::string& message)
{
    std::cerr << "nubocmd: " << message << " (see nubocmd e2ee --help)\n";
    return ExitUsage;
}

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    return text;
}

Result<SecureBytes> decodeOption(const Arguments& args, const std::string& name, std::size_t expectedA,
                                 std::size_t expectedB = 0)
{
    auto decoded = base64Decode(*args.option(name));
    if (!decoded) return fail(ErrorCode::MalformedInput, name + " is not valid base64");
    if (decoded->size() != expectedA && decoded->size() != (expectedB ? expectedB : expectedA)) {
        return fail(ErrorCode::MalformedInput, name + " decodes to " + std::to_string(decoded->size()) +
                                                   " bytes, expected " + std::to_string(expectedA) +
                                                   (expectedB ? " or " + std::to_string(expectedB) : ""));
    }
    return decoded;
}

int selfTestCommand(const std::vector<std::string>& rest)
{
    if (!rest.empty()) return usage("self-test takes no arguments");
    if (auto ok = selfTest(); !ok) return report(ok.error());
    std::cout << "self-test passed: AES-128-GCM (NIST), PBKDF2-HMAC-SHA1 (RFC 6070), PBKDF2-HMAC-SHA256 (RFC 7914), "
                 "RSA-OAEP-SHA256 round trip\n";
    return ExitOk;
}

int unwrapKeyCommand(const std::vector<std::string>& rest)
{
    Arguments args;
    if (auto problem = parseArguments(rest, {"--mnemonic-file", "--envelope"}, {}, args)) return usage(*problem);
    if (!args.has("--mnemonic-file") || !args.has("--envelope") || !args.positional.empty()) {
        return usage("unwrap-key needs --mnemonic-file F and --envelope F");
    }
    if (*args.option("--mnemonic-file") == "-" && *args.option("--envelope") == "-") {
        return usage("only one of --mnemonic-file and --envelope can read standard input");
    }
    auto mnemonic = readInput(*args.option("--mnemonic-file"), kMaxSmallInput);
    if (!mnemonic) return report(mnemonic.error());
    auto envelopeText = readInput(*args.option("--envelope"), kMaxSmallInput);
    if (!envelopeText) return report(envelopeText.error());
    auto envelope = PrivateKeyEnvelope::parse(*envelopeText);
    if (!envelope) return report(envelope.error());
    auto unwrapped = unwrapPrivateKey(*envelope, *mnemonic);
    if (!unwrapped) return report(unwrapped.error());
    const SecureString pem = unwrapped->key.toPkcs8Pem();
    std::cout.write(pem.data(), static_cast<std::streamsize>(pem.size()));
    std::cout.flush();
    return std::cout ? ExitOk : ExitFailure;
}

struct OpenedMetadata {
    SecureBytes metadataKey;
    FolderMetadata metadata;
};

Result<SecureBytes> metadataKeyFrom(const Arguments& args, const MetadataDocument& doc)
{
    if (args.has("--metadata-key")) return decodeOption(args, "--metadata-key", kMetadataKeySize);
    auto pem = readInput(*args.option("--private-key"), kMaxSmallInput);
    if (!pem) return std::unexpected(pem.error());
    auto key = PrivateKey::fromPem(*pem);
    if (!key) return std::unexpected(key.error());
    if (doc.users.empty()) {
        return fail(ErrorCode::MalformedInput,
                    "this metadata has no users (a nested folder): pass its top-level folder's --metadata-key");
    }
    const UserEntry* entry = nullptr;
    if (auto user = args.option("--user")) {
        for (const UserEntry& candidate : doc.users) {
            if (candidate.userId == *user) entry = &candidate;
        }
        if (entry == nullptr) return fail(ErrorCode::DecryptionFailed, "user \"" + *user + "\" is not in the metadata");
    } else {
        // Without --user, the entry whose certificate belongs to the key.
        for (const UserEntry& candidate : doc.users) {
            auto certificate = Certificate::fromPem(candidate.certificatePem);
            if (certificate && certificate->matches(*key)) entry = &candidate;
        }
        if (entry == nullptr) {
            return fail(ErrorCode::DecryptionFailed, "no user in the metadata has a certificate for this private key");
        }
    }
    return decryptMetadataKey(*entry, *key);
}

int openMetadataCommand(const std::vector<std::string>& rest)
{
    Arguments args;
    if (auto problem = parseArguments(rest,
                                      {"--metadata", "--private-key", "--user", "--metadata-key", "--signature",
                                       "--server-key", "--parent-metadata"},
                                      {}, args)) {
        return usage(*problem);
    }
    if (!args.has("--metadata") || !args.positional.empty()) return usage("open-metadata needs --metadata F");
    if (args.has("--private-key") == args.has("--metadata-key")) {
        return usage("open-metadata needs either --private-key F [--user ID] or --metadata-key B64");
    }
    if (args.has("--signature") != args.has("--server-key")) {
        return usage("verifying needs both --signature F and --server-key F (the pinned server public key)");
    }
    auto text = readInput(*args.option("--metadata"), kMaxMetadataDocumentSize + 1024);
    if (!text) return report(text.error());
    auto doc = parseMetadataDocument(*text);
    if (!doc) return report(doc.error());

    auto metadataKey = metadataKeyFrom(args, *doc);
    if (!metadataKey) return report(metadataKey.error());
    auto metadata = decryptFolderMetadata(*doc, *metadataKey);
    if (!metadata) return report(metadata.error());

    nlohmann::json verified = nullptr;
    std::optional<TrustFailure> failure;
    if (args.has("--signature")) {
        auto signatureText = readInput(*args.option("--signature"), kMaxSmallInput);
        if (!signatureText) return report(signatureText.error());
        auto serverKeyPem = readInput(*args.option("--server-key"), kMaxSmallInput);
        if (!serverKeyPem) return report(serverKeyPem.error());
        auto serverKey = PublicKey::fromPem(*serverKeyPem);
        if (!serverKey) return report(serverKey.error(), "--server-key");

        std::optional<VerifiedFolder> parent;
        if (auto parentPath = args.option("--parent-metadata")) {
            auto parentText = readInput(*parentPath, kMaxMetadataDocumentSize + 1024);
            if (!parentText) return report(parentText.error());
            auto parentDoc = parseMetadataDocument(*parentText);
            if (!parentDoc) return report(parentDoc.error(), "--parent-metadata");
            parent.emplace();
            parent->document = std::move(*parentDoc);
            parent->metadataKey = *metadataKey;
        } else if (doc->users.empty()) {
            return usage("a nested folder's signature is checked against its top-level folder's users: "
                         "add --parent-metadata F");
        }
        const std::string_view trimmedSignature =
            trimmed(std::string_view(signatureText->data(), signatureText->size()));
        TrustRequest request;
        request.metadata = std::string_view(text->data(), text->size());
        request.signature = asBytes(trimmedSignature);
        request.serverKey = &*serverKey;
        request.metadataKey = ByteView(*metadataKey);
        request.topLevel = parent ? &*parent : nullptr;
        auto result = verifyFolder(request);
        if (result) {
            verified = true;
        } else {
            verified = false;
            failure = result.error();
        }
    }

    nlohmann::ordered_json out = {{"version", doc->version},
                                  {"verified", verified},
                                  {"metadataKey", base64Encode(*metadataKey)},
                                  {"metadata", nlohmann::ordered_json(toJson(*metadata))}};
    if (failure) {
        out["verificationError"] = {{"check", trustCheckName(failure->check)}, {"message", failure->message}};
    }
    std::cout << out.dump(2) << "\n";
    if (failure) {
        std::cerr << "nubocmd: verification failed (" << trustCheckName(failure->check) << "): " << failure->message
                  << "\n";
        return ExitVerification;
    }
    return std::cout ? ExitOk : ExitFailure;
}

struct Streams {
    std::ifstream file;
    std::unique_ptr<IstreamSource> source;
    std::unique_ptr<OutputFile> sink;
};

std::optional<int> openStreams(const std::vector<std::string>& positional, Streams& streams)
{
    if (positional.size() != 2) return usage("expected IN and OUT");
    if (positional[1] == "-") return usage("OUT must be a file, so that nothing unverified is ever visible");
    std::istream* in = &std::cin;
    if (positional[0] != "-") {
        streams.file.open(positional[0], std::ios::binary);
        if (!streams.file) return report(Error{ErrorCode::Io, "cannot open " + positional[0]});
        in = &streams.file;
    }
    streams.source = std::make_unique<IstreamSource>(*in);
    auto sink = OutputFile::open(positional[1]);
    if (!sink) return report(sink.error());
    streams.sink = std::move(*sink);
    return std::nullopt;
}

int decryptFileCommand(const std::vector<std::string>& rest)
{
    Arguments args;
    if (auto problem = parseArguments(rest, {"--key", "--nonce", "--tag"}, {}, args)) return usage(*problem);
    if (!args.has("--key") || !args.has("--nonce")) return usage("decrypt-file needs --key B64 and --nonce B64");
    auto key = decodeOption(args, "--key", kFileKeySize);
    if (!key) return report(key.error());
    auto nonce = decodeOption(args, "--nonce", 16, 12);
    if (!nonce) return report(nonce.error());
    std::optional<SecureBytes> tag;
    if (args.has("--tag")) {
        auto decoded = decodeOption(args, "--tag", kGcmTagSize);
        if (!decoded) return report(decoded.error());
        tag = std::move(*decoded);
    }
    Streams streams;
    if (auto code = openStreams(args.positional, streams)) return *code;
    auto result =
        decryptFile(*key, *nonce, tag ? std::optional<ByteView>(*tag) : std::nullopt, *streams.source, *streams.sink);
    if (!result) return report(result.error(), args.positional[0]);
    return ExitOk;
}

int encryptFileCommand(const std::vector<std::string>& rest)
{
    Arguments args;
    if (auto problem = parseArguments(rest, {"--key", "--nonce"}, {}, args)) return usage(*problem);
    if (!args.has("--key") || !args.has("--nonce")) return usage("encrypt-file needs --key B64 and --nonce B64");
    auto key = decodeOption(args, "--key", kFileKeySize);
    if (!key) return report(key.error());
    auto nonce = decodeOption(args, "--nonce", 16, 12);
    if (!nonce) return report(nonce.error());
    auto fileKey = FileKey::fromCallerSupplied(*key, *nonce);
    if (!fileKey) return report(fileKey.error());
    Streams streams;
    if (auto code = openStreams(args.positional, streams)) return *code;
    auto result = encryptFile(std::move(*fileKey), *streams.source, *streams.sink);
    if (!result) {
        streams.sink->discard();
        return report(result.error(), args.positional[0]);
    }
    if (auto ok = streams.sink->commit(); !ok) return report(ok.error());
    std::cout << base64Encode(result->tag) << "\n"; // the authenticationTag for the metadata
    return ExitOk;
}

} // namespace

void printE2eeUsage()
{
    std::cout << R"(Usage: nubocmd e2ee COMMAND [OPTIONS]

Offline tools for end-to-end encrypted Nextcloud data. Nothing here talks to a server.

  self-test
      Run the cryptographic known-answer tests.
  unwrap-key --mnemonic-file F --envelope F
      Open the private key stored on the server with the 12-word mnemonic; prints the
      key as PKCS#8 PEM. --envelope takes the server string "ct|iv|salt" or a JSON object
      with encryptedPrivateKey, iv and salt. "-" reads standard input.
  open-metadata --metadata F (--private-key F [--user ID] | --metadata-key B64)
                [--signature F --server-key F [--parent-metadata F]]
      Decrypt a folder's metadata (the document, or the OCS reply holding it) and print
      {"version", "verified", "metadataKey", "metadata"} as JSON. With --signature (base64
      or DER) and --server-key (the pinned server public key, PEM) every trust check is
      run and "verified" is true or false; otherwise it is null. A nested folder takes its
      top-level folder's --metadata-key, and --parent-metadata for the signer list.
  decrypt-file --key B64 --nonce B64 [--tag B64] IN OUT
      Decrypt a file blob (ciphertext followed by its tag). OUT is written only if the tag
      verifies; nothing partial is ever left behind.
  encrypt-file --key B64 --nonce B64 IN OUT
      Encrypt IN to a blob the official clients read; prints the authentication tag.
      Never reuse a key and nonce for different content.

Exit codes: 0 success, 1 I/O or internal failure, 2 usage error, 3 verification failed,
4 decryption failed (wrong key, wrong mnemonic, tampered data), 5 malformed input.
)";
}

int runE2eeCommand(const std::vector<std::string>& args)
{
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printE2eeUsage();
        return args.empty() ? ExitUsage : ExitOk;
    }
    const std::string& command = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "self-test") return selfTestCommand(rest);
    if (command == "unwrap-key") return unwrapKeyCommand(rest);
    if (command == "open-metadata") return openMetadataCommand(rest);
    if (command == "decrypt-file") return decryptFileCommand(rest);
    if (command == "encrypt-file") return encryptFileCommand(rest);
    return usage("unknown e2ee command \"" + command + "\"");
}

} // namespace nubo::cli
