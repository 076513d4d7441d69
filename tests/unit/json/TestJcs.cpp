// Conformance of the RFC 8785 canonicalizer: the upstream JCS input/output pairs byte for byte,
// 10000 ECMAScript number vectors, and the ordering and escaping rules on their own.
#include "core/json/Json.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace countersign;

namespace {

QString dataPath(const QString &relative)
{
    return QDir(QStringLiteral(COUNTERSIGN_TEST_DATA)).filePath(QStringLiteral("jcs/") + relative);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class TestJcs final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void upstreamVectors_data();
    void upstreamVectors();
    void es6Numbers();
    void formatNumber_data();
    void formatNumber();
    void nonFiniteNumbers();
    void stringEscapes_data();
    void stringEscapes();
    void membersSortByUtf16CodeUnits();
    void integersAreTreatedAsDoubles();
};

void TestJcs::upstreamVectors_data()
{
    QTest::addColumn<QString>("name");
    for (const char *name : {"arrays", "french", "structures", "unicode", "values", "weird"})
        QTest::newRow(name) << QString::fromLatin1(name);
}

void TestJcs::upstreamVectors()
{
    QFETCH(QString, name);

    const QByteArray input = readFile(dataPath(QStringLiteral("input/") + name + QStringLiteral(".json")));
    const QByteArray expected = readFile(dataPath(QStringLiteral("output/") + name + QStringLiteral(".json")));
    QVERIFY2(!input.isEmpty(), qPrintable(QStringLiteral("missing input for ") + name));
    QVERIFY2(!expected.isEmpty(), qPrintable(QStringLiteral("missing output for ") + name));

    const auto parsed = json::parse(input);
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
    const QByteArray canonical = json::canonicalize(parsed.value());
    QCOMPARE(canonical, expected);

    // The canonical form is a fixed point: parsing and canonicalizing it again changes nothing.
    const auto reparsed = json::parse(canonical);
    QVERIFY(reparsed.ok());
    QCOMPARE(json::canonicalize(reparsed.value()), expected);
}

// Each line is "hex of the IEEE 754 bits,expected ECMAScript string". Besides formatting, every
// expected string must parse back to the same double (the parser's number path, 10000 times).
void TestJcs::es6Numbers()
{
    QFile file(dataPath(QStringLiteral("es6testfile_first10000.txt")));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QByteArray all = file.readAll();
    QVERIFY(all.endsWith('\n'));
    const QList<QByteArray> lines = all.left(all.size() - 1).split('\n');
    QCOMPARE(lines.size(), 10000);

    int formatFailures = 0;
    int parseFailures = 0;
    for (const QByteArray &line : lines) {
        const qsizetype comma = line.indexOf(',');
        QVERIFY2(comma > 0 && comma <= 16, line.constData());
        bool ok = false;
        const quint64 bits = line.left(comma).toULongLong(&ok, 16);
        QVERIFY2(ok, line.constData());
        const double value = std::bit_cast<double>(bits);
        const QByteArray expected = line.mid(comma + 1);

        const QByteArray actual = json::formatNumber(value);
        if (actual != expected && ++formatFailures <= 10)
            qWarning("format %s: got %s", line.constData(), actual.constData());

        const auto parsed = json::parse(expected);
        const bool same = parsed.ok() && parsed.value().isDouble()
                          && (value == 0 ? parsed.value().toDouble() == 0
                                         : std::bit_cast<quint64>(parsed.value().toDouble()) == bits);
        if (!same && ++parseFailures <= 10)
            qWarning("parse %s failed", line.constData());
    }
    QCOMPARE(formatFailures, 0);
    QCOMPARE(parseFailures, 0);
}

void TestJcs::formatNumber_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("zero") << 0.0 << QByteArray("0");
    QTest::newRow("minus zero") << -0.0 << QByteArray("0");
    QTest::newRow("one") << 1.0 << QByteArray("1");
    QTest::newRow("minus one") << -1.0 << QByteArray("-1");
    QTest::newRow("fraction") << 0.5 << QByteArray("0.5");
    QTest::newRow("tenth") << 0.1 << QByteArray("0.1");
    QTest::newRow("0.1 + 0.2") << 0.1 + 0.2 << QByteArray("0.30000000000000004");
    QTest::newRow("1e-6 stays plain") << 1e-6 << QByteArray("0.000001");
    QTest::newRow("1e-7 uses exponent") << 1e-7 << QByteArray("1e-7");
    QTest::newRow("1.5e-7") << 1.5e-7 << QByteArray("1.5e-7");
    QTest::newRow("1e20 stays plain") << 1e20 << QByteArray("100000000000000000000");
    QTest::newRow("1e21 uses exponent") << 1e21 << QByteArray("1e+21");
    QTest::newRow("1.5e21") << 1.5e21 << QByteArray("1.5e+21");
    QTest::newRow("123e18") << 123e18 << QByteArray("123000000000000000000");
    QTest::newRow("2^53") << 9007199254740992.0 << QByteArray("9007199254740992");
    QTest::newRow("max") << std::numeric_limits<double>::max() << QByteArray("1.7976931348623157e+308");
    QTest::newRow("lowest") << std::numeric_limits<double>::lowest() << QByteArray("-1.7976931348623157e+308");
    QTest::newRow("min normal") << std::numeric_limits<double>::min() << QByteArray("2.2250738585072014e-308");
    QTest::newRow("min subnormal") << std::numeric_limits<double>::denorm_min() << QByteArray("5e-324");
    QTest::newRow("-min subnormal") << -std::numeric_limits<double>::denorm_min() << QByteArray("-5e-324");
    QTest::newRow("333333333.3333333") << 333333333.33333329 << QByteArray("333333333.3333333");
    QTest::newRow("1e30") << 1e30 << QByteArray("1e+30");
    QTest::newRow("4.5") << 4.50 << QByteArray("4.5");
    QTest::newRow("0.002") << 2e-3 << QByteArray("0.002");
    QTest::newRow("1e-27") << 1e-27 << QByteArray("1e-27");
}

void TestJcs::formatNumber()
{
    QFETCH(double, value);
    QFETCH(QByteArray, expected);
    QCOMPARE(json::formatNumber(value), expected);
}

void TestJcs::nonFiniteNumbers()
{
    QVERIFY(json::formatNumber(std::numeric_limits<double>::infinity()).isEmpty());
    QVERIFY(json::formatNumber(-std::numeric_limits<double>::infinity()).isEmpty());
    QVERIFY(json::formatNumber(std::numeric_limits<double>::quiet_NaN()).isEmpty());
    // A value built in code (parse() never yields one) is not allowed to make the output
    // unparseable: it is written the way JSON.stringify writes it.
    QCOMPARE(json::canonicalize(QJsonArray{std::numeric_limits<double>::quiet_NaN()}), QByteArray("[null]"));
}

void TestJcs::stringEscapes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("plain") << QStringLiteral("abc") << QByteArray(R"("abc")");
    QTest::newRow("short forms") << QStringLiteral("\b\t\n\f\r\"\\") << QByteArray(R"("\b\t\n\f\r\"\\")");
    QTest::newRow("solidus is literal") << QStringLiteral("a/b") << QByteArray(R"("a/b")");
    QTest::newRow("nul") << QString(QChar(0)) << QByteArray(R"("\u0000")");
    QTest::newRow("other controls lowercase hex") << QStringLiteral("\x01\x0b\x1f") << QByteArray(R"("\u0001\u000b\u001f")");
    QTest::newRow("DEL is literal") << QStringLiteral("\x7f") << QByteArray("\"\x7f\"");
    QTest::newRow("C1 control is literal") << QString(QChar(0x80)) << QByteArray("\"\xc2\x80\"");
    QTest::newRow("non-ASCII literal") << QString::fromUtf8("\xe2\x82\xac\xf0\x9f\x98\x82")
                                       << QByteArray("\"\xe2\x82\xac\xf0\x9f\x98\x82\"");
    QTest::newRow("U+2028 literal") << QString(QChar(0x2028)) << QByteArray("\"\xe2\x80\xa8\"");
    QTest::newRow("script tag literal") << QStringLiteral("</script>") << QByteArray(R"("</script>")");
}

void TestJcs::stringEscapes()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);
    QCOMPARE(json::canonicalize(QJsonValue(text)), expected);
    // And as a member name, which follows the same rules.
    QCOMPARE(json::canonicalize(QJsonObject{{text, 1}}), QByteArray('{' + expected + ":1}"));
}

// U+1F602 is D83D DE02 in UTF-16, so it sorts before U+FB33 although its code point is higher;
// RFC 8785 section 3.2.3 requires exactly this order.
void TestJcs::membersSortByUtf16CodeUnits()
{
    const QString smiley = QString::fromUtf8("\xf0\x9f\x98\x82");
    const QString dalet = QString(QChar(0xFB33));
    const QString euro = QString(QChar(0x20AC));
    const QJsonObject object{{dalet, 1}, {smiley, 2}, {euro, 3}, {QStringLiteral("b"), 4},
                             {QStringLiteral("B"), 5}, {QStringLiteral("ab"), 6}, {QString(), 7}};
    const QByteArray expected = "{\"\":7,\"B\":5,\"ab\":6,\"b\":4," + ('"' + euro.toUtf8() + "\":3,") + ('"' + smiley.toUtf8() + "\":2,")
                                + ('"' + dalet.toUtf8() + "\":1}");
    QCOMPARE(json::canonicalize(object), expected);

    // QString's own operator< agrees (it compares UTF-16 code units), unlike code point order.
    QVERIFY(smiley < dalet);
}

void TestJcs::integersAreTreatedAsDoubles()
{
    // QJsonValue keeps integral values as qint64; the canonical form must not depend on that.
    const QJsonArray array{QJsonValue(qint64(1) << 53), QJsonValue(1e21), QJsonValue(qint64(-7)), QJsonValue(100.0),
                           QJsonValue(qint64(123456789012345678))};
    QCOMPARE(json::canonicalize(array), QByteArray("[9007199254740992,1e+21,-7,100,123456789012345680]"));
    QCOMPARE(json::canonicalize(QJsonValue(true)), QByteArray("true"));
    QCOMPARE(json::canonicalize(QJsonValue(QJsonValue::Null)), QByteArray("null"));
    QCOMPARE(json::canonicalize(QJsonObject{}), QByteArray("{}"));
    QCOMPARE(json::canonicalize(QJsonArray{}), QByteArray("[]"));
}

QTEST_APPLESS_MAIN(TestJcs)

#include "TestJcs.moc"
