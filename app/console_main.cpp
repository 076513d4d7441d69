// countersign: the reviewer's console. Parses the command line, takes the reviewer token from
// the environment (never from argv, which other users can read), and opens the main window on
// a pinned secure WebSocket to the gateway.
#include "core/Clock.h"
#include "core/ServerTime.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Ed25519.h"
#include "core/platform/Process.h"
#include "core/protocol/Protocol.h"
#include "net/PinnedCertificate.h"
#include "net/WebSocketGatewayConnection.h"
#include "ui/MainWindow.h"
#include "ui/Resources.h"

#include <cstdio>
#include <memory>

#include <QApplication>
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QHostAddress>
#include <QPixmap>
#include <QTimer>
#include <QUrl>


namespace {

constexpr auto kTokenVariable = "COUNTERSIGN_TOKEN";
constexpr int kUsageError = 2;

// Takes the token and removes it from the environment, so no child process inherits it.
QByteArray takeToken()
{
    QByteArray token = qgetenv(kTokenVariable);
    qunsetenv(kTokenVariable);
    return token.trimmed();
}

int usageError(const QString &message)
{
    (void)std::fprintf(stderr, "countersign: %s\nTry 'countersign --help'.\n", qPrintable(message));
    return kUsageError;
}

// --help and --version must work without a display, so they get a core application only.
bool wantsInformationOnly(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "-?" || arg == "--help-all" || arg == "-v" || arg == "--version")
            return true;
    }
    return false;
}

bool isLoopback(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

int main(int argc, char *argv[])
{
    // Before anything holds a secret (the token is read from the environment below).
    countersign::platform::hardenProcess();
    QByteArray token = takeToken();

    const std::unique_ptr<QCoreApplication> application = wantsInformationOnly(argc, argv)
        ? std::make_unique<QCoreApplication>(argc, argv)
        : std::make_unique<QApplication>(argc, argv);
    QCoreApplication &app = *application;
    QCoreApplication::setApplicationName(QStringLiteral("countersign"));
    QCoreApplication::setApplicationVersion(QStringLiteral(COUNTERSIGN_VERSION));
    QCoreApplication::setOrganizationName(QStringLiteral("Countersign"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("countersign.io"));
    countersign::platform::quitOnTerminationSignals();
    if (const countersign::Status selfTests = countersign::platform::runSelfTests(); !selfTests) {
        std::fprintf(stderr, "countersign: refusing to start: %s\n", qPrintable(selfTests.error().message));
        return 70;
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Countersign: approve or deny what AI agents want to do.\n"
                       "\n"
                       "Environment:\n"
                       "  COUNTERSIGN_TOKEN  The reviewer's bearer token (required). It is read once at start\n"
                       "                     and removed from the environment. It is deliberately not a\n"
                       "                     command-line option: other users can read a process's arguments."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption gatewayOption({QStringLiteral("g"), QStringLiteral("gateway")},
        QStringLiteral("The gateway's console endpoint, e.g. wss://gateway.example:8443/v1/console."),
        QStringLiteral("url"));
    const QCommandLineOption pinOption(QStringLiteral("pin"),
        QStringLiteral("SHA-256 fingerprint of the gateway's certificate: 64 hex digits, with or "
                       "without colons. A gateway presenting any other certificate is refused."),
        QStringLiteral("sha256"));
    const QCommandLineOption gatewayKeyOption(QStringLiteral("gateway-key"),
        QStringLiteral("The gateway's action-signing public key: the 32-byte Ed25519 key in base64url "
                       "(its JWK \"x\"), as the gateway printed at start. Actions not signed by this "
                       "key are refused and shown as alarms."),
        QStringLiteral("base64url"));
    QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
        QStringLiteral("Write a PNG of the main window to FILE and quit."), QStringLiteral("file"));
    screenshotOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption screenshotDelayOption(QStringLiteral("screenshot-delay"),
        QStringLiteral("Milliseconds to wait before --screenshot."), QStringLiteral("ms"), QStringLiteral("3000"));
    screenshotDelayOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({gatewayOption, pinOption, gatewayKeyOption, screenshotOption, screenshotDelayOption});
    parser.process(app); // exits here for --help and --version

    QGuiApplication::setApplicationDisplayName(QStringLiteral("Countersign"));
    QGuiApplication::setDesktopFileName(QStringLiteral(COUNTERSIGN_APP_ID));
    QGuiApplication::setWindowIcon(countersign::ui::appIcon());

    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));
    if (!parser.isSet(gatewayOption))
        return usageError(QStringLiteral("--gateway is required"));

    QUrl url(parser.value(gatewayOption), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return usageError(QStringLiteral("--gateway: not a valid URL: %1").arg(parser.value(gatewayOption)));
    if (url.scheme() != QLatin1String("wss") && !(url.scheme() == QLatin1String("ws") && isLoopback(url.host())))
        return usageError(QStringLiteral("--gateway must be a wss:// URL (plain ws:// only to a loopback address)"));
    if (url.path().isEmpty() || url.path() == QLatin1String("/"))
        url.setPath(QString::fromLatin1(countersign::protocol::kConsolePath));
    if (!url.userInfo().isEmpty())
        return usageError(QStringLiteral("--gateway must not carry credentials; set COUNTERSIGN_TOKEN instead"));

    QByteArray pin;
    if (parser.isSet(pinOption)) {
        pin = countersign::normalizeFingerprint(parser.value(pinOption));
        if (pin.isEmpty())
            return usageError(QStringLiteral("--pin: expected a SHA-256 fingerprint (64 hex digits, colons optional)"));
    } else if (url.scheme() == QLatin1String("wss")) {
        return usageError(
            QStringLiteral("--pin is required: the gateway's certificate fingerprint, as it printed at start"));
    }
    if (!parser.isSet(gatewayKeyOption)) {
        return usageError(QStringLiteral("--gateway-key is required: the gateway's action-signing public key, "
                                         "as it printed at start"));
    }
    const auto gatewayKey = countersign::crypto::base64UrlDecode(parser.value(gatewayKeyOption).trimmed().toLatin1());
    if (!gatewayKey || !countersign::crypto::Ed25519PublicKey::fromRaw(gatewayKey.value()))
        return usageError(QStringLiteral("--gateway-key: expected a 32-byte Ed25519 public key in base64url (43 characters)"));
    if (token.isEmpty())
        return usageError(QStringLiteral("set %1 to your reviewer token").arg(QLatin1String(kTokenVariable)));

    bool delayOk = false;
    const int screenshotDelay = parser.value(screenshotDelayOption).toInt(&delayOk);
    if (parser.isSet(screenshotOption) && (!delayOk || screenshotDelay < 0))
        return usageError(QStringLiteral("--screenshot-delay: expected milliseconds"));

    countersign::ConnectionSettings settings;
    settings.url = url;
    settings.pinnedSha256 = pin;
    settings.bearerToken = std::move(token);
    settings.gatewayPublicKey = gatewayKey.value();
    countersign::WebSocketGatewayConnection connection(std::move(settings));
    countersign::ServerTime serverTime(countersign::SystemClock::instance());

    countersign::ui::MainWindow window(&connection, serverTime);
    window.show();
    connection.start();

    if (parser.isSet(screenshotOption)) {
        const QString file = QFileInfo(parser.value(screenshotOption)).absoluteFilePath();
        QTimer::singleShot(screenshotDelay, &window, [&window, file] {
            const bool saved = window.grab().save(file, "PNG");
            if (!saved)
                (void)std::fprintf(stderr, "countersign: could not write the screenshot to %s\n", qPrintable(file));
            QApplication::exit(saved ? 0 : 1);
        });
    }

    const int status = QApplication::exec();
    connection.stop();
    return status;
}
