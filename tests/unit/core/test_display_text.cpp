// displayText(): what untrusted text looks like on screen.
#include "core/text/DisplayText.h"

#include <QTest>
#include <QTextDocument>

using namespace countersign;

class TestDisplayText final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void escapes_data();
    void escapes();
    void elision_data();
    void elision();
    void multipleLinesKeepsLineFeeds();
    void hiddenCharactersAreDetected();
    void toolTipIsNeverRichText();
};

void TestDisplayText::escapes_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");

    QTest::newRow("plain") << QStringLiteral("payments.transfer") << QStringLiteral("payments.transfer");
    QTest::newRow("html stays literal") << QStringLiteral("<b>hi</b>") << QStringLiteral("<b>hi</b>");
    QTest::newRow("accents and CJK") << QStringLiteral("Müller 東京") << QStringLiteral("Müller 東京");
    QTest::newRow("emoji pair") << QStringLiteral("ok \U0001F600") << QStringLiteral("ok \U0001F600");
    QTest::newRow("RLO") << QStringLiteral("invoice\u202Etxt.exe") << QStringLiteral("invoice⟨U+202E⟩txt.exe");
    QTest::newRow("LRE PDF") << QStringLiteral("\u202Aa\u202C") << QStringLiteral("⟨U+202A⟩a⟨U+202C⟩");
    QTest::newRow("isolates") << QStringLiteral("\u2066\u2067\u2068\u2069")
                              << QStringLiteral("⟨U+2066⟩⟨U+2067⟩⟨U+2068⟩⟨U+2069⟩");
    QTest::newRow("marks") << QStringLiteral("\u200E\u200F\u061C") << QStringLiteral("⟨U+200E⟩⟨U+200F⟩⟨U+061C⟩");
    QTest::newRow("zero width") << QStringLiteral("pay\u200Bpal\u200C\u200D\u2060\uFEFF")
                                << QStringLiteral("pay⟨U+200B⟩pal⟨U+200C⟩⟨U+200D⟩⟨U+2060⟩⟨U+FEFF⟩");
    QTest::newRow("C0 controls") << QStringLiteral("a\u0007b\u001Bc\u0000")
                                 << QStringLiteral("a⟨U+0007⟩b⟨U+001B⟩c⟨U+0000⟩");
    QTest::newRow("DEL and C1") << QStringLiteral("\u007F\u0085\u009B") << QStringLiteral("⟨U+007F⟩⟨U+0085⟩⟨U+009B⟩");
    QTest::newRow("tab") << QStringLiteral("a\tb") << QStringLiteral("a⟨U+0009⟩b");
    QTest::newRow("line feed") << QStringLiteral("a\nb") << QStringLiteral("a⏎b");
    QTest::newRow("carriage return") << QStringLiteral("a\rb") << QStringLiteral("a⟨U+000D⟩b");
    QTest::newRow("line separator") << QStringLiteral("a\u2028b\u2029") << QStringLiteral("a⟨U+2028⟩b⟨U+2029⟩");
    QTest::newRow("no-break space") << QStringLiteral("a\u00A0b") << QStringLiteral("a⟨U+00A0⟩b");
    QTest::newRow("ideographic space") << QStringLiteral("a\u3000b") << QStringLiteral("a⟨U+3000⟩b");
    QTest::newRow("soft hyphen") << QStringLiteral("ad\u00ADmin") << QStringLiteral("ad⟨U+00AD⟩min");
    QTest::newRow("tag characters") << QStringLiteral("x\U000E0041\U000E007F") << QStringLiteral("x⟨U+E0041⟩⟨U+E007F⟩");
    QTest::newRow("private use") << QStringLiteral("\uE000") << QStringLiteral("⟨U+E000⟩");
    QTest::newRow("lone high surrogate") << QString(QChar(0xD800)) + QStringLiteral("x") << QStringLiteral("⟨U+D800⟩x");
    QTest::newRow("lone low surrogate") << QStringLiteral("x") + QString(QChar(0xDC00)) << QStringLiteral("x⟨U+DC00⟩");
    QTest::newRow("fake escape is escaped") << QStringLiteral("⟨U+202E⟩") << QStringLiteral("⟨U+27E8⟩U+202E⟩");
}

void TestDisplayText::escapes()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(displayText(input, 0), expected);
}

void TestDisplayText::elision_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<int>("maxChars");
    QTest::addColumn<QString>("expected");

    QTest::newRow("fits") << QStringLiteral("abcdef") << 6 << QStringLiteral("abcdef");
    QTest::newRow("one over") << QStringLiteral("abcdefg") << 6 << QStringLiteral("abcde…");
    QTest::newRow("unbounded") << QString(5000, QLatin1Char('x')) << 0 << QString(5000, QLatin1Char('x'));
    QTest::newRow("escape never cut") << QStringLiteral("abc\u202Edef") << 8 << QStringLiteral("abc…");
    QTest::newRow("escape fits exactly") << QStringLiteral("a\u202E") << 10 << QStringLiteral("a⟨U+202E⟩");
    QTest::newRow("surrogate pair never cut") << QStringLiteral("ab\U0001F600cd") << 4 << QStringLiteral("ab…");
    QTest::newRow("surrogate pair fits") << QStringLiteral("ab\U0001F600") << 4 << QStringLiteral("ab\U0001F600");
}

void TestDisplayText::elision()
{
    QFETCH(QString, input);
    QFETCH(int, maxChars);
    QFETCH(QString, expected);
    const QString shown = displayText(input, maxChars);
    QCOMPARE(shown, expected);
    if (maxChars > 0)
        QVERIFY(shown.size() <= maxChars);
}

void TestDisplayText::multipleLinesKeepsLineFeeds()
{
    QCOMPARE(displayText(QStringLiteral("a\nb\tc\u202E"), 0, TextLines::Multiple), QStringLiteral("a\nb\tc⟨U+202E⟩"));
}

void TestDisplayText::hiddenCharactersAreDetected()
{
    QVERIFY(!hasHiddenCharacters(QStringLiteral("plain text, with <html> & such\nlines")));
    QVERIFY(hasHiddenCharacters(QStringLiteral("a\u200Bb")));
    QVERIFY(hasHiddenCharacters(QStringLiteral("a\u202Eb")));
    QVERIFY(hasHiddenCharacters(QStringLiteral("⟨U+202E⟩")));
}

void TestDisplayText::toolTipIsNeverRichText()
{
    const QStringList payloads {QStringLiteral("<b>bold</b>"), QStringLiteral("<qt>x"), QStringLiteral("&lt;b&gt;"),
        QStringLiteral("<!DOCTYPE html><html><body>x"), QStringLiteral("  <img src=x>")};
    for (const QString &payload : payloads) {
        const QString tip = plainToolTip(QStringLiteral("Value:"), payload);
        QVERIFY2(!Qt::mightBeRichText(tip), qPrintable(tip));
        QVERIFY(tip.startsWith(QStringLiteral("Value:\n")));
        QVERIFY(tip.contains(payload.trimmed()));
    }
    const QString wrapped = plainToolTip(QStringLiteral("Long:"), QString(500, QLatin1Char('x')));
    const QStringList lines = wrapped.split(QLatin1Char('\n'));
    for (const QString &line : lines)
        QVERIFY(line.size() <= 96);
    QCOMPARE(
        plainToolTip(QStringLiteral("Bounded:"), QString(5000, QLatin1Char('y')), 100).count(QLatin1Char('y')), 99);
}

QTEST_GUILESS_MAIN(TestDisplayText)
#include "test_display_text.moc"
