// The strict JSON parser for untrusted input: RFC 8259 grammar, I-JSON (RFC 7493) rules and
// explicit size limits, reporting the byte offset of the first thing that is wrong.
#include "core/json/Json.h"
#include "core/json/JsonDetail.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <system_error>

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringDecoder>

namespace countersign::json {

namespace {

using detail::isDigit;
using detail::isWhitespace;
using detail::kStringTable;
using detail::ByteClass::Backslash;
using detail::ByteClass::Control;
using detail::ByteClass::Plain;
using detail::ByteClass::Quote;

QString hexByte(unsigned char c)
{
    return QStringLiteral("0x") + QString::number(c, 16).rightJustified(2, QLatin1Char('0')).toUpper();
}

// Member names are attacker-chosen: keep only a bounded, printable prefix for error messages,
// so a message cannot carry control characters into logs or grow without bound.
QString printableName(const QString &name)
{
    constexpr qsizetype kMaxShown = 64;
    QString shown;
    const qsizetype count = std::min(name.size(), kMaxShown);
    for (qsizetype i = 0; i < count; ++i) {
        const QChar c = name.at(i);
        if (c.unicode() < 0x20 || c.unicode() == 0x7f) {
            shown += QStringLiteral("\\u") + QString::number(c.unicode(), 16).rightJustified(4, QLatin1Char('0'));
        } else if (i + 1 == count && c.isHighSurrogate()) {
            break; // never cut a surrogate pair in half
        } else {
            shown += c;
        }
    }
    if (name.size() > kMaxShown)
        shown += QStringLiteral("...");
    return shown;
}

// The decimal exponent of the first significant digit of a grammatically valid number token.
// std::from_chars reports overflow and underflow alike as result_out_of_range; the sign of this
// exponent tells them apart, since overflow needs about +308 and underflow about -324.
qint64 scientificExponent(const char *p, const char *end)
{
    if (*p == '-')
        ++p;
    qint64 position = 0; // exponent of the first significant digit before applying "e"
    bool found = false;
    qint64 integerDigits = 0;
    while (p != end && isDigit(*p)) {
        if (!found && *p != '0') {
            found = true;
            position = integerDigits;
        }
        ++integerDigits;
        ++p;
    }
    if (found)
        position = integerDigits - 1 - position;
    if (p != end && *p == '.') {
        ++p;
        qint64 fractionIndex = 0;
        while (p != end && isDigit(*p)) {
            if (!found && *p != '0') {
                found = true;
                position = -(fractionIndex + 1);
            }
            ++fractionIndex;
            ++p;
        }
    }
    qint64 exponent = 0;
    if (p != end && (*p == 'e' || *p == 'E')) {
        ++p;
        bool negative = false;
        if (p != end && (*p == '+' || *p == '-')) {
            negative = *p == '-';
            ++p;
        }
        // Saturate: the document size limit bounds the digits, not their value.
        constexpr qint64 kSaturated = qint64(1) << 40;
        while (p != end && isDigit(*p)) {
            if (exponent < kSaturated)
                exponent = exponent * 10 + (*p - '0');
            ++p;
        }
        if (negative)
            exponent = -exponent;
    }
    return position + exponent;
}

class Parser final
{
public:
    Parser(QByteArrayView text, const Limits &limits)
        : m_begin(text.data()), m_pos(text.data()), m_end(text.data() + text.size()), m_limits(limits)
    {
    }

    Result<QJsonValue> run()
    {
        if (m_end - m_pos >= 3 && std::memcmp(m_pos, "\xEF\xBB\xBF", 3) == 0) {
            fail(m_pos, QStringLiteral("json.syntax"), QStringLiteral("a UTF-8 byte order mark is not allowed"));
            return m_error;
        }
        QJsonValue value;
        if (!parseValue(value))
            return m_error;
        skipWhitespace();
        if (m_pos != m_end) {
            fail(m_pos, QStringLiteral("json.syntax"),
                 QStringLiteral("unexpected ") + found(m_pos) + QStringLiteral(" after the JSON value"));
            return m_error;
        }
        return value;
    }

private:
    bool fail(const char *at, const QString &code, const QString &what)
    {
        m_error = makeError(code, QStringLiteral("byte ") + QString::number(at - m_begin)
                                      + QStringLiteral(": ") + what);
        return false;
    }

    bool failSyntax(const char *at, const QString &expected)
    {
        return fail(at, QStringLiteral("json.syntax"),
                    QStringLiteral("expected ") + expected + QStringLiteral(", found ") + found(at));
    }

    QString found(const char *at) const
    {
        if (at >= m_end)
            return QStringLiteral("end of input");
        const auto c = static_cast<unsigned char>(*at);
        if (c > 0x20 && c < 0x7f)
            return QStringLiteral("'") + QLatin1Char(char(c)) + QStringLiteral("'");
        return QStringLiteral("byte ") + hexByte(c);
    }

    void skipWhitespace()
    {
        while (m_pos != m_end && isWhitespace(*m_pos))
            ++m_pos;
    }

    bool parseValue(QJsonValue &out)
    {
        skipWhitespace();
        if (m_pos == m_end)
            return failSyntax(m_pos, QStringLiteral("a value"));
        switch (*m_pos) {
        case '{':
            return parseObject(out);
        case '[':
            return parseArray(out);
        case '"': {
            QString text;
            if (!parseString(text))
                return false;
            out = QJsonValue(std::move(text));
            return true;
        }
        case 't':
            out = QJsonValue(true);
            return parseLiteral("true");
        case 'f':
            out = QJsonValue(false);
            return parseLiteral("false");
        case 'n':
            out = QJsonValue(QJsonValue::Null);
            return parseLiteral("null");
        default:
            if (*m_pos == '-' || isDigit(*m_pos))
                return parseNumber(out);
            return failSyntax(m_pos, QStringLiteral("a value"));
        }
    }

    bool parseLiteral(const char *literal)
    {
        for (const char *l = literal; *l != '\0'; ++l, ++m_pos) {
            if (m_pos == m_end || *m_pos != *l)
                return failSyntax(m_pos, QStringLiteral("'") + QLatin1String(literal) + QStringLiteral("'"));
        }
        return true;
    }

    // Entering an array or object: the depth counter is what bounds the recursion, so untrusted
    // input can never exhaust the stack however deeply it nests. Each level costs roughly 1-2 KiB
    // of stack, so a caller raising maxDepth into the thousands must mind its thread's stack.
    bool enterContainer(const char *open)
    {
        if (m_depth >= m_limits.maxDepth) {
            return fail(open, QStringLiteral("json.limit"),
                        QStringLiteral("nesting deeper than ") + QString::number(m_limits.maxDepth));
        }
        ++m_depth;
        ++m_pos;
        return true;
    }

    bool parseArray(QJsonValue &out)
    {
        if (!enterContainer(m_pos))
            return false;
        QJsonArray array;
        qsizetype count = 0;
        skipWhitespace();
        if (m_pos != m_end && *m_pos == ']') {
            ++m_pos;
        } else {
            for (;;) {
                skipWhitespace();
                if (count >= m_limits.maxArrayLength) {
                    return fail(m_pos, QStringLiteral("json.limit"),
                                QStringLiteral("array longer than ") + QString::number(m_limits.maxArrayLength)
                                    + QStringLiteral(" elements"));
                }
                QJsonValue element;
                if (!parseValue(element))
                    return false;
                array.append(element);
                ++count;
                skipWhitespace();
                if (m_pos != m_end && *m_pos == ',') {
                    ++m_pos;
                    continue;
                }
                if (m_pos != m_end && *m_pos == ']') {
                    ++m_pos;
                    break;
                }
                return failSyntax(m_pos, QStringLiteral("',' or ']' after an array element"));
            }
        }
        --m_depth;
        out = QJsonValue(std::move(array));
        return true;
    }

    bool parseObject(QJsonValue &out)
    {
        if (!enterContainer(m_pos))
            return false;
        QJsonObject object;
        qsizetype count = 0;
        skipWhitespace();
        if (m_pos != m_end && *m_pos == '}') {
            ++m_pos;
        } else {
            for (;;) {
                skipWhitespace();
                if (m_pos == m_end || *m_pos != '"')
                    return failSyntax(m_pos, QStringLiteral("a member name in double quotes"));
                const char *nameAt = m_pos;
                if (count >= m_limits.maxObjectMembers) {
                    return fail(nameAt, QStringLiteral("json.limit"),
                                QStringLiteral("object with more than ")
                                    + QString::number(m_limits.maxObjectMembers) + QStringLiteral(" members"));
                }
                QString name;
                if (!parseString(name))
                    return false;
                // Names are compared after unescaping: "a" and "\u0061" are the same member, and
                // letting either win would let two readers of one document see different values.
                if (object.contains(name)) {
                    return fail(nameAt, QStringLiteral("json.duplicate"),
                                QStringLiteral("duplicate member name \"") + printableName(name)
                                    + QStringLiteral("\""));
                }
                skipWhitespace();
                if (m_pos == m_end || *m_pos != ':')
                    return failSyntax(m_pos, QStringLiteral("':' after a member name"));
                ++m_pos;
                QJsonValue value;
                if (!parseValue(value))
                    return false;
                object.insert(name, value);
                ++count;
                skipWhitespace();
                if (m_pos != m_end && *m_pos == ',') {
                    ++m_pos;
                    continue;
                }
                if (m_pos != m_end && *m_pos == '}') {
                    ++m_pos;
                    break;
                }
                return failSyntax(m_pos, QStringLiteral("',' or '}' after an object member"));
            }
        }
        --m_depth;
        out = QJsonValue(std::move(object));
        return true;
    }

    bool parseString(QString &out)
    {
        const char *open = m_pos;
        ++m_pos;
        const char *run = m_pos; // start of bytes not yet copied to m_scratch
        bool escaped = false;
        for (;;) {
            while (m_pos != m_end && kStringTable[static_cast<unsigned char>(*m_pos)] == Plain)
                ++m_pos;
            if (m_pos == m_end) {
                return fail(m_pos, QStringLiteral("json.syntax"),
                            QStringLiteral("expected '\"' to close the string opened at byte ")
                                + QString::number(open - m_begin) + QStringLiteral(", found end of input"));
            }
            const auto c = static_cast<unsigned char>(*m_pos);
            const std::uint8_t kind = kStringTable[c];
            if (kind == Quote)
                break;
            if (kind == Backslash) {
                if (!escaped) {
                    m_scratch.resize(0); // unlike clear(), keeps the allocation for reuse
                    escaped = true;
                }
                m_scratch.append(run, m_pos - run);
                if (!parseEscape())
                    return false;
                run = m_pos;
            } else if (kind == Control) {
                return fail(m_pos, QStringLiteral("json.syntax"),
                            QStringLiteral("control character ") + hexByte(c)
                                + QStringLiteral(" must be escaped in a string"));
            } else if (!skipUtf8Sequence()) {
                return false;
            }
        }
        const char *close = m_pos;
        ++m_pos;

        // The limit counts the UTF-8 bytes of the string's value, so escapes cannot be used to
        // smuggle in a longer string than the raw bytes suggest, nor count against it unfairly.
        qsizetype bytes = close - run;
        if (escaped) {
            m_scratch.append(run, close - run);
            bytes = m_scratch.size();
        }
        if (bytes > m_limits.maxStringBytes) {
            return fail(open, QStringLiteral("json.limit"),
                        QStringLiteral("string longer than ") + QString::number(m_limits.maxStringBytes)
                            + QStringLiteral(" bytes"));
        }
        // One conversion per string: the bytes are already known to be valid UTF-8.
        out = m_decoder.decode(escaped ? QByteArrayView(m_scratch) : QByteArrayView(run, bytes));
        return true;
    }

    // Reads the four hex digits of a \u escape starting at p.
    bool readHex4(const char *p, char32_t &unit)
    {
        unit = 0;
        for (int i = 0; i < 4; ++i, ++p) {
            if (p == m_end)
                return failSyntax(p, QStringLiteral("a hex digit in a \\u escape"));
            const int digit = detail::hexDigitValue(*p);
            if (digit < 0)
                return failSyntax(p, QStringLiteral("a hex digit in a \\u escape"));
            unit = (unit << 4) | char32_t(digit);
        }
        return true;
    }

    void appendUtf8(char32_t cp)
    {
        if (cp < 0x80) {
            m_scratch.append(char(cp));
        } else if (cp < 0x800) {
            m_scratch.append(char(0xC0 | (cp >> 6)));
            m_scratch.append(char(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            m_scratch.append(char(0xE0 | (cp >> 12)));
            m_scratch.append(char(0x80 | ((cp >> 6) & 0x3F)));
            m_scratch.append(char(0x80 | (cp & 0x3F)));
        } else {
            m_scratch.append(char(0xF0 | (cp >> 18)));
            m_scratch.append(char(0x80 | ((cp >> 12) & 0x3F)));
            m_scratch.append(char(0x80 | ((cp >> 6) & 0x3F)));
            m_scratch.append(char(0x80 | (cp & 0x3F)));
        }
    }

    // m_pos is at a backslash; decodes the escape into m_scratch.
    bool parseEscape()
    {
        const char *at = m_pos;
        if (m_end - m_pos < 2)
            return failSyntax(m_pos + 1, QStringLiteral("an escape character after '\\'"));
        const char simple = detail::simpleEscapeValue(m_pos[1]);
        if (simple == 0 && m_pos[1] != 'u')
            return failSyntax(m_pos + 1, QStringLiteral("one of \" \\ / b f n r t u after '\\'"));
        if (simple != 0) {
            m_scratch.append(simple);
            m_pos += 2;
            return true;
        }

        char32_t unit = 0;
        if (!readHex4(m_pos + 2, unit))
            return false;
        m_pos += 6;
        const auto hex = [](char32_t u) {
            return QString::number(uint(u), 16).rightJustified(4, QLatin1Char('0'));
        };
        // I-JSON (RFC 7493 section 2.1): an escaped surrogate must be half of a proper pair; a
        // lone one has no UTF-8 form, so it could not survive canonicalization unchanged.
        if (unit >= 0xDC00 && unit <= 0xDFFF) {
            return fail(at, QStringLiteral("json.utf8"),
                        QStringLiteral("escaped low surrogate \\u") + hex(unit)
                            + QStringLiteral(" without a preceding high surrogate"));
        }
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            char32_t low = 0;
            const bool lowFollows = m_end - m_pos >= 2 && m_pos[0] == '\\' && m_pos[1] == 'u';
            if (lowFollows && !readHex4(m_pos + 2, low))
                return false;
            if (!lowFollows || low < 0xDC00 || low > 0xDFFF) {
                return fail(at, QStringLiteral("json.utf8"),
                            QStringLiteral("escaped high surrogate \\u") + hex(unit)
                                + QStringLiteral(" is not followed by an escaped low surrogate"));
            }
            m_pos += 6;
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        }
        appendUtf8(unit);
        return true;
    }

    // m_pos is at a byte >= 0x80 inside a string; checks one UTF-8 sequence (RFC 3629 section 4)
    // and steps over it. Overlong forms, encoded surrogates and code points past U+10FFFF are
    // refused because other decoders would read them differently (or not at all).
    bool skipUtf8Sequence()
    {
        const auto *s = reinterpret_cast<const unsigned char *>(m_pos);
        const unsigned char lead = s[0];
        const detail::Utf8Sequence sequence =
            detail::decodeUtf8(s, reinterpret_cast<const unsigned char *>(m_end));
        const auto invalid = [this](const QString &why) {
            return fail(m_pos, QStringLiteral("json.utf8"), QStringLiteral("invalid UTF-8: ") + why);
        };
        switch (sequence.error) {
        case detail::Utf8Error::None:
            m_pos += sequence.length;
            return true;
        case detail::Utf8Error::UnexpectedContinuation:
            return invalid(QStringLiteral("unexpected continuation byte ") + hexByte(lead));
        case detail::Utf8Error::OverlongLead:
            return invalid(QStringLiteral("overlong encoding (lead byte ") + hexByte(lead) + QStringLiteral(")"));
        case detail::Utf8Error::BeyondMaxLead:
            return invalid(QStringLiteral("code point beyond U+10FFFF (lead byte ") + hexByte(lead)
                           + QStringLiteral(")"));
        case detail::Utf8Error::NeverOccurs:
            return invalid(QStringLiteral("byte ") + hexByte(lead) + QStringLiteral(" never occurs in UTF-8"));
        case detail::Utf8Error::Truncated:
            return invalid(QStringLiteral("truncated sequence (lead byte ") + hexByte(lead) + QStringLiteral(")"));
        case detail::Utf8Error::SecondByteRange:
            if (lead == 0xED)
                return invalid(QStringLiteral("encoded surrogate (U+D800 to U+DFFF)"));
            if (lead == 0xF4)
                return invalid(QStringLiteral("code point beyond U+10FFFF"));
            return invalid(QStringLiteral("overlong encoding")); // E0, F0
        }
        return invalid(QString());
    }

    bool parseNumber(QJsonValue &out)
    {
        const char *start = m_pos;
        const char *p = m_pos;
        if (*p == '-')
            ++p;
        if (p == m_end || !isDigit(*p))
            return failSyntax(p, QStringLiteral("a digit"));
        if (*p == '0') {
            if (p + 1 != m_end && isDigit(p[1])) {
                return fail(p, QStringLiteral("json.syntax"),
                            QStringLiteral("a number must not have a leading zero"));
            }
            ++p;
        } else {
            while (p != m_end && isDigit(*p))
                ++p;
        }
        if (p != m_end && *p == '.') {
            ++p;
            if (p == m_end || !isDigit(*p))
                return failSyntax(p, QStringLiteral("a digit after the decimal point"));
            while (p != m_end && isDigit(*p))
                ++p;
        }
        if (p != m_end && (*p == 'e' || *p == 'E')) {
            ++p;
            if (p != m_end && (*p == '+' || *p == '-'))
                ++p;
            if (p == m_end || !isDigit(*p))
                return failSyntax(p, QStringLiteral("a digit in the exponent"));
            while (p != m_end && isDigit(*p))
                ++p;
        }
        m_pos = p;

        double value = 0;
        const detail::NumberConversion conversion = detail::toDouble(start, p, value);
        if (conversion == detail::NumberConversion::OutOfRange) {
            constexpr qsizetype kMaxShown = 32;
            const qsizetype length = p - start;
            QString shown = QString::fromLatin1(start, std::min(length, kMaxShown));
            if (length > kMaxShown)
                shown += QStringLiteral("...");
            return fail(start, QStringLiteral("json.number"),
                        QStringLiteral("number ") + shown + QStringLiteral(" is outside the range of a double"));
        } else if (conversion == detail::NumberConversion::Failed) {
            return fail(start, QStringLiteral("json.number"), QStringLiteral("number could not be converted"));
        }
        out = QJsonValue(value);
        return true;
    }

    const char *m_begin;
    const char *m_pos;
    const char *m_end;
    const Limits &m_limits;
    int m_depth = 0;
    // Unescaped bytes of the current string, reused across strings to avoid reallocating.
    QByteArray m_scratch;
    // Not QString::fromUtf8, which drops a U+FEFF at the start of a string: the value would
    // change silently, and so would its canonical form and every digest over it.
    QStringDecoder m_decoder{QStringDecoder::Utf8,
                             QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom};
    Error m_error;
};

} // namespace

namespace detail {

NumberConversion toDouble(const char *start, const char *end, double &value)
{
    // std::from_chars is locale-independent and correctly rounded, and accepts the JSON number
    // grammar as a subset of its own.
    value = 0;
    const auto [ptr, ec] = std::from_chars(start, end, value);
    if (ec == std::errc::result_out_of_range && scientificExponent(start, end) < 0) {
        // Too small for a subnormal: rounds to zero, as JavaScript's JSON.parse does. The
        // value is still a finite double, unlike an overflow.
        value = *start == '-' ? -0.0 : 0.0;
        return NumberConversion::Ok;
    }
    if (ec == std::errc::result_out_of_range)
        return NumberConversion::OutOfRange;
    if (ec != std::errc{} || ptr != end)
        return NumberConversion::Failed;
    return NumberConversion::Ok;
}

} // namespace detail

Result<QJsonValue> parse(QByteArrayView text, const Limits &limits)
{
    // Before any other work, so an oversized document costs nothing to refuse.
    if (text.size() > limits.maxBytes) {
        return makeError(QStringLiteral("json.too_large"),
                         QStringLiteral("byte ") + QString::number(limits.maxBytes)
                             + QStringLiteral(": document longer than ") + QString::number(limits.maxBytes)
                             + QStringLiteral(" bytes (it has ") + QString::number(text.size())
                             + QStringLiteral(")"));
    }
    Parser parser(text, limits);
    return parser.run();
}

} // namespace countersign::json
