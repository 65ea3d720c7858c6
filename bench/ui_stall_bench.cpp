// The desktop app's UI thread while a large folder syncs: the app (AppController: the folder row
// with its progress, the activity list, the tray) runs a first sync of N small files up to a local
// nubo-server, then a run with nothing to do, while a 5 ms timer on the UI thread records the
// longest gap between its ticks, the longest time the window could not have answered the user.
//
//   nubo-bench-ui-stall [FILES]      (default 100000; QT_QPA_PLATFORM=offscreen without a display)
#include "activity_pane.h"
#include "app_controller.h"
#include "server_process.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace nubo::gui;

namespace {

struct Gaps {
    qint64 longest = 0;
    int over50 = 0, over100 = 0;
};

// Runs `until` on the UI thread's event loop, measuring the gaps between 5 ms ticks meanwhile.
Gaps measure(const std::function<bool()>& until, int timeoutMs)
{
    Gaps gaps;
    QElapsedTimer since;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 gap = since.restart();
        gaps.longest = std::max(gaps.longest, gap);
        gaps.over50 += gap > 50;
        gaps.over100 += gap > 100;
    });
    since.start();
    tick.start(5);
    (void)QTest::qWaitFor(until, timeoutMs); // the caller checks what it waited for
    tick.stop();
    return gaps;
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication application(argc, argv);
    const int files = argc > 1 ? std::atoi(argv[1]) : 100000;

    nubo::itest::ServerProcess server(NUBO_SERVER_BINARY);
    server.addUser("alice", "secret");
    server.start();
    QTemporaryDir work;
    const fs::path local = fs::path(work.path().toStdString()) / "Big";
    for (int i = 0; i < files; ++i) {
        const fs::path folder = local / ("d" + std::to_string(i % 100));
        if (i < 100)
            fs::create_directories(folder);
        std::ofstream(folder / ("f" + std::to_string(i) + ".txt")) << 'x';
    }

    const QString settingsFile = work.filePath("config/nubo.conf");
    {
        AppSettings settings(settingsFile);
        AccountSettings account{QString::fromStdString(server.baseUrl()), QStringLiteral("alice"), {}, true};
        settings.setAccount(account);
        nubo::sync::FileCredentialStore((settings.directory() + "/secrets.json").toStdString())
            .write(account.secretKey(), "secret");
        settings.setFolders({FolderSettings{QString::fromStdString(local.string()), QStringLiteral("/Big"), false, {}}});
    }
    AppController::Options options;
    options.settingsFile = settingsFile;
    options.tray = false; // the settings window is shown, so its rows are painted
    options.trashFolder = fs::path(work.path().toStdString()) / "trash";
    AppController controller(options);
    controller.start();

    FolderRunner* runner = nullptr;
    std::vector<std::pair<bool, QString>> results;
    QElapsedTimer clock;
    clock.start();
    const Gaps first = measure(
        [&] {
            if (!runner && (runner = controller.runner(QString::fromStdString(local.string()))))
                QObject::connect(runner, &FolderRunner::runFinished,
                                 [&](bool ok, const QString& summary) { results.emplace_back(ok, summary); });
            return !results.empty();
        },
        30 * 60 * 1000);
    const qint64 firstMs = clock.elapsed();
    if (results.empty() || !results.front().first) {
        std::fprintf(stderr, "the first sync failed: %s\n",
                     results.empty() ? "no result" : qPrintable(results.front().second));
        return 1;
    }
    clock.restart();
    runner->syncNow();
    const Gaps second = measure([&] { return results.size() >= 2; }, 10 * 60 * 1000);
    const qint64 secondMs = clock.elapsed();

    std::printf("UI thread during a sync of %d files in the desktop app (5 ms timer ticks)\n", files);
    std::printf("%-34s %10s %14s %10s %10s\n", "run", "time (s)", "longest gap", "gaps>50ms", ">100ms");
    std::printf("%-34s %10.1f %11lld ms %10d %10d\n", "first sync (all uploaded)", firstMs / 1000.0,
                static_cast<long long>(first.longest), first.over50, first.over100);
    std::printf("%-34s %10.1f %11lld ms %10d %10d\n", "no-change sync", secondMs / 1000.0,
                static_cast<long long>(second.longest), second.over50, second.over100);
    std::printf("result: %s / %s; activity rows kept: %lld\n", qPrintable(results.front().second),
                qPrintable(results.back().second), static_cast<long long>(controller.activity().rows().size()));
    return 0;
}
