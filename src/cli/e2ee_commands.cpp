#include "e2ee_commands.h"

#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "arguments.h"
#include "cms_signature.h"
#include "encoding.h"
#include "file_cipher.h"
#include "input_file.h"
#include "item_name.h"
#include "metadata.h"
#include "metadata_v1.h"
#include "mnemonic.h"
#include "output_file.h"
#include "private_key_envelope.h"
#include "self_test.h"
#include "trust.h"
#include "unnamed_output_file.h"

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

Result<PrivateKey> privateKeyFrom(const Arguments& args)
{
    auto pem = readInput(*args.option("--private-key"), kMaxSmallInput);
    if (!pem) return std::unexpected(pem.error());
    return PrivateKey::fromPem(std::string_view(pem->data(), pem->size()));
}

// The users entry of whoever holds `key`: the one --user names, or else the one whose
// certificate belongs to the key.
Result<const UserEntry*> entryOf(const Arguments& args, const std::vector<UserEntry>& users, const PrivateKey& key)
{
    if (auto user = args.option("--user")) {
        for (const UserEntry& candidate : users) {
            if (candidate.userId == *user) return &candidate;
        }
        return fail(ErrorCode::DecryptionFailed, "user \"" + printableName(*user) + "\" is not in the metadata");
    }
    for (const UserEntry& candidate : users) {
        auto certificate = Certificate::fromPem(candidate.certificatePem);
        if (certificate && certificate->matches(key)) return &candidate;
    }
    return fail(ErrorCode::DecryptionFailed, "no user in the metadata has a certificate for this private key");
}

// Without verification: the metadata key as given, or opened from the users entry of `holder`
// (the folder itself, or the top-level folder of a nested one).
Result<SecureBytes> unverifiedMetadataKey(const Arguments& args, const std::vector<UserEntry>& users,
                                          const std::optional<PrivateKey>& key)
{
    if (args.has("--metadata-key")) return decodeOption(args, "--metadata-key", kMetadataKeySize);
    if (users.empty()) {
        return fail(ErrorCode::MalformedInput,
                    "this metadata has no users (a nested folder): pass its top-level folder's --metadata-key");
    }
    auto entry = entryOf(args, users, *key);
    if (!entry) return std::unexpected(entry.error());
    return decryptMetadataKey(**entry, *key);
}

nlohmann::ordered_json contentJson(ByteView metadataKey, const FolderMetadata& metadata)
{
    return {{"metadataKey", base64Encode(metadataKey)}, {"metadata", nlohmann::ordered_json(toJson(metadata))}};
}

// A metadata file as read, and what the command needs of it before any verification. The parsed
// document is not kept: verifyFolder() parses the text itself, and two parsed copies of a large
// document would double what reading it costs.
struct MetadataInput {
    std::string path;
    SecureString text;
    std::string version;
    int versionNumber = 0; // MetadataDocument::versionNumber()
    std::vector<UserEntry> users;
};

Result<MetadataDocument> parse(const MetadataInput& input)
{
    auto document = parseMetadataDocument(std::string_view(input.text.data(), input.text.size()));
    if (!document) return std::unexpected(Error{document.error().code, input.path + ": " + document.error().message});
    return document;
}

Result<MetadataInput> readMetadata(const std::string& path)
{
    // Capped at the reader's limit before anything is parsed (metadata.h says why).
    auto text = readInput(path, kMaxMetadataDocumentSize);
    if (!text) return std::unexpected(text.error());
    MetadataInput input{path, std::move(*text), {}, 0, {}};
    auto document = parse(input);
    if (!document) return std::unexpected(document.error());
    input.versionNumber = document->versionNumber();
    input.version = std::move(document->version);
    input.users = std::move(document->users);
    return input;
}

// What one verifyFolder() call needs from the command line, besides the documents.
struct Verifier {
    const Arguments& args;
    const PublicKey& serverKey;
    const std::optional<PrivateKey>& key;
    std::optional<SecureBytes> metadataKey;
    NameCase localNames;

    std::expected<VerifiedFolder, TrustFailure> verify(const MetadataInput& input, const std::string& signatureText,
                                                       const VerifiedFolder* topLevel) const
    {
        TrustRequest request;
        request.metadata = std::string_view(input.text.data(), input.text.size());
        // As read: base64 tolerates surrounding whitespace, and trimming DER could cut its last bytes.
        request.signature = asBytes(signatureText);
        request.serverKey = &serverKey;
        request.topLevel = topLevel;
        request.localNames = localNames;
        if (topLevel != nullptr) return verifyFolder(request); // users and key come from there
        if (metadataKey) request.metadataKey = ByteView(*metadataKey);
        std::string userId;
        if (key) {
            // Verified as this user: their entry's certificate must match the key.
            auto entry = entryOf(args, input.users, *key);
            if (!entry) {
                return std::unexpected(TrustFailure{TrustCheck::Certificates,
                                                    entry.error().message +
                                                        (args.has("--user") ? "" : " (pass --user ID to name yours)")});
            }
            userId = (*entry)->userId;
            request.userId = userId;
            request.privateKey = &*key;
        }
        return verifyFolder(request);
    }
};

Result<std::string> readSignature(const std::string& path)
{
    auto text = readInput(path, kMaxSmallInput);
    if (!text) return std::unexpected(text.error());
    return std::string(text->data(), text->size());
}

// Metadata 1.x (PROTOCOL.md §4.9), read to be migrated: nothing authenticates it, so "verified"
// is null, but it passes every check verifyFolder() runs on it (names, ids, key material, the 1.2
// checksum with --mnemonic-file) or is refused like a 2.x document that fails verification.
int openLegacyMetadata(const Arguments& args, const MetadataInput& folder, const std::optional<PrivateKey>& key,
                       const std::optional<SecureBytes>& metadataKey)
{
    if (args.has("--signature") || args.has("--parent-metadata") || args.has("--show-unverified")) {
        return usage("metadata version \"" + printableName(folder.version) +
                     "\" has no signature (1.x is unauthenticated): open it without --signature, --server-key, "
                     "--parent-metadata and --show-unverified");
    }
    std::optional<SecureString> mnemonic;
    if (auto file = args.option("--mnemonic-file")) {
        auto text = readInput(*file, kMaxSmallInput);
        if (!text) return report(text.error());
        auto words = parseMnemonic(std::string_view(text->data(), text->size()));
        if (!words) return report(words.error(), "--mnemonic-file");
        mnemonic = std::move(*words);
    }
    const std::string userId = args.option("--user").value_or("");
    TrustRequest request;
    request.metadata = std::string_view(folder.text.data(), folder.text.size());
    request.userId = userId;
    request.privateKey = key ? &*key : nullptr;
    if (metadataKey) request.metadataKey = ByteView(*metadataKey);
    if (mnemonic) request.mnemonic = std::string_view(mnemonic->data(), mnemonic->size());
    request.localNames = args.has("--case-insensitive") ? NameCase::Insensitive : NameCase::Sensitive;
    auto verified = verifyFolder(request);
    if (!verified) {
        // As for 2.x without --signature: a key or entry that does not open, or a document that
        // is not metadata, is a decryption or format error; any other check is a verification.
        const TrustFailure& failure = verified.error();
        if (failure.check == TrustCheck::Decryption) return report(Error{ErrorCode::DecryptionFailed, failure.message});
        if (failure.check == TrustCheck::Format) {
            return report(Error{ErrorCode::MalformedInput, folder.path + ": " + failure.message});
        }
        nlohmann::ordered_json out = {{"version", folder.version},
                                      {"verified", false},
                                      {"verificationError",
                                       {{"check", trustCheckName(failure.check)}, {"message", failure.message}}}};
        std::cout << out.dump(2) << "\n";
        std::cerr << "nubocmd: verification failed (" << trustCheckName(failure.check) << "): " << failure.message
                  << "\n";
        return ExitVerification;
    }
    for (const std::string& warning : verified->warnings)
        std::cerr << "nubocmd: warning: " << warning << "\n";
    nlohmann::ordered_json out = {{"version", folder.version}, {"verified", nullptr}};
    out.update(contentJson(verified->metadataKey, verified->metadata));
    std::cout << out.dump(2) << "\n";
    return std::cout ? ExitOk : ExitFailure;
}

int openMetadataCommand(const std::vector<std::string>& rest)
{
    Arguments args;
    if (auto problem = parseArguments(rest,
                                      {"--metadata", "--private-key", "--user", "--metadata-key", "--signature",
                                       "--server-key", "--parent-metadata", "--parent-signature", "--mnemonic-file"},
                                      {"--show-unverified", "--case-insensitive"}, args)) {
        return usage(*problem);
    }
    if (!args.has("--metadata") || !args.positional.empty()) return usage("open-metadata needs --metadata F");
    if (args.has("--private-key") == args.has("--metadata-key")) {
        return usage("open-metadata needs either --private-key F [--user ID] or --metadata-key B64");
    }
    if (args.has("--user") && !args.has("--private-key")) return usage("--user names the holder of --private-key");
    if (args.has("--signature") != args.has("--server-key")) {
        return usage("verifying needs both --signature F and --server-key F (the pinned server public key)");
    }
    if (args.has("--parent-metadata") != args.has("--parent-signature")) {
        return usage("the top-level folder is verified too: --parent-metadata F goes with --parent-signature F");
    }
    if (args.has("--parent-metadata") && !args.has("--signature")) {
        return usage("--parent-metadata is for verifying a nested folder: add --signature F --server-key F");
    }
    if (args.option("--mnemonic-file") == "-" &&
        (args.option("--metadata") == "-" || args.option("--private-key") == "-")) {
        return usage("only one of --mnemonic-file, --metadata and --private-key can read standard input");
    }
    const bool verifying = args.has("--signature");
    if (args.has("--show-unverified") && !verifying) {
        return usage("--show-unverified goes with --signature F --server-key F (without them nothing is verified)");
    }

    auto folder = readMetadata(*args.option("--metadata"));
    if (!folder) return report(folder.error());
    std::optional<PrivateKey> key;
    if (args.has("--private-key")) {
        auto parsed = privateKeyFrom(args);
        if (!parsed) return report(parsed.error(), "--private-key");
        key = std::move(*parsed);
    }
    std::optional<SecureBytes> givenMetadataKey;
    if (args.has("--metadata-key")) {
        auto decoded = decodeOption(args, "--metadata-key", kMetadataKeySize);
        if (!decoded) return report(decoded.error());
        givenMetadataKey = std::move(*decoded);
    }
    if (isLegacyMetadataVersion(folder->versionNumber)) return openLegacyMetadata(args, *folder, key, givenMetadataKey);

    nlohmann::ordered_json out = {{"version", folder->version}};
    if (!verifying) {
        auto metadataKey = unverifiedMetadataKey(args, folder->users, key);
        if (!metadataKey) return report(metadataKey.error());
        auto document = parse(*folder);
        if (!document) return report(document.error());
        auto metadata = decryptFolderMetadata(*document, *metadataKey);
        if (!metadata) return report(metadata.error());
        out["verified"] = nullptr;
        out.update(contentJson(*metadataKey, *metadata));
        std::cout << out.dump(2) << "\n";
        return std::cout ? ExitOk : ExitFailure;
    }

    auto serverKeyPem = readInput(*args.option("--server-key"), kMaxSmallInput);
    if (!serverKeyPem) return report(serverKeyPem.error());
    auto serverKey = PublicKey::fromPem(std::string_view(serverKeyPem->data(), serverKeyPem->size()));
    if (!serverKey) return report(serverKey.error(), "--server-key");
    auto signature = readSignature(*args.option("--signature"));
    if (!signature) return report(signature.error());
    const Verifier verifier{args, *serverKey, key, givenMetadataKey,
                            args.has("--case-insensitive") ? NameCase::Insensitive : NameCase::Sensitive};

    // A nested folder is trusted only through its top-level folder, which is verified first.
    std::optional<MetadataInput> parentInput;
    std::optional<VerifiedFolder> parent;
    std::optional<TrustFailure> failure;
    if (args.has("--parent-metadata")) {
        auto files = readMetadata(*args.option("--parent-metadata"));
        if (!files) return report(files.error(), "--parent-metadata");
        parentInput = std::move(*files);
        auto parentSignature = readSignature(*args.option("--parent-signature"));
        if (!parentSignature) return report(parentSignature.error());
        auto verifiedParent = verifier.verify(*parentInput, *parentSignature, nullptr);
        if (verifiedParent) {
            parent.emplace(std::move(*verifiedParent));
        } else {
            failure = verifiedParent.error();
            failure->message = "the top-level folder (--parent-metadata): " + failure->message;
        }
    } else if (folder->users.empty()) {
        return usage("a nested folder is verified through its top-level folder: add --parent-metadata F "
                     "--parent-signature F");
    }

    if (!failure) {
        auto verified = verifier.verify(*folder, *signature, parent ? &*parent : nullptr);
        if (verified) {
            out["verified"] = true;
            out.update(contentJson(verified->metadataKey, verified->metadata));
            std::cout << out.dump(2) << "\n";
            return std::cout ? ExitOk : ExitFailure;
        }
        failure = verified.error();
    }

    out["verified"] = false;
    out["verificationError"] = {{"check", trustCheckName(failure->check)}, {"message", failure->message}};
    if (args.has("--show-unverified")) {
        // Asked for explicitly: what the document claims, although it failed verification.
        auto metadataKey = unverifiedMetadataKey(args, parentInput ? parentInput->users : folder->users, key);
        auto document = parse(*folder);
        auto metadata = !metadataKey ? Result<FolderMetadata>(std::unexpected(metadataKey.error()))
                        : !document  ? Result<FolderMetadata>(std::unexpected(document.error()))
                                     : decryptFolderMetadata(*document, *metadataKey);
        if (metadata) {
            out.update(contentJson(*metadataKey, *metadata));
        } else {
            out["unverifiedError"] = metadata.error().message;
        }
    }
    std::cout << out.dump(2) << "\n";
    std::cerr << "nubocmd: verification failed (" << trustCheckName(failure->check) << "): " << failure->message
              << (args.has("--show-unverified") ? "" : " (--show-unverified prints its content anyway)") << "\n";
    return ExitVerification;
}

struct Streams {
    std::unique_ptr<InputFile> source; // read(2) straight into the cipher's buffers
    std::unique_ptr<UnnamedOutputFile> sink;
};

std::optional<int> openStreams(const std::vector<std::string>& positional, Streams& streams)
{
    if (positional.size() != 2) return usage("expected IN and OUT");
    if (positional[1] == "-") return usage("OUT must be a file, so that nothing unverified is ever visible");
    auto source = InputFile::open(positional[0]);
    if (!source) return report(source.error());
    streams.source = std::move(*source);
    auto sink = UnnamedOutputFile::open(positional[1]);
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

Offline tools for end-to-end encrypted Nextcloud data; none of these talks to a server.
(init, status, encrypt, export and forget work with a server: nubocmd e2ee init --help.)

  self-test
      Run the cryptographic known-answer tests.
  unwrap-key --mnemonic-file F --envelope F
      Open the private key stored on the server with the 12-word mnemonic; prints the
      key as PKCS#8 PEM. --envelope takes the server string "ct|iv|salt" or a JSON object
      with encryptedPrivateKey, iv and salt. "-" reads standard input.
  open-metadata --metadata F (--private-key F [--user ID] | --metadata-key B64)
                [--signature F --server-key F [--parent-metadata F --parent-signature F]
                 [--show-unverified] [--case-insensitive]] [--mnemonic-file F]
      Decrypt a folder's metadata (the document, or the OCS reply holding it) and print
      {"version", "verified", "metadataKey", "metadata"} as JSON. With --signature (base64
      or DER) and --server-key (the pinned server public key, PEM) every trust check is
      run, as the holder of --private-key (its certificate in the metadata must match it)
      or with --metadata-key (which keyChecksums must list): "verified" is true, or false
      with "verificationError" and exit code 3, and then the content is printed only with
      --show-unverified. Without --signature nothing is checked and "verified" is null.
      A nested folder is verified through its top-level folder, --parent-metadata and its
      --parent-signature, which are verified first and give the users and the metadata
      key. --case-insensitive: names that differ only in case are duplicates too, as on a
      case-insensitive disk.
      Metadata 1.0, 1.1 and 1.2 (older clients; Nubo reads it only to upgrade it to 2.0) has
      no signature: it is opened without --signature and --server-key, every other check is
      run, and "verified" is null, as nothing can authenticate it (warnings go to stderr).
      --mnemonic-file (the 12 words) checks the checksum of 1.2 metadata.
  decrypt-file --key B64 --nonce B64 [--tag B64] IN OUT
      Decrypt a file blob (ciphertext followed by its tag). The plaintext goes to an unnamed
      file beside OUT that gets the name OUT only once the tag verifies; nothing unverified
      or partial is ever left behind, not even by a crash.
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
