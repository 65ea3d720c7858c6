// Errors of the sync layer are values, as in nubo_e2ee: every fallible call returns
// Result<T>, and the message says what failed in words a user can act on.
#pragma once

#include <expected>
#include <memory>
#include <string>

namespace nubo::sync {

struct MassDeleteReport; // sync_engine.h

enum class SyncErrorCode {
    Network,            // connection refused, reset, timed out, DNS, cut mid-body
    Tls,                // certificate not trusted, handshake failed
    Auth,               // 401: wrong user or password
    Forbidden,          // 403: not allowed (read-only share, E2EE write without lock)
    NotFound,           // 404
    Conflict,           // 409: parent folder missing on the server
    PreconditionFailed, // 412: the server's version changed since we looked (If-Match)
    Locked,             // 423
    InsufficientStorage,// 507: quota exceeded on the server
    Maintenance,        // 503 or status.php says maintenance
    ServerError,        // other 5xx
    Protocol,           // the server answered something we cannot read
    ChecksumMismatch,   // downloaded bytes do not match the server's checksum
    LocalIo,            // reading or writing the local folder failed
    DiskFull,           // ENOSPC / EDQUOT on the local disk
    FileChanged,        // a local file changed while it was being uploaded
    NameNotAllowed,     // a name the local filesystem cannot hold, or a case clash
    Journal,            // the sync journal (SQLite) failed
    Cancelled,          // the run was stopped
    Config,             // a bad option, URL or file given by the user
    MassDelete,         // the run would delete more than the allowed share of the tree
    FolderBusy,         // another engine is syncing this local folder
    WrongMnemonic,      // the 12 words do not open the account's private key
    UntrustedKey,       // a certificate or server key that does not check out or contradicts a pin
    Internal,
};

struct SyncError {
    SyncErrorCode code = SyncErrorCode::Internal;
    std::string message;
    int httpStatus = 0; // 0 when the error did not come from an HTTP reply
    // A write (PUT, the MOVE that assembles chunks, MOVE, DELETE, MKCOL) whose answer was lost or
    // was not a refusal (a cut connection, a 5xx, a cancelled request): the server may have
    // applied it. A 4xx, or a failure on this side before the request was complete, is not.
    bool outcomeUnknown = false;
    // MassDelete: which side deleted what, for a program that asks the user (null otherwise).
    std::shared_ptr<const MassDeleteReport> massDelete = nullptr;

    // Whether trying the same request again later can help (network, 5xx, 423, 412, changed file).
    bool retryable() const
    {
        switch (code) {
        case SyncErrorCode::Network:
        case SyncErrorCode::Locked:
        case SyncErrorCode::PreconditionFailed:
        case SyncErrorCode::Maintenance:
        case SyncErrorCode::ServerError:
        case SyncErrorCode::ChecksumMismatch:
        case SyncErrorCode::FileChanged:
        case SyncErrorCode::Conflict:
            return true;
        default:
            return false;
        }
    }
    // Errors that make every further request of this run pointless.
    bool fatal() const
    {
        return code == SyncErrorCode::Auth || code == SyncErrorCode::Tls || code == SyncErrorCode::Maintenance ||
               code == SyncErrorCode::Journal || code == SyncErrorCode::DiskFull ||
               code == SyncErrorCode::Cancelled;
    }
};

template <typename T>
using Result = std::expected<T, SyncError>;

inline std::unexpected<SyncError> fail(SyncErrorCode code, std::string message, int httpStatus = 0)
{
    return std::unexpected(SyncError{code, std::move(message), httpStatus});
}

const char* errorCodeName(SyncErrorCode code);

} // namespace nubo::sync
