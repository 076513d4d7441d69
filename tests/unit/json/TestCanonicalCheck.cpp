// checkCanonicalObject (core/json/CanonicalCheck.h) against its definition: it must accept exactly
// the texts x where parse(x) is an object and canonicalize(parse(x)) == x. Table-driven cases name
// the offset of the first non-canonical byte; the upstream JCS vectors; the limits; and a seeded
// differential check over random values and mutations of their canonical texts.
#include "core/json/CanonicalCheck.h"
#include "core/json/Json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace countersign;

namespace {

QByteArray readJcs(const QString &relative)
{
    QFile file(QDir(QStringLiteral(COUNTERSIGN_TEST_DATA)).filePath(QStringLiteral("jcs/") + relative));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// The definition the checker must agree with.
bool oracle(QByteArrayView text, const json::Limits &limits = {})
{
    const auto parsed = json::parse(text, limits);
    return parsed.ok() && parsed.value().isObject() && json::canonicalize(parsed.value()) == text;
}

QByteArray utf8(const char32_t *codePoints)
{
    return QString::fromUcs4(codePoints).toUtf8();
}

// Seeded generator of JSON values rich in what canonicalization cares about: names and strings
// with escapes, controls, non-ASCII, U+E000-U+FFFF and supplementary characters; numbers around
// every formatting boundary.
class Generator
{
public:
    explicit Generator(std::uint32_t seed) : m_rng(seed) {}

    int below(int n) { return int(m_rng() % std::uint32_t(n)); }

    QString randomString()
    {
        static const char32_t kPool[] = {U'a', U'b', U'B', U'z', U'0', U'/', U'"', U'\\', U' ', U'\n', U'\t', U'\b',
                                         U'\f', U'\r', 0x01, 0x1f, 0x7f, 0x80, 0xe9, 0x20ac, 0xd7ff, 0xe000,
                                         0xfb33, 0xfeff, 0xfffd, 0xffff, 0x10000, 0x1f602, 0x10ffff};
        const int length = below(6);
        QString text;
        for (int i = 0; i < length; ++i) {
            const char32_t cp = kPool[below(int(std::size(kPool)))];
            text += QString::fromUcs4(&cp, 1);
        }
        return text;
    }

    double randomNumber()
    {
        switch (below(8)) {
        case 0: return double(below(2000) - 1000);
        case 1: return double(std::int64_t(m_rng()) << below(40)) * (below(2) ? 1 : -1);
        case 2: return double(below(100000)) / std::pow(10.0, below(12));
        case 3: {
            static const double kSpecial[] = {0.0, -0.0, 1e21, 1e20, 1e-6, 1e-7, 0.1, 5e-324, 1.7976931348623157e308,
                                              9007199254740992.0, 9007199254740993.0, 123456789012345680000.0,
                                              -1e-7, 2.2250738585072014e-308, 0.000001234, 1e300};
            return kSpecial[below(int(std::size(kSpecial)))];
        }
        default: {
            // Any finite double, from its bits.
            for (;;) {
                const std::uint64_t bits = (std::uint64_t(m_rng()) << 32) | m_rng();
                double value = 0;
                std::memcpy(&value, &bits, sizeof value);
                if (std::isfinite(value))
                    return value;
            }
        }
        }
    }

    QJsonValue randomValue(int depth)
    {
        switch (below(depth > 3 ? 5 : 7)) {
        case 0: return QJsonValue(QJsonValue::Null);
        case 1: return QJsonValue(below(2) == 0);
        case 2: return QJsonValue(randomNumber());
        case 3:
        case 4: return QJsonValue(randomString());
        case 5: {
            QJsonArray array;
            for (int i = below(4); i > 0; --i)
                array.append(randomValue(depth + 1));
            return array;
        }
        default: return randomObject(depth + 1);
        }
    }

    QJsonObject randomObject(int depth)
    {
        QJsonObject object;
        for (int i = below(6); i > 0; --i)
            object.insert(randomString(), randomValue(depth + 1));
        return object;
    }

private:
    std::mt19937 m_rng;
};

// The members of a canonical object text in a different order: a non-canonical text with the same
// value (unless the object has fewer than two members).
QByteArray serializeShuffled(const QJsonValue &value, Generator &random)
{
    if (value.isArray()) {
        QByteArray out = "[";
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0)
                out += ',';
            out += serializeShuffled(array.at(i), random);
        }
        return out + ']';
    }
    if (!value.isObject())
        return json::canonicalize(value);
    const QJsonObject object = value.toObject();
    QStringList keys = object.keys();
    for (qsizetype i = keys.size() - 1; i > 0; --i)
        keys.swapItemsAt(i, random.below(int(i + 1)));
    QByteArray out = "{";
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (i > 0)
            out += ',';
        out += json::canonicalize(QJsonValue(keys.at(i))) + ':' + serializeShuffled(object.value(keys.at(i)), random);
    }
    return out + '}';
}

QByteArray mutate(const QByteArray &text, Generator &random)
{
    static const char *const kSnippets[] = {" ", "\n", "\t", "\r", "0", ".0", "e0", "E+1", "-", "\\", "\\/", "\\u00",
                                            "\\u0041", "\\u001F", "\\n", "\"", ",", ":", "}", "{", "]", "[", "1",
                                            "null", "\xC3", "\xC3\xA9", "\xED\xA0\x80", "\xEF\xBB\xBF", "\xF4\x90\x80\x80",
                                            "\xC0\x80", "\x01", "\x7f"};
    QByteArray out = text;
    const int position = out.isEmpty() ? 0 : random.below(int(out.size()) + 1);
    switch (random.below(5)) {
    case 0: // insert a snippet
        out.insert(position, kSnippets[random.below(int(std::size(kSnippets)))]);
        break;
    case 1: // replace a byte by any byte
        if (position < out.size())
            out[position] = char(random.below(256));
        break;
    case 2: // delete a run of bytes
        out.remove(position, 1 + random.below(3));
        break;
    case 3: { // respell a character as an escape, or an escape differently
        const qsizetype at = out.indexOf('"', position);
        if (at >= 0 && at + 1 < out.size()) {
            static const char *const kRespelled[] = {"\\u0061", "\\u00e9", "\\/", "\\u000a", "\\u001f", "\\ud83d\\ude02",
                                                     "\\u00E9", "\\\"", "\\u005c"};
            out.insert(at + 1, kRespelled[random.below(int(std::size(kRespelled)))]);
        }
        break;
    }
    default: // flip one bit
        if (position < out.size())
            out[position] = char(out[position] ^ char(1 << random.below(8)));
        break;
    }
    return out;
}

} // namespace

class TestCanonicalCheck final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cases_data();
    void cases();
    void jcsVectors_data();
    void jcsVectors();
    void limits();
    void differential();
};

void TestCanonicalCheck::cases_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("code"); // empty: accepted
    QTest::addColumn<int>("offset");   // byte offset the message names

    const auto accept = [](const char *name, const QByteArray &text) {
        QTest::newRow(name) << text << QString() << -1;
    };
    const auto refuse = [](const char *name, const QByteArray &text, const char *code, int offset) {
        QTest::newRow(name) << text << QString::fromLatin1(code) << offset;
    };

    // Structure and whitespace.
    accept("empty object", "{}");
    accept("nested", "{\"a\":[1,\"x\",true,false,null,{},[]],\"b\":{\"c\":[]}}");
    refuse("empty text", "", "json.syntax", 0);
    refuse("array", "[]", "json.not_canonical", 0);
    refuse("string", "\"a\"", "json.not_canonical", 0);
    refuse("number", "1", "json.not_canonical", 0);
    refuse("null", "null", "json.not_canonical", 0);
    refuse("leading space", " {}", "json.not_canonical", 0);
    refuse("trailing newline", "{}\n", "json.not_canonical", 2);
    refuse("space inside", "{ }", "json.not_canonical", 1);
    refuse("space after colon", "{\"a\": 1}", "json.not_canonical", 5);
    refuse("space before brace", "{\"a\":1 }", "json.not_canonical", 6);
    refuse("space in array", "{\"a\":[1, 2]}", "json.not_canonical", 8);
    refuse("trailing comma", "{\"a\":1,}", "json.syntax", 7);
    refuse("trailing garbage", "{}x", "json.syntax", 2);
    refuse("byte order mark", "\xEF\xBB\xBF{}", "json.syntax", 0);
    refuse("bad literal", "{\"a\":tru}", "json.syntax", 8);
    refuse("capital literal", "{\"a\":True}", "json.syntax", 5);
    refuse("unclosed", "{\"a\":1", "json.syntax", 6);

    // Strings: the escapes canonicalize writes, and nothing else escaped.
    accept("short escapes", "{\"a\":\"\\\"\\\\\\b\\f\\n\\r\\t\"}");
    accept("control escapes lowercase", "{\"a\":\"\\u0000\\u0001\\u000b\\u001f\"}");
    accept("slash and DEL raw", "{\"a\":\"/\x7f\"}");
    accept("non-ASCII raw", "{\"a\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x82\xF4\x8F\xBF\xBF\"}");
    accept("U+FEFF raw at a string's start", "{\"a\":\"\xEF\xBB\xBF" "x\"}");
    refuse("escaped slash", "{\"a\":\"\\/\"}", "json.not_canonical", 6);
    refuse("escaped letter", "{\"a\":\"x\\u0041\"}", "json.not_canonical", 7);
    refuse("uppercase hex", "{\"a\":\"\\u001F\"}", "json.not_canonical", 6);
    refuse("newline as \\u", "{\"a\":\"\\u000a\"}", "json.not_canonical", 6);
    refuse("escaped non-ASCII", "{\"a\":\"\\u00e9\"}", "json.not_canonical", 6);
    refuse("escaped pair", "{\"a\":\"\\ud83d\\ude02\"}", "json.not_canonical", 6);
    refuse("escaped DEL", "{\"a\":\"\\u007f\"}", "json.not_canonical", 6);
    refuse("lone surrogate escape", "{\"a\":\"\\ud83d\"}", "json.utf8", 6);
    refuse("raw control", "{\"a\":\"\x01\"}", "json.syntax", 6);
    refuse("bad escape", "{\"a\":\"\\x\"}", "json.syntax", 7);
    refuse("overlong", "{\"a\":\"\xC0\x80\"}", "json.utf8", 6);
    refuse("overlong three bytes", "{\"a\":\"\xE0\x80\xAF\"}", "json.utf8", 6);
    refuse("encoded surrogate", "{\"a\":\"\xED\xA0\x80\"}", "json.utf8", 6);
    refuse("beyond U+10FFFF", "{\"a\":\"\xF4\x90\x80\x80\"}", "json.utf8", 6);
    refuse("truncated sequence", "{\"a\":\"\xE2\x82\"}", "json.utf8", 6);
    refuse("continuation byte", "{\"a\":\"\x80\"}", "json.utf8", 6);
    refuse("invalid UTF-8 in a name", "{\"\xFF\":1}", "json.utf8", 2);

    // Member order: strictly ascending UTF-16 code units of the unescaped names.
    accept("ordered", "{\"\":1,\"B\":2,\"a\":3,\"ab\":4,\"b\":5}");
    refuse("out of order", "{\"b\":1,\"a\":2}", "json.not_canonical", 7);
    refuse("prefix after longer", "{\"ab\":1,\"a\":2}", "json.not_canonical", 8);
    refuse("duplicate", "{\"a\":1,\"a\":2}", "json.duplicate", 7);
    refuse("duplicate through an escape", "{\"a\":1,\"\\u0061\":2}", "json.duplicate", 7);
    refuse("duplicate in a nested object", "{\"x\":{\"a\":1,\"a\":2}}", "json.duplicate", 12);
    accept("nested order is separate", "{\"a\":{\"z\":1,\"zz\":2},\"b\":{\"a\":1}}");
    refuse("nested out of order", "{\"a\":{\"z\":1,\"y\":2}}", "json.not_canonical", 12);
    // An escape stands for its character: "\n" (0x0A) sorts before "A" although '\\' is 0x5C.
    accept("escaped name sorts by its character", "{\"\\n\":1,\"A\":2}");
    refuse("escaped name out of order", "{\"A\":1,\"\\n\":2}", "json.not_canonical", 7);
    accept("quote sorts by its character", "{\"\\\"\":1,\"#\":2}");
    // U+1F602 is D83D DE02 in UTF-16, before U+FB33 and U+E000, though after them in UTF-8.
    accept("supplementary before U+FB33", "{\"" + utf8(U"\U0001F602") + "\":1,\"" + utf8(U"\uFB33") + "\":2}");
    refuse("U+FB33 before supplementary", "{\"" + utf8(U"\uFB33") + "\":1,\"" + utf8(U"\U0001F602") + "\":2}",
           "json.not_canonical", 9);
    accept("supplementary before U+E000", "{\"" + utf8(U"a\U00010000") + "\":1,\"" + utf8(U"a\uE000") + "\":2}");
    refuse("U+E000 before supplementary", "{\"" + utf8(U"a\uE000") + "\":1,\"" + utf8(U"a\U00010000") + "\":2}",
           "json.not_canonical", 10);
    accept("U+D7FF before supplementary", "{\"" + utf8(U"\uD7FF") + "\":1,\"" + utf8(U"\U00010000") + "\":2}");
    accept("U+E000 before U+FFFF", "{\"" + utf8(U"\uE000") + "\":1,\"" + utf8(U"\uFFFF") + "\":2}");

    // Numbers: exactly formatNumber() of the double.
    accept("integers", "{\"a\":0,\"b\":-1,\"c\":999999999999999,\"d\":9007199254740992}");
    accept("1e+21", "{\"a\":1e+21}");
    accept("1e-7", "{\"a\":1e-7}");
    accept("0.1", "{\"a\":0.1}");
    accept("0.000001", "{\"a\":0.000001}");
    accept("5e-324", "{\"a\":5e-324}");
    accept("largest integer form", "{\"a\":123456789012345680000}");
    accept("max double", "{\"a\":1.7976931348623157e+308}");
    accept("negative fraction", "{\"a\":-1.5}");
    refuse("1e21", "{\"a\":1e21}", "json.not_canonical", 5);
    refuse("1E+21", "{\"a\":1E+21}", "json.not_canonical", 5);
    refuse("0.0000001", "{\"a\":0.0000001}", "json.not_canonical", 5);
    refuse("1.0", "{\"a\":1.0}", "json.not_canonical", 5);
    refuse("0.10", "{\"a\":0.10}", "json.not_canonical", 5);
    refuse("-0", "{\"a\":-0}", "json.not_canonical", 5);
    refuse("-0.0", "{\"a\":-0.0}", "json.not_canonical", 5);
    refuse("1e0", "{\"a\":1e0}", "json.not_canonical", 5);
    refuse("rounded integer", "{\"a\":9007199254740993}", "json.not_canonical", 5);
    refuse("long integer", "{\"a\":100000000000000000000000}", "json.not_canonical", 5);
    refuse("underflow to zero", "{\"a\":1e-400}", "json.not_canonical", 5);
    refuse("overflow", "{\"a\":1e400}", "json.number", 5);
    refuse("leading zero", "{\"a\":01}", "json.syntax", 5);
    refuse("trailing dot", "{\"a\":1.}", "json.syntax", 7);
    refuse("leading plus", "{\"a\":+1}", "json.syntax", 5);
    refuse("bare minus", "{\"a\":-}", "json.syntax", 6);
    refuse("double minus", "{\"a\":--1}", "json.syntax", 6);
}

void TestCanonicalCheck::cases()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, code);
    QFETCH(int, offset);

    const Status status = json::checkCanonicalObject(text);
    QCOMPARE(status.ok(), oracle(text)); // the table itself must agree with the definition
    if (code.isEmpty()) {
        QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().toString()));
        return;
    }
    QVERIFY(!status.ok());
    QCOMPARE(status.error().code, code);
    QVERIFY2(status.error().message.startsWith(QStringLiteral("byte ") + QString::number(offset) + QStringLiteral(": ")),
             qPrintable(status.error().message));
    const auto parsed = json::parse(text);
    if (!parsed.ok()) {
        // Where parse() refuses, the error is parse()'s own, word for word.
        QCOMPARE(status.error().message, parsed.error().message);
    }
}

void TestCanonicalCheck::jcsVectors_data()
{
    QTest::addColumn<QString>("name");
    for (const char *name : {"arrays", "french", "structures", "unicode", "values", "weird"})
        QTest::newRow(name) << QString::fromLatin1(name);
}

void TestCanonicalCheck::jcsVectors()
{
    QFETCH(QString, name);
    QByteArray input = readJcs(QStringLiteral("input/") + name + QStringLiteral(".json"));
    QByteArray output = readJcs(QStringLiteral("output/") + name + QStringLiteral(".json"));
    QVERIFY(!input.isEmpty());
    QVERIFY(!output.isEmpty());

    const bool isObject = json::parse(output).value().isObject();
    const Status canonical = json::checkCanonicalObject(output);
    QCOMPARE(canonical.ok(), isObject);
    if (!isObject)
        QCOMPARE(canonical.error().code, QStringLiteral("json.not_canonical"));

    // The same value wrapped as an object member: canonical (so accepted) whatever its type.
    const QByteArray wrapped = "{\"v\":" + output + '}';
    const Status wrappedStatus = json::checkCanonicalObject(wrapped);
    QVERIFY2(wrappedStatus.ok(), qPrintable(wrappedStatus.ok() ? QString() : wrappedStatus.error().toString()));

    // The inputs are JSON but (all of them) not canonical.
    QVERIFY(input != output);
    const Status fromInput = json::checkCanonicalObject(input);
    QVERIFY(!fromInput.ok());
    QCOMPARE(fromInput.error().code, QStringLiteral("json.not_canonical"));
    QVERIFY(!json::checkCanonicalObject(QByteArray("{\"v\":" + input + '}')).ok());
}

void TestCanonicalCheck::limits()
{
    json::Limits limits;
    const auto expect = [&limits](const QByteArray &text, const char *code) {
        const Status status = json::checkCanonicalObject(text, limits);
        QCOMPARE(status.ok(), oracle(text, limits));
        if (code == nullptr) {
            QVERIFY2(status.ok(), qPrintable(text));
        } else {
            QVERIFY2(!status.ok(), qPrintable(text));
            QCOMPARE(status.error().code, QString::fromLatin1(code));
        }
    };

    limits.maxBytes = 7;
    expect("{\"a\":1}", nullptr);
    expect("{\"a\":12}", "json.too_large");
    limits = {};

    limits.maxDepth = 2;
    expect("{\"a\":{}}", nullptr);
    expect("{\"a\":[]}", nullptr);
    expect("{\"a\":[[]]}", "json.limit");
    expect("{\"a\":{\"b\":{}}}", "json.limit");
    limits.maxDepth = 0;
    expect("{}", "json.limit");
    limits = {};

    limits.maxStringBytes = 3;
    expect("{\"abc\":\"d\\n\\u0001\"}", nullptr);              // escapes count one byte each
    expect("{\"a\":\"" + utf8(U"\u20ac") + "\"}", nullptr);    // three UTF-8 bytes
    expect("{\"abcd\":1}", "json.limit");                      // names too
    expect("{\"a\":\"ab\\n\\t\"}", "json.limit");
    expect("{\"a\":\"" + utf8(U"\U0001F602") + "\"}", "json.limit");
    limits = {};

    limits.maxArrayLength = 2;
    expect("{\"a\":[1,2]}", nullptr);
    expect("{\"a\":[1,2,3]}", "json.limit");
    limits.maxArrayLength = 0;
    expect("{\"a\":[]}", nullptr);
    expect("{\"a\":[1]}", "json.limit");
    limits = {};

    limits.maxObjectMembers = 2;
    expect("{\"a\":1,\"b\":{\"c\":1,\"d\":2}}", nullptr);
    expect("{\"a\":1,\"b\":2,\"c\":3}", "json.limit");
    expect("{\"a\":{\"b\":1,\"c\":2,\"d\":3}}", "json.limit");
    limits = {};

    // A deep document at the default limit, and one past it.
    QByteArray deep;
    for (int i = 0; i < 31; ++i)
        deep += "{\"a\":";
    deep += "{}" + QByteArray(31, '}');
    expect(deep, nullptr);
    expect("{\"a\":" + deep + '}', "json.limit");
}

void TestCanonicalCheck::differential()
{
    Generator random(20261201);
    int accepted = 0;
    int refused = 0;
    int agreedRefusals = 0;
    const auto check = [&](const QByteArray &text, const json::Limits &limits) {
        const Status status = json::checkCanonicalObject(text, limits);
        const bool expected = oracle(text, limits);
        if (status.ok() != expected) {
            QFAIL(qPrintable(QStringLiteral("checker says %1, parse+canonicalize says %2 for %3")
                                 .arg(status.ok() ? QStringLiteral("canonical") : status.error().toString(),
                                      expected ? QStringLiteral("canonical") : QStringLiteral("not"),
                                      QString::fromLatin1(text.toHex()))));
        }
        if (status.ok()) {
            ++accepted;
            return;
        }
        ++refused;
        const auto parsed = json::parse(text, limits);
        const QString parseCode = parsed.ok() ? QStringLiteral("json.not_canonical") : parsed.error().code;
        QCOMPARE(status.error().code, parseCode);
        ++agreedRefusals;
    };

    for (int round = 0; round < 3000; ++round) {
        // Mostly the default limits; sometimes tight ones, so values cross each limit.
        json::Limits limits;
        if (random.below(4) == 0) {
            limits.maxDepth = 1 + random.below(4);
            limits.maxStringBytes = random.below(8);
            limits.maxArrayLength = random.below(4);
            limits.maxObjectMembers = random.below(5);
            limits.maxBytes = 20 + random.below(200);
        }
        const QJsonObject object = random.randomObject(0);
        const QByteArray canonical = json::canonicalize(object);
        check(canonical, limits);
        if (limits.maxBytes == json::Limits{}.maxBytes) {
            const Status status = json::checkCanonicalObject(canonical, limits);
            QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().toString()));
        }
        check(serializeShuffled(object, random), limits);
        QByteArray mutated = canonical;
        for (int i = 0; i < 6; ++i) {
            mutated = mutate(i % 2 == 0 ? canonical : mutated, random);
            check(mutated, limits);
        }
    }
    QVERIFY(accepted > 2000);
    QVERIFY(refused > 10000);
    QCOMPARE(agreedRefusals, refused);
    qInfo("differential: %d texts accepted, %d refused, all agreeing with parse + canonicalize", accepted, refused);
}

QTEST_APPLESS_MAIN(TestCanonicalCheck)
#include "TestCanonicalCheck.moc"
