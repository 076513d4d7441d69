// countersign-gateway: the reference authorization gateway, headless, on loopback by default.
#include "core/Clock.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/SelfSignedCertificate.h"
#include "core/platform/Process.h"
#include "gateway/AdminClient.h"
#include "gateway/Gateway.h"

#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

using namespace countersign;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "countersign-gateway: %s\n", qPrintable(message));
    return 1;
}

std::optional<quint16> parsePort(const QString &text)
{
    bool ok = false;
    const uint port = text.toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    return static_cast<quint16>(port);
}

Status writeReadyFile(const QString &path, const gateway::Gateway &gateway)
{
    const QJsonObject ready{
        {QStringLiteral("agentUrl"), gateway.agentUrl().toString()},
        {QStringLiteral("consoleUrl"), gateway.consoleUrl().toString()},
        {QStringLiteral("controlUrl"), gateway.controlUrl().toString()},
        {QStringLiteral("fingerprint"), QString::fromLatin1(gateway.fingerprint())},
        {QStringLiteral("gatewayId"), gateway.gatewayId()},
        // The action-signing key: its thumbprint, its JWK, and its raw public key (base64url,
        // the JWK's "x") as consoles take it with --gateway-key.
        {QStringLiteral("signingKey"), QString::fromLatin1(gateway.signingKeyThumbprint())},
        {QStringLiteral("signingJwk"), crypto::publicKeyToJwk(gateway.signingPublicKey())},
        {QStringLiteral("signingKeyX"), QString::fromLatin1(crypto::base64UrlEncode(gateway.signingPublicKey().raw()))},
    };
    // Atomic, so a watcher never reads half a file.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(QStringLiteral("gateway.ready_file"), file.errorString());
    file.write(QJsonDocument(ready).toJson(QJsonDocument::Compact));
    if (!file.commit())
        return makeError(QStringLiteral("gateway.ready_file"), file.errorString());
    return {};
}

} // namespace

int main(int argc, char *argv[])
{
    platform::hardenProcess();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("countersign-gateway"));
    QCoreApplication::setApplicationVersion(QStringLiteral(COUNTERSIGN_VERSION));
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-warning}warning: %{endif}%{message}"));
    if (const Status selfTests = platform::runSelfTests(); !selfTests) {
        qCritical().noquote() << "countersign-gateway: refusing to start:" << selfTests.error().message;
        return 70;
    }
    // `countersign-gateway admin …`: a client of a running gateway's control plane.
    if (argc > 1 && qstrcmp(argv[1], "admin") == 0)
        return gateway::runAdminCommand(QCoreApplication::arguments().mid(2));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Countersign reference authorization gateway.\n"
                                                    "Administration: countersign-gateway admin --help"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDirOption(QStringLiteral("data-dir"), QStringLiteral("State directory (database, TLS identity)."),
                                           QStringLiteral("DIR"),
                                           QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
                                               + QStringLiteral("/countersign/gateway"));
    const QCommandLineOption policyOption(QStringLiteral("policy"),
                                          QStringLiteral("Policy file: required on first start, recorded as the first policy; later the "
                                                         "recorded policy is in force and a differing file is ignored."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption listenOption(QStringLiteral("listen"), QStringLiteral("Address to listen on."),
                                          QStringLiteral("ADDR"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption agentPortOption(QStringLiteral("agent-port"), QStringLiteral("Agent API port (0: any free port)."),
                                             QStringLiteral("N"), QStringLiteral("8443"));
    const QCommandLineOption consolePortOption(QStringLiteral("console-port"), QStringLiteral("Console API port (0: any free port)."),
                                               QStringLiteral("N"), QStringLiteral("8444"));
    const QCommandLineOption controlAddressOption(QStringLiteral("control-address"),
                                                  QStringLiteral("Address of the control plane (administration)."),
                                                  QStringLiteral("ADDR"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption controlPortOption(QStringLiteral("control-port"),
                                               QStringLiteral("Control-plane port (0: any free port)."),
                                               QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption readyFileOption(QStringLiteral("ready-file"),
                                             QStringLiteral("Once listening, write the URLs, fingerprint, gateway id and action-signing key here as JSON."),
                                             QStringLiteral("FILE"));
    const QCommandLineOption plaintextOption(QStringLiteral("insecure-dev-plaintext"),
                                             QStringLiteral("Serve http:// and ws:// without TLS (loopback only, development only)."));
    const QCommandLineOption sessionIdleOption(QStringLiteral("session-idle"),
                                               QStringLiteral("End a reviewer session after this many seconds without a frame."),
                                               QStringLiteral("SECONDS"), QStringLiteral("600"));
    const QCommandLineOption sessionMaxOption(QStringLiteral("session-max"),
                                              QStringLiteral("End every reviewer session this many seconds after sign-in."),
                                              QStringLiteral("SECONDS"), QStringLiteral("3600"));
    parser.addOptions({dataDirOption, policyOption, listenOption, agentPortOption, consolePortOption,
                       controlAddressOption, controlPortOption, readyFileOption, plaintextOption, sessionIdleOption,
                       sessionMaxOption});
    parser.process(app);

    gateway::GatewayConfig config;
    config.dataDir = QDir::cleanPath(parser.value(dataDirOption));
    config.policyPath = parser.value(policyOption);
    if (!config.listenAddress.setAddress(parser.value(listenOption)))
        return fail(QStringLiteral("--listen: not an IP address: %1").arg(parser.value(listenOption)));
    const auto agentPort = parsePort(parser.value(agentPortOption));
    const auto consolePort = parsePort(parser.value(consolePortOption));
    const auto controlPort = parsePort(parser.value(controlPortOption));
    if (!agentPort || !consolePort || !controlPort)
        return fail(QStringLiteral("ports must be numbers from 0 to 65535"));
    config.agentPort = *agentPort;
    config.consolePort = *consolePort;
    config.controlPort = *controlPort;
    if (!config.controlAddress.setAddress(parser.value(controlAddressOption)))
        return fail(QStringLiteral("--control-address: not an IP address: %1").arg(parser.value(controlAddressOption)));
    config.insecurePlaintext = parser.isSet(plaintextOption);
    bool idleOk = false;
    bool maxOk = false;
    config.sessionIdleSeconds = parser.value(sessionIdleOption).toInt(&idleOk);
    config.sessionMaxSeconds = parser.value(sessionMaxOption).toInt(&maxOk);
    constexpr int kDay = 24 * 3600;
    if (!idleOk || !maxOk || config.sessionIdleSeconds < 1 || config.sessionMaxSeconds < 1
        || config.sessionIdleSeconds > kDay || config.sessionMaxSeconds > kDay)
        return fail(QStringLiteral("--session-idle and --session-max must be whole seconds from 1 to %1").arg(kDay));
    for (const QHostAddress &address : {config.listenAddress, config.controlAddress}) {
        if (config.insecurePlaintext && !address.isLoopback()) {
            return fail(QStringLiteral("--insecure-dev-plaintext sends tokens and decisions in the clear; "
                                       "it is refused on %1 (use a loopback address such as 127.0.0.1)")
                            .arg(address.toString()));
        }
    }

    platform::quitOnTerminationSignals();
    gateway::Gateway gateway(config, SystemClock::instance());
    if (Status opened = gateway.open(); !opened)
        return fail(opened.error().toString());
    if (Status listening = gateway.listen(); !listening)
        return fail(listening.error().toString());

    std::fprintf(stderr, "countersign-gateway %s: gateway id %s\n", COUNTERSIGN_VERSION, qPrintable(gateway.gatewayId()));
    std::fprintf(stderr, "agent API:   %s\n", qPrintable(gateway.agentUrl().toString()));
    std::fprintf(stderr, "console API: %s\n", qPrintable(gateway.consoleUrl().toString()));
    std::fprintf(stderr, "control plane (countersign-gateway admin --url): %s\n", qPrintable(gateway.controlUrl().toString()));
    if (config.insecurePlaintext)
        std::fprintf(stderr, "WARNING: plaintext development mode: no TLS\n");
    else
        std::fprintf(stderr, "certificate SHA-256 fingerprint: %s\n",
                     qPrintable(crypto::formatFingerprint(gateway.fingerprint())));
    std::fprintf(stderr, "action-signing key thumbprint: %s\n", qPrintable(gateway.signingKeyThumbprint()));
    std::fprintf(stderr, "action-signing public key (console --gateway-key): %s\n",
                 qPrintable(crypto::base64UrlEncode(gateway.signingPublicKey().raw())));

    if (parser.isSet(readyFileOption)) {
        if (Status written = writeReadyFile(parser.value(readyFileOption), gateway); !written)
            return fail(QStringLiteral("--ready-file: ") + written.error().message);
    }
    return QCoreApplication::exec();
}
