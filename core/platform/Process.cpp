// Signal-to-event-loop bridge and process hardening.
#include "core/platform/Process.h"

#include "core/crypto/Ed25519.h"

#include <QCoreApplication>
#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <QSocketNotifier>

#include <csignal>
#include <sys/resource.h>
#include <unistd.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

namespace countersign::platform {

#ifdef Q_OS_UNIX
namespace {
int g_signalPipe[2] = {-1, -1};

extern "C" void onTerminationSignal(int signal)
{
    const unsigned char byte = static_cast<unsigned char>(signal);
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
}
} // namespace
#endif

void quitOnTerminationSignals()
{
#ifdef Q_OS_UNIX
    if (g_signalPipe[0] >= 0 || ::pipe(g_signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, QCoreApplication::instance(), [] {
        unsigned char signal = 0;
        if (::read(g_signalPipe[0], &signal, 1) == 1)
            QCoreApplication::exit(128 + signal);
    });
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
#endif
}

void hardenProcess()
{
#ifdef Q_OS_UNIX
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
#endif
#ifdef Q_OS_LINUX
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

Status runSelfTests()
{
    if (Status ed25519 = crypto::ed25519SelfTest(); !ed25519)
        return makeError(QStringLiteral("crypto.self_test"), ed25519.error().message);
    return {};
}

} // namespace countersign::platform
