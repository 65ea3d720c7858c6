// LocalWatcher on Linux: inotify, one watch per folder. Used directly rather than through
// QFileSystemWatcher because that one does not report writes into existing files, and because the
// event's name lets the journal's and the engine's own temporary files be ignored (otherwise every
// run would wake the next one). Not built with NUBO_PORTABLE_ONLY (local_watcher_qt.cpp instead).
#include "local_watcher.h"

#include "sync_types.h"

#include <QSocketNotifier>

#include <sys/inotify.h>
#include <unistd.h>
#include <unordered_map>

namespace nubo::sync {

namespace fs = std::filesystem;

namespace {

class InotifyWatcher final : public LocalWatcher {
public:
    InotifyWatcher(fs::path root, Ignore ignore, std::function<void()> onChange)
        : m_root(std::move(root)), m_ignore(std::move(ignore)), m_onChange(std::move(onChange))
    {
        m_inotify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (m_inotify >= 0) {
            m_notifier = std::make_unique<QSocketNotifier>(m_inotify, QSocketNotifier::Read);
            QObject::connect(m_notifier.get(), &QSocketNotifier::activated, [this] { readEvents(); });
        }
    }

    ~InotifyWatcher() override
    {
        m_notifier.reset();
        if (m_inotify >= 0)
            ::close(m_inotify);
    }

    void refresh() override
    {
        // inotify watches folders, not trees: every synced folder gets one (adding one twice is harmless).
        watchFolder("");
        std::error_code error;
        for (auto it = fs::recursive_directory_iterator(m_root, fs::directory_options::skip_permission_denied, error);
             !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
            std::error_code typeError;
            if (!it->is_directory(typeError) || it->is_symlink(typeError))
                continue;
            const std::string relative = fs::relative(it->path(), m_root, typeError).generic_string();
            if (m_ignore(relative, true)) {
                it.disable_recursion_pending();
                continue;
            }
            watchFolder(relative);
        }
    }

    bool isComplete() const override { return m_inotify >= 0 && !m_watchFailed; }

private:
    void watchFolder(const std::string& relative)
    {
        if (m_inotify < 0)
            return;
        const fs::path folder = relative.empty() ? m_root : m_root / relative;
        const int wd = ::inotify_add_watch(m_inotify, folder.c_str(),
                                           IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                               IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW);
        if (wd >= 0)
            m_watches[wd] = relative;
        else if (errno == ENOSPC || errno == ENOMEM)
            m_watchFailed = true; // fs.inotify.max_user_watches reached: changes there go unseen
    }

    void readEvents()
    {
        alignas(inotify_event) char buffer[16384];
        bool changed = false;
        for (;;) {
            const ssize_t length = ::read(m_inotify, buffer, sizeof buffer);
            if (length <= 0)
                break;
            for (ssize_t offset = 0; offset < length;) {
                const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
                offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
                const auto folder = m_watches.find(event->wd);
                if (event->mask & IN_IGNORED) {
                    if (folder != m_watches.end())
                        m_watches.erase(folder);
                    continue;
                }
                if (folder == m_watches.end())
                    continue;
                const std::string name = event->len > 0 ? std::string(event->name) : std::string();
                const std::string path = joinPath(folder->second, name);
                const bool isFolder = (event->mask & IN_ISDIR) != 0;
                // The journal, the engine's temporary files and conflict copies change because of the
                // sync itself; excluded names do not matter to it.
                if (!name.empty() && m_ignore(path, isFolder))
                    continue;
                if (isFolder && (event->mask & (IN_CREATE | IN_MOVED_TO)))
                    watchFolder(path); // so what is created inside it next is seen too
                changed = true;
            }
        }
        if (changed)
            m_onChange();
    }

    fs::path m_root;
    Ignore m_ignore;
    std::function<void()> m_onChange;
    int m_inotify = -1;
    bool m_watchFailed = false;
    std::unique_ptr<QSocketNotifier> m_notifier;
    std::unordered_map<int, std::string> m_watches; // watch descriptor -> relative folder
};

} // namespace

std::unique_ptr<LocalWatcher> makeLocalWatcher(fs::path root, LocalWatcher::Ignore ignore,
                                               std::function<void()> onChange)
{
    return std::make_unique<InotifyWatcher>(std::move(root), std::move(ignore), std::move(onChange));
}

} // namespace nubo::sync
