// The console's real connection class against a real gateway process: pinning, refusal,
// decisions, and exact resume across repeated network drops.
#include "core/auth/SignIn.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/Jwk.h"
#include "core/decision/SignedDecision.h"
#include "net/WebSocketGatewayConnection.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;

namespace {

QByteArray paymentBody(int amount, const QString &session)
{
    return submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                          {{QStringLiteral("amount"), amount}, {QStringLiteral("currency"), QStringLiteral("EUR")}},
                          QStringLiteral("alice@example.com"), session);
}

} // namespace

class TestGatewayConnection final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<GatewayProcess> m_gateway;

    QByteArray signedDecision(const protocol::ActionPending &frame, const QString &gatewayId, protocol::Verdict verdict,
                              const QString &reason)
    {
        decision::DecisionClaims claims;
        claims.actionId = frame.action.id;
        claims.actionDigest = frame.digest;
        claims.verdict = verdict;
        claims.reason = reason;
        claims.reviewer = GatewayProcess::kRita;
        claims.gatewayId = gatewayId;
        claims.policyVersion = frame.action.policyVersion;
        return decision::signDecision(claims, m_gateway->reviewerKey(GatewayProcess::kRita), SystemClock::instance()).value();
    }

    std::unique_ptr<WebSocketGatewayConnection> connectAs(const QString &reviewer, QByteArray pin = {},
                                                          QByteArray gatewayKey = {})
    {
        ConnectionSettings settings = m_gateway->connectionSettings(reviewer);
        if (!pin.isEmpty())
            settings.pinnedSha256 = pin;
        if (!gatewayKey.isEmpty())
            settings.gatewayPublicKey = gatewayKey;
        settings.initialBackoffMs = 50;
        settings.maxBackoffMs = 400;
        return std::make_unique<WebSocketGatewayConnection>(settings);
    }

    QString submit(TestAgentClient &agent, int amount, const QString &session = QStringLiteral("s-1"))
    {
        const HttpResult result = agent.post(QStringLiteral("/v1/actions"), paymentBody(amount, session),
                                             m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        if (result.status != 202)
            qWarning("submission failed: %s", qPrintable(result.describe()));
        return result.json.value(QStringLiteral("id")).toString();
    }

private Q_SLOTS:
    void init()
    {
        m_gateway = std::make_unique<GatewayProcess>();
        QString error;
        QVERIFY2(m_gateway->start(&error), qPrintable(error));
    }

    void cleanup() { m_gateway.reset(); }

    void connectsReceivesAndDecides()
    {
        auto connection = connectAs(GatewayProcess::kRita);
        QSignalSpy hello(connection.get(), &GatewayConnection::helloReceived);
        QSignalSpy pending(connection.get(), &GatewayConnection::actionPending);
        QSignalSpy results(connection.get(), &GatewayConnection::decisionResult);
        QSignalSpy resolved(connection.get(), &GatewayConnection::actionResolved);
        connection->start();
        QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Connected, 10000);
        QCOMPARE(hello.count(), 1);
        QCOMPARE(hello.first().first().value<protocol::Hello>().reviewer, GatewayProcess::kRita);

        TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
        const QString id = submit(agent, 25000);
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(pending.count(), 1, 10000);
        const auto frame = pending.first().first().value<protocol::ActionPending>();
        QCOMPARE(frame.action.id, id);
        QCOMPARE(frame.digest, frame.action.digest());
        QVERIFY(protocol::verifyActionSignature(frame, crypto::Ed25519PublicKey::fromRaw(m_gateway->gatewayPublicKey()).value()));
        QCOMPARE(hello.first().first().value<protocol::Hello>().signingKey, m_gateway->signingKeyThumbprint());

        // Offline decisions fail at once and say so; live ones are answered by the gateway.
        const QString gatewayId = hello.first().first().value<protocol::Hello>().gatewayId;
        const Status sent = connection->sendDecision(
            {QStringLiteral("r-1"), id, signedDecision(frame, gatewayId, protocol::Verdict::Approve, QStringLiteral("vendor confirmed"))});
        QVERIFY(sent.ok());
        QTRY_COMPARE_WITH_TIMEOUT(results.count(), 1, 10000);
        const auto result = results.first().first().value<protocol::DecisionResult>();
        QVERIFY2(result.accepted, qPrintable(result.code + QLatin1Char(' ') + result.message));
        QTRY_COMPARE_WITH_TIMEOUT(resolved.count(), 1, 10000);
        QCOMPARE(resolved.first().first().value<protocol::ActionResolved>().outcome, protocol::Outcome::Approved);

        const HttpResult outcome = agent.get(QStringLiteral("/v1/actions/") + id, m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        QCOMPARE(outcome.json.value(QStringLiteral("status")).toString(), QStringLiteral("approved"));

        connection->stop();
        const Status offline = connection->sendDecision(
            {QStringLiteral("r-2"), id, signedDecision(frame, gatewayId, protocol::Verdict::Deny, QStringLiteral("too late"))});
        QVERIFY(!offline.ok());
        QCOMPARE(offline.error().code, QStringLiteral("connection.offline"));
    }

    void wrongPinIsRefusedAndNamed()
    {
        const QByteArray wrong(64, 'a');
        auto connection = connectAs(GatewayProcess::kRita, wrong);
        QSignalSpy pending(connection.get(), &GatewayConnection::actionPending);
        connection->start();
        QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Refused, 10000);
        // Both fingerprints are named so a person can compare them with the administrator's.
        QVERIFY2(connection->stateDetail().contains(displayFingerprint(m_gateway->fingerprint())),
                 qPrintable(connection->stateDetail()));
        QVERIFY(connection->stateDetail().contains(displayFingerprint(wrong)));
        // No automatic retry against a gateway that cannot be trusted.
        QTest::qWait(600);
        QCOMPARE(connection->state(), GatewayConnection::State::Refused);
        QCOMPARE(pending.count(), 0);
    }

    void missingGatewayKeyIsRefused()
    {
        ConnectionSettings settings = m_gateway->connectionSettings(GatewayProcess::kRita);
        settings.gatewayPublicKey.clear(); // not given
        WebSocketGatewayConnection connection(settings);
        connection.start();
        QCOMPARE(connection.state(), GatewayConnection::State::Refused);
        QVERIFY2(connection.stateDetail().contains(QStringLiteral("--gateway-key")), qPrintable(connection.stateDetail()));
    }

    void wrongGatewayKeyRefusesEveryAction()
    {
        // Another gateway's key pinned: every action is an alarm, none a queue item.
        const auto other = std::move(crypto::Ed25519PrivateKey::generate()).value();
        auto connection = connectAs(GatewayProcess::kRita, {}, other.publicKey().raw());
        QSignalSpy pending(connection.get(), &GatewayConnection::actionPending);
        QSignalSpy violations(connection.get(), &GatewayConnection::protocolViolation);
        connection->start();
        QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Connected, 10000);

        TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            ids.append(submit(agent, 20000 + i, QStringLiteral("s-%1").arg(i)));
            QVERIFY(!ids.last().isEmpty());
        }
        QTRY_COMPARE_WITH_TIMEOUT(violations.count(), 3, 10000);
        for (int i = 0; i < violations.count(); ++i) {
            const auto error = violations.at(i).first().value<Error>();
            QVERIFY2(error.code == QLatin1String("action.wrong_key") || error.code == QLatin1String("action.bad_signature"),
                     qPrintable(error.toString()));
            QVERIFY2(error.message.contains(ids.at(i)), qPrintable(error.toString()));
        }
        // A console subscribing afresh gets the snapshot, with the same (refused) signatures.
        auto fresh = connectAs(GatewayProcess::kSam, {}, other.publicKey().raw());
        QSignalSpy freshPending(fresh.get(), &GatewayConnection::actionPending);
        QSignalSpy freshViolations(fresh.get(), &GatewayConnection::protocolViolation);
        fresh->start();
        QTRY_COMPARE_WITH_TIMEOUT(fresh->state(), GatewayConnection::State::Connected, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(freshViolations.count(), 3, 10000);
        QTest::qWait(200);
        QCOMPARE(pending.count(), 0);
        QCOMPARE(freshPending.count(), 0);
    }

    void restartKeepsTheSigningKey()
    {
        const QByteArray thumbprint = m_gateway->signingKeyThumbprint();
        const QByteArray publicKey = m_gateway->gatewayPublicKey();
        QCOMPARE(thumbprint.size(), 43);
        QCOMPARE(crypto::jwkThumbprint(crypto::Ed25519PublicKey::fromRaw(publicKey).value()), thumbprint);
        QFile key(QDir(m_gateway->dataDir()).filePath(QStringLiteral("gateway-signing.key")));
        QCOMPARE(key.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());

        QString error;
        QVERIFY2(m_gateway->restart(&error), qPrintable(error));
        QCOMPARE(m_gateway->signingKeyThumbprint(), thumbprint);
        QCOMPARE(m_gateway->gatewayPublicKey(), publicKey);
        QVERIFY(m_gateway->logText().contains(thumbprint));

        // A key file others can read is refused, as the TLS key is.
        m_gateway->stop();
        QVERIFY(key.setPermissions(key.permissions() | QFileDevice::ReadOther));
        QVERIFY(!m_gateway->start(&error));
        QVERIFY2(error.contains(QStringLiteral("gateway-signing.key")), qPrintable(error));
    }

    void unenrolledKeyIsRefused()
    {
        auto connection = connectAs(GatewayProcess::kMallory);
        connection->start();
        QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Refused, 10000);
        QVERIFY2(connection->stateDetail().contains(QStringLiteral("auth.unknown_key")), qPrintable(connection->stateDetail()));
    }

    void lockedKeySaysSo()
    {
        ConnectionSettings settings = m_gateway->connectionSettings(GatewayProcess::kRita);
        settings.signIn = [](const auth::SignInClaims &) -> Result<QByteArray> {
            return makeError(QStringLiteral("key.locked"), QStringLiteral("locked"));
        };
        WebSocketGatewayConnection connection(settings);
        connection.start();
        QTRY_COMPARE_WITH_TIMEOUT(connection.state(), GatewayConnection::State::Refused, 10000);
        QVERIFY2(connection.stateDetail().contains(QStringLiteral("locked")), qPrintable(connection.stateDetail()));
    }

    void idleSessionEndsAndSignsInAgain()
    {
        GatewayProcess::Options options;
        options.sessionIdleSeconds = 1;
        GatewayProcess gateway(options);
        QString error;
        QVERIFY2(gateway.start(&error), qPrintable(error));
        ConnectionSettings settings = gateway.connectionSettings(GatewayProcess::kRita);
        settings.initialBackoffMs = 50;
        settings.maxBackoffMs = 200;
        int signIns = 0;
        settings.signIn = [&signIns, signIn = settings.signIn](const auth::SignInClaims &claims) {
            ++signIns;
            return signIn(claims);
        };
        WebSocketGatewayConnection connection(settings);
        QStringList details;
        connect(&connection, &GatewayConnection::stateChanged, this,
                [&](GatewayConnection::State, const QString &detail) { details.append(detail); });
        QSignalSpy hellos(&connection, &GatewayConnection::helloReceived);
        connection.start();
        QTRY_COMPARE_WITH_TIMEOUT(connection.state(), GatewayConnection::State::Connected, 10000);
        // Nothing is sent for a second: the gateway ends the session, the console says why and
        // signs in again by itself, with a fresh challenge.
        QTRY_VERIFY_WITH_TIMEOUT(hellos.count() >= 2, 10000);
        QVERIFY(signIns >= 2);
        QVERIFY2(details.filter(QStringLiteral("session.idle_timeout")).size() >= 1, qPrintable(details.join(QLatin1Char('\n'))));
        QVERIFY(hellos.at(0).at(0).value<protocol::Hello>().sessionId != hellos.at(1).at(0).value<protocol::Hello>().sessionId);
        QCOMPARE(hellos.at(0).at(0).value<protocol::Hello>().sessionIdleSeconds, 1);
        QVERIFY(gateway.logText().contains("session ended"));
    }

    void resumesExactlyAcrossDrops()
    {
        auto connection = connectAs(GatewayProcess::kRita);
        QHash<QString, int> seen;
        qint64 lastSeq = 0;
        bool ordered = true;
        connect(connection.get(), &GatewayConnection::actionPending, this, [&](const protocol::ActionPending &f) {
            ++seen[f.action.id];
            ordered = ordered && f.seq > lastSeq;
            lastSeq = f.seq;
        });
        connect(connection.get(), &GatewayConnection::resyncStarted, this, [&] { lastSeq = 0; });
        int reconnects = 0;
        connect(connection.get(), &GatewayConnection::stateChanged, this, [&](GatewayConnection::State state) {
            reconnects += state == GatewayConnection::State::Reconnecting ? 1 : 0;
        });
        connection->start();
        QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Connected, 10000);

        TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
        QSet<QString> submitted;
        constexpr int kActions = 120;
        for (int i = 0; i < kActions; ++i) {
            const QString id = submit(agent, 20000 + i, QStringLiteral("s-%1").arg(i));
            QVERIFY(!id.isEmpty());
            submitted.insert(id);
            if (i % 15 == 7) {
                // Drop a live connection; the next submissions happen while it is down, and it
                // must come back by itself and catch up.
                QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Connected, 10000);
                connection->simulateNetworkDrop();
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(seen.size(), kActions, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Connected, 10000);
        QCOMPARE(QSet<QString>(seen.keyBegin(), seen.keyEnd()), submitted);
        for (auto it = seen.cbegin(); it != seen.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(it.key() + QStringLiteral(" delivered %1 times").arg(it.value())));
        QVERIFY(ordered);
        QVERIFY2(reconnects >= 7, qPrintable(QStringLiteral("only %1 reconnects").arg(reconnects)));
    }
};

QTEST_GUILESS_MAIN(TestGatewayConnection)
#include "TestGatewayConnection.moc"
