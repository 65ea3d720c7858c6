// Blocking work on a thread of its own while the calling thread runs a Qt event loop, so that
// signals (SIGINT through a socket notifier) and queued events are handled meanwhile. The thread
// releases its network resources before it ends.
#pragma once

#include "http_client.h"

#include <QEventLoop>
#include <QMetaObject>
#include <optional>
#include <thread>

namespace nubo::cli {

template <typename Work>
auto runInWorker(Work work) -> decltype(work())
{
    std::optional<decltype(work())> result;
    QEventLoop loop;
    std::thread worker([&] {
        result.emplace(work());
        // This thread's network manager (and its HTTP thread with OpenSSL's per-thread state, an
        // error queue after a refused certificate) goes now, not at process exit.
        sync::HttpClient::releaseThreadResources();
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
    });
    loop.exec();
    worker.join();
    return std::move(*result);
}

} // namespace nubo::cli
