// `nubocmd sync`: one sync run of a local folder against a Nextcloud folder, or `--watch` to keep
// syncing until interrupted. The options follow nextcloudcmd so its users feel at home, except
// that a password is never taken from the command line or the environment.
#pragma once

#include <string>
#include <vector>

namespace nubo::cli {

// Exit codes of `nubocmd sync`; scripts depend on them (README "Syncing with nubocmd").
enum SyncExitCode : int {
    SyncExitOk = 0,          // in sync
    SyncExitItemsFailed = 1, // the run completed but some items could not be synced
    SyncExitUsage = 2,       // the command line is wrong, or a file it names cannot be read
    SyncExitMassDelete = 3,  // the run would delete too much; nothing was changed
    SyncExitAccount = 4,     // authentication, TLS or server URL problem: nothing was synced
    SyncExitInterrupted = 5, // SIGINT or SIGTERM stopped the run
    SyncExitBusy = 6,        // another sync of the same local folder is running; nothing was done
};

// Creates the QCoreApplication the sync layer needs; `program` is argv[0]. The e2ee tools never
// get one, so they keep running without Qt's event machinery.
int runSyncCommand(const std::vector<std::string>& args, char* program);
void printSyncUsage();

} // namespace nubo::cli
