// Deliberate approval: which actions need it, which fact is retyped, and how it is compared.
#include "models/KeyFact.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace countersign;

namespace {

Action makeAction(const QJsonObject &parameters, int tier = 3, QList<ImpactCategory> categories = {})
{
    Action action;
    action.id = QStringLiteral("act-1");
    action.tool = QStringLiteral("tool");
    action.operation = QStringLiteral("op");
    action.parameters = parameters;
    action.impact.tier = tier;
    action.impact.categories = std::move(categories);
    return action;
}

} // namespace

Q_DECLARE_METATYPE(std::optional<countersign::KeyFact>)

class TestKeyFact final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void whichActionsNeedIt();
    void choice_data();
    void choice();
    void comparisonIsExactAfterTrimming();
};

void TestKeyFact::whichActionsNeedIt()
{
    const QList<ImpactCategory> defaults = defaultDeliberateCategories();
    QVERIFY(defaults.contains(ImpactCategory::Financial));
    QVERIFY(defaults.contains(ImpactCategory::SelfPermissionChange));
    QVERIFY(!defaults.contains(ImpactCategory::OutboundCommunication));

    QVERIFY(requiresDeliberateApproval(makeAction({}, 4, {ImpactCategory::OutboundCommunication}), defaults));
    QVERIFY(requiresDeliberateApproval(makeAction({}, 4), {}));
    QVERIFY(requiresDeliberateApproval(makeAction({}, 2, {ImpactCategory::Financial}), defaults));
    QVERIFY(requiresDeliberateApproval(
        makeAction({}, 1, {ImpactCategory::Deletion, ImpactCategory::SelfPermissionChange}), defaults));
    QVERIFY(!requiresDeliberateApproval(makeAction({}, 3, {ImpactCategory::Deletion}), defaults));
    QVERIFY(!requiresDeliberateApproval(makeAction({}, 3, {ImpactCategory::Financial}), {}));
    QVERIFY(requiresDeliberateApproval(
        makeAction({}, 3, {ImpactCategory::Deletion}), {ImpactCategory::Deletion}));
}

void TestKeyFact::choice_data()
{
    using Kind = KeyFact::Kind;
    QTest::addColumn<QJsonObject>("parameters");
    QTest::addColumn<std::optional<KeyFact>>("expected");

    const QJsonObject beneficiary {{QStringLiteral("name"), QStringLiteral("Nordwind Logistics GmbH")},
        {QStringLiteral("iban"), QStringLiteral("DE89370400440532013000")}};

    QTest::newRow("amount first") << QJsonObject {{QStringLiteral("amount"), 12400.0},
        {QStringLiteral("beneficiary"), beneficiary}, {QStringLiteral("count"), 3}}
                                  << std::optional(KeyFact {Kind::Amount, QStringLiteral("amount"), QStringLiteral("12400")});
    QTest::newRow("fractional amount") << QJsonObject {{QStringLiteral("amount"), 0.5}}
                                       << std::optional(KeyFact {Kind::Amount, QStringLiteral("amount"), QStringLiteral("0.5")});
    QTest::newRow("amount as text") << QJsonObject {{QStringLiteral("amount"), QStringLiteral(" 99.95 ")}}
                                    << std::optional(KeyFact {Kind::Amount, QStringLiteral("amount"), QStringLiteral("99.95")});
    QTest::newRow("beneficiary object: iban") << QJsonObject {{QStringLiteral("beneficiary"), beneficiary}}
                                              << std::optional(KeyFact {Kind::Recipient, QStringLiteral("beneficiary.iban"),
                                                     QStringLiteral("DE89370400440532013000")});
    QTest::newRow("to string") << QJsonObject {{QStringLiteral("to"), QStringLiteral("dana@example.com")},
        {QStringLiteral("rows"), 10}}
                               << std::optional(KeyFact {Kind::Recipient, QStringLiteral("to"), QStringLiteral("dana@example.com")});
    QTest::newRow("to list: first") << QJsonObject {{QStringLiteral("to"),
        QJsonArray {QStringLiteral("a@example.com"), QStringLiteral("b@example.com")}}}
                                    << std::optional(KeyFact {Kind::Recipient, QStringLiteral("to[0]"), QStringLiteral("a@example.com")});
    QTest::newRow("to list of objects") << QJsonObject {{QStringLiteral("to"),
        QJsonArray {QJsonObject {{QStringLiteral("address"), QStringLiteral("c@example.com")}}}}}
                                        << std::optional(KeyFact {Kind::Recipient, QStringLiteral("to[0].address"),
                                               QStringLiteral("c@example.com")});
    QTest::newRow("recipient before beneficiary") << QJsonObject {{QStringLiteral("recipient"), QStringLiteral("r-1")},
        {QStringLiteral("beneficiary"), beneficiary}}
                                                  << std::optional(KeyFact {Kind::Recipient, QStringLiteral("recipient"), QStringLiteral("r-1")});
    QTest::newRow("permission subject") << QJsonObject {{QStringLiteral("subject"), QStringLiteral("ops-agent")}}
                                        << std::optional(KeyFact {Kind::Recipient, QStringLiteral("subject"), QStringLiteral("ops-agent")});
    QTest::newRow("empty recipient skipped") << QJsonObject {{QStringLiteral("to"), QStringLiteral("  ")},
        {QStringLiteral("recordCount"), 1204}}
                                             << std::optional(KeyFact {Kind::RecordCount, QStringLiteral("recordCount"), QStringLiteral("1204")});
    QTest::newRow("multi-line recipient skipped") << QJsonObject {{QStringLiteral("to"), QStringLiteral("a\nb")}}
                                                  << std::optional<KeyFact>();
    QTest::newRow("count") << QJsonObject {{QStringLiteral("count"), 45000}}
                           << std::optional(KeyFact {Kind::RecordCount, QStringLiteral("count"), QStringLiteral("45000")});
    QTest::newRow("estimatedRows") << QJsonObject {{QStringLiteral("table"), QStringLiteral("customers")},
        {QStringLiteral("estimatedRows"), 1204}}
                                   << std::optional(KeyFact {Kind::RecordCount, QStringLiteral("estimatedRows"), QStringLiteral("1204")});
    QTest::newRow("fractional count skipped") << QJsonObject {{QStringLiteral("records"), 1.5}}
                                              << std::optional<KeyFact>();
    QTest::newRow("nothing") << QJsonObject {{QStringLiteral("command"), QStringLiteral("ls")}}
                             << std::optional<KeyFact>();
    QTest::newRow("amount of wrong type skipped") << QJsonObject {{QStringLiteral("amount"), true},
        {QStringLiteral("to"), QStringLiteral("x@example.com")}}
                                                  << std::optional(KeyFact {Kind::Recipient, QStringLiteral("to"), QStringLiteral("x@example.com")});
}

void TestKeyFact::choice()
{
    QFETCH(QJsonObject, parameters);
    QFETCH(std::optional<KeyFact>, expected);
    const std::optional<KeyFact> fact = keyFact(makeAction(parameters));
    QCOMPARE(fact.has_value(), expected.has_value());
    if (fact) {
        QCOMPARE(int(fact->kind), int(expected->kind));
        QCOMPARE(fact->parameter, expected->parameter);
        QCOMPARE(fact->value, expected->value);
    }
}

void TestKeyFact::comparisonIsExactAfterTrimming()
{
    const KeyFact amount {KeyFact::Kind::Amount, QStringLiteral("amount"), QStringLiteral("12400")};
    QVERIFY(keyFactMatches(amount, QStringLiteral("12400")));
    QVERIFY(keyFactMatches(amount, QStringLiteral("  12400\t")));
    QVERIFY(!keyFactMatches(amount, QStringLiteral("12,400")));
    QVERIFY(!keyFactMatches(amount, QStringLiteral("12400.00")));
    QVERIFY(!keyFactMatches(amount, QStringLiteral("1240")));
    QVERIFY(!keyFactMatches(amount, QString()));
    const KeyFact recipient {KeyFact::Kind::Recipient, QStringLiteral("to"), QStringLiteral("Dana@example.com")};
    QVERIFY(!keyFactMatches(recipient, QStringLiteral("dana@example.com"))); // exact: case counts
    QVERIFY(!keyFactMatches(KeyFact {}, QString()));
    QCOMPARE(amount.noun(), QStringLiteral("the amount"));
    QCOMPARE(recipient.noun(), QStringLiteral("the recipient"));
}

QTEST_GUILESS_MAIN(TestKeyFact)
#include "test_key_fact.moc"
