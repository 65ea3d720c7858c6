// nubocmd: the Nubo engine without a GUI.
#include <iostream>
#include <malloc.h>
#include <string>
#include <vector>

#include "e2ee_commands.h"
#include "e2ee_online_commands.h"
#include "self_test.h"
#include "sync_command.h"

int main(int argc, char** argv)
{
    // Known-answer tests before anything else: a build whose crypto is broken must not run.
    if (auto ok = nubo::e2ee::selfTest(); !ok) {
        std::cerr << "nubocmd: " << ok.error().message << "\n";
        return nubo::cli::ExitFailure;
    }
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << "Usage: nubocmd sync [OPTIONS] LOCAL_DIR SERVER_URL   (nubocmd sync --help)\n"
                     "       nubocmd e2ee COMMAND ...                      (nubocmd e2ee --help)\n"
                     "       nubocmd e2ee init|status|encrypt|forget ...   (nubocmd e2ee init --help)\n"
                     "       nubocmd --version\n";
        return args.empty() ? nubo::cli::ExitUsage : nubo::cli::ExitOk;
    }
    if (args[0] == "--version") {
        std::cout << "nubocmd " NUBO_VERSION "\n";
        return nubo::cli::ExitOk;
    }
    // The online e2ee commands talk to a server (Qt's network stack); the others stay offline.
    if (args[0] == "e2ee" && args.size() > 1 && nubo::cli::isE2eeOnlineCommand(args[1]))
        return nubo::cli::runE2eeOnlineCommand(args[1], {args.begin() + 2, args.end()}, argv[0]);
    if (args[0] == "e2ee") return nubo::cli::runE2eeCommand({args.begin() + 1, args.end()});
    // Only the sync command creates a QCoreApplication (inside runSyncCommand): the e2ee tools
    // stay free of Qt's event machinery.
    if (args[0] == "sync") {
        // One malloc arena: glibc gives each thread its own, and memory freed by one transfer or
        // listing thread is then not reused by the next. Measured: peak RSS of 5 000 uploads
        // 45 -> 35 MiB, with the same speed (bench/run_sync_bench.sh).
        mallopt(M_ARENA_MAX, 1);
        return nubo::cli::runSyncCommand({args.begin() + 1, args.end()}, argv[0]);
    }
    std::cerr << "nubocmd: unknown command \"" << args[0] << "\" (try nubocmd --help)\n";
    return nubo::cli::ExitUsage;
}
