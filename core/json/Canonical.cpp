// RFC 8785 (JSON Canonicalization Scheme) serialization: the exact bytes that digests and
// signatures are computed over, so every implementation must produce them identically.
#include "core/json/Json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
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
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\b': out.append("\\b"); break;
        case '\t': out.append("\\t"); break;
        case '\n': out.append("\\n"); break;
        case '\f': out.append("\\f"); break;
        case '\r': out.append("\\r"); break;
        default: {
            constexpr char kHex[] = "0123456789abcdef";
            const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
            out.append(escape, sizeof escape);
            break;
        }
        }
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
    if (!std::isfinite(value))
        return {};
    if (value == 0)
        return QByteArrayLiteral("0"); // also -0, as ECMAScript prints it

    // Shortest digits that round-trip, in the form "[-]d[.ddd]e(+|-)x".
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    if (ec != std::errc{})
        return {};

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
        return {};
    if (negativeExponent)
        exponent = -exponent;

    // ECMAScript Number::toString (ECMA-262 section 6.1.6.1.20): n is the position of the
    // decimal point relative to the first digit, value = 0.digits x 10^n.
    const int n = exponent + 1;
    QByteArray out;
    out.reserve(32);
    if (negative)
        out.append('-');
    if (k <= n && n <= 21) {
        out.append(digits, k);
        out.append(QByteArray(n - k, '0'));
    } else if (0 < n && n <= 21) {
        out.append(digits, n);
        out.append('.');
        out.append(digits + n, k - n);
    } else if (-6 < n && n <= 0) {
        out.append("0.");
        out.append(QByteArray(-n, '0'));
        out.append(digits, k);
    } else {
        out.append(digits[0]);
        if (k > 1) {
            out.append('.');
            out.append(digits + 1, k - 1);
        }
        out.append('e');
        out.append(n - 1 > 0 ? '+' : '-');
        out.append(QByteArray::number(std::abs(n - 1)));
    }
    return out;
}

} // namespace countersign::json
