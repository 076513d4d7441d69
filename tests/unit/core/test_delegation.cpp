// RFC 8693 delegation claims: every case of the shared act / may_act vectors, read by the one
// walker the action parser and the gateway's identity tokens use.
#include "core/identity/Delegation.h"
#include "core/json/Json.h"
#include "core/text/Spoofing.h"

#include <QFile>
#include <QJsonArray>
#include <QTest>

using namespace countersign;
using namespace countersign::identity;

namespace {

// Deep enough for the vectors' 64-level case; the bomb goes far past it.
constexpr qsizetype kVectorDepthLimit = 64;

QJsonArray vectorCases()
{
    QFile file(QStringLiteral(COUNTERSIGN_TEST_DATA "/delegation/rfc8693_act_vectors.json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open the delegation vectors");
    json::Limits limits;
    limits.maxDepth = 200;
    auto parsed = json::parse(file.readAll(), limits);
    if (!parsed)
        qFatal("%s", qPrintable(parsed.error().toString()));
    return parsed.value().toObject().value(QStringLiteral("cases")).toArray();
}

// "iss sub" when there is an issuer, else sub: what tells two actors apart (RFC 8693 4.1).
QString qualifiedName(const Actor &actor)
{
    return actor.issuer.isEmpty() ? actor.subject : actor.issuer + QLatin1Char(' ') + actor.subject;
}

// The actor as the vectors name it: a plain sub, or {"iss", "sub"}.
QString expectedName(const QJsonValue &value)
{
    if (value.isObject()) {
        const QJsonObject actor = value.toObject();
        return actor.value(QStringLiteral("iss")).toString() + QLatin1Char(' ') + actor.value(QStringLiteral("sub")).toString();
    }
    return value.toString();
}

// The generator of the "act-depth-bomb" case, written out: agent1 outermost, agent{depth}
// deepest, built from the inside out.
QJsonObject bomb(int depth)
{
    QJsonObject act;
    for (int i = depth; i >= 1; --i) {
        QJsonObject next{{QStringLiteral("sub"), QStringLiteral("https://agent%1.example.com").arg(i)}};
        if (!act.isEmpty())
            next.insert(QStringLiteral("act"), act);
        act = next;
    }
    return QJsonObject{{QStringLiteral("sub"), QStringLiteral("user@example.com")}, {QStringLiteral("act"), act}};
}

} // namespace

class TestDelegation final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void vectors_data()
    {
        QTest::addColumn<QJsonObject>("vector");
        const QJsonArray cases = vectorCases();
        QVERIFY(cases.size() >= 12);
        for (const QJsonValue &entry : cases) {
            const QJsonObject vector = entry.toObject();
            QTest::newRow(qPrintable(vector.value(QStringLiteral("id")).toString())) << vector;
        }
    }

    void vectors()
    {
        QFETCH(QJsonObject, vector);
        const QString id = vector.value(QStringLiteral("id")).toString();
        const QJsonObject expect = vector.value(QStringLiteral("expect")).toObject();
        const bool mustFail = expect.contains(QStringLiteral("error"));

        QJsonObject claims;
        if (vector.contains(QStringLiteral("rawJson"))) {
            // Duplicate member names never reach the walker: the strict parser refuses them.
            auto parsed = json::parse(vector.value(QStringLiteral("rawJson")).toString().toUtf8());
            QVERIFY(mustFail);
            QVERIFY(!parsed.ok());
            QCOMPARE(parsed.error().code, QStringLiteral("json.duplicate"));
            return;
        }
        if (vector.contains(QStringLiteral("claimsGenerator"))) {
            claims = bomb(10000);
        } else {
            claims = vector.value(QStringLiteral("claims")).toObject();
        }
        const auto delegation = parseDelegation(claims, kVectorDepthLimit);
        if (mustFail) {
            QVERIFY2(!delegation.ok(), qPrintable(id));
            QCOMPARE(delegation.error().code, QStringLiteral("delegation.invalid"));
            return;
        }
        QVERIFY2(delegation.ok(), qPrintable(delegation.ok() ? QString() : delegation.error().toString()));
        const Delegation &d = delegation.value();

        if (expect.contains(QStringLiteral("subject")))
            QCOMPARE(d.subject, expect.value(QStringLiteral("subject")).toString());
        if (expect.contains(QStringLiteral("currentActor"))) {
            const QJsonValue current = expect.value(QStringLiteral("currentActor"));
            if (current.isNull()) {
                QVERIFY(d.actors.isEmpty());
            } else {
                QVERIFY(!d.actors.isEmpty());
                QCOMPARE(qualifiedName(d.actors.front()), expectedName(current));
            }
        }
        if (expect.contains(QStringLiteral("priorActorsMostRecentFirst"))) {
            const QJsonArray prior = expect.value(QStringLiteral("priorActorsMostRecentFirst")).toArray();
            QCOMPARE(d.actors.size(), prior.size() + 1);
            for (qsizetype i = 0; i < prior.size(); ++i)
                QCOMPARE(qualifiedName(d.actors.at(i + 1)), expectedName(prior.at(i)));
        }
        if (expect.contains(QStringLiteral("displayOrderOriginToCurrent"))) {
            QStringList shown{d.subject};
            for (qsizetype i = d.actors.size() - 1; i >= 0; --i)
                shown.append(qualifiedName(d.actors.at(i)));
            QStringList expected;
            for (const QJsonValue &name : expect.value(QStringLiteral("displayOrderOriginToCurrent")).toArray())
                expected.append(name.toString());
            QCOMPARE(shown, expected);
        }
        if (expect.contains(QStringLiteral("mayAct"))) {
            // may_act is who MAY act: never an actor in the chain.
            QVERIFY(d.mayAct.has_value());
            QCOMPARE(d.mayAct->subject, expect.value(QStringLiteral("mayAct")).toArray().first().toString());
            QVERIFY(d.actors.isEmpty());
        }
        if (expect.contains(QStringLiteral("chainLength"))) {
            QCOMPARE(d.actors.size(), expect.value(QStringLiteral("chainLength")).toInteger());
            QCOMPARE(d.actors.back().subject, QStringLiteral("https://agent64.example.com"));
            QCOMPARE(d.actors.back().path, QStringLiteral("act") + QStringLiteral(".act").repeated(63));
        }
        if (id == QLatin1String("act-non-identity-claims")) {
            // Inside an actor, exp and aud mean nothing and must not be mistaken for the token's.
            QVERIFY(!d.actors.front().claims.contains(QStringLiteral("exp")));
            QVERIFY(!d.actors.front().claims.contains(QStringLiteral("aud")));
        }
        if (expect.contains(QStringLiteral("flag"))) {
            // The homoglyph actor parses as what it is, and the display layer marks it.
            QVERIFY(checkIdentifier(d.actors.front().subject).suspicious());
            QVERIFY(confusable(d.actors.front().subject, QStringLiteral("admin@example.com")));
        }
    }

    void depthLimitIsExact()
    {
        QVERIFY(parseDelegation(bomb(8), 8).ok());
        const auto tooDeep = parseDelegation(bomb(9), 8);
        QVERIFY(!tooDeep.ok());
        QCOMPARE(tooDeep.error().message, QStringLiteral("act: more than 8 actors (the delegation depth limit)"));
    }

    void errorsNameThePath_data()
    {
        QTest::addColumn<QJsonObject>("claims");
        QTest::addColumn<QString>("message");
        const QJsonObject leaf{{QStringLiteral("sub"), QStringLiteral("b")}};
        QTest::newRow("no subject") << QJsonObject{{QStringLiteral("act"), leaf}} << "sub: missing";
        QTest::newRow("nested act not an object")
            << QJsonObject{{QStringLiteral("sub"), QStringLiteral("u")},
                           {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("a")}, {QStringLiteral("act"), 7}}}}
            << "act.act: must be a JSON object";
        QTest::newRow("nested sub missing")
            << QJsonObject{{QStringLiteral("sub"), QStringLiteral("u")},
                           {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("a")},
                                                               {QStringLiteral("act"), QJsonObject{{QStringLiteral("iss"), QStringLiteral("x")}}}}}}
            << "act.act.sub: missing (an actor is identified by sub)";
        QTest::newRow("empty issuer")
            << QJsonObject{{QStringLiteral("sub"), QStringLiteral("u")},
                           {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("a")}, {QStringLiteral("iss"), QString()}}}}
            << "act.iss: must be a non-empty string";
        QTest::newRow("may_act not an object")
            << QJsonObject{{QStringLiteral("sub"), QStringLiteral("u")}, {QStringLiteral("may_act"), QStringLiteral("a")}}
            << "may_act: must be a JSON object";
    }

    void errorsNameThePath()
    {
        QFETCH(QJsonObject, claims);
        QFETCH(QString, message);
        const auto delegation = parseDelegation(claims, 8);
        QVERIFY(!delegation.ok());
        QCOMPARE(delegation.error().message, message);
    }

    void nestActorsIsTheInverse()
    {
        const QList<QJsonObject> actors{{{QStringLiteral("sub"), QStringLiteral("sub-agent")}, {QStringLiteral("instance"), QStringLiteral("i-1")}},
                                        {{QStringLiteral("sub"), QStringLiteral("orchestrator")}},
                                        {{QStringLiteral("sub"), QStringLiteral("portal")}}};
        QJsonObject claims{{QStringLiteral("sub"), QStringLiteral("alice@example.com")}, {QStringLiteral("act"), nestActors(actors)}};
        const auto delegation = parseDelegation(claims, 8);
        QVERIFY(delegation.ok());
        QCOMPARE(delegation.value().actors.size(), 3);
        for (qsizetype i = 0; i < actors.size(); ++i)
            QCOMPARE(delegation.value().actors.at(i).claims, actors.at(i));
        QVERIFY(nestActors({}).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDelegation)
#include "test_delegation.moc"
