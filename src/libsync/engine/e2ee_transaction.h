// End-to-end encrypted folders in propagation: the changes inside one top-level encrypted folder
// tree become one transaction (PROTOCOL.md §4.8): the top-level folder's metadata is read and
// verified again, the folder is locked once (its counter + 1; the token is kept in the journal
// before anything is written, so a run killed half-way aborts its own lock next time), every blob
// goes up encrypted under a fresh key and nonce with the token, every changed folder's metadata
// is written once, signed, and the folder is unlocked. Any failure unlocks with abort, and the
// server rolls back what was staged.
#pragma once

#include "e2ee_folder_hook.h"
#include "folder_transaction.h"

#include <memory>

namespace nubo::sync {

class E2eeTransactionFactory final : public TransactionFactory {
public:
    // The hook that verified the folders during discovery: its histories say what this run saw.
    explicit E2eeTransactionFactory(std::shared_ptr<E2eeFolderHook> hook) : m_hook(std::move(hook)) {}

    Result<std::unique_ptr<FolderTransaction>> begin(const std::string& encryptedRoot,
                                                     const TransactionContext& context) override;

private:
    std::shared_ptr<E2eeFolderHook> m_hook;
};

// The journal setting that holds the lock a run took on a top-level encrypted folder until it
// unlocked it: "<token> <counter>".
std::string e2eeLockSettingKey(const std::string& folderFileId);

// Lock tokens a killed run left in the journal: each lock is released with abort (the server rolls
// back what that run staged) and forgotten. Called before discovery, so the folders are listed as
// the server committed them.
Result<void> abortStaleE2eeLocks(const E2eeApiClient& api, Journal& journal);

} // namespace nubo::sync
