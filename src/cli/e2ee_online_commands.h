// `nubocmd e2ee init|status|encrypt|forget`: end-to-end encryption against a server, with the
// account options of `nubocmd sync` plus --key-store. (The offline tools are e2ee_commands.h.)
#pragma once

#include <string>
#include <vector>

namespace nubo::cli {

enum E2eeOnlineExit : int {
    E2eeExitOk = 0,
    E2eeExitFailure = 1,      // the server or the disk failed; nothing half-done is left
    E2eeExitUsage = 2,        // a wrong command line, or a refusal that says why (folder not empty, ...)
    E2eeExitUntrusted = 3,    // a certificate or server key that does not check out or contradicts a pin
    E2eeExitWrongMnemonic = 4,// the 12 words do not open the key
    E2eeExitAccount = 5,      // the server cannot be reached or refused the login
};

bool isE2eeOnlineCommand(const std::string& command);
// args: everything after the command name; program: argv[0] (for the QCoreApplication).
int runE2eeOnlineCommand(const std::string& command, const std::vector<std::string>& args, char* program);
void printE2eeOnlineUsage();

} // namespace nubo::cli
