// Propagation groups the actions inside one end-to-end encrypted folder tree into one
// transaction: one lock, many blob transfers, one signed metadata write, one unlock. The E2EE
// issue implements it; plain folders need none.
#pragma once

#include "sync_error.h"

#include <memory>
#include <string>

namespace nubo::sync {

class FolderTransaction {
public:
    virtual ~FolderTransaction() = default;
    // The lock token etc. the transfers inside need; empty for plain folders.
    virtual std::string token() const = 0;
    virtual Result<void> commit() = 0; // write metadata, unlock
    virtual void abort() = 0;          // roll back, unlock
};

class TransactionFactory {
public:
    virtual ~TransactionFactory() = default;
    // encryptedRoot: the plain path of the outermost encrypted folder of the group.
    virtual Result<std::unique_ptr<FolderTransaction>> begin(const std::string& encryptedRoot) = 0;
};

} // namespace nubo::sync
