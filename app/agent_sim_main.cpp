// countersign-agent-sim: submits a realistic stream of agent actions to a gateway and reports
// their outcomes; also writes the demo policy that governs the simulated agents.
#include "core/crypto/Digest.h"
#include "core/json/Json.h"
#include "core/platform/Process.h"
#include "net/PinnedCertificate.h"
#include "sim/Scenario.h"
#include "sim/Simulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTextStream>

using namespace countersign;

namespace {

int fail(const QString &message)
{
    QTextStream(stderr) << "countersign-agent-sim: " << message << Qt::endl;
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    platform::hardenProcess();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("countersign-agent-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(COUNTERSIGN_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Submits a realistic stream of high-impact agent actions (payments, deletions, outbound "
        "email, PII exports, permission changes, code execution, Judge-flagged calls, sub-agents "
        "acting for a parent) to a Countersign gateway and reports their outcomes.\n\n"
        "Agent tokens are derived from the secret in the environment variable "
        "COUNTERSIGN_SIM_SECRET; the policy written by --write-demo-policy holds only their hashes."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption gatewayOption(QStringLiteral("gateway"), QStringLiteral("Agent API base URL."),
                                           QStringLiteral("url"), QStringLiteral("https://127.0.0.1:8443"));
    const QCommandLineOption pinOption(QStringLiteral("pin"),
                                       QStringLiteral("SHA-256 fingerprint of the gateway certificate."),
                                       QStringLiteral("sha256"));
    const QCommandLineOption gatewayIdOption(
        QStringLiteral("gateway-id"),
        QStringLiteral("The gateway's id (its ready file's gatewayId). With it, the enrolled applications sign user "
                       "assertions and agents exchange them for delegation tokens, so the console shows verified "
                       "identity chains; without it every user and parent agent is only claimed."),
        QStringLiteral("id"));
    const QCommandLineOption rateOption(QStringLiteral("rate"), QStringLiteral("Actions per second."),
                                        QStringLiteral("n"), QStringLiteral("0.5"));
    const QCommandLineOption countOption(QStringLiteral("count"), QStringLiteral("Actions to submit; 0 runs until stopped."),
                                         QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption seedOption(QStringLiteral("seed"), QStringLiteral("Seed of the workload."),
                                        QStringLiteral("n"), QStringLiteral("1"));
    const QCommandLineOption noWaitOption(QStringLiteral("no-wait"), QStringLiteral("Do not wait for outcomes."));
    const QCommandLineOption policyOption(QStringLiteral("write-demo-policy"),
                                          QStringLiteral("Write the demo policy to a file and exit."),
                                          QStringLiteral("file"));
    const QCommandLineOption reviewerOption(QStringLiteral("reviewer"),
                                            QStringLiteral("With --write-demo-policy: enrol a reviewer as ID=FILE, FILE "
                                                           "holding the reviewer's public key as a JWK. Repeatable."),
                                            QStringLiteral("id=file"));
    const QCommandLineOption adminOption(QStringLiteral("admin"),
                                         QStringLiteral("With --write-demo-policy: enrol an administrator as ID=SHA256HEX "
                                                        "(the SHA-256 of the admin token). Repeatable."),
                                         QStringLiteral("id=hash"));
    parser.addOptions({gatewayOption, pinOption, gatewayIdOption, rateOption, countOption, seedOption, noWaitOption, policyOption,
                       reviewerOption, adminOption});
    parser.process(app);
    if (const Status selfTests = platform::runSelfTests(); !selfTests)
        return fail(QStringLiteral("refusing to start: ") + selfTests.error().message);

    const QByteArray secret = qgetenv("COUNTERSIGN_SIM_SECRET");
    qunsetenv("COUNTERSIGN_SIM_SECRET");
    if (secret.size() < 16)
        return fail(QStringLiteral("set COUNTERSIGN_SIM_SECRET to a random secret of at least 16 characters"));

    if (parser.isSet(policyOption)) {
        QList<QPair<QString, QJsonObject>> reviewers;
        for (const QString &entry : parser.values(reviewerOption)) {
            const qsizetype eq = entry.indexOf(QLatin1Char('='));
            if (eq <= 0)
                return fail(QStringLiteral("--reviewer must be ID=FILE, got \"%1\"").arg(entry.left(80)));
            QFile jwkFile(entry.mid(eq + 1));
            if (!jwkFile.open(QIODevice::ReadOnly))
                return fail(QStringLiteral("--reviewer: cannot read %1: %2").arg(jwkFile.fileName(), jwkFile.errorString()));
            auto jwk = json::parse(jwkFile.read(16 * 1024));
            if (!jwk || !jwk.value().isObject())
                return fail(QStringLiteral("--reviewer: %1 is not a JSON object").arg(jwkFile.fileName()));
            reviewers.append({entry.left(eq), jwk.value().toObject()});
        }
        QList<QPair<QString, QByteArray>> admins;
        for (const QString &entry : parser.values(adminOption)) {
            const qsizetype eq = entry.indexOf(QLatin1Char('='));
            const QByteArray hash = eq > 0 ? normalizeFingerprint(entry.mid(eq + 1)) : QByteArray();
            if (hash.isEmpty())
                return fail(QStringLiteral("--admin must be ID=<64 hex digits>, got \"%1\"").arg(entry.left(80)));
            admins.append({entry.left(eq), hash});
        }
        QSaveFile file(parser.value(policyOption));
        if (!file.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
        file.write(QJsonDocument(sim::demoPolicy(secret, reviewers, admins)).toJson(QJsonDocument::Indented));
        if (!file.commit())
            return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
        return 0;
    }

    sim::SimulatorSettings settings;
    settings.gateway = QUrl(parser.value(gatewayOption));
    if (!settings.gateway.isValid() || settings.gateway.scheme() != QLatin1String("https"))
        return fail(QStringLiteral("--gateway must be an https:// URL"));
    settings.pinnedSha256 = normalizeFingerprint(parser.value(pinOption));
    if (settings.pinnedSha256.isEmpty())
        return fail(QStringLiteral("--pin must be the gateway certificate's SHA-256 fingerprint (64 hex digits)"));
    bool ok = false;
    settings.ratePerSecond = parser.value(rateOption).toDouble(&ok);
    if (!ok || settings.ratePerSecond <= 0 || settings.ratePerSecond > 10000)
        return fail(QStringLiteral("--rate must be a number between 0 and 10000"));
    settings.count = parser.value(countOption).toInt(&ok);
    if (!ok || settings.count < 0)
        return fail(QStringLiteral("--count must be a whole number, 0 or more"));
    settings.seed = parser.value(seedOption).toUInt(&ok);
    if (!ok)
        return fail(QStringLiteral("--seed must be a whole number"));
    settings.secret = secret;
    settings.gatewayId = parser.value(gatewayIdOption);
    settings.waitForOutcomes = !parser.isSet(noWaitOption);

    QTextStream out(stdout);
    sim::Simulator simulator(settings, out);
    QObject::connect(&simulator, &sim::Simulator::finished, &app, [&] {
        out << simulator.summary() << Qt::endl;
        QCoreApplication::exit(simulator.failures() == 0 ? 0 : 1);
    });
    platform::quitOnTerminationSignals();
    simulator.start();
    const int code = QCoreApplication::exec();
    if (code >= 128)
        out << simulator.summary() << Qt::endl;
    return code;
}
