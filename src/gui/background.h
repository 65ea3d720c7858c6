// Work off the UI thread: `work` runs on a thread of the app's background pool, and `done` gets its
// result on the UI thread, unless `receiver` is gone by then. The network, the disk and the
// keychain are reached this way, never from a widget's slot directly.
#pragma once

#include <QCoreApplication>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <memory>
#include <type_traits>
#include <utility>

namespace nubo::gui {

// The pool (owned by the application object): more threads than cores, as its jobs mostly wait
// on the network.
QThreadPool& backgroundPool();
// Drops queued jobs and waits for running ones (each ends at its own timeout): main() calls it
// before the application object goes.
void finishBackgroundWork();

template <class Work, class Done>
void runInBackground(QObject* receiver, Work work, Done done)
{
    using Result = std::invoke_result_t<Work>;
    QPointer<QObject> guard(receiver); // read on the UI thread only
    QThreadPool& pool = backgroundPool();
    pool.start([guard, &pool, work = std::move(work), done = std::move(done)]() mutable {
        auto result = std::make_shared<Result>(work());
        QMetaObject::invokeMethod(
            &pool,
            [guard, done = std::move(done), result]() mutable {
                if (guard)
                    done(std::move(*result));
            },
            Qt::QueuedConnection);
    });
}

} // namespace nubo::gui
