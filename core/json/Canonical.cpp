// RFC 8785 (JSON Canonicalization Scheme) serialization: the exact bytes that digests and
// signatures are computed over, so every implementation must produce them identically.
#include "core/json/Json.h"
#include "core/json/JsonDetail.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>
#include <utility>
#include <vector>

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringView>

namespace countersign::json {

namespace {

// RFC 8785 section 3.2.3 orders member names by their UTF-16 code units, not by code point
// and not by locale. Spelled out here rather than relying on QString::operator< so the rule
// cannot change with a Qt release.
bool utf16Less(QStringView a, QStringView b)
{
    return std::lexicographical_compare(a.utf16(), a.utf16() + a.size(), b.utf16(), b.utf16() + b.size());
}

// RFC 8785 section 3.2.2.2: the two-character escapes where JSON has them, \u00xx (lowercase)
// for the other control characters, and every other character as literal UTF-8.
// A QString holding an unpaired surrogate (only code can build one: parse() refuses them) has no
// UTF-8 form; QString::toUtf8 writes '?' for it, as the API has no way to report an error.
void appendString(QByteArray &out, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    out.append('"');
    const char *run = utf8.constData();
    const char *const end = run + utf8.size();
    for (const char *p = run; p != end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(run, p - run);
        run = p + 1;
        char escape[6];
        out.append(escape, detail::canonicalEscape(c, escape));
    }
    out.append(run, end - run);
    out.append('"');
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        return;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        return;
    case QJsonValue::Double: {
        // Integers stored as qint64 come back exactly as the double they were made from.
        const double number = value.toDouble();
        // parse() never produces a non-finite number; one built in code is written as
        // JSON.stringify writes it rather than as an empty (unparseable) token.
        if (std::isfinite(number))
            out.append(formatNumber(number));
        else
            out.append("null");
        return;
    }
    case QJsonValue::String:
        appendString(out, value.toString());
        return;
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        out.append('[');
        bool first = true;
        for (const auto &element : array) {
            if (!first)
                out.append(',');
            first = false;
            appendValue(out, element);
        }
        out.append(']');
        return;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        // QJsonObject's own iteration order is an implementation detail: sort explicitly.
        std::vector<QJsonObject::const_iterator> members;
        members.reserve(size_t(object.size()));
        for (auto it = object.constBegin(); it != object.constEnd(); ++it)
            members.push_back(it);
        std::sort(members.begin(), members.end(), [](const auto &a, const auto &b) {
            return utf16Less(a.key(), b.key());
        });
        out.append('{');
        bool first = true;
        for (const auto &member : members) {
            if (!first)
                out.append(',');
            first = false;
            appendString(out, member.key());
            out.append(':');
            appendValue(out, member.value());
        }
        out.append('}');
        return;
    }
    }
}

} // namespace

QByteArray canonicalize(const QJsonValue &value)
{
    QByteArray out;
    appendValue(out, value);
    return out;
}

QByteArray formatNumber(double value)
{
    char buffer[detail::kMaxNumberChars];
    const int length = detail::formatNumberTo(value, buffer);
    if (length == 0)
        return {}; // a null array, as before, for a value with no JSON spelling
    return QByteArray(buffer, length);
}

namespace detail {

int formatNumberTo(double value, char (&out)[kMaxNumberChars])
{
    if (!std::isfinite(value))
        return 0;
    if (value == 0) {
        out[0] = '0'; // also -0, as ECMAScript prints it
        return 1;
    }

    // Shortest digits that round-trip, in the form "[-]d[.ddd]e(+|-)x".
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    if (ec != std::errc{})
        return 0;

    const char *p = buffer;
    const bool negative = *p == '-';
    if (negative)
        ++p;
    char digits[20];
    int k = 0; // number of significant digits
    for (; p != end && *p != 'e'; ++p) {
        if (*p != '.')
            digits[k++] = *p;
    }
    ++p; // 'e'
    const bool negativeExponent = *p == '-';
    ++p; // the exponent's sign is always present
    int exponent = 0;
    if (std::from_chars(p, end, exponent).ec != std::errc{})
        return 0;
    if (negativeExponent)
        exponent = -exponent;

    // ECMAScript Number::toString (ECMA-262 section 6.1.6.1.20): n is the position of the
    // decimal point relative to the first digit, value = 0.digits x 10^n. The longest result is
    // 25 characters ("-0.00000" and 17 digits).
    const int n = exponent + 1;
    char *o = out;
    const auto put = [&o](const char *from, int count) {
        std::memcpy(o, from, size_t(count));
        o += count;
    };
    const auto zeros = [&o](int count) {
        std::memset(o, '0', size_t(count));
        o += count;
    };
    if (negative)
        *o++ = '-';
    if (k <= n && n <= 21) {
        put(digits, k);
        zeros(n - k);
    } else if (0 < n && n <= 21) {
        put(digits, n);
        *o++ = '.';
        put(digits + n, k - n);
    } else if (-6 < n && n <= 0) {
        put("0.", 2);
        zeros(-n);
        put(digits, k);
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            put(digits + 1, k - 1);
        }
        *o++ = 'e';
        *o++ = n - 1 > 0 ? '+' : '-';
        const auto [exponentEnd, exponentError] = std::to_chars(o, out + kMaxNumberChars, std::abs(n - 1));
        if (exponentError != std::errc{})
            return 0;
        o = exponentEnd;
    }
    return int(o - out);
}

} // namespace detail

} // namespace countersign::json
