#include "background.h"

namespace nubo::gui {

QThreadPool& backgroundPool()
{
    static QPointer<QThreadPool> pool;
    if (!pool) {
        pool = new QThreadPool(QCoreApplication::instance());
        pool->setMaxThreadCount(8);
        pool->setObjectName(QStringLiteral("nubo background"));
    }
    return *pool;
}

void finishBackgroundWork()
{
    QThreadPool& pool = backgroundPool();
    pool.clear();
    pool.waitForDone();
    QCoreApplication::sendPostedEvents(&pool);
}

} // namespace nubo::gui
