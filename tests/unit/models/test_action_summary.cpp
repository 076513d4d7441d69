// actionSummary(): the headline sentence, and the time-left text.
#include "models/ActionSummary.h"

#include <QJsonArray>
#include <QLocale>
#include <QTest>

using namespace countersign;

namespace {

Action makeAction(const QString &tool, const QString &operation, const QJsonObject &parameters)
{
    Action action;
    action.id = QStringLiteral("act-1");
    action.tool = tool;
    action.operation = operation;
    action.parameters = parameters;
    action.identity.user = {QStringLiteral("alice@example.com"), {}};
    action.identity.agents = {{QStringLiteral("payments-agent"), {}}};
    return action;
}

const QLocale kEnglish(QLocale::English, QLocale::UnitedStates);

} // namespace

class TestActionSummary final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void summary_data();
    void summary();
    void cLocaleStillGroupsDigits();
    void amountIsNeverRounded();
    void credentialsInParametersAreRedacted();
    void timeLeft_data();
    void timeLeft();
    void tierTitles();
};

void TestActionSummary::summary_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QJsonObject>("parameters");
    QTest::addColumn<QString>("expected");

    const QJsonObject beneficiary {{QStringLiteral("name"), QStringLiteral("Nordwind Logistics GmbH")},
        {QStringLiteral("iban"), QStringLiteral("DE89370400440532013000")}, {QStringLiteral("new"), true}};
    QTest::newRow("transfer, new beneficiary")
        << "payments"
        << "transfer"
        << QJsonObject {{QStringLiteral("amount"), 12400}, {QStringLiteral("currency"), QStringLiteral("EUR")},
               {QStringLiteral("beneficiary"), beneficiary}}
        << QStringLiteral(
               "Transfer 12,400.00 EUR to Nordwind Logistics GmbH (DE89 3704 0044 0532 0130 00) (new beneficiary)");
    QTest::newRow("transfer to an IBAN string")
        << "payments"
        << "transfer"
        << QJsonObject {{QStringLiteral("amount"), QStringLiteral("950.5")},
               {QStringLiteral("currency"), QStringLiteral("USD")},
               {QStringLiteral("beneficiary"), QStringLiteral("GB29 NWBK 6016 1331 9268 19")}}
        << QStringLiteral("Transfer 950.50 USD to GB29 NWBK 6016 1331 9268 19");
    QTest::newRow("transfer without amount")
        << "payments"
        << "transfer" << QJsonObject {{QStringLiteral("beneficiary"), QStringLiteral("ACME")}}
        << QStringLiteral("Transfer money to ACME");
    QTest::newRow("transfer to a hostile name")
        << "payments"
        << "transfer"
        << QJsonObject {{QStringLiteral("amount"), 1},
               {QStringLiteral("beneficiary"), QStringLiteral("ACME\u202Eevil")}}
        << QStringLiteral("Transfer 1.00 to ACME⟨U+202E⟩evil");
    QTest::newRow("email, some outside")
        << "email"
        << "send"
        << QJsonObject {{QStringLiteral("from"), QStringLiteral("alice@example.com")},
               {QStringLiteral("to"), QJsonArray {QStringLiteral("dana@example.com"), QStringLiteral("x@partner.com")}},
               {QStringLiteral("cc"), QStringLiteral("Bob <bob@other.org>, dana@example.com")}}
        << QStringLiteral("Send an email to 3 recipients, 2 outside example.com");
    QTest::newRow("email, all inside, subdomain counts")
        << "email"
        << "send"
        << QJsonObject {{QStringLiteral("to"),
               QJsonArray {QStringLiteral("dana@example.com"), QStringLiteral("ops@eu.example.com")}}}
        << QStringLiteral("Send an email to 2 recipients, all at example.com");
    QTest::newRow("email, one outside") << "email"
                                        << "send"
                                        << QJsonObject {{QStringLiteral("to"), QStringLiteral("x@evil.example")}}
                                        << QStringLiteral("Send an email to 1 recipient outside example.com");
    QTest::newRow("email, lookalike domain is outside")
        << "email"
        << "send" << QJsonObject {{QStringLiteral("to"), QStringLiteral("x@badexample.com")}}
        << QStringLiteral("Send an email to 1 recipient outside example.com");
    QTest::newRow("delete, estimated rows")
        << "db"
        << "delete"
        << QJsonObject {{QStringLiteral("table"), QStringLiteral("customers")}, {QStringLiteral("estimatedRows"), 1204}}
        << QStringLiteral("Delete 1,204 rows from customers");
    QTest::newRow("delete one row") << "db"
                                    << "delete"
                                    << QJsonObject {{QStringLiteral("table"), QStringLiteral("orders")},
                                           {QStringLiteral("rows"), 1}}
                                    << QStringLiteral("Delete 1 row from orders");
    QTest::newRow("execute") << "code"
                             << "execute"
                             << QJsonObject {{QStringLiteral("host"), QStringLiteral("billing-prod-1")},
                                    {QStringLiteral("command"),
                                        QStringLiteral("kubectl rollout restart deploy/billing")}}
                             << QStringLiteral("Run “kubectl rollout restart deploy/billing” on billing-prod-1");
    QTest::newRow("export")
        << "crm"
        << "export"
        << QJsonObject {{QStringLiteral("segment"), QStringLiteral("all-active-customers")},
               {QStringLiteral("fields"),
                   QJsonArray {QStringLiteral("name"), QStringLiteral("email"), QStringLiteral("phone"),
                       QStringLiteral("date_of_birth"), QStringLiteral("address")}},
               {QStringLiteral("rows"), 45000},
               {QStringLiteral("destination"), QStringLiteral("sftp://exports.partner-corp.com/incoming/")}}
        << QStringLiteral(
               "Export 45,000 records of all-active-customers (name, email, phone, date_of_birth and 1 more) "
               "to sftp://exports.partner-corp.com/incoming/");
    QTest::newRow("own permissions")
        << "iam"
        << "update_permissions"
        << QJsonObject {{QStringLiteral("subject"), QStringLiteral("payments-agent")},
               {QStringLiteral("before"), QJsonArray {QStringLiteral("code.execute")}},
               {QStringLiteral("after"), QJsonArray {QStringLiteral("code.execute"), QStringLiteral("db.delete")}}}
        << QStringLiteral("Grant db.delete to payments-agent (its own permissions)");
    QTest::newRow("permissions of another")
        << "iam"
        << "update_permissions"
        << QJsonObject {{QStringLiteral("subject"), QStringLiteral("mail-agent")},
               {QStringLiteral("before"), QJsonArray {QStringLiteral("a"), QStringLiteral("b")}},
               {QStringLiteral("after"), QJsonArray {QStringLiteral("b"), QStringLiteral("c")}}}
        << QStringLiteral("Change the permissions of mail-agent: grant c, remove a");
    QTest::newRow("other") << "calendar"
                           << "create" << QJsonObject {} << QStringLiteral("calendar.create");
}

void TestActionSummary::summary()
{
    QFETCH(QString, tool);
    QFETCH(QString, operation);
    QFETCH(QJsonObject, parameters);
    QFETCH(QString, expected);
    QCOMPARE(actionSummary(makeAction(tool, operation, parameters), kEnglish), expected);
}

void TestActionSummary::cLocaleStillGroupsDigits()
{
    const Action action = makeAction(QStringLiteral("payments"), QStringLiteral("transfer"),
        {{QStringLiteral("amount"), 12400}, {QStringLiteral("currency"), QStringLiteral("EUR")}});
    QCOMPARE(actionSummary(action, QLocale::c()), QStringLiteral("Transfer 12,400.00 EUR"));
}

void TestActionSummary::amountIsNeverRounded()
{
    const Action action = makeAction(QStringLiteral("payments"), QStringLiteral("transfer"),
        {{QStringLiteral("amount"), 1234.567}, {QStringLiteral("currency"), QStringLiteral("EUR")}});
    QCOMPARE(actionSummary(action, kEnglish), QStringLiteral("Transfer 1,234.567 EUR"));
}

void TestActionSummary::credentialsInParametersAreRedacted()
{
    // From a gateway that did not redact: the headline (also a tooltip and a notification) must
    // not show the password either.
    const Action action = makeAction(QStringLiteral("code"), QStringLiteral("execute"),
        {{QStringLiteral("host"), QStringLiteral("db-prod-2")},
            {QStringLiteral("command"), QStringLiteral("psql postgres://app:Xq7pL2vR9sK4@db-prod-2/crm")}});
    const QString summary = actionSummary(action, kEnglish);
    QVERIFY2(!summary.contains(QStringLiteral("Xq7pL2vR9sK4")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("[redacted: ")), qPrintable(summary));
}

void TestActionSummary::timeLeft_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("expected");
    QTest::newRow("five minutes") << qint64(300'000) << QStringLiteral("5:00");
    QTest::newRow("just under") << qint64(299'001) << QStringLiteral("5:00");
    QTest::newRow("4:59") << qint64(299'000) << QStringLiteral("4:59");
    QTest::newRow("one minute") << qint64(60'000) << QStringLiteral("1:00");
    QTest::newRow("59 s") << qint64(59'000) << QStringLiteral("59 s");
    QTest::newRow("last ms") << qint64(1) << QStringLiteral("1 s");
    QTest::newRow("zero") << qint64(0) << QStringLiteral("expired");
    QTest::newRow("past") << qint64(-5000) << QStringLiteral("expired");
    QTest::newRow("hours") << qint64(3'723'000) << QStringLiteral("1:02:03");
}

void TestActionSummary::timeLeft()
{
    QFETCH(qint64, ms);
    QFETCH(QString, expected);
    QCOMPARE(formatTimeLeft(ms), expected);
}

void TestActionSummary::tierTitles()
{
    QCOMPARE(tierTitle(1), QStringLiteral("Low"));
    QCOMPARE(tierTitle(4), QStringLiteral("Critical"));
}

QTEST_GUILESS_MAIN(TestActionSummary)
#include "test_action_summary.moc"
