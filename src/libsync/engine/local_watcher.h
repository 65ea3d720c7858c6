// Tells the scheduler (folder_watcher.h) that something changed in the local folder. One
// implementation per build, chosen by CMake: inotify on Linux (local_watcher_inotify.cpp), and
// with NUBO_PORTABLE_ONLY QFileSystemWatcher (local_watcher_qt.cpp), the one Windows and macOS use.
// An abstract class rather than free functions because a watcher holds state (descriptors, what
// it watches) for its lifetime; callers only ever see makeLocalWatcher.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace nubo::sync {

class LocalWatcher {
public:
    // Whether a change at `path` (relative to the root, '/'-separated) is of no interest: the
    // journal, the engine's temporary files, excluded items. An ignored folder is not watched.
    using Ignore = std::function<bool(const std::string& path, bool isFolder)>;

    virtual ~LocalWatcher() = default;
    // Watches every folder below the root that is not ignored (again after each run: new folders).
    virtual void refresh() = 0;
    // False when some changes can go unseen (no watcher, a limit reached): the caller then has to
    // look for itself now and then.
    virtual bool isComplete() const = 0;
};

// A watcher of `root` that calls onChange (on the thread that made it, which needs an event
// loop) after changes that are not ignored. Nothing is watched before the first refresh().
std::unique_ptr<LocalWatcher> makeLocalWatcher(std::filesystem::path root, LocalWatcher::Ignore ignore,
                                               std::function<void()> onChange);

} // namespace nubo::sync
