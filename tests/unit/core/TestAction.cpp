// The action's JSON form: strict validation with field paths, round trip, and the digest.
#include "core/action/Action.h"
#include "core/crypto/Digest.h"
#include "core/identity/Delegation.h"
#include "core/json/Json.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace countersign;

namespace {

QJsonObject validAction()
{
    const QByteArray text = R"({
      "id": "act-0001", "createdAt": "2026-11-30T14:03:12.123Z", "deadline": "2026-11-30T14:08:12.123Z",
      "gatewayId": "gw-test", "policyVersion": "v1", "tool": "payments", "operation": "transfer",
      "parameters": {"amount": 12400.5, "currency": "EUR", "beneficiary": {"name": "Nordwind", "new": true}},
      "impact": {"tier": 3, "categories": ["financial"], "irreversible": true, "rule": "payment-over-10k",
                 "reason": "amount 12400.5 > 10000"},
      "identity": {"sub": "alice@example.com", "name": "Alice", "verified": true, "sid": "s-1",
                   "act": {"sub": "invoice-subagent", "instance": "i-1", "verified": true,
                           "undeclaredTools": ["payments.transfer"],
                           "act": {"sub": "finance-orchestrator", "verified": true,
                                   "act": {"sub": "finance-portal", "verified": true}}}},
      "judge": [{"judgeId": "judge-1", "verdict": "flag", "category": "anomaly", "score": 0.9, "rationale": "odd",
                 "verified": true}],
      "approval": {"required": 2}
    })";
    return json::parse(text).value().toObject();
}

// Sets the member at a dotted path with optional [index] steps; an undefined value removes it.
QJsonObject withChange(QJsonObject root, const QStringList &path, const QJsonValue &value)
{
    if (path.size() == 1) {
        if (value.isUndefined())
            root.remove(path.front());
        else
            root.insert(path.front(), value);
        return root;
    }
    const QString head = path.front();
    const QStringList rest = path.mid(1);
    const qsizetype bracket = head.indexOf(QLatin1Char('['));
    if (bracket < 0) {
        root.insert(head, withChange(root.value(head).toObject(), rest, value));
        return root;
    }
    const QString key = head.left(bracket);
    const int index = head.mid(bracket + 1, head.size() - bracket - 2).toInt();
    QJsonArray array = root.value(key).toArray();
    array.replace(index, withChange(array.at(index).toObject(), rest, value));
    root.insert(key, array);
    return root;
}

} // namespace

class TestAction final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        const auto action = Action::fromJson(validAction());
        QVERIFY2(action.ok(), qPrintable(action.ok() ? QString() : action.error().toString()));
        const IdentityContext &identity = action.value().identity;
        QCOMPARE(identity.actingAgent().id, QStringLiteral("invoice-subagent"));
        QCOMPARE(identity.actingAgent().undeclaredTools, QStringList{QStringLiteral("payments.transfer")});
        QCOMPARE(identity.agents.size(), 2);
        QCOMPARE(identity.agents.at(1).id, QStringLiteral("finance-orchestrator"));
        QCOMPARE(identity.application.id, QStringLiteral("finance-portal"));
        QCOMPARE(identity.user.id, QStringLiteral("alice@example.com"));
        QVERIFY(identity.user.verified && identity.application.verified);
        QVERIFY(identity.agents.at(0).verified && identity.agents.at(1).verified);
        QCOMPARE(action.value().approvalsRequired, 2);
        QVERIFY(action.value().judgeFlagged());
        QCOMPARE(action.value().impact.categories, QList<ImpactCategory>{ImpactCategory::Financial});
        // What the gateway publishes is what it parsed: the round trip is exact, so the digest
        // over the received JSON and over the re-serialised action agree.
        QCOMPARE(action.value().toJson(), validAction());
        QCOMPARE(action.value().digest(), crypto::sha256Hex(json::canonicalize(validAction())));
    }

    void credentialFindingsRoundTrip()
    {
        QJsonObject json = validAction();
        json.insert(QStringLiteral("credentials"),
                    QJsonArray{QJsonObject{{QStringLiteral("path"), QStringLiteral("parameters.memo")},
                                           {QStringLiteral("kind"), QStringLiteral("aws-access-key")},
                                           {QStringLiteral("fingerprint"), QStringLiteral("3F2A")}}});
        const auto action = Action::fromJson(json);
        QVERIFY2(action.ok(), qPrintable(action.ok() ? QString() : action.error().toString()));
        QCOMPARE(action.value().credentials.size(), 1);
        QCOMPARE(action.value().credentials.first().kind, QStringLiteral("aws-access-key"));
        QCOMPARE(action.value().toJson(), json);
        // Absent when there are none, so actions without credentials keep their digest.
        QVERIFY(!Action::fromJson(validAction()).value().toJson().contains(QStringLiteral("credentials")));
        json.insert(QStringLiteral("credentials"),
                    QJsonArray{QJsonObject{{QStringLiteral("path"), QStringLiteral("parameters.memo")},
                                           {QStringLiteral("kind"), QStringLiteral("aws-access-key")},
                                           {QStringLiteral("fingerprint"), QStringLiteral("3F2A")},
                                           {QStringLiteral("value"), QStringLiteral("AKIA…")}}});
        QCOMPARE(Action::fromJson(json).error().message, QStringLiteral("credentials[0].value: unknown field"));
    }

    void digestChangesWithContent()
    {
        Action a = Action::fromJson(validAction()).value();
        const QByteArray before = a.digest();
        a.parameters.insert(QStringLiteral("amount"), 12400.51);
        QVERIFY(a.digest() != before);
        QCOMPARE(before.size(), 64);
    }

    void invalid_data()
    {
        QTest::addColumn<QStringList>("path");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("expected");

        const QJsonValue removed(QJsonValue::Undefined);
        QTest::newRow("missing id") << QStringList{"id"} << removed << "id: missing";
        QTest::newRow("id with spaces") << QStringList{"id"} << QJsonValue("act 1")
                                        << "id: may hold only letters, digits and . _ : @ / + -";
        QTest::newRow("tier as string") << QStringList{"impact", "tier"} << QJsonValue("3")
                                        << "impact.tier: must be an integer, not string";
        QTest::newRow("tier out of range") << QStringList{"impact", "tier"} << QJsonValue(5)
                                           << "impact.tier: must be between 1 and 4";
        QTest::newRow("unknown category") << QStringList{"impact", "categories"} << QJsonValue(QJsonArray{"weather"})
                                          << "impact.categories[0]: unknown category";
        QTest::newRow("parent agent id missing") << QStringList{"identity", "act", "act", "sub"} << removed
                                                 << "identity.act.act.sub: missing (an actor is identified by sub)";
        QTest::newRow("no agents") << QStringList{"identity", "act"}
                                   << QJsonValue(QJsonObject{{"sub", "finance-portal"}, {"verified", true}})
                                   << "identity.act: must name the acting agent and, most deeply nested, the application";
        QTest::newRow("act not an object") << QStringList{"identity", "act", "act"} << QJsonValue("finance-orchestrator")
                                           << "identity.act.act: must be a JSON object";
        QTest::newRow("verified missing") << QStringList{"identity", "act", "act", "verified"} << removed
                                          << "identity.act.act.verified: missing";
        QTest::newRow("verified not a boolean") << QStringList{"identity", "verified"} << QJsonValue("yes")
                                                << "identity.verified: must be true or false, not string";
        QTest::newRow("may_act is not an actor") << QStringList{"identity", "may_act"} << QJsonValue(QJsonObject{{"sub", "x"}})
                                                 << "identity.may_act: unknown field";
        QTest::newRow("instance on the application") << QStringList{"identity", "act", "act", "act", "instance"}
                                                     << QJsonValue("i-9") << "identity.act.act.act.instance: unknown field";
        QTest::newRow("undeclared tool not a name") << QStringList{"identity", "act", "undeclaredTools"}
                                                    << QJsonValue(QJsonArray{7})
                                                    << "identity.act.undeclaredTools[0]: must be a \"tool.operation\" name";
        QTest::newRow("judge verdict") << QStringList{"judge[0]", "verdict"} << QJsonValue("maybe")
                                       << "judge[0].verdict: must be \"pass\" or \"flag\"";
        QTest::newRow("judge score") << QStringList{"judge[0]", "score"} << QJsonValue(1.5)
                                     << "judge[0].score: must be between 0 and 1";
        QTest::newRow("deadline format") << QStringList{"deadline"} << QJsonValue("2026-11-30 14:08")
                                         << "deadline: must be an RFC 3339 UTC time such as 2026-11-30T14:03:12.000Z";
        QTest::newRow("deadline before creation") << QStringList{"deadline"} << QJsonValue("2026-11-30T14:00:00.000Z")
                                                  << "deadline: must be after createdAt";
        QTest::newRow("unknown field") << QStringList{"approval", "auto"} << QJsonValue(true)
                                       << "approval.auto: unknown field";
        QTest::newRow("too many approvals") << QStringList{"approval", "required"} << QJsonValue(6)
                                            << "approval.required: must be between 1 and 5";
        QTest::newRow("parameters not an object") << QStringList{"parameters"} << QJsonValue(QJsonArray{1})
                                                  << "parameters: must be an object, not array";
        QTest::newRow("empty user name") << QStringList{"identity", "name"} << QJsonValue("")
                                         << "identity.name: must not be empty";
        QTest::newRow("overlong rationale") << QStringList{"judge[0]", "rationale"} << QJsonValue(QString(5000, 'x'))
                                            << "judge[0].rationale: longer than 4096 bytes (5000)";
    }

    void invalid()
    {
        QFETCH(QStringList, path);
        QFETCH(QJsonValue, value);
        QFETCH(QString, expected);
        const auto action = Action::fromJson(withChange(validAction(), path, value));
        QVERIFY(!action.ok());
        QCOMPARE(action.error().code, QStringLiteral("action.invalid"));
        QCOMPARE(action.error().message, expected);
    }

    void delegationDepthIsLimited()
    {
        // Eight agents and the application fit; a ninth agent does not.
        QJsonObject json = validAction();
        QJsonObject identity = json.value(QStringLiteral("identity")).toObject();
        QList<QJsonObject> actors;
        for (int i = 0; i < 9; ++i)
            actors.append(QJsonObject{{"sub", QStringLiteral("agent-%1").arg(i)}, {"verified", false}});
        actors.append(QJsonObject{{"sub", "finance-portal"}, {"verified", false}});
        identity.insert(QStringLiteral("act"), identity::nestActors(actors));
        json.insert(QStringLiteral("identity"), identity);
        QCOMPARE(Action::fromJson(json).error().message,
                 QStringLiteral("identity.act: more than 9 actors (the delegation depth limit)"));
        actors.removeFirst();
        identity.insert(QStringLiteral("act"), identity::nestActors(actors));
        json.insert(QStringLiteral("identity"), identity);
        const auto eight = Action::fromJson(json);
        QVERIFY(eight.ok());
        QCOMPARE(eight.value().identity.agents.size(), 8);
        QVERIFY(!eight.value().identity.agents.at(7).verified);
        QCOMPARE(eight.value().toJson(), json);
    }

    void valueAtPathReadsNested()
    {
        const QJsonObject parameters = validAction().value(QStringLiteral("parameters")).toObject();
        QCOMPARE(valueAtPath(parameters, QStringLiteral("beneficiary.name")).toString(), QStringLiteral("Nordwind"));
        QVERIFY(valueAtPath(parameters, QStringLiteral("beneficiary.iban")).isUndefined());
        QVERIFY(valueAtPath(parameters, QStringLiteral("amount.value")).isUndefined());
    }
};

QTEST_GUILESS_MAIN(TestAction)
#include "TestAction.moc"
