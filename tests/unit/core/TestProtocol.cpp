// Protocol v1 frames: every frame survives serialise → parse, and broken frames are refused
// with the error that names what is wrong.
#include "core/crypto/Jwk.h"
#include "core/crypto/Jws.h"
#include "core/json/Json.h"
#include "core/protocol/Protocol.h"

#include <QTest>

using namespace countersign;
using namespace countersign::protocol;

namespace {

Action sampleAction()
{
    Action a;
    a.id = QStringLiteral("act-1");
    a.createdAt = QDateTime(QDate(2026, 11, 30), QTime(14, 0), Qt::UTC);
    a.deadline = a.createdAt.addSecs(300);
    a.gatewayId = QStringLiteral("gw-1");
    a.policyVersion = QStringLiteral("v1");
    a.tool = QStringLiteral("email");
    a.operation = QStringLiteral("send");
    a.parameters = {{QStringLiteral("to"), QStringLiteral("x@partner.example")}};
    a.impact = {2, {ImpactCategory::OutboundCommunication}, true, QStringLiteral("email-external"), QStringLiteral("external")};
    a.identity.user = {QStringLiteral("alice@example.com"), QString()};
    a.identity.application = {QStringLiteral("crm"), QString()};
    a.identity.agents = {{QStringLiteral("mail-agent"), QStringLiteral("i-1")}};
    a.identity.sessionId = QStringLiteral("s-1");
    return a;
}

// The gateway's signing key for these tests: generated once per run.
const crypto::Ed25519PrivateKey &gatewayKey()
{
    static const crypto::Ed25519PrivateKey key = std::move(crypto::Ed25519PrivateKey::generate()).value();
    return key;
}

ActionPending samplePending()
{
    ActionPending p;
    p.seq = 7;
    p.action = sampleAction();
    p.actionJson = p.action.toJson();
    p.digest = p.action.digest();
    p.signature = signAction(p.action.id, p.digest, p.action.gatewayId, gatewayKey());
    return p;
}

} // namespace

class TestProtocol final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void serverFramesRoundTrip()
    {
        const QDateTime t(QDate(2026, 11, 30), QTime(14, 1, 2, 345), Qt::UTC);
        const QList<ServerFrame> frames{
            Challenge{QStringLiteral("gw-1"), QString(43, QLatin1Char('n')), t, QStringLiteral("tls-server-end-point")},
            Hello{QStringLiteral("gw-1"), t, kVersion, QStringLiteral("rita@example.com"), Role::Reviewer, 41,
                  crypto::jwkThumbprint(gatewayKey().publicKey()), QStringLiteral("ses-0123456789abcdef"),
                  t.addSecs(3600), 600},
            samplePending(),
            ActionUpdated{8, QStringLiteral("act-1"), 1, {QStringLiteral("rita@example.com")}},
            ActionResolved{9, QStringLiteral("act-1"), Outcome::Expired, QStringLiteral("timeout"), QStringLiteral("gateway"), t},
            Subscribed{3, 9, false},
            DecisionResult{QStringLiteral("r-1"), QStringLiteral("act-1"), false, QStringLiteral("decision.too_late"), QStringLiteral("late"), t},
            ErrorFrame{QStringLiteral("frame.invalid"), QStringLiteral("bad"), QStringLiteral("r-2")},
            Pong{QStringLiteral("n"), t},
            AuditCheckpoint{QByteArray("countersign/gw-1\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u2014 countersign/gw-1 AAAA\n")},
            ConsistencyProof{QStringLiteral("p-1"), 3, 7, {QByteArray(32, '\x01'), QByteArray(32, '\xfe')}},
            ConsistencyProof{QStringLiteral("p-2"), 7, 7, {}},
            ActionEscalated{10, QStringLiteral("act-1"), QStringLiteral("finance-leads"), t},
        };
        for (const ServerFrame &frame : frames) {
            const QByteArray text = serialize(frame);
            const auto parsed = parseServerFrame(text);
            QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString() + QLatin1Char(' ') + QString::fromUtf8(text)));
            QCOMPARE(parsed.value().index(), frame.index());
            // Canonical serialisation is a fixed point: parse → serialise gives the same bytes.
            QCOMPARE(serialize(parsed.value()), text);
        }
    }

    void pendingSignatureSurvivesTheRoundTripAndVerifies()
    {
        const ActionPending p = samplePending();
        QVERIFY(!p.signature.isEmpty());
        const auto parsed = parseServerFrame(serialize(ServerFrame{p}));
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
        const auto &back = std::get<ActionPending>(parsed.value());
        QCOMPARE(back.signature, p.signature);
        const Status verified = verifyActionSignature(back, gatewayKey().publicKey());
        QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().toString()));
        // The signed statement is exactly the canonical {actionDigest, actionId, gatewayId}.
        auto jws = crypto::parseCompact(back.signature);
        QVERIFY(jws);
        QCOMPARE(jws.value().payload(),
                 QByteArray(R"({"actionDigest":")" + p.digest + R"(","actionId":"act-1","gatewayId":"gw-1"})"));
        QCOMPARE(jws.value().header().value(QStringLiteral("kid")).toString().toLatin1(),
                 crypto::jwkThumbprint(gatewayKey().publicKey()));
    }

    void pendingWithoutSignatureIsRefused()
    {
        QJsonObject o = json::parse(serialize(ServerFrame{samplePending()})).value().toObject();
        o.remove(QStringLiteral("signature"));
        const auto parsed = parseServerFrame(json::canonicalize(o));
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, QStringLiteral("action.unsigned"));

        ActionPending p = samplePending();
        p.signature.clear();
        QCOMPARE(verifyActionSignature(p, gatewayKey().publicKey()).error().code, QStringLiteral("action.unsigned"));
    }

    void pendingSignedByAnotherKeyIsRefused()
    {
        const auto other = std::move(crypto::Ed25519PrivateKey::generate()).value();
        ActionPending p = samplePending();
        p.signature = signAction(p.action.id, p.digest, p.action.gatewayId, other);
        const Status verified = verifyActionSignature(p, gatewayKey().publicKey());
        QVERIFY(!verified);
        QCOMPARE(verified.error().code, QStringLiteral("action.wrong_key"));
        QVERIFY(verified.error().message.contains(QStringLiteral("act-1")));

        // Another key claiming the pinned kid: the signature itself fails.
        const QJsonObject header{{QStringLiteral("kid"), QString::fromLatin1(crypto::jwkThumbprint(gatewayKey().publicKey()))}};
        p.signature = crypto::signCompact(header, actionSignaturePayload(p.action.id, p.digest, p.action.gatewayId), other);
        QCOMPARE(verifyActionSignature(p, gatewayKey().publicKey()).error().code, QStringLiteral("action.bad_signature"));
    }

    void pendingSignatureForAnotherActionIsRefused()
    {
        ActionPending p = samplePending();
        p.signature = signAction(QStringLiteral("act-2"), p.digest, p.action.gatewayId, gatewayKey());
        Status verified = verifyActionSignature(p, gatewayKey().publicKey());
        QCOMPARE(verified.error().code, QStringLiteral("action.bad_signature"));
        QVERIFY(verified.error().message.contains(QStringLiteral("another action id")));

        p.signature = signAction(p.action.id, QByteArray(64, 'b'), p.action.gatewayId, gatewayKey());
        verified = verifyActionSignature(p, gatewayKey().publicKey());
        QCOMPARE(verified.error().code, QStringLiteral("action.bad_signature"));
        QVERIFY(verified.error().message.contains(QStringLiteral("another digest")));

        p.signature = signAction(p.action.id, p.digest, QStringLiteral("gw-2"), gatewayKey());
        QCOMPARE(verifyActionSignature(p, gatewayKey().publicKey()).error().code, QStringLiteral("action.bad_signature"));

        p.signature = "not.a.jws";
        QCOMPARE(verifyActionSignature(p, gatewayKey().publicKey()).error().code, QStringLiteral("action.bad_signature"));
    }

    void pendingDigestIsRecomputed()
    {
        ActionPending p = samplePending();
        p.digest = QByteArray(64, 'a');
        const auto parsed = parseServerFrame(serialize(ServerFrame{p}));
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, QStringLiteral("frame.digest_mismatch"));
    }

    void pendingWithTamperedContentIsRefused()
    {
        ActionPending p = samplePending();
        p.actionJson.insert(QStringLiteral("tool"), QStringLiteral("payments")); // content changed, digest kept
        const auto parsed = parseServerFrame(serialize(ServerFrame{p}));
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, QStringLiteral("frame.digest_mismatch"));
    }

    void clientFramesRoundTrip()
    {
        const QList<ClientFrame> frames{
            Subscribe{12},
            SignIn{QByteArray("eyJhbGciOiJFZERTQSJ9.e30.c2ln")},
            Decision{QStringLiteral("r-1"), QStringLiteral("act-1"), QByteArray("eyJhbGciOiJFZERTQSJ9.e30.c2ln")},
            Ping{QStringLiteral("n-1")},
            ProveConsistency{QStringLiteral("p-1"), 3, 7},
        };
        for (const ClientFrame &frame : frames) {
            const QByteArray text = serialize(frame);
            const auto parsed = parseClientFrame(text);
            QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
            QCOMPARE(serialize(parsed.value()), text);
        }
    }

    void badClientFrames_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");
        const QByteArray digest(64, 'a');
        QTest::newRow("not json") << QByteArray("{\"type\":") << "json.syntax" << "";
        QTest::newRow("array") << QByteArray("[]") << "frame.invalid" << "a frame must be a JSON object";
        QTest::newRow("unknown type") << QByteArray("{\"type\":\"approve-all\"}") << "frame.unknown_type"
                                      << "type: unknown frame type \"approve-all\"";
        // A v0-style unsigned decision is not a decision at all.
        QTest::newRow("unsigned decision")
            << QByteArray("{\"type\":\"decision\",\"requestId\":\"r\",\"actionId\":\"a\",\"actionDigest\":\"" + digest
                          + "\",\"verdict\":\"approve\",\"reason\":\"\"}")
            << "frame.invalid" << "actionDigest: unknown field";
        QTest::newRow("decision without token")
            << QByteArray("{\"type\":\"decision\",\"requestId\":\"r\",\"actionId\":\"a\"}")
            << "frame.invalid" << "token: missing";
        QTest::newRow("sign-in with a bearer token")
            << QByteArray("{\"type\":\"signin\",\"token\":\"t\",\"bearer\":\"secret\"}")
            << "frame.invalid" << "bearer: unknown field";
        QTest::newRow("negative since") << QByteArray("{\"type\":\"subscribe\",\"since\":-1}") << "frame.invalid"
                                        << "since: must be between 0 and 9007199254740992";
        QTest::newRow("extra member") << QByteArray("{\"type\":\"ping\",\"nonce\":\"x\",\"admin\":true}") << "frame.invalid"
                                      << "admin: unknown field";
        QTest::newRow("oversized") << QByteArray("{\"type\":\"ping\",\"nonce\":\"" + QByteArray(30000, 'x') + "\"}")
                                   << "frame.too_large" << "frame of 30026 bytes exceeds the limit of 24576 bytes";
    }

    void badAuditFrames_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("fromServer");
        QTest::addColumn<QString>("message");
        const QByteArray hash = QByteArray(32, '\x07').toBase64();
        QTest::newRow("proof hash too short")
            << QByteArray("{\"type\":\"audit.consistency\",\"requestId\":\"p\",\"first\":1,\"second\":2,\"proof\":[\"AAAA\"]}")
            << true << "proof[0]: must be a 32-byte hash in canonical base64";
        QTest::newRow("proof hash not a string")
            << QByteArray("{\"type\":\"audit.consistency\",\"requestId\":\"p\",\"first\":1,\"second\":2,\"proof\":[\"" + hash
                          + "\",7]}")
            << true << "proof[1]: must be a 32-byte hash in canonical base64";
        QTest::newRow("proof sizes reversed")
            << QByteArray("{\"type\":\"audit.consistency\",\"requestId\":\"p\",\"first\":9,\"second\":2,\"proof\":[]}")
            << true << "first: must not be greater than second";
        QByteArray many = "{\"type\":\"audit.consistency\",\"requestId\":\"p\",\"first\":1,\"second\":2,\"proof\":[";
        for (int i = 0; i < 129; ++i)
            many += (i ? ",\"" : "\"") + hash + "\"";
        QTest::newRow("proof too long") << QByteArray(many + "]}") << true << "proof: more than 128 elements (129)";
        QTest::newRow("checkpoint note too large")
            << QByteArray("{\"type\":\"audit.checkpoint\",\"note\":\"" + QByteArray(9000, 'x') + "\"}") << true
            << "note: longer than 8192 bytes (9000)";
        QTest::newRow("prove from zero")
            << QByteArray("{\"type\":\"audit.prove\",\"requestId\":\"p\",\"first\":0,\"second\":2}") << false
            << "first: must be between 1 and 9007199254740992";
        QTest::newRow("prove backwards")
            << QByteArray("{\"type\":\"audit.prove\",\"requestId\":\"p\",\"first\":5,\"second\":2}") << false
            << "first: must not be greater than second";
    }

    void badAuditFrames()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, fromServer);
        QFETCH(QString, message);
        const Error error = fromServer ? parseServerFrame(text).error() : parseClientFrame(text).error();
        QCOMPARE(error.code, QStringLiteral("frame.invalid"));
        QCOMPARE(error.message, message);
    }

    void badClientFrames()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, code);
        QFETCH(QString, message);
        const auto parsed = parseClientFrame(text);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, code);
        if (!message.isEmpty())
            QCOMPARE(parsed.error().message, message);
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "TestProtocol.moc"
