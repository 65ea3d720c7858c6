#include "quit_signals.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace nubo::gui {

namespace {
int g_pipe[2] = {-1, -1};
volatile std::sig_atomic_t g_received = 0;

void onSignal(int signal)
{
    if (g_received != 0) // asked twice: the user means it
        _exit(128 + signal);
    g_received = signal;
    const char byte = static_cast<char>(signal);
    (void)!::write(g_pipe[1], &byte, 1);
}
} // namespace

bool quitOnTerminationSignals(QCoreApplication& app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_pipe) != 0)
        return false;
    auto* notifier = new QSocketNotifier(g_pipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [notifier] {
        char byte = 0;
        (void)!::read(g_pipe[0], &byte, 1);
        notifier->setEnabled(false);
        std::fprintf(stderr, "nubo: signal %d received, stopping the folders\n", static_cast<int>(byte));
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int signal : {SIGTERM, SIGINT, SIGHUP})
        ::sigaction(signal, &action, nullptr);
    return true;
}

} // namespace nubo::gui
