// Identity tokens: an application's user assertion and the gateway's delegation token, signed
// with real Ed25519 keys made for this run, and every check that refuses one.
#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/SignedStatement.h"
#include "core/identity/IdentityToken.h"
#include "core/json/Json.h"
#include "core/policy/Policy.h"

#include <QJsonArray>
#include <QTest>

using namespace countersign;
using namespace countersign::identity;

namespace {

const QDateTime kNow = QDateTime::fromSecsSinceEpoch(1'796'047'380, Qt::UTC);
const QString kGateway = QStringLiteral("gw-test");

crypto::Ed25519PrivateKey newKey()
{
    return crypto::Ed25519PrivateKey::generate().value();
}

struct Fixture
{
    crypto::Ed25519PrivateKey portalKey = newKey();
    crypto::Ed25519PrivateKey revokedAppKey = newKey();
    crypto::Ed25519PrivateKey gatewayKey = newKey();
    crypto::Ed25519PublicKey gatewayPublic = gatewayKey.publicKey();
    Policy policy;

    Fixture()
    {
        const QJsonObject document{
            {"version", "v1"},
            {"reviewers", QJsonArray{}},
            {"agents", QJsonArray{QJsonObject{{"id", "orchestrator"}, {"tokenSha256", QString(64, QLatin1Char('a'))}, {"tools", QJsonArray{"invoices.read"}}},
                                  QJsonObject{{"id", "sub-agent"}, {"tokenSha256", QString(64, QLatin1Char('b'))}, {"tools", QJsonArray{"payments.transfer"}}}}},
            {"applications", QJsonArray{QJsonObject{{"id", "finance-portal"}, {"key", crypto::publicKeyToJwk(portalKey.publicKey())}},
                                        QJsonObject{{"id", "old-portal"}, {"key", crypto::publicKeyToJwk(revokedAppKey.publicKey())},
                                                    {"revokedAt", "2026-01-01T00:00:00.000Z"}}}},
            {"rules", QJsonArray{}}};
        auto parsed = Policy::fromJson(json::canonicalize(document));
        if (!parsed)
            qFatal("%s", qPrintable(parsed.error().toString()));
        policy = std::move(parsed).value();
    }

    [[nodiscard]] IdentityTrust trust() const { return IdentityTrust{&policy, &gatewayPublic, gatewayKeyId(), kGateway}; }
    [[nodiscard]] QString gatewayKeyId() const { return QString::fromLatin1(crypto::jwkThumbprint(gatewayPublic)); }

    [[nodiscard]] UserAssertion assertion() const
    {
        UserAssertion a;
        a.application = QStringLiteral("finance-portal");
        a.user = Principal{QStringLiteral("alice@example.com"), QStringLiteral("Alice Martin"), true};
        a.gatewayId = kGateway;
        a.sessionId = QStringLiteral("s-1");
        a.issuedAt = kNow.addSecs(-10);
        a.expiresAt = kNow.addSecs(600);
        a.mayAct = QStringLiteral("orchestrator");
        return a;
    }
};

// Re-signs claims edited by edit with key: what a holder of that key could make.
QByteArray resigned(const QByteArray &token, const crypto::Ed25519PrivateKey &key,
                    const std::function<void(QJsonObject &)> &edit)
{
    const QByteArray payload = crypto::base64UrlDecode(token.split('.').at(1)).value();
    QJsonObject claims = json::parse(payload).value().toObject();
    edit(claims);
    return crypto::signStatement(claims, key);
}

} // namespace

class TestIdentityToken final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void userAssertionVerifies()
    {
        const Fixture f;
        const QByteArray token = signUserAssertion(f.assertion(), f.portalKey);
        const auto identity = verifyIdentityToken(token, f.trust(), QStringLiteral("orchestrator"), kNow);
        QVERIFY2(identity.ok(), qPrintable(identity.ok() ? QString() : identity.error().toString()));
        QCOMPARE(identity.value().user, (Principal{QStringLiteral("alice@example.com"), QStringLiteral("Alice Martin"), true}));
        QCOMPARE(identity.value().application, (Principal{QStringLiteral("finance-portal"), QString(), true}));
        QVERIFY(identity.value().delegators.isEmpty());
        QCOMPARE(identity.value().sessionId, QStringLiteral("s-1"));
        QCOMPARE(identity.value().expiresAt, kNow.addSecs(600));
    }

    void delegationCarriesTheVerifiedChain()
    {
        const Fixture f;
        const auto first = verifyIdentityToken(signUserAssertion(f.assertion(), f.portalKey), f.trust(),
                                               QStringLiteral("orchestrator"), kNow);
        QVERIFY(first.ok());
        const IssuedToken issued = issueDelegationToken(first.value(), AgentIdentity{QStringLiteral("orchestrator"), QStringLiteral("i-512"), true},
                                                        QStringLiteral("sub-agent"), kGateway, kNow, f.gatewayKey);
        const QByteArray &delegation = issued.token;
        QCOMPARE(issued.expiresIn, 600);
        // RFC 8693 shape: the delegating agent is the current actor, the application the deepest.
        const QJsonObject claims = json::parse(crypto::base64UrlDecode(delegation.split('.').at(1)).value()).value().toObject();
        QCOMPARE(claims.value("act").toObject().value("sub").toString(), QStringLiteral("orchestrator"));
        QCOMPARE(claims.value("act").toObject().value("act").toObject().value("sub").toString(), QStringLiteral("finance-portal"));
        QCOMPARE(claims.value("may_act").toObject().value("sub").toString(), QStringLiteral("sub-agent"));
        // No longer-lived than what it came from, nor than a delegation may live.
        QCOMPARE(claims.value("exp").toInteger(), kNow.addSecs(600).toSecsSinceEpoch());
        QVERIFY(600 < kMaxDelegationSeconds);

        const auto second = verifyIdentityToken(delegation, f.trust(), QStringLiteral("sub-agent"), kNow);
        QVERIFY2(second.ok(), qPrintable(second.ok() ? QString() : second.error().toString()));
        QCOMPARE(second.value().user.id, QStringLiteral("alice@example.com"));
        QCOMPARE(second.value().application, (Principal{QStringLiteral("finance-portal"), QString(), true}));
        QCOMPARE(second.value().delegators, (QList<AgentIdentity>{{QStringLiteral("orchestrator"), QStringLiteral("i-512"), true}}));

        // Presented by anyone but the agent it was issued to, it is refused.
        const auto stolen = verifyIdentityToken(delegation, f.trust(), QStringLiteral("orchestrator"), kNow);
        QVERIFY(!stolen.ok());
        QCOMPARE(stolen.error().message, QStringLiteral("may_act: the token was issued for another agent"));
    }

    void refusals_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("message");
        QTest::newRow("other gateway") << 0 << "aud: names another gateway";
        QTest::newRow("expired") << 1 << "exp: the token has expired";
        QTest::newRow("issued in the future") << 2 << "iat: issued in the future";
        QTest::newRow("lives too long") << 3 << "exp: a token of this kind lives at most 3600 s";
        QTest::newRow("for another agent") << 4 << "may_act: the token was issued for another agent";
        QTest::newRow("issuer is not the signer") << 5 << "iss: is not the issuer whose key signed the token";
        QTest::newRow("unknown key") << 6 << "signed by a key that is neither this gateway's nor an enrolled application's";
        QTest::newRow("revoked application") << 7 << "signed by the application \"old-portal\", whose key is revoked";
        QTest::newRow("extra claim") << 8 << "scope: unknown field";
        QTest::newRow("wrong typ") << 9 << "typ: must be \"countersign-user+v1\"";
        QTest::newRow("tampered payload") << 10 << "";
        QTest::newRow("gateway token without may_act") << 11 << "may_act: missing";
        QTest::newRow("gateway token with a claimed act only") << 12 << "act: must name the delegating agent and the application";
    }

    void refusals()
    {
        QFETCH(int, which);
        QFETCH(QString, message);
        const Fixture f;
        UserAssertion a = f.assertion();
        QByteArray token;
        const QByteArray good = signUserAssertion(a, f.portalKey);
        switch (which) {
        case 0: a.gatewayId = QStringLiteral("gw-other"); break;
        case 1: a.issuedAt = kNow.addSecs(-700); a.expiresAt = kNow.addSecs(-61); break;
        case 2: a.issuedAt = kNow.addSecs(120); a.expiresAt = kNow.addSecs(600); break;
        case 3: a.expiresAt = a.issuedAt.addSecs(kMaxUserAssertionSeconds + 1); break;
        case 4: a.mayAct = QStringLiteral("sub-agent"); break;
        case 5: a.application = QStringLiteral("old-portal"); break;
        case 6: token = signUserAssertion(a, newKey()); break;
        case 7: a.application = QStringLiteral("old-portal"); token = signUserAssertion(a, f.revokedAppKey); break;
        case 8: token = resigned(good, f.portalKey, [](QJsonObject &c) { c.insert("scope", "all"); }); break;
        case 9: token = resigned(good, f.portalKey, [](QJsonObject &c) { c.insert("typ", "countersign-delegation+v1"); }); break;
        case 10: {
            // One claim changed after signing: the signature no longer holds.
            QList<QByteArray> parts = good.split('.');
            QJsonObject claims = json::parse(crypto::base64UrlDecode(parts.at(1)).value()).value().toObject();
            claims.insert("sub", "mallory@example.com");
            parts[1] = crypto::base64UrlEncode(json::canonicalize(claims));
            token = parts.join('.');
            break;
        }
        case 11:
        case 12:
            token = resigned(good, f.gatewayKey, [which](QJsonObject &c) {
                c.insert("typ", QString::fromLatin1(kDelegationTokenType));
                c.insert("iss", kGateway);
                c.insert("exp", c.value("iat").toInteger() + 600);
                if (which == 11) {
                    c.remove("may_act");
                    c.insert("act", QJsonObject{{"sub", "orchestrator"}, {"act", QJsonObject{{"sub", "finance-portal"}}}});
                } else {
                    c.insert("act", QJsonObject{{"sub", "finance-portal"}});
                }
            });
            break;
        default: break;
        }
        if (token.isEmpty())
            token = signUserAssertion(a, f.portalKey);
        const auto identity = verifyIdentityToken(token, f.trust(), QStringLiteral("orchestrator"), kNow);
        QVERIFY(!identity.ok());
        QCOMPARE(identity.error().code, QStringLiteral("identity.invalid_token"));
        if (!message.isEmpty())
            QCOMPARE(identity.error().message, message);
        // The token never appears in what a log line or an HTTP answer would carry.
        QVERIFY(!identity.error().message.contains(QString::fromLatin1(token.split('.').at(2))));
    }

    void oversizedTokenIsRefusedBeforeParsing()
    {
        const Fixture f;
        const QByteArray huge(kMaxIdentityTokenBytes + 1, 'a');
        const auto identity = verifyIdentityToken(huge, f.trust(), QStringLiteral("orchestrator"), kNow);
        QVERIFY(!identity.ok());
        QCOMPARE(identity.error().code, QStringLiteral("identity.invalid_token"));
    }
};

QTEST_GUILESS_MAIN(TestIdentityToken)
#include "test_identity_token.moc"
