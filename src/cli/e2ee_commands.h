// `nubocmd e2ee ...`: offline tools to inspect and rescue end-to-end encrypted data.
#pragma once

#include <string>
#include <vector>

namespace nubo::cli {

// Exit codes of the e2ee tools; scripts depend on them.
enum ExitCode : int {
    ExitOk = 0,
    ExitFailure = 1, // I/O or internal failure
    ExitUsage = 2,
    ExitVerification = 3, // a signature, certificate or trust check failed
    ExitDecryption = 4,   // wrong key, wrong mnemonic, tampered data
    ExitMalformed = 5,    // input that is not what it should be
};

int runE2eeCommand(const std::vector<std::string>& args);
void printE2eeUsage();

} // namespace nubo::cli
