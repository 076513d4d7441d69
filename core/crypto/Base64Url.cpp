// Strict unpadded base64url for JOSE.
#include "core/crypto/Base64Url.h"

#include <array>
#include <cstdint>
#include <string_view>

#include <QString>

namespace countersign::crypto {

namespace {

constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> makeDecodeTable()
{
    std::array<std::uint8_t, 256> table{};
    table.fill(kInvalid);
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (std::uint8_t i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(alphabet[i])] = i;
    return table;
}

constexpr std::array<std::uint8_t, 256> kDecodeTable = makeDecodeTable();

Error invalid(qsizetype offset, const QString &why)
{
    return makeError(QStringLiteral("base64url.invalid"),
                     QStringLiteral("byte ") + QString::number(offset) + QStringLiteral(": ") + why);
}

QString describeByte(unsigned char c)
{
    if (c == '=')
        return QStringLiteral("'=' padding is not allowed in base64url");
    if (c == '+' || c == '/')
        return QStringLiteral("'") + QLatin1Char(static_cast<char>(c))
            + QStringLiteral("' belongs to standard base64, not base64url");
    if (c > 0x20 && c < 0x7F)
        return QStringLiteral("'") + QLatin1Char(static_cast<char>(c))
            + QStringLiteral("' is not a base64url character");
    return QStringLiteral("byte 0x") + QString::number(c, 16).rightJustified(2, QLatin1Char('0'))
        + QStringLiteral(" is not a base64url character");
}

} // namespace

QByteArray base64UrlEncode(QByteArrayView data)
{
    return data.toByteArray().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Result<QByteArray> base64UrlDecode(QByteArrayView text, qsizetype offsetBase)
{
    // Qt's decoder accepts padding, mixed alphabets and non-zero trailing bits, so it cannot be
    // used for anything that is signed.
    const qsizetype size = text.size();
    QByteArray out;
    out.reserve(size / 4 * 3 + 2);
    std::uint32_t accumulator = 0;
    int bits = 0;
    for (qsizetype i = 0; i < size; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::uint8_t value = kDecodeTable[c];
        if (value == kInvalid)
            return invalid(offsetBase + i, describeByte(c));
        accumulator = (accumulator << 6) | value;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.append(static_cast<char>((accumulator >> bits) & 0xFF));
        }
    }
    // Checked after the characters: a stray newline or '=' is the likelier mistake, and the more
    // useful thing to report.
    if (size % 4 == 1)
        return invalid(offsetBase + size - 1,
                       QStringLiteral("a length of 4n+1 characters (%1) cannot be base64url").arg(size));
    // The last character of a 2- or 3-character group carries 4 or 2 bits that encode nothing;
    // an encoder always writes them as zero.
    if (bits > 0 && (accumulator & ((1u << bits) - 1)) != 0)
        return invalid(offsetBase + size - 1,
                       QStringLiteral("non-zero trailing bits: this is not the canonical encoding"));
    return out;
}

} // namespace countersign::crypto
