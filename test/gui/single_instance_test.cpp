// One nubo per session: the first claim listens, a second one asks it to show its window; what a
// crashed instance leaves behind does not block the next one.
#include "single_instance.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <gtest/gtest.h>

namespace nubo::gui {
namespace {

TEST(SingleInstance, ASecondClaimAsksTheFirstToShowItselfAndStepsBack)
{
    QTemporaryDir runtime;
    SingleInstance first(runtime.path());
    ASSERT_EQ(first.claim(), SingleInstance::Claim::Primary) << first.error().toStdString();
    QSignalSpy shown(&first, &SingleInstance::showRequested);
    SingleInstance second(runtime.path());
    // The second claim blocks while it talks to the first, which answers from the event loop:
    // here both live in one thread, so the first reads the request once the loop runs.
    EXPECT_EQ(second.claim(), SingleInstance::Claim::Signalled) << second.error().toStdString();
    EXPECT_TRUE(shown.count() > 0 || shown.wait(5000));
    EXPECT_EQ(shown.count(), 1);
}

TEST(SingleInstance, WhatAKilledInstanceLeftDoesNotBlockTheNext)
{
    QTemporaryDir runtime;
    // A real nubo, killed with SIGKILL: its lock file and its socket stay behind.
    QProcess killed;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime.path());
    killed.setProcessEnvironment(env);
    killed.start(QStringLiteral(NUBO_APP_BINARY), {});
    QString output;
    for (int i = 0; i < 150 && !output.contains(QStringLiteral("nubo: running")); ++i) {
        killed.waitForReadyRead(100);
        output += QString::fromUtf8(killed.readAllStandardError());
    }
    ASSERT_TRUE(output.contains(QStringLiteral("nubo: running"))) << output.toStdString();
    killed.kill();
    ASSERT_TRUE(killed.waitForFinished(10000));
    ASSERT_TRUE(QFile::exists(runtime.filePath(QStringLiteral("nubo.lock"))));
    ASSERT_TRUE(QFile::exists(runtime.filePath(QStringLiteral("nubo.socket"))));
    SingleInstance next(runtime.path());
    EXPECT_EQ(next.claim(), SingleInstance::Claim::Primary) << next.error().toStdString();
}

TEST(SingleInstance, AFolderItCannotUseIsAClearFailure)
{
    SingleInstance nowhere(QStringLiteral("/proc/nubo-cannot-be-here"));
    EXPECT_EQ(nowhere.claim(), SingleInstance::Claim::Failed);
    EXPECT_TRUE(nowhere.error().contains(QStringLiteral("/proc/nubo-cannot-be-here"))) << nowhere.error().toStdString();
}

} // namespace
} // namespace nubo::gui
