// countersign: the reviewer's console. Parses the command line, opens (or on first run creates)
// the reviewer's signing key and has it unlocked, and opens the main window on a pinned secure
// WebSocket to the gateway, signing in with the key. `countersign enrol` creates a key without
// any GUI, for scripts.
#include "core/Clock.h"
#include "core/ServerTime.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/EncryptedKeyFile.h"
#include "core/crypto/SecureBuffer.h"
#include "core/platform/Process.h"
#include "core/protocol/Protocol.h"
#include "models/AttentionMonitor.h"
#include "net/AuditWitness.h"
#include "net/ConsoleJournal.h"
#include "net/DecisionOutbox.h"
#include "net/PinnedCertificate.h"
#include "net/ReviewerKey.h"
#include "net/WebSocketGatewayConnection.h"
#include "ui/EnrolmentDialog.h"
#include "ui/AuditWindow.h"
#include "ui/MainWindow.h"
#include "ui/Resources.h"
#include "ui/UnlockDialog.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <unistd.h>
#endif

#include <QApplication>
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QPixmap>
#include <QStandardPaths>
#include <QTimer>
#include <QUrl>


namespace {

using countersign::ReviewerKey;
using countersign::crypto::SecureBuffer;

constexpr int kUsageError = 2;
constexpr int kKeyError = 1;
constexpr int kDefaultIdleLockMinutes = 10;
constexpr qsizetype kMaxPassphraseBytes = 1024;

int usageError(const QString &message)
{
    (void)std::fprintf(stderr, "countersign: %s\nTry 'countersign --help'.\n", qPrintable(message));
    return kUsageError;
}

int keyError(const QString &message)
{
    (void)std::fprintf(stderr, "countersign: %s\n", qPrintable(message));
    return kKeyError;
}

QString defaultKeyPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/reviewer-key.pem");
}

// Reads one line (up to the first newline, or to end of file) from the file descriptor, like
// gpg --passphrase-fd, straight into a wiping buffer; the descriptor is closed afterwards.
std::optional<SecureBuffer> readPassphraseFd(const QString &fdText, QString *error)
{
#ifdef Q_OS_UNIX
    bool ok = false;
    const int fd = fdText.toInt(&ok);
    if (!ok || fd < 0) {
        *error = QStringLiteral("--passphrase-fd: expected a file descriptor number");
        return std::nullopt;
    }
    SecureBuffer buffer(kMaxPassphraseBytes);
    qsizetype length = 0;
    for (;;) {
        if (length == buffer.size()) {
            *error = QStringLiteral("--passphrase-fd: the passphrase is longer than %1 bytes").arg(kMaxPassphraseBytes);
            return std::nullopt;
        }
        unsigned char byte = 0;
        const ssize_t got = ::read(fd, &byte, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            *error = QStringLiteral("--passphrase-fd: cannot read file descriptor %1").arg(fd);
            return std::nullopt;
        }
        if (got == 0 || byte == '\n')
            break;
        buffer.data()[length++] = byte;
    }
    if (fd > 2)
        ::close(fd);
    if (length > 0 && buffer.data()[length - 1] == '\r')
        --length;
    return SecureBuffer(QByteArrayView(buffer.view().first(length)));
#else
    Q_UNUSED(fdText);
    *error = QStringLiteral("--passphrase-fd is not supported on this platform");
    return std::nullopt;
#endif
}

// countersign enrol --reviewer ID --key-file PATH --passphrase-fd N [--export-jwk FILE] [--export-pem FILE]
int runEnrol(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Creates the reviewer's signing key without the GUI: the key file (encrypted under the passphrase read "
        "from --passphrase-fd) and its public metadata (FILE.pub.json), and prints the key's fingerprint. "
        "Refuses to overwrite an existing key."));
    parser.addHelpOption();
    const QCommandLineOption reviewerOption(
        QStringLiteral("reviewer"), QStringLiteral("The reviewer id the gateway knows you by."), QStringLiteral("id"));
    const QCommandLineOption keyFileOption(QStringLiteral("key-file"),
        QStringLiteral("Where to create the key (default: %1).").arg(defaultKeyPath()), QStringLiteral("path"));
    const QCommandLineOption passphraseFdOption(QStringLiteral("passphrase-fd"),
        QStringLiteral("Read the passphrase (one line, at least 12 characters) from this file descriptor."),
        QStringLiteral("n"));
    const QCommandLineOption jwkOption(QStringLiteral("export-jwk"),
        QStringLiteral("Also write the public key as a JWK to FILE."), QStringLiteral("file"));
    const QCommandLineOption pemOption(QStringLiteral("export-pem"),
        QStringLiteral("Also write the public key as PEM to FILE."), QStringLiteral("file"));
    const QCommandLineOption costOption(QStringLiteral("scrypt-log2n"),
        QStringLiteral("scrypt cost as log2(N), 14 to 20, instead of measuring this machine (14 is for tests)."),
        QStringLiteral("n"));
    parser.addOptions({reviewerOption, keyFileOption, passphraseFdOption, jwkOption, pemOption, costOption});
    parser.process(arguments);

    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("enrol: unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));
    if (!parser.isSet(reviewerOption))
        return usageError(QStringLiteral("enrol: --reviewer is required"));
    if (!parser.isSet(passphraseFdOption))
        return usageError(QStringLiteral("enrol: --passphrase-fd is required (the passphrase never goes on the "
                                         "command line)"));
    countersign::crypto::ScryptCost cost;
    bool calibrate = true;
    if (parser.isSet(costOption)) {
        bool ok = false;
        const int log2n = parser.value(costOption).toInt(&ok);
        if (!ok || log2n < 14 || log2n > 20)
            return usageError(QStringLiteral("enrol: --scrypt-log2n must be 14 to 20"));
        cost.n = uint64_t(1) << log2n;
        calibrate = false;
    }
    QString error;
    const std::optional<SecureBuffer> passphrase = readPassphraseFd(parser.value(passphraseFdOption), &error);
    if (!passphrase)
        return usageError(error);
    if (QString::fromUtf8(passphrase->view()).size() < ReviewerKey::kMinPassphraseChars) // before seconds of calibration
        return keyError(QStringLiteral("no key created: the passphrase must be at least %1 characters long")
                            .arg(ReviewerKey::kMinPassphraseChars));
    if (calibrate)
        cost = countersign::crypto::calibrateScrypt(500);

    const QString keyPath = QFileInfo(parser.isSet(keyFileOption) ? parser.value(keyFileOption) : defaultKeyPath())
                                .absoluteFilePath();
    auto enrolled = ReviewerKey::enrol(keyPath, parser.value(reviewerOption), *passphrase, cost);
    if (!enrolled)
        return keyError(QStringLiteral("no key created: %1 (%2)").arg(enrolled.error().message, enrolled.error().code));
    const ReviewerKey &key = *enrolled.value();
    if (parser.isSet(jwkOption)) {
        if (const countersign::Status written = key.writePublicJwk(parser.value(jwkOption)); !written)
            return keyError(written.error().message);
    }
    if (parser.isSet(pemOption)) {
        if (const countersign::Status written = key.writePublicPem(parser.value(pemOption)); !written)
            return keyError(written.error().message);
    }
    (void)std::printf("reviewer:    %s\nkey file:    %s\nfingerprint: %s\nkey id:      %s\n",
        qPrintable(key.reviewerId()), qPrintable(QDir::toNativeSeparators(keyPath)), qPrintable(key.fingerprint()),
        qPrintable(key.keyId()));
    return 0;
}

// --help and --version must work without a display, so they get a core application only.
bool wantsInformationOnly(int argc, char **argv)
{
    if (argc > 1 && QByteArrayView(argv[1]) == "enrol")
        return true; // headless
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

// countersign --audit-log PATH without --gateway: the audit view alone, for an analyst with a
// copy of a log. No reviewer key: nothing is signed or decided, and the file is only read.
int runAuditOnly(const QCommandLineParser &parser)
{
    std::optional<countersign::crypto::Ed25519PublicKey> gatewayKey;
    if (parser.isSet(QStringLiteral("gateway-key"))) {
        const auto raw = countersign::crypto::base64UrlDecode(parser.value(QStringLiteral("gateway-key")).trimmed().toLatin1());
        auto key = raw ? countersign::crypto::Ed25519PublicKey::fromRaw(raw.value())
                       : countersign::Result<countersign::crypto::Ed25519PublicKey>(raw.error());
        if (!key)
            return usageError(QStringLiteral("--gateway-key: expected a 32-byte Ed25519 public key in base64url (43 characters)"));
        gatewayKey = key.value();
    }
    bool delayOk = false;
    const int screenshotDelay = parser.value(QStringLiteral("screenshot-delay")).toInt(&delayOk);
    if (!delayOk || screenshotDelay < 0)
        return usageError(QStringLiteral("--screenshot-delay: expected milliseconds"));
    countersign::ui::AuditWindow window;
    window.setGatewayKey(gatewayKey);
    window.openAuditLog(parser.value(QStringLiteral("audit-log")));
    window.show();
    if (parser.isSet(QStringLiteral("screenshot"))) {
        const QString file = QFileInfo(parser.value(QStringLiteral("screenshot"))).absoluteFilePath();
        QTimer::singleShot(screenshotDelay, &window, [&window, file] {
            const bool saved = window.grab().save(file, "PNG");
            if (!saved)
                (void)std::fprintf(stderr, "countersign: could not write the screenshot to %s\n", qPrintable(file));
            window.close();
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return QApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    // Before anything holds a secret (a passphrase, the unlocked key).
    countersign::platform::hardenProcess();

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

    if (app.arguments().size() > 1 && app.arguments().at(1) == QLatin1String("enrol")) {
        QStringList arguments = app.arguments();
        arguments.removeAt(1);
        arguments[0] += QStringLiteral(" enrol");
        return runEnrol(arguments);
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Countersign: approve or deny what AI agents want to do.\n"
                       "\n"
                       "You sign in to the gateway, and sign every decision, with your own Ed25519 key. On first\n"
                       "run Countersign creates it (encrypted under a passphrase you choose) and shows the public\n"
                       "key to send to your gateway administrator; afterwards it asks for the passphrase at start.\n"
                       "\n"
                       "Without a GUI:\n"
                       "  countersign enrol --reviewer ID --passphrase-fd N [--key-file PATH]\n"
                       "                    [--export-jwk FILE] [--export-pem FILE]\n"
                       "      Creates the key, prints its fingerprint and exits ('countersign enrol --help')."));
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
    const QCommandLineOption keyFileOption(QStringLiteral("key-file"),
        QStringLiteral("Your encrypted signing key (default: %1). Its public part is read from PATH.pub.json.")
            .arg(defaultKeyPath()),
        QStringLiteral("path"));
    const QCommandLineOption idleLockOption(QStringLiteral("idle-lock"),
        QStringLiteral("Lock the key after this many minutes without keyboard or mouse input (default %1; 0 never)."
                       " Nothing can be decided while it is locked.")
            .arg(kDefaultIdleLockMinutes),
        QStringLiteral("minutes"), QString::number(kDefaultIdleLockMinutes));
    const QCommandLineOption passphraseFdOption(QStringLiteral("passphrase-fd"),
        QStringLiteral("Read the key's passphrase (one line) from this file descriptor once at start and unlock "
                       "with it, instead of asking. Never put a passphrase on the command line."),
        QStringLiteral("n"));
    const QCommandLineOption journalOption(QStringLiteral("journal"),
        QStringLiteral("This console's own audit log: what it was shown, what it signed, and the gateway checkpoints "
                       "it witnessed (default: next to the key file, KEYFILE-BASENAME.journal.db)."),
        QStringLiteral("path"));
    const QCommandLineOption auditLogOption(QStringLiteral("audit-log"),
        QStringLiteral("An audit log file (the gateway's audit.db, a copy, or a console journal) to open read-only in "
                       "the audit view (Ctrl+2). Without --gateway, only the audit view opens and no reviewer key is "
                       "needed."),
        QStringLiteral("path"));
    const QCommandLineOption notifyAtOption(QStringLiteral("notify-at"),
        QStringLiteral("Raise a desktop notification when this share of an action's decision window has passed: "
                       "percentages from 1 to 99, comma-separated, or 'none' (default: the attention/notifyAt "
                       "setting, else 50,80). High-tier arrivals and escalations are always notified."),
        QStringLiteral("percents"));
    parser.addOptions({gatewayOption, pinOption, gatewayKeyOption, keyFileOption, idleLockOption, passphraseFdOption,
        journalOption, notifyAtOption, screenshotOption, screenshotDelayOption, auditLogOption});
    parser.process(app); // exits here for --help and --version

    QGuiApplication::setApplicationDisplayName(QStringLiteral("Countersign"));
    QGuiApplication::setDesktopFileName(QStringLiteral(COUNTERSIGN_APP_ID));
    QGuiApplication::setWindowIcon(countersign::ui::appIcon());

    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));
    if (parser.isSet(auditLogOption) && !QFileInfo(parser.value(auditLogOption)).isFile())
        return usageError(QStringLiteral("--audit-log: no such file: %1").arg(parser.value(auditLogOption)));
    if (!parser.isSet(gatewayOption) && parser.isSet(auditLogOption))
        return runAuditOnly(parser);
    if (!parser.isSet(gatewayOption))
        return usageError(QStringLiteral("--gateway is required (or --audit-log PATH to open only an audit log)"));

    QUrl url(parser.value(gatewayOption), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return usageError(QStringLiteral("--gateway: not a valid URL: %1").arg(parser.value(gatewayOption)));
    if (url.scheme() != QLatin1String("wss") && !(url.scheme() == QLatin1String("ws") && isLoopback(url.host())))
        return usageError(QStringLiteral("--gateway must be a wss:// URL (plain ws:// only to a loopback address)"));
    if (url.path().isEmpty() || url.path() == QLatin1String("/"))
        url.setPath(QString::fromLatin1(countersign::protocol::kConsolePath));
    if (!url.userInfo().isEmpty())
        return usageError(QStringLiteral("--gateway must not carry credentials; you sign in with your key"));

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
    bool idleOk = false;
    const int idleMinutes = parser.value(idleLockOption).toInt(&idleOk);
    if (!idleOk || idleMinutes < 0 || idleMinutes > 24 * 60)
        return usageError(QStringLiteral("--idle-lock: expected minutes, 0 to 1440"));

    std::optional<QList<double>> notifyAt;
    if (parser.isSet(notifyAtOption)) {
        notifyAt = countersign::AttentionMonitor::parseThresholds(parser.value(notifyAtOption));
        if (!notifyAt)
            return usageError(QStringLiteral("--notify-at: expected percentages from 1 to 99, e.g. 50,80, or 'none'"));
    }

    bool delayOk = false;
    const int screenshotDelay = parser.value(screenshotDelayOption).toInt(&delayOk);
    if (parser.isSet(screenshotOption) && (!delayOk || screenshotDelay < 0))
        return usageError(QStringLiteral("--screenshot-delay: expected milliseconds"));

    // The key: read the passphrase first (the descriptor is there now), then open or create it.
    const QString keyPath = QFileInfo(parser.isSet(keyFileOption) ? parser.value(keyFileOption) : defaultKeyPath())
                                .absoluteFilePath();
    std::optional<SecureBuffer> passphrase;
    if (parser.isSet(passphraseFdOption)) {
        QString error;
        passphrase = readPassphraseFd(parser.value(passphraseFdOption), &error);
        if (!passphrase)
            return usageError(error);
    }
    std::unique_ptr<ReviewerKey> key;
    if (!QFileInfo::exists(keyPath) && !QFileInfo::exists(ReviewerKey::metadataPath(keyPath))) {
        if (passphrase) {
            return keyError(QStringLiteral("no reviewer key at %1; create one with 'countersign enrol' or by "
                                           "starting without --passphrase-fd")
                                .arg(keyPath));
        }
        countersign::ui::EnrolmentDialog enrolment(keyPath, QString());
        if (enrolment.exec() != QDialog::Accepted || !enrolment.key())
            return 0;
        key = enrolment.takeKey();
    } else {
        auto opened = ReviewerKey::open(keyPath);
        if (!opened)
            return keyError(QStringLiteral("cannot use the reviewer key: %1 (%2)")
                                .arg(opened.error().message, opened.error().code));
        key = std::move(opened).value();
        if (passphrase) {
            if (const countersign::Status unlocked = key->unlock(*passphrase); !unlocked)
                return keyError(QStringLiteral("cannot unlock %1: %2 (%3)")
                                    .arg(keyPath, unlocked.error().message, unlocked.error().code));
        } else {
            countersign::ui::UnlockDialog unlock(key.get(), countersign::ui::UnlockDialog::Purpose::Start);
            if (unlock.exec() != QDialog::Accepted || !key->isUnlocked())
                return 0;
        }
    }
    passphrase.reset(); // wiped
    key->setIdleTimeout(std::chrono::minutes(idleMinutes));

    countersign::ConnectionSettings settings;
    settings.url = url;
    settings.pinnedSha256 = pin;
    settings.gatewayPublicKey = gatewayKey.value();
    ReviewerKey *signer = key.get();
    settings.signIn = [signer](const countersign::auth::SignInClaims &claims) { return signer->signSignIn(claims); };
    countersign::WebSocketGatewayConnection connection(std::move(settings));
    countersign::ServerTime serverTime(countersign::SystemClock::instance());

    // The console's own record, and with it the witness of the gateway's audit log. A console
    // that cannot keep its record does not start.
    const QFileInfo keyInfo(keyPath);
    const QString journalPath = parser.isSet(journalOption)
        ? QFileInfo(parser.value(journalOption)).absoluteFilePath()
        : keyInfo.absoluteDir().filePath(keyInfo.completeBaseName() + QStringLiteral(".journal.db"));
    auto journal = countersign::ConsoleJournal::open(journalPath);
    if (!journal) {
        (void)std::fprintf(stderr, "countersign: cannot open this console's journal %s: %s (%s)\n", qPrintable(journalPath),
                           qPrintable(journal.error().message), qPrintable(journal.error().code));
        return 1;
    }
    journal.value()->attach(connection);
    countersign::AuditWitness witness(connection, *journal.value(),
                                      countersign::crypto::Ed25519PublicKey::fromRaw(gatewayKey.value()).value());

    countersign::ui::MainWindow window(&connection, serverTime, key.get());
    countersign::DecisionOutbox outbox(connection, *journal.value(), serverTime);
    window.setOutbox(&outbox);
    if (notifyAt)
        window.attentionMonitor()->setThresholds(*notifyAt); // for this run; the setting stays as it is
    window.setAuditWitness(&witness);
    if (auto checkpointKey = countersign::crypto::Ed25519PublicKey::fromRaw(gatewayKey.value()); checkpointKey)
        window.setGatewayKey(checkpointKey.value()); // it signs the audit log's checkpoints too
    if (parser.isSet(auditLogOption))
        window.openAuditLog(parser.value(auditLogOption));
    window.show();
    connection.start();

    if (parser.isSet(screenshotOption)) {
        const QString file = QFileInfo(parser.value(screenshotOption)).absoluteFilePath();
        QTimer::singleShot(screenshotDelay, &window, [&window, file] {
            const bool saved = window.grab().save(file, "PNG");
            if (!saved)
                (void)std::fprintf(stderr, "countersign: could not write the screenshot to %s\n", qPrintable(file));
            // Closed as a person would close it, so it keeps its settings the same way.
            window.close();
            QApplication::exit(saved ? 0 : 1);
        });
    }

    const int status = QApplication::exec();
    connection.stop();
    return status;
}
