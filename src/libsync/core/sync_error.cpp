#include "sync_error.h"

namespace nubo::sync {

const char* errorCodeName(SyncErrorCode code)
{
    switch (code) {
    case SyncErrorCode::Network: return "network";
    case SyncErrorCode::Tls: return "tls";
    case SyncErrorCode::Auth: return "auth";
    case SyncErrorCode::Forbidden: return "forbidden";
    case SyncErrorCode::NotFound: return "not-found";
    case SyncErrorCode::Conflict: return "conflict";
    case SyncErrorCode::PreconditionFailed: return "precondition-failed";
    case SyncErrorCode::Locked: return "locked";
    case SyncErrorCode::InsufficientStorage: return "insufficient-storage";
    case SyncErrorCode::Maintenance: return "maintenance";
    case SyncErrorCode::ServerError: return "server-error";
    case SyncErrorCode::Protocol: return "protocol";
    case SyncErrorCode::ChecksumMismatch: return "checksum-mismatch";
    case SyncErrorCode::LocalIo: return "local-io";
    case SyncErrorCode::DiskFull: return "disk-full";
    case SyncErrorCode::FileChanged: return "file-changed";
    case SyncErrorCode::NameNotAllowed: return "name-not-allowed";
    case SyncErrorCode::Journal: return "journal";
    case SyncErrorCode::Cancelled: return "cancelled";
    case SyncErrorCode::Config: return "config";
    case SyncErrorCode::MassDelete: return "mass-delete";
    case SyncErrorCode::FolderBusy: return "folder-busy";
    case SyncErrorCode::WrongMnemonic: return "wrong-mnemonic";
    case SyncErrorCode::UntrustedKey: return "untrusted-key";
    case SyncErrorCode::Internal: return "internal";
    }
    return "unknown";
}

} // namespace nubo::sync
