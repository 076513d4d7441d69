// countersign-test-console: the console's decision path without its window, for crash tests. It
// runs the real connection, journal and decision outbox, and denies every pending action, one
// every --pace ms, printing what it does; tests kill it with SIGKILL at random moments.
//
//   countersign-test-console --gateway URL --pin SHA256 --gateway-key B64URL --journal PATH
//                            --reviewer ID [--pace MS]   (the reviewer's Ed25519 seed, hex, on stdin)
#include "core/ServerTime.h"
#include "core/auth/SignIn.h"
#include "core/crypto/SecureBuffer.h"
#include "core/decision/SignedDecision.h"
#include "net/ConsoleJournal.h"
#include "net/DecisionOutbox.h"
#include "net/WebSocketGatewayConnection.h"

#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QQueue>
#include <QTimer>
#include <QUuid>

using namespace countersign;

namespace {

void say(const QString &line)
{
    (void)std::fprintf(stdout, "%s\n", qPrintable(line));
    (void)std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption gateway(QStringLiteral("gateway"), QStringLiteral("console URL"), QStringLiteral("url"));
    const QCommandLineOption pin(QStringLiteral("pin"), QStringLiteral("certificate SHA-256"), QStringLiteral("hex"));
    const QCommandLineOption gatewayKey(QStringLiteral("gateway-key"), QStringLiteral("signing key"), QStringLiteral("b64url"));
    const QCommandLineOption journalPath(QStringLiteral("journal"), QStringLiteral("journal file"), QStringLiteral("path"));
    const QCommandLineOption reviewer(QStringLiteral("reviewer"), QStringLiteral("reviewer id"), QStringLiteral("id"));
    const QCommandLineOption pace(QStringLiteral("pace"), QStringLiteral("ms between decisions"), QStringLiteral("ms"),
                                  QStringLiteral("10"));
    parser.addOptions({gateway, pin, gatewayKey, journalPath, reviewer, pace});
    parser.process(app);

    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return 2;
    const QByteArray seed = QByteArray::fromHex(in.readLine().trimmed());
    auto key = crypto::Ed25519PrivateKey::fromSeed(crypto::SecureBuffer(seed));
    const auto gatewayPublic = QByteArray::fromBase64(parser.value(gatewayKey).toLatin1(),
                                                      QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    if (!key)
        return 2;
    const QString reviewerId = parser.value(reviewer);

    ServerTime serverTime(SystemClock::instance());
    ConnectionSettings settings;
    settings.url = QUrl(parser.value(gateway));
    settings.pinnedSha256 = parser.value(pin).toLatin1();
    settings.gatewayPublicKey = gatewayPublic;
    settings.initialBackoffMs = 50;
    settings.maxBackoffMs = 500;
    const crypto::Ed25519PrivateKey &signer = key.value();
    settings.signIn = [&](auth::SignInClaims claims) {
        claims.reviewer = reviewerId;
        return auth::signSignIn(claims, signer, SystemClock::instance());
    };
    WebSocketGatewayConnection connection(settings);
    auto journal = ConsoleJournal::open(parser.value(journalPath));
    if (!journal) {
        say(QStringLiteral("error %1").arg(journal.error().toString()));
        return 2;
    }
    journal.value()->attach(connection);
    DecisionOutbox outbox(connection, *journal.value(), serverTime);

    QString gatewayId;
    QQueue<protocol::ActionPending> toDecide;
    QObject::connect(&connection, &GatewayConnection::helloReceived, [&](const protocol::Hello &hello) {
        serverTime.sync(hello.serverTime);
        gatewayId = hello.gatewayId;
    });
    QObject::connect(&connection, &GatewayConnection::resyncStarted, [&] { toDecide.clear(); });
    QObject::connect(&connection, &GatewayConnection::actionPending,
                     [&](const protocol::ActionPending &frame) { toDecide.enqueue(frame); });
    QObject::connect(&connection, &GatewayConnection::decisionResult, [&](const protocol::DecisionResult &result) {
        say(QStringLiteral("answered %1 %2 %3").arg(result.requestId, result.accepted ? QStringLiteral("accepted")
                                                                                       : QStringLiteral("refused"),
                                                     result.code));
    });
    QObject::connect(&outbox, &DecisionOutbox::resent, [&](const QString &requestId, const QString &actionId) {
        say(QStringLiteral("resent %1 %2").arg(requestId, actionId));
    });

    QTimer ticker;
    ticker.setInterval(parser.value(pace).toInt());
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        if (connection.state() != GatewayConnection::State::Connected)
            return;
        while (!toDecide.isEmpty()) {
            const protocol::ActionPending frame = toDecide.dequeue();
            bool inFlight = false;
            for (const DecisionOutbox::Entry &entry : outbox.unsettled())
                inFlight = inFlight || entry.decision.actionId == frame.action.id;
            if (inFlight)
                continue; // the outbox resends the decision it already holds
            decision::DecisionClaims claims;
            claims.actionId = frame.action.id;
            claims.actionDigest = frame.digest;
            claims.verdict = protocol::Verdict::Deny;
            claims.reason = QStringLiteral("crash test");
            claims.reviewer = reviewerId;
            claims.gatewayId = gatewayId;
            claims.policyVersion = frame.action.policyVersion;
            auto token = decision::signDecision(claims, signer, SystemClock::instance());
            if (!token)
                return;
            protocol::Decision decision;
            decision.requestId = QStringLiteral("r-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
            decision.actionId = frame.action.id;
            decision.token = token.value();
            const Status sent = outbox.send(decision, frame.action.deadline);
            say(QStringLiteral("signed %1 %2 %3").arg(decision.requestId, decision.actionId,
                                                      sent ? QStringLiteral("sent") : sent.error().code));
            return; // one per tick
        }
    });
    ticker.start();
    connection.start();
    return QCoreApplication::exec();
}
