// Unit tests of the strict JSON parser: what it accepts, what it refuses, with which error code
// and byte offset, and that every limit holds (including hostile nesting).
#include "core/json/Json.h"

#include <cmath>
#include <cstring>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace countersign;

namespace {

// Keeps embedded NUL bytes, which a plain const char * would cut off.
template<qsizetype N>
QByteArray bytes(const char (&text)[N])
{
    return QByteArray(text, N - 1);
}

QByteArray repeated(const QByteArray &part, qsizetype count)
{
    return part.repeated(count);
}

} // namespace

class TestJsonParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepts_data();
    void accepts();
    void refuses_data();
    void refuses();
    void limits_data();
    void limits();
    void defaultsAreDocumented();
    void defaultLimits_data();
    void defaultLimits();
    void hostileNestingFailsFast_data();
    void hostileNestingFailsFast();
    void numbersAreDoubles();
    void memberNamesAreUnescaped();
    void longStringsSurviveIntact();
};

// Good documents, checked through their canonical form so one row pins down the parsed value.
void TestJsonParser::accepts_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("canonical");

    QTest::newRow("null") << bytes("null") << bytes("null");
    QTest::newRow("true") << bytes("true") << bytes("true");
    QTest::newRow("false") << bytes("false") << bytes("false");
    QTest::newRow("zero") << bytes("0") << bytes("0");
    QTest::newRow("minus zero") << bytes("-0") << bytes("0");
    QTest::newRow("minus zero fraction") << bytes("-0.0") << bytes("0");
    QTest::newRow("integer") << bytes("123") << bytes("123");
    QTest::newRow("negative") << bytes("-42") << bytes("-42");
    QTest::newRow("fraction") << bytes("1.50") << bytes("1.5");
    QTest::newRow("exponent") << bytes("1E2") << bytes("100");
    QTest::newRow("exponent plus") << bytes("1e+2") << bytes("100");
    QTest::newRow("exponent minus") << bytes("25e-1") << bytes("2.5");
    QTest::newRow("zero exponent") << bytes("0e0") << bytes("0");
    QTest::newRow("huge exponent of zero") << bytes("0e999999999999999999999") << bytes("0");
    QTest::newRow("leading zeros in exponent") << bytes("1e007") << bytes("10000000");
    QTest::newRow("small") << bytes("0.0000001") << bytes("1e-7");
    QTest::newRow("large") << bytes("1e21") << bytes("1e+21");
    QTest::newRow("max double") << bytes("1.7976931348623157e308") << bytes("1.7976931348623157e+308");
    QTest::newRow("min subnormal") << bytes("5e-324") << bytes("5e-324");
    QTest::newRow("underflow rounds to zero") << bytes("1e-400") << bytes("0");
    QTest::newRow("negative underflow") << bytes("-1e-400") << bytes("0");
    QTest::newRow("many digits underflow") << QByteArray("0." + QByteArray(400, '0') + "1") << bytes("0");
    QTest::newRow("beyond 2^53 rounds") << bytes("9007199254740993") << bytes("9007199254740992");
    QTest::newRow("long mantissa") << bytes("333333333.33333329") << bytes("333333333.3333333");
    QTest::newRow("empty string") << bytes("\"\"") << bytes("\"\"");
    QTest::newRow("simple escapes") << bytes(R"("\"\\\/\b\f\n\r\t")") << bytes(R"("\"\\/\b\f\n\r\t")");
    QTest::newRow("unicode escape") << bytes(R"("\u0041\u00e9\u20AC")") << bytes("\"A\xc3\xa9\xe2\x82\xac\"");
    QTest::newRow("escaped nul") << bytes(R"("a\u0000b")") << bytes(R"("a\u0000b")");
    QTest::newRow("escaped control") << bytes(R"("\u001F")") << bytes(R"("\u001f")");
    QTest::newRow("surrogate pair") << bytes(R"("\ud83d\ude02")") << bytes("\"\xf0\x9f\x98\x82\"");
    QTest::newRow("surrogate pair upper hex") << bytes(R"("\uD83D\uDE02")") << bytes("\"\xf0\x9f\x98\x82\"");
    QTest::newRow("raw 2-byte") << bytes("\"\xc3\xa9\"") << bytes("\"\xc3\xa9\"");
    QTest::newRow("raw 3-byte") << bytes("\"\xe2\x82\xac\"") << bytes("\"\xe2\x82\xac\"");
    QTest::newRow("raw 4-byte") << bytes("\"\xf0\x9f\x98\x82\"") << bytes("\"\xf0\x9f\x98\x82\"");
    QTest::newRow("raw U+10FFFF") << bytes("\"\xf4\x8f\xbf\xbf\"") << bytes("\"\xf4\x8f\xbf\xbf\"");
    QTest::newRow("raw U+D7FF") << bytes("\"\xed\x9f\xbf\"") << bytes("\"\xed\x9f\xbf\"");
    QTest::newRow("raw U+E000") << bytes("\"\xee\x80\x80\"") << bytes("\"\xee\x80\x80\"");
    QTest::newRow("raw U+0800") << bytes("\"\xe0\xa0\x80\"") << bytes("\"\xe0\xa0\x80\"");
    QTest::newRow("raw U+10000") << bytes("\"\xf0\x90\x80\x80\"") << bytes("\"\xf0\x90\x80\x80\"");
    QTest::newRow("BOM inside a string") << bytes("\"\xef\xbb\xbf\"") << bytes("\"\xef\xbb\xbf\"");
    // QString::fromUtf8 would silently drop a leading U+FEFF; the parser must keep it.
    QTest::newRow("escaped BOM at start") << bytes(R"("\ufeffa")") << bytes("\"\xef\xbb\xbf" "a\"");
    QTest::newRow("BOM name is not the empty name") << bytes("{\"\xef\xbb\xbf\":1,\"\":2}")
                                                    << bytes("{\"\":2,\"\xef\xbb\xbf\":1}");
    QTest::newRow("raw DEL") << bytes("\"\x7f\"") << bytes("\"\x7f\"");
    QTest::newRow("empty array") << bytes("[]") << bytes("[]");
    QTest::newRow("empty object") << bytes("{}") << bytes("{}");
    QTest::newRow("all whitespace kinds") << bytes(" \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n")
                                          << bytes("[1,2]");
    QTest::newRow("nested") << bytes(R"({"b":[1,{"c":null}],"a":{}})") << bytes(R"({"a":{},"b":[1,{"c":null}]})");
    QTest::newRow("same name in different objects") << bytes(R"({"a":{"a":1},"b":{"a":2}})")
                                                    << bytes(R"({"a":{"a":1},"b":{"a":2}})");
    QTest::newRow("names differing in case") << bytes(R"({"a":1,"A":2})") << bytes(R"({"A":2,"a":1})");
}

void TestJsonParser::accepts()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, canonical);

    const auto parsed = json::parse(input);
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
    QCOMPARE(json::canonicalize(parsed.value()), canonical);
}

// Bad documents: each row names the error code, the byte offset the message must start with and
// a fragment saying what was wrong.
void TestJsonParser::refuses_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("offset");
    QTest::addColumn<QString>("fragment");

    const QString syntax = QStringLiteral("json.syntax");
    const QString utf8 = QStringLiteral("json.utf8");
    const QString duplicate = QStringLiteral("json.duplicate");
    const QString number = QStringLiteral("json.number");

    // Structure.
    QTest::newRow("empty") << bytes("") << syntax << 0 << QStringLiteral("expected a value, found end of input");
    QTest::newRow("only whitespace") << bytes(" \n\t") << syntax << 3 << QStringLiteral("expected a value");
    QTest::newRow("BOM") << bytes("\xef\xbb\xbf{}") << syntax << 0 << QStringLiteral("byte order mark");
    QTest::newRow("BOM alone") << bytes("\xef\xbb\xbf") << syntax << 0 << QStringLiteral("byte order mark");
    QTest::newRow("trailing garbage") << bytes("{}x") << syntax << 2 << QStringLiteral("unexpected 'x' after the JSON value");
    QTest::newRow("two values") << bytes("1 2") << syntax << 2 << QStringLiteral("after the JSON value");
    QTest::newRow("trailing nul") << bytes("[1]\0") << syntax << 3 << QStringLiteral("byte 0x00");
    QTest::newRow("hex number") << bytes("0x10") << syntax << 1 << QStringLiteral("'x'");
    QTest::newRow("trailing comma in array") << bytes("[1,]") << syntax << 3 << QStringLiteral("expected a value, found ']'");
    QTest::newRow("missing comma") << bytes("[1 2]") << syntax << 3 << QStringLiteral("expected ',' or ']'");
    QTest::newRow("unclosed array") << bytes("[1") << syntax << 2 << QStringLiteral("found end of input");
    QTest::newRow("leading comma") << bytes("[,1]") << syntax << 1 << QStringLiteral("expected a value");
    QTest::newRow("missing colon") << bytes(R"({"a" 1})") << syntax << 5 << QStringLiteral("expected ':'");
    QTest::newRow("trailing comma in object") << bytes(R"({"a":1,})") << syntax << 7 << QStringLiteral("member name");
    QTest::newRow("unquoted name") << bytes("{a:1}") << syntax << 1 << QStringLiteral("member name");
    QTest::newRow("single quotes") << bytes("'a'") << syntax << 0 << QStringLiteral("expected a value");
    QTest::newRow("missing member value") << bytes(R"({"a":})") << syntax << 5 << QStringLiteral("expected a value");
    QTest::newRow("unclosed object") << bytes(R"({"a":1)") << syntax << 6 << QStringLiteral("expected ',' or '}'");
    QTest::newRow("mismatched close") << bytes("[1}") << syntax << 2 << QStringLiteral("expected ',' or ']'");
    QTest::newRow("comment") << bytes("// c\n1") << syntax << 0 << QStringLiteral("expected a value");
    QTest::newRow("vertical tab") << bytes("\v1") << syntax << 0 << QStringLiteral("byte 0x0B");
    QTest::newRow("form feed") << bytes("\f1") << syntax << 0 << QStringLiteral("byte 0x0C");
    QTest::newRow("no-break space") << bytes("\xc2\xa0" "1") << syntax << 0 << QStringLiteral("byte 0xC2");
    QTest::newRow("non-ASCII outside string") << bytes("[\xc3\xa9]") << syntax << 1 << QStringLiteral("expected a value");

    // Literals.
    QTest::newRow("truncated true") << bytes("tru") << syntax << 3 << QStringLiteral("expected 'true'");
    QTest::newRow("misspelled null") << bytes("nul1") << syntax << 3 << QStringLiteral("expected 'null'");
    QTest::newRow("capitalised") << bytes("True") << syntax << 0 << QStringLiteral("expected a value");
    QTest::newRow("literal with suffix") << bytes("[falsey]") << syntax << 6 << QStringLiteral("expected ',' or ']'");
    QTest::newRow("NaN") << bytes("NaN") << syntax << 0 << QStringLiteral("expected a value");
    QTest::newRow("Infinity") << bytes("Infinity") << syntax << 0 << QStringLiteral("expected a value");
    QTest::newRow("-Infinity") << bytes("-Infinity") << syntax << 1 << QStringLiteral("expected a digit");

    // Number grammar.
    QTest::newRow("leading zero") << bytes("01") << syntax << 0 << QStringLiteral("leading zero");
    QTest::newRow("negative leading zero") << bytes("-01") << syntax << 1 << QStringLiteral("leading zero");
    QTest::newRow("leading zeros in array") << bytes("[1, 007]") << syntax << 4 << QStringLiteral("leading zero");
    QTest::newRow("lone minus") << bytes("-") << syntax << 1 << QStringLiteral("expected a digit, found end of input");
    QTest::newRow("plus sign") << bytes("+1") << syntax << 0 << QStringLiteral("expected a value");
    QTest::newRow("leading dot") << bytes(".5") << syntax << 0 << QStringLiteral("expected a value");
    QTest::newRow("trailing dot") << bytes("1.") << syntax << 2 << QStringLiteral("after the decimal point");
    QTest::newRow("dot then exponent") << bytes("1.e5") << syntax << 2 << QStringLiteral("after the decimal point");
    QTest::newRow("empty exponent") << bytes("1e") << syntax << 2 << QStringLiteral("in the exponent");
    QTest::newRow("signed empty exponent") << bytes("1e+") << syntax << 3 << QStringLiteral("in the exponent");
    QTest::newRow("double sign exponent") << bytes("1e+-1") << syntax << 3 << QStringLiteral("in the exponent");

    // Numbers outside double range.
    QTest::newRow("1e400") << bytes("1e400") << number << 0 << QStringLiteral("number 1e400 is outside the range");
    QTest::newRow("-1e400") << bytes("-1e400") << number << 0 << QStringLiteral("outside the range");
    QTest::newRow("just over max") << bytes("[0, 1.7976931348623159e308]") << number << 4 << QStringLiteral("outside the range");
    QTest::newRow("400 digits") << QByteArray("1" + QByteArray(400, '0')) << number << 0 << QStringLiteral("...");
    QTest::newRow("negative exponent overflow") << QByteArray("1" + QByteArray(500, '0') + "e-100") << number << 0
                                                << QStringLiteral("outside the range");
    QTest::newRow("member value") << bytes(R"({"n":1e999})") << number << 5 << QStringLiteral("outside the range");

    // Strings.
    QTest::newRow("unterminated") << bytes("\"abc") << syntax << 4 << QStringLiteral("string opened at byte 0");
    QTest::newRow("unterminated after escape") << bytes(R"("a\")") << syntax << 4 << QStringLiteral("found end of input");
    QTest::newRow("backslash at end") << bytes("\"a\\") << syntax << 3 << QStringLiteral("escape character");
    QTest::newRow("raw newline") << bytes("\"a\nb\"") << syntax << 2 << QStringLiteral("control character 0x0A");
    QTest::newRow("raw tab") << bytes("\"\t\"") << syntax << 1 << QStringLiteral("0x09 must be escaped");
    QTest::newRow("raw nul") << bytes("\"\0\"") << syntax << 1 << QStringLiteral("0x00 must be escaped");
    QTest::newRow("raw 0x1f in name") << bytes("{\"\x1f\":1}") << syntax << 2 << QStringLiteral("0x1F");
    QTest::newRow("invalid escape") << bytes(R"("\x41")") << syntax << 2 << QStringLiteral("after '\\'");
    QTest::newRow("escaped single quote") << bytes(R"("\'")") << syntax << 2 << QStringLiteral("found '''");
    QTest::newRow("bad hex digit") << bytes(R"("\u12G4")") << syntax << 5 << QStringLiteral("hex digit");
    QTest::newRow("short unicode escape") << bytes(R"("\u12")") << syntax << 5 << QStringLiteral("hex digit");
    QTest::newRow("unicode escape at end") << bytes(R"("\u00)") << syntax << 5 << QStringLiteral("found end of input");
    QTest::newRow("bad hex in low surrogate") << bytes(R"("\ud83d\uDEZ2")") << syntax << 11 << QStringLiteral("hex digit");

    // Escaped lone surrogates (I-JSON).
    QTest::newRow("lone high") << bytes(R"("\ud800")") << utf8 << 1 << QStringLiteral("high surrogate \\ud800");
    QTest::newRow("high then text") << bytes(R"("\ud800x")") << utf8 << 1 << QStringLiteral("not followed by");
    QTest::newRow("high then BMP escape") << bytes(R"("\ud800\u0041")") << utf8 << 1 << QStringLiteral("not followed by");
    QTest::newRow("high then high") << bytes(R"("\ud83d\ud83d")") << utf8 << 1 << QStringLiteral("not followed by");
    QTest::newRow("high then other escape") << bytes(R"("\ud800\n")") << utf8 << 1 << QStringLiteral("not followed by");
    QTest::newRow("high at end of string") << bytes(R"("ab\uDBFF")") << utf8 << 3 << QStringLiteral("\\udbff");
    QTest::newRow("lone low") << bytes(R"("\udc00")") << utf8 << 1 << QStringLiteral("low surrogate \\udc00 without");
    QTest::newRow("reversed pair") << bytes(R"("\ude02\ud83d")") << utf8 << 1 << QStringLiteral("low surrogate");
    QTest::newRow("second pair broken") << bytes(R"("\ud83d\ude02\udfff")") << utf8 << 13 << QStringLiteral("low surrogate");
    QTest::newRow("lone surrogate in name") << bytes(R"({"\udfff":1})") << utf8 << 2 << QStringLiteral("low surrogate");

    // Invalid UTF-8, one row per class; the offset is the first byte of the bad sequence.
    QTest::newRow("stray continuation") << bytes("\"\x80\"") << utf8 << 1 << QStringLiteral("unexpected continuation byte 0x80");
    QTest::newRow("stray continuation later") << bytes("\"ab\xbf\"") << utf8 << 3 << QStringLiteral("continuation byte 0xBF");
    QTest::newRow("overlong 2-byte C0") << bytes("\"\xc0\xaf\"") << utf8 << 1 << QStringLiteral("overlong");
    QTest::newRow("overlong 2-byte C1") << bytes("\"\xc1\xbf\"") << utf8 << 1 << QStringLiteral("overlong");
    QTest::newRow("overlong 3-byte") << bytes("\"\xe0\x80\xaf\"") << utf8 << 1 << QStringLiteral("overlong");
    QTest::newRow("overlong 3-byte max") << bytes("\"\xe0\x9f\xbf\"") << utf8 << 1 << QStringLiteral("overlong");
    QTest::newRow("overlong 4-byte") << bytes("\"\xf0\x80\x80\xaf\"") << utf8 << 1 << QStringLiteral("overlong");
    QTest::newRow("overlong 4-byte max") << bytes("\"\xf0\x8f\xbf\xbf\"") << utf8 << 1 << QStringLiteral("overlong");
    QTest::newRow("encoded high surrogate") << bytes("\"\xed\xa0\x80\"") << utf8 << 1 << QStringLiteral("surrogate");
    QTest::newRow("encoded low surrogate") << bytes("\"\xed\xbf\xbf\"") << utf8 << 1 << QStringLiteral("surrogate");
    QTest::newRow("encoded surrogate pair (CESU-8)") << bytes("\"\xed\xa0\xbd\xed\xb8\x82\"") << utf8 << 1
                                                     << QStringLiteral("surrogate");
    QTest::newRow("U+110000") << bytes("\"\xf4\x90\x80\x80\"") << utf8 << 1 << QStringLiteral("beyond U+10FFFF");
    QTest::newRow("lead F5") << bytes("\"\xf5\x80\x80\x80\"") << utf8 << 1 << QStringLiteral("beyond U+10FFFF");
    QTest::newRow("lead F7") << bytes("\"\xf7\xbf\xbf\xbf\"") << utf8 << 1 << QStringLiteral("beyond U+10FFFF");
    QTest::newRow("5-byte form") << bytes("\"\xf8\x88\x80\x80\x80\"") << utf8 << 1 << QStringLiteral("never occurs");
    QTest::newRow("byte FE") << bytes("\"\xfe\"") << utf8 << 1 << QStringLiteral("0xFE never occurs");
    QTest::newRow("byte FF") << bytes("\"\xff\"") << utf8 << 1 << QStringLiteral("0xFF never occurs");
    QTest::newRow("truncated 2-byte") << bytes("\"\xc3\"") << utf8 << 1 << QStringLiteral("truncated");
    QTest::newRow("truncated 3-byte") << bytes("\"\xe2\x82\"") << utf8 << 1 << QStringLiteral("truncated");
    QTest::newRow("truncated 4-byte") << bytes("\"\xf0\x9f\x98\"") << utf8 << 1 << QStringLiteral("truncated");
    QTest::newRow("truncated by ASCII") << bytes("\"\xe2" "a\xac\"") << utf8 << 1 << QStringLiteral("truncated");
    QTest::newRow("truncated at end of input") << bytes("\"ab\xc3") << utf8 << 3 << QStringLiteral("truncated");
    QTest::newRow("invalid UTF-8 in name") << bytes("{\"a\xc0\x80\":1}") << utf8 << 3 << QStringLiteral("overlong");

    // Duplicate member names, compared after unescaping.
    QTest::newRow("duplicate") << bytes(R"({"a":1,"a":2})") << duplicate << 7 << QStringLiteral("duplicate member name \"a\"");
    QTest::newRow("duplicate same value") << bytes(R"({"a":1,"b":0,"a":1})") << duplicate << 13 << QStringLiteral("\"a\"");
    QTest::newRow("duplicate via escape") << bytes(R"({"a":1,"\u0061":2})") << duplicate << 7 << QStringLiteral("\"a\"");
    QTest::newRow("duplicate via / escape") << bytes(R"({"a/b":1,"a\/b":2})") << duplicate << 9 << QStringLiteral("\"a/b\"");
    QTest::newRow("duplicate non-ASCII") << bytes("{\"\xc3\xa9\":1,\"\\u00e9\":2}") << duplicate << 8
                                         << QStringLiteral("\"\u00e9\"");
    QTest::newRow("duplicate empty name") << bytes(R"({"":1,"":2})") << duplicate << 6 << QStringLiteral("\"\"");
    QTest::newRow("duplicate nested") << bytes(R"({"x":{"b":1,"b":1}})") << duplicate << 12 << QStringLiteral("\"b\"");
    QTest::newRow("duplicate control name is shown escaped") << bytes(R"({"\n":1,"\n":2})") << duplicate << 8
                                                             << QStringLiteral("\"\\u000a\"");
}

void TestJsonParser::refuses()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, code);
    QFETCH(int, offset);
    QFETCH(QString, fragment);

    const auto parsed = json::parse(input);
    QVERIFY2(!parsed.ok(), "parse accepted a bad document");
    const Error &error = parsed.error();
    QCOMPARE(error.code, code);
    const QString prefix = QStringLiteral("byte %1: ").arg(offset);
    QVERIFY2(error.message.startsWith(prefix), qPrintable(error.toString()));
    QVERIFY2(error.message.contains(fragment), qPrintable(error.toString()));
}

// Every field of Limits, just inside (must parse) and just outside (must fail with the offset
// and a message naming the limit's value). An empty code means the document must parse.
void TestJsonParser::limits_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("field");
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("offset");
    QTest::addColumn<QString>("fragment");

    const QString limit = QStringLiteral("json.limit");
    const QString tooLarge = QStringLiteral("json.too_large");
    const QString none;

    // maxBytes
    QTest::newRow("bytes equal") << bytes("[1,2]") << QStringLiteral("maxBytes") << qint64(5) << none << 0 << QString();
    QTest::newRow("bytes over") << bytes("[1,2]") << QStringLiteral("maxBytes") << qint64(4) << tooLarge << 4
                                << QStringLiteral("document longer than 4 bytes (it has 5)");
    QTest::newRow("bytes checked before syntax") << bytes("\xff\xff\xff\xff\xff") << QStringLiteral("maxBytes") << qint64(4)
                                                 << tooLarge << 4 << QStringLiteral("longer than 4 bytes");
    QTest::newRow("bytes zero") << bytes("0") << QStringLiteral("maxBytes") << qint64(0) << tooLarge << 0
                                << QStringLiteral("longer than 0 bytes");

    // maxDepth
    QTest::newRow("depth equal") << bytes("[[[]]]") << QStringLiteral("maxDepth") << qint64(3) << none << 0 << QString();
    QTest::newRow("depth over") << bytes("[[[]]]") << QStringLiteral("maxDepth") << qint64(2) << limit << 2
                                << QStringLiteral("nesting deeper than 2");
    QTest::newRow("depth objects") << bytes(R"({"a":{"b":{}}})") << QStringLiteral("maxDepth") << qint64(2) << limit << 10
                                   << QStringLiteral("nesting deeper than 2");
    QTest::newRow("depth mixed") << bytes(R"([{"a":[1]}])") << QStringLiteral("maxDepth") << qint64(2) << limit << 6
                                 << QStringLiteral("nesting deeper than 2");
    QTest::newRow("depth siblings do not add up") << bytes("[[],[],[[]]]") << QStringLiteral("maxDepth") << qint64(3)
                                                  << none << 0 << QString();
    QTest::newRow("depth zero scalar") << bytes("1") << QStringLiteral("maxDepth") << qint64(0) << none << 0 << QString();
    QTest::newRow("depth zero container") << bytes(" []") << QStringLiteral("maxDepth") << qint64(0) << limit << 1
                                          << QStringLiteral("nesting deeper than 0");

    // maxStringBytes: UTF-8 bytes of the decoded value, member names included.
    QTest::newRow("string equal") << bytes(R"("abcd")") << QStringLiteral("maxStringBytes") << qint64(4) << none << 0 << QString();
    QTest::newRow("string over") << bytes(R"(["abcd"])") << QStringLiteral("maxStringBytes") << qint64(3) << limit << 1
                                 << QStringLiteral("string longer than 3 bytes");
    QTest::newRow("string raw UTF-8 equal") << bytes("\"\xc3\xa9\xc3\xa9\"") << QStringLiteral("maxStringBytes") << qint64(4)
                                            << none << 0 << QString();
    QTest::newRow("string raw UTF-8 over") << bytes("\"\xc3\xa9\xc3\xa9\"") << QStringLiteral("maxStringBytes") << qint64(3)
                                           << limit << 0 << QStringLiteral("string longer than 3 bytes");
    QTest::newRow("string escapes count decoded") << bytes(R"("\u00e9\u00e9")") << QStringLiteral("maxStringBytes") << qint64(4)
                                                  << none << 0 << QString();
    QTest::newRow("string escapes over") << bytes(R"("\u00e9\u00e9")") << QStringLiteral("maxStringBytes") << qint64(3)
                                         << limit << 0 << QStringLiteral("string longer than 3 bytes");
    QTest::newRow("string pair counts 4") << bytes(R"("\ud83d\ude02")") << QStringLiteral("maxStringBytes") << qint64(4)
                                          << none << 0 << QString();
    QTest::newRow("string pair over") << bytes(R"("\ud83d\ude02")") << QStringLiteral("maxStringBytes") << qint64(3)
                                      << limit << 0 << QStringLiteral("string longer than 3 bytes");
    QTest::newRow("member name over") << bytes(R"({"abcd":1})") << QStringLiteral("maxStringBytes") << qint64(3) << limit << 1
                                      << QStringLiteral("string longer than 3 bytes");
    QTest::newRow("member name equal") << bytes(R"({"abc":"xyz"})") << QStringLiteral("maxStringBytes") << qint64(3) << none
                                       << 0 << QString();
    QTest::newRow("string zero") << bytes(R"(["","a"])") << QStringLiteral("maxStringBytes") << qint64(0) << limit << 4
                                 << QStringLiteral("string longer than 0 bytes");

    // maxArrayLength
    QTest::newRow("array equal") << bytes("[1,2,3]") << QStringLiteral("maxArrayLength") << qint64(3) << none << 0 << QString();
    QTest::newRow("array over") << bytes("[1,2,3]") << QStringLiteral("maxArrayLength") << qint64(2) << limit << 5
                                << QStringLiteral("array longer than 2 elements");
    QTest::newRow("array nested counts separately") << bytes("[[1,2],[3,4]]") << QStringLiteral("maxArrayLength") << qint64(2)
                                                    << none << 0 << QString();
    QTest::newRow("array zero empty") << bytes("[ ]") << QStringLiteral("maxArrayLength") << qint64(0) << none << 0 << QString();
    QTest::newRow("array zero") << bytes("[ 1]") << QStringLiteral("maxArrayLength") << qint64(0) << limit << 2
                                << QStringLiteral("array longer than 0 elements");

    // maxObjectMembers
    QTest::newRow("members equal") << bytes(R"({"a":1,"b":2})") << QStringLiteral("maxObjectMembers") << qint64(2) << none << 0
                                   << QString();
    QTest::newRow("members over") << bytes(R"({"a":1,"b":2})") << QStringLiteral("maxObjectMembers") << qint64(1) << limit << 7
                                  << QStringLiteral("object with more than 1 members");
    QTest::newRow("members zero") << bytes(R"({"a":1})") << QStringLiteral("maxObjectMembers") << qint64(0) << limit << 1
                                  << QStringLiteral("more than 0 members");
}

void TestJsonParser::limits()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, field);
    QFETCH(qint64, value);
    QFETCH(QString, code);
    QFETCH(int, offset);
    QFETCH(QString, fragment);

    json::Limits limits;
    if (field == QLatin1String("maxBytes"))
        limits.maxBytes = value;
    else if (field == QLatin1String("maxDepth"))
        limits.maxDepth = int(value);
    else if (field == QLatin1String("maxStringBytes"))
        limits.maxStringBytes = value;
    else if (field == QLatin1String("maxArrayLength"))
        limits.maxArrayLength = value;
    else if (field == QLatin1String("maxObjectMembers"))
        limits.maxObjectMembers = value;
    else
        QFAIL("unknown limit");

    const auto parsed = json::parse(input, limits);
    if (code.isEmpty()) {
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
        return;
    }
    QVERIFY2(!parsed.ok(), "parse accepted a document over the limit");
    QCOMPARE(parsed.error().code, code);
    const QString prefix = QStringLiteral("byte %1: ").arg(offset);
    QVERIFY2(parsed.error().message.startsWith(prefix), qPrintable(parsed.error().toString()));
    QVERIFY2(parsed.error().message.contains(fragment), qPrintable(parsed.error().toString()));
}

// The defaults are what Json.h documents: callers size their own checks from them.
void TestJsonParser::defaultsAreDocumented()
{
    const json::Limits defaults;
    QCOMPARE(defaults.maxBytes, qsizetype(1 << 20));
    QCOMPARE(defaults.maxDepth, 32);
    QCOMPARE(defaults.maxStringBytes, qsizetype(64 * 1024));
    QCOMPARE(defaults.maxArrayLength, qsizetype(10'000));
    QCOMPARE(defaults.maxObjectMembers, qsizetype(1'000));
}

// The default limits at the boundary: the largest document that passes and the smallest that
// does not.
void TestJsonParser::defaultLimits_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");

    const QString limit = QStringLiteral("json.limit");
    const QString none;

    const QByteArray bigString = '"' + QByteArray((1 << 20) - 2, 'a') + '"';
    QTest::newRow("1 MiB document") << QByteArray(QByteArray(1 << 20, ' ') + "0").right(1 << 20) << none << QString();
    QTest::newRow("1 MiB + 1 document") << QByteArray(QByteArray(1 << 20, ' ') + "0") << QStringLiteral("json.too_large")
                                        << QStringLiteral("byte 1048576: document longer than 1048576 bytes (it has 1048577)");

    QTest::newRow("depth 32") << QByteArray(repeated("[", 32) + repeated("]", 32)) << none << QString();
    QTest::newRow("depth 33") << QByteArray(repeated("[", 33) + repeated("]", 33)) << limit
                              << QStringLiteral("byte 32: nesting deeper than 32");
    QTest::newRow("object depth 33") << QByteArray(repeated("{\"a\":", 33) + "1" + repeated("}", 33)) << limit
                                     << QStringLiteral("byte 160: nesting deeper than 32");

    QTest::newRow("string 65536") << QByteArray('"' + QByteArray(65536, 'a') + '"') << none << QString();
    QTest::newRow("string 65537") << QByteArray("[\"" + QByteArray(65537, 'a') + "\"]") << limit
                                  << QStringLiteral("byte 1: string longer than 65536 bytes");
    QTest::newRow("1 MiB string") << bigString << limit << QStringLiteral("byte 0: string longer than 65536 bytes");

    QTest::newRow("array 10000") << QByteArray('[' + repeated("0,", 9999) + "0]") << none << QString();
    QTest::newRow("array 10001") << QByteArray('[' + repeated("0,", 10000) + "0]") << limit
                                 << QStringLiteral("byte 20001: array longer than 10000 elements");

    const auto members = [](int count) {
        QByteArray text = "{";
        for (int i = 0; i < count; ++i)
            text += (i ? "," : "") + QByteArray("\"k") + QByteArray::number(i) + "\":0";
        text += '}';
        return text;
    };
    const QByteArray thousand = members(1000);
    QTest::newRow("members 1000") << thousand << none << QString();
    QTest::newRow("members 1001") << members(1001) << limit
                                  << QStringLiteral("byte %1: object with more than 1000 members").arg(thousand.size());
}

void TestJsonParser::defaultLimits()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, code);
    QFETCH(QString, message);

    const auto parsed = json::parse(input);
    if (code.isEmpty()) {
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
        return;
    }
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, code);
    QCOMPARE(parsed.error().message, message);
}

// 100000 opening brackets must be refused at the depth limit, long before the recursion could
// reach the stack's end, and without reading the rest of the document.
void TestJsonParser::hostileNestingFailsFast_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("message");

    QTest::newRow("arrays") << QByteArray(100000, '[') << QStringLiteral("byte 32: nesting deeper than 32");
    QTest::newRow("objects") << repeated("{\"a\":", 100000).left(1 << 20)
                             << QStringLiteral("byte 160: nesting deeper than 32");
    QTest::newRow("mixed") << repeated("[{\"\":", 50000) << QStringLiteral("byte 80: nesting deeper than 32");
    QTest::newRow("arrays then garbage") << QByteArray(QByteArray(100000, '[') + "\xff")
                                         << QStringLiteral("byte 32: nesting deeper than 32");
}

void TestJsonParser::hostileNestingFailsFast()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, message);

    QElapsedTimer timer;
    timer.start();
    const auto parsed = json::parse(input);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, QStringLiteral("json.limit"));
    QCOMPARE(parsed.error().message, message);
    // Generous: the point is "stops at the limit", not a benchmark.
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));

    // A caller that raises the limit still gets a clean refusal past its own limit.
    json::Limits deeper;
    deeper.maxDepth = 1000;
    const auto deep = json::parse(input, deeper);
    QVERIFY(!deep.ok());
    QCOMPARE(deep.error().code, QStringLiteral("json.limit"));
    QVERIFY(deep.error().message.endsWith(QStringLiteral("nesting deeper than 1000")));
}

void TestJsonParser::numbersAreDoubles()
{
    const auto parsed = json::parse(R"([0, -0, 1, 9007199254740993, 1.5, 1e300, -1e-400, 4.9e-324])");
    QVERIFY(parsed.ok());
    const QJsonArray array = parsed.value().toArray();
    QCOMPARE(array.size(), 8);
    for (const auto &element : array)
        QVERIFY(element.isDouble());
    // Exact comparisons: QCOMPARE on doubles is fuzzy, and rounding is what is being tested.
    const double expected[] = {0.0, 0.0, 1.0, 9007199254740992.0, 1.5, 1e300, 0.0, 4.9e-324};
    for (int i = 0; i < 8; ++i)
        QVERIFY2(array.at(i).toDouble() == expected[i], qPrintable(QString::number(i)));
}

void TestJsonParser::memberNamesAreUnescaped()
{
    const auto parsed = json::parse(R"({"\u0061":1,"\ud83d\ude02":2,"a\/b":3,"":4})");
    QVERIFY(parsed.ok());
    const QJsonObject object = parsed.value().toObject();
    QCOMPARE(object.size(), 4);
    QCOMPARE(object.value(QStringLiteral("a")).toDouble(), 1.0);
    QCOMPARE(object.value(QString::fromUtf8("\xf0\x9f\x98\x82")).toDouble(), 2.0);
    QCOMPARE(object.value(QStringLiteral("a/b")).toDouble(), 3.0);
    QCOMPARE(object.value(QString()).toDouble(), 4.0);
}

// Strings mixing long plain runs with escapes and multi-byte characters come out exactly.
void TestJsonParser::longStringsSurviveIntact()
{
    QByteArray input = "\"";
    QString expected;
    for (int i = 0; i < 2000; ++i) {
        input += "abc\\n\xc3\xa9\\u20ac\xf0\x9f\x98\x82";
        expected += QStringLiteral("abc\n") + QString::fromUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x82");
    }
    input += '"';
    const auto parsed = json::parse(input);
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
    QCOMPARE(parsed.value().toString(), expected);
}

QTEST_APPLESS_MAIN(TestJsonParser)

#include "TestJsonParser.moc"
