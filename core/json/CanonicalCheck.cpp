// A single-pass test that bytes are the RFC 8785 canonical form of a JSON object, accepting
// exactly the texts x with parse(x) an object and canonicalize(parse(x)) == x.
//
// Why one pass suffices: canonicalize() writes no whitespace, the literals as themselves, every
// number as formatNumber() of its double, every string with the escapes of
// detail::canonicalEscape() and everything else as raw UTF-8, and object members in strictly
// ascending order of the UTF-16 code units of their names. So the text is canonical exactly when
// each token is already in that form (each number token equal to formatNumber() of the double
// parse() would make of it), member names ascend strictly (which also rules out the duplicates
// parse() refuses), and every rule parse() enforces (UTF-8 validity, the Limits) holds.
#include "core/json/CanonicalCheck.h"

#include "core/json/JsonDetail.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <QString>

namespace countersign::json {

namespace {

using detail::isDigit;

// A member name as it stands in the text (between the quotes), with what its bytes contain:
// names of plain ASCII (the usual case) compare as bytes, others by their UTF-16 code units.
struct Name
{
    enum : std::uint8_t {
        Escapes = 1,       // a backslash escape
        BmpHigh = 2,       // a character U+E000 to U+FFFF (lead byte EE or EF)
        Supplementary = 4, // a character past U+FFFF (lead byte F0 to F4), two UTF-16 units
    };
    const unsigned char *begin = nullptr;
    const unsigned char *end = nullptr;
    std::uint8_t contains = 0;
};

// The UTF-16 code units of a name the checker has already found canonical (valid escapes, valid
// UTF-8), one at a time.
class CodeUnits
{
public:
    explicit CodeUnits(const Name &name) : m_p(name.begin), m_end(name.end) {}

    bool next(char16_t &unit)
    {
        if (m_pendingLow != 0) {
            unit = m_pendingLow;
            m_pendingLow = 0;
            return true;
        }
        if (m_p == m_end)
            return false;
        const unsigned char c = *m_p;
        if (c == '\\') {
            if (m_p[1] == 'u') {
                char16_t value = 0;
                for (int i = 2; i < 6; ++i)
                    value = char16_t((value << 4) | detail::hexDigitValue(char(m_p[i])));
                unit = value;
                m_p += 6;
            } else {
                unit = char16_t(static_cast<unsigned char>(detail::simpleEscapeValue(char(m_p[1]))));
                m_p += 2;
            }
            return true;
        }
        if (c < 0x80) {
            unit = c;
            ++m_p;
            return true;
        }
        const detail::Utf8Sequence sequence = detail::decodeUtf8(m_p, m_end);
        m_p += sequence.length;
        if (sequence.codePoint < 0x10000) {
            unit = char16_t(sequence.codePoint);
        } else {
            const char32_t offset = sequence.codePoint - 0x10000;
            unit = char16_t(0xD800 + (offset >> 10));
            m_pendingLow = char16_t(0xDC00 + (offset & 0x3FF));
        }
        return true;
    }

private:
    const unsigned char *m_p;
    const unsigned char *m_end;
    char16_t m_pendingLow = 0;
};

// <0, 0 or >0 as a orders before, the same as or after b by UTF-16 code units (RFC 8785 section
// 3.2.3, as Canonical.cpp sorts).
int compareNames(const Name &a, const Name &b)
{
    const std::uint8_t both = a.contains | b.contains;
    // Without escapes, UTF-8 byte order is code point order, which is UTF-16 order except that a
    // character past U+FFFF (a surrogate pair, 0xD800...) sorts before U+E000 to U+FFFF in UTF-16.
    const bool bytesOrder = (both & Name::Escapes) == 0
        && !((a.contains & Name::BmpHigh) && (b.contains & Name::Supplementary))
        && !((a.contains & Name::Supplementary) && (b.contains & Name::BmpHigh));
    if (bytesOrder) {
        const auto aSize = size_t(a.end - a.begin);
        const auto bSize = size_t(b.end - b.begin);
        const int order = std::memcmp(a.begin, b.begin, std::min(aSize, bSize));
        if (order != 0)
            return order;
        return aSize < bSize ? -1 : (aSize > bSize ? 1 : 0);
    }
    CodeUnits aUnits(a);
    CodeUnits bUnits(b);
    for (;;) {
        char16_t x = 0;
        char16_t y = 0;
        const bool hasX = aUnits.next(x);
        const bool hasY = bUnits.next(y);
        if (!hasX || !hasY)
            return hasX ? 1 : (hasY ? -1 : 0);
        if (x != y)
            return x < y ? -1 : 1;
    }
}

class Checker final
{
public:
    Checker(QByteArrayView text, const Limits &limits)
        : m_begin(text.data()), m_pos(text.data()), m_end(text.data() + text.size()), m_limits(limits)
    {
    }

    bool run(qsizetype size)
    {
        if (size > m_limits.maxBytes)
            return fail(m_begin, QStringLiteral("document longer than the limit"));
        if (m_pos == m_end || *m_pos != '{')
            return unexpected(m_pos, QStringLiteral("'{' (the value must be an object)"));
        if (!checkObject())
            return false;
        if (m_pos != m_end)
            return unexpected(m_pos, QStringLiteral("the end of the text after the object"));
        return true;
    }

    qsizetype failedAt() const { return m_failedAt - m_begin; }
    const QString &why() const { return m_why; }

private:
    bool fail(const char *at, const QString &why)
    {
        m_failedAt = at;
        m_why = why;
        return false;
    }

    bool unexpected(const char *at, const QString &expected)
    {
        if (at == m_end)
            return fail(at, QStringLiteral("expected ") + expected + QStringLiteral(", found end of input"));
        const auto c = static_cast<unsigned char>(*at);
        if (detail::isWhitespace(char(c)))
            return fail(at, QStringLiteral("whitespace between tokens is not canonical"));
        const QString found = c > 0x20 && c < 0x7f
            ? QString(QStringLiteral("'") + QLatin1Char(char(c)) + QStringLiteral("'"))
            : QString(QStringLiteral("byte 0x") + QString::number(c, 16).rightJustified(2, QLatin1Char('0')).toUpper());
        return fail(at, QStringLiteral("expected ") + expected + QStringLiteral(", found ") + found);
    }

    bool checkValue()
    {
        if (m_pos == m_end)
            return unexpected(m_pos, QStringLiteral("a value"));
        switch (*m_pos) {
        case '{':
            return checkObject();
        case '[':
            return checkArray();
        case '"':
            return checkString(nullptr);
        case 't':
            return checkLiteral("true", 4);
        case 'f':
            return checkLiteral("false", 5);
        case 'n':
            return checkLiteral("null", 4);
        default:
            if (*m_pos == '-' || isDigit(*m_pos))
                return checkNumber();
            return unexpected(m_pos, QStringLiteral("a value"));
        }
    }

    bool checkLiteral(const char *literal, qsizetype length)
    {
        if (m_end - m_pos < length || std::memcmp(m_pos, literal, size_t(length)) != 0)
            return unexpected(m_pos, QStringLiteral("'") + QLatin1String(literal) + QStringLiteral("'"));
        m_pos += length;
        return true;
    }

    // As parse(): the depth counter bounds the recursion.
    bool enterContainer()
    {
        if (m_depth >= m_limits.maxDepth)
            return fail(m_pos, QStringLiteral("nesting deeper than ") + QString::number(m_limits.maxDepth));
        ++m_depth;
        ++m_pos;
        return true;
    }

    bool checkArray()
    {
        if (!enterContainer())
            return false;
        if (m_pos != m_end && *m_pos == ']') {
            ++m_pos;
            --m_depth;
            return true;
        }
        for (qsizetype count = 0;; ++count) {
            if (count >= m_limits.maxArrayLength) {
                return fail(m_pos, QStringLiteral("array longer than ") + QString::number(m_limits.maxArrayLength)
                                       + QStringLiteral(" elements"));
            }
            if (!checkValue())
                return false;
            if (m_pos != m_end && *m_pos == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos != m_end && *m_pos == ']') {
                ++m_pos;
                break;
            }
            return unexpected(m_pos, QStringLiteral("',' or ']' after an array element"));
        }
        --m_depth;
        return true;
    }

    bool checkObject()
    {
        if (!enterContainer())
            return false;
        if (m_pos != m_end && *m_pos == '}') {
            ++m_pos;
            --m_depth;
            return true;
        }
        Name previous;
        for (qsizetype count = 0;; ++count) {
            if (m_pos == m_end || *m_pos != '"')
                return unexpected(m_pos, QStringLiteral("a member name in double quotes"));
            const char *nameAt = m_pos;
            if (count >= m_limits.maxObjectMembers) {
                return fail(nameAt, QStringLiteral("object with more than ")
                                        + QString::number(m_limits.maxObjectMembers) + QStringLiteral(" members"));
            }
            Name name;
            if (!checkString(&name))
                return false;
            if (count > 0) {
                const int order = compareNames(previous, name);
                if (order == 0)
                    return fail(nameAt, QStringLiteral("duplicate member name"));
                if (order > 0) {
                    return fail(nameAt, QStringLiteral("member name out of order (canonical order is "
                                                       "ascending UTF-16 code units of the names)"));
                }
            }
            previous = name;
            if (m_pos == m_end || *m_pos != ':')
                return unexpected(m_pos, QStringLiteral("':' after a member name"));
            ++m_pos;
            if (!checkValue())
                return false;
            if (m_pos != m_end && *m_pos == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos != m_end && *m_pos == '}') {
                ++m_pos;
                break;
            }
            return unexpected(m_pos, QStringLiteral("',' or '}' after an object member"));
        }
        --m_depth;
        return true;
    }

    // m_pos is at the opening quote. Fills name (when given) with the bytes between the quotes.
    bool checkString(Name *name)
    {
        const char *open = m_pos;
        ++m_pos;
        std::uint8_t contains = 0;
        qsizetype escapeBytes = 0; // bytes of the escapes beyond the one byte each stands for
        for (;;) {
            while (m_pos != m_end && detail::kStringTable[static_cast<unsigned char>(*m_pos)] == detail::Plain)
                ++m_pos;
            if (m_pos == m_end)
                return unexpected(m_pos, QStringLiteral("'\"' to close the string"));
            const auto c = static_cast<unsigned char>(*m_pos);
            const std::uint8_t kind = detail::kStringTable[c];
            if (kind == detail::Quote)
                break;
            if (kind == detail::Backslash) {
                contains |= Name::Escapes;
                if (!checkEscape(escapeBytes))
                    return false;
            } else if (kind == detail::Control) {
                return fail(m_pos, QStringLiteral("control character in a string is not escaped"));
            } else {
                const detail::Utf8Sequence sequence = detail::decodeUtf8(
                    reinterpret_cast<const unsigned char *>(m_pos), reinterpret_cast<const unsigned char *>(m_end));
                if (sequence.error != detail::Utf8Error::None)
                    return fail(m_pos, QStringLiteral("invalid UTF-8"));
                if (c >= 0xF0)
                    contains |= Name::Supplementary;
                else if (c >= 0xEE)
                    contains |= Name::BmpHigh;
                m_pos += sequence.length;
            }
        }
        const char *close = m_pos;
        ++m_pos;
        // As parse(): the limit counts the UTF-8 bytes of the string's value; each escape here
        // stands for one byte.
        if ((close - open - 1) - escapeBytes > m_limits.maxStringBytes) {
            return fail(open, QStringLiteral("string longer than ") + QString::number(m_limits.maxStringBytes)
                                  + QStringLiteral(" bytes"));
        }
        if (name != nullptr) {
            name->begin = reinterpret_cast<const unsigned char *>(open + 1);
            name->end = reinterpret_cast<const unsigned char *>(close);
            name->contains = contains;
        }
        return true;
    }

    // m_pos is at a backslash inside a string. Canonical escapes stand for characters below
    // 0x80 only, each in the one spelling detail::canonicalEscape() gives it.
    bool checkEscape(qsizetype &escapeBytes)
    {
        const char *at = m_pos;
        if (m_end - m_pos < 2)
            return unexpected(m_pos + 1, QStringLiteral("an escape character after '\\'"));
        unsigned char value = 0;
        int length = 2;
        if (m_pos[1] == 'u') {
            if (m_end - m_pos < 6)
                return unexpected(m_end, QStringLiteral("four hex digits in a \\u escape"));
            unsigned unit = 0;
            for (int i = 2; i < 6; ++i) {
                const int digit = detail::hexDigitValue(m_pos[i]);
                if (digit < 0)
                    return unexpected(m_pos + i, QStringLiteral("a hex digit in a \\u escape"));
                unit = (unit << 4) | unsigned(digit);
            }
            if (unit >= 0x80) {
                return fail(at, QStringLiteral("\\u escape of a character the canonical form writes as "
                                               "itself (UTF-8)"));
            }
            value = static_cast<unsigned char>(unit);
            length = 6;
        } else {
            value = static_cast<unsigned char>(detail::simpleEscapeValue(m_pos[1]));
            if (value == 0)
                return unexpected(m_pos + 1, QStringLiteral("one of \" \\ / b f n r t u after '\\'"));
        }
        char canonical[6];
        const int canonicalLength = detail::canonicalEscape(value, canonical);
        if (canonicalLength == 0)
            return fail(at, QStringLiteral("escape of a character the canonical form writes as itself"));
        if (canonicalLength != length || std::memcmp(at, canonical, size_t(length)) != 0) {
            return fail(at, QStringLiteral("the canonical escape of this character is ")
                                + QLatin1String(canonical, canonicalLength));
        }
        m_pos += length;
        escapeBytes += length - 1;
        return true;
    }

    bool checkNumber()
    {
        const char *start = m_pos;
        const char *p = m_pos;
        while (p != m_end && (isDigit(*p) || *p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E'))
            ++p;
        m_pos = p;

        // The common case, decided without converting: an integer of at most 15 digits is exact in
        // a double and formatNumber() writes it digit for digit ("0" alone, never "-0").
        const char *digits = *start == '-' ? start + 1 : start;
        const qsizetype count = p - digits;
        if (count >= 1 && count <= 15 && std::all_of(digits, p, isDigit)
            && (*digits != '0' || p - start == 1)) {
            return true;
        }

        // Anything else must be spelled as formatNumber() spells the double parse() makes of it;
        // the longest canonical number is 25 characters, so a longer token is not even converted.
        char canonical[detail::kMaxNumberChars];
        int canonicalLength = 0;
        double value = 0;
        if (p - start <= detail::kMaxNumberChars
            && detail::toDouble(start, p, value) == detail::NumberConversion::Ok) {
            canonicalLength = detail::formatNumberTo(value, canonical);
        }
        if (canonicalLength == 0 || canonicalLength != p - start
            || std::memcmp(start, canonical, size_t(canonicalLength)) != 0) {
            QString why = QStringLiteral("number not in canonical form");
            if (canonicalLength > 0)
                why += QStringLiteral(" (which is ") + QLatin1String(canonical, canonicalLength) + QStringLiteral(")");
            return fail(start, why);
        }
        return true;
    }

    const char *m_begin;
    const char *m_pos;
    const char *m_end;
    const Limits &m_limits;
    int m_depth = 0;
    const char *m_failedAt = nullptr;
    QString m_why;
};

} // namespace

Status checkCanonicalObject(QByteArrayView text, const Limits &limits)
{
    Checker checker(text, limits);
    if (checker.run(text.size()))
        return {};
    // Refused. When parse() refuses the text too, its error is the one to report (same code, same
    // message); otherwise the text is JSON, just not the canonical form of an object.
    const Result<QJsonValue> parsed = parse(text, limits);
    if (!parsed)
        return parsed.error();
    return makeError(QStringLiteral("json.not_canonical"), QStringLiteral("byte ") + QString::number(checker.failedAt())
                                                                + QStringLiteral(": ") + checker.why());
}

} // namespace countersign::json
