#include "folder_transaction.h"

namespace nubo::sync {

Result<TransactionUpload> FolderTransaction::upload(RemoteFs& remote, const std::string&, const std::string& serverPath,
                                                    bool, const std::filesystem::path& file, UploadOptions options)
{
    options.e2eToken = token();
    auto result = remote.upload(serverPath, file, options);
    if (!result)
        return std::unexpected(result.error());
    return TransactionUpload{serverPath, std::move(*result)};
}

Result<RemoteEntry> FolderTransaction::makeFolder(RemoteFs& remote, const std::string&, const std::string& serverPath)
{
    auto made = remote.makeFolder(serverPath, token());
    if (made)
        made->serverPath = serverPath;
    return made;
}

Result<std::string> FolderTransaction::move(RemoteFs& remote, const std::string&, const std::string& fromServerPath,
                                            const std::string&, const std::string& toServerPath)
{
    if (auto moved = remote.move(fromServerPath, toServerPath, token()); !moved)
        return std::unexpected(moved.error());
    return toServerPath;
}

Result<void> FolderTransaction::remove(RemoteFs& remote, const std::string&, const std::string& serverPath,
                                       const std::optional<std::string>& ifMatch, const std::string&)
{
    return remote.remove(serverPath, ifMatch, token());
}

} // namespace nubo::sync
