// Look-alike and mixed-script identifiers (UTS #39 through ICU): Latin with a Cyrillic letter,
// mixed digit sets, xn-- names and skeleton look-alikes of a trusted domain are marked; ordinary
// single-script names in Latin, Cyrillic, Arabic, Hebrew, Greek and Japanese are not.
#include "core/text/Spoofing.h"

#include <QTest>

using namespace countersign;

class TestSpoofing final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void domains_data();
    void domains();
    void identifiers_data();
    void identifiers();
    void confusablePairs();
    void accountNames_data();
    void accountNames();
};

void TestSpoofing::domains_data()
{
    QTest::addColumn<QString>("domain");
    QTest::addColumn<bool>("suspicious");
    QTest::addColumn<QString>("looksLike");
    QTest::addColumn<QString>("warningPart");
    const QString none;
    QTest::newRow("plain") << QStringLiteral("example.com") << false << none << none;
    QTest::newRow("address") << QStringLiteral("bob@partner.example.org") << false << none << none;
    QTest::newRow("cyrillic a in latin") << QStringLiteral("ex\u0430mple.com") << true << QStringLiteral("example.com")
                                         << QStringLiteral("mixes scripts (Latin + Cyrillic)");
    QTest::newRow("digit one for l") << QStringLiteral("examp1e.com") << true << QStringLiteral("example.com")
                                     << QStringLiteral("looks like example.com but is not");
    QTest::newRow("rn for m") << QStringLiteral("exarnple.com") << true << QStringLiteral("example.com") << none;
    QTest::newRow("xn-- (all-Cyrillic apple)") << QStringLiteral("xn--80ak6aa92e.com") << true << none
                                                << QStringLiteral("written as xn--");
    QTest::newRow("cyrillic domain") << QStringLiteral("\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444") << false << none << none;
    QTest::newRow("arabic domain") << QStringLiteral("\u0645\u062b\u0627\u0644.\u0645\u0635\u0631") << false << none << none;
    QTest::newRow("hebrew domain") << QStringLiteral("\u05d3\u05d5\u05d2\u05de\u05d4.com") << false << none << none;
    QTest::newRow("greek domain") << QStringLiteral("\u03c0\u03b1\u03c1\u03ac\u03b4\u03b5\u03b9\u03b3\u03bc\u03b1.gr") << false << none << none;
    QTest::newRow("japanese label") << QStringLiteral("\u4f8b\u3048.jp") << false << none << none;
    QTest::newRow("mixed digit sets") << QStringLiteral("bank1\u0662.com") << true << none << QStringLiteral("mixes digit sets");
}

void TestSpoofing::domains()
{
    QFETCH(QString, domain);
    QFETCH(bool, suspicious);
    QFETCH(QString, looksLike);
    QFETCH(QString, warningPart);
    const DomainCheck check = checkDomain(domain, {QStringLiteral("example.com")});
    QCOMPARE(check.suspicious(), suspicious);
    QCOMPARE(check.looksLike, looksLike);
    QCOMPARE(check.warning().isEmpty(), !suspicious);
    if (!warningPart.isEmpty())
        QVERIFY2(check.warning().contains(warningPart), qPrintable(check.warning()));
}

void TestSpoofing::identifiers_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("mixedScript");
    QTest::newRow("latin") << QStringLiteral("Nordwind Logistics GmbH") << false;
    QTest::newRow("latin with cyrillic o") << QStringLiteral("N\u043erdwind") << true;
    QTest::newRow("greek omicron in latin") << QStringLiteral("paypal-supp\u03bfrt") << true;
    QTest::newRow("japanese mix is one writing system") << QStringLiteral("\u6771\u4eac\u30bf\u30ef\u30fc") << false;
    QTest::newRow("arabic") << QStringLiteral("\u0634\u0631\u0643\u0629") << false;
}

void TestSpoofing::identifiers()
{
    QFETCH(QString, text);
    QFETCH(bool, mixedScript);
    QCOMPARE(checkIdentifier(text).mixedScript, mixedScript);
}

void TestSpoofing::confusablePairs()
{
    QVERIFY(confusable(QStringLiteral("paypal"), QStringLiteral("p\u0430yp\u0430l")));
    QVERIFY(confusable(QStringLiteral("microsoft"), QStringLiteral("rnicrosoft")));
    QVERIFY(!confusable(QStringLiteral("example"), QStringLiteral("example")));
    QVERIFY(!confusable(QStringLiteral("example"), QStringLiteral("sample")));
    QVERIFY(checkIdentifier(QString(5000, QLatin1Char('a'))).mixedScript); // too long to check: marked
}

void TestSpoofing::accountNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("warning");
    QTest::newRow("latin account") << "paypal-billing" << "";
    QTest::newRow("beneficiary with spaces") << "Nordwind Logistics GmbH" << "";
    QTest::newRow("greek name") << "Αλέξανδρος" << "";
    QTest::newRow("arabic name") << "محمد علي" << "";
    QTest::newRow("japanese name") << "山田 たろう" << "";
    QTest::newRow("cyrillic a in an account") << "p\u0430ypal-billing"
                                              << "Look-alike name: \u201Cp\u0430ypal-billing\u201D mixes scripts (Latin + Cyrillic).";
    QTest::newRow("cyrillic c in a beneficiary") << "Nordwind Logisti\u0441s GmbH"
                                                 << "Look-alike name: \u201CNordwind Logisti\u0441s GmbH\u201D mixes scripts (Latin + Cyrillic).";
    QTest::newRow("two digit sets") << "acct-12\u0663" << "Look-alike name: \u201Cacct-12\u0663\u201D mixes digit sets.";
}

void TestSpoofing::accountNames()
{
    QFETCH(QString, name);
    QFETCH(QString, warning);
    QCOMPARE(nameWarning(name), warning);
}

QTEST_GUILESS_MAIN(TestSpoofing)
#include "test_spoofing.moc"
