// Pieces of core/json shared by the parser (JsonParser.cpp), the canonicalizer (Canonical.cpp)
// and the canonical-form checker (CanonicalCheck.cpp), so each rule is written once. Internal to
// core/json: not part of its interface.
#pragma once

#include <array>
#include <cstdint>

namespace countersign::json::detail {

// How a string scanner treats each byte. A table keeps the inner loop to one load and one
// compare per byte, which matters for documents that are mostly string content.
enum ByteClass : std::uint8_t { Plain = 0, Quote, Backslash, Control, NonAscii };

constexpr std::array<std::uint8_t, 256> makeStringTable()
{
    std::array<std::uint8_t, 256> table{};
    for (int c = 0; c < 0x20; ++c)
        table[c] = Control;
    for (int c = 0x80; c < 0x100; ++c)
        table[c] = NonAscii;
    table['"'] = Quote;
    table['\\'] = Backslash;
    return table;
}

inline constexpr std::array<std::uint8_t, 256> kStringTable = makeStringTable();

constexpr bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

constexpr bool isWhitespace(char c)
{
    // RFC 8259 section 2: nothing else (no vertical tab, form feed, NBSP or BOM) separates tokens.
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The value of a hex digit in a \u escape (either case), or -1.
constexpr int hexDigitValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The character a two-character escape "\c" stands for (RFC 8259 section 7), or 0 if there is
// no such escape ('u' included: it starts a six-character escape).
constexpr char simpleEscapeValue(char c)
{
    switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0;
    }
}

// One UTF-8 sequence (RFC 3629 section 4). Overlong forms, encoded surrogates and code points past
// U+10FFFF are invalid because other decoders would read them differently (or not at all).
enum class Utf8Error : std::uint8_t {
    None,
    UnexpectedContinuation, // lead byte 0x80-0xBF
    OverlongLead,           // lead byte 0xC0 or 0xC1
    BeyondMaxLead,          // lead byte 0xF5-0xF7
    NeverOccurs,            // lead byte 0xF8-0xFF
    Truncated,              // a continuation byte is missing
    SecondByteRange,        // E0/F0: overlong, ED: surrogate, F4: beyond U+10FFFF
};

struct Utf8Sequence
{
    Utf8Error error = Utf8Error::None;
    int length = 0;          // bytes, when valid
    char32_t codePoint = 0;  // when valid
};

// s < end and *s >= 0x80.
inline Utf8Sequence decodeUtf8(const unsigned char *s, const unsigned char *end)
{
    const unsigned char lead = s[0];
    int continuation = 0;
    unsigned char low = 0x80; // allowed range of the second byte
    unsigned char high = 0xBF;
    char32_t cp = 0;
    if (lead < 0xC0)
        return {Utf8Error::UnexpectedContinuation};
    if (lead < 0xC2)
        return {Utf8Error::OverlongLead};
    if (lead < 0xE0) {
        continuation = 1;
        cp = lead & 0x1F;
    } else if (lead < 0xF0) {
        continuation = 2;
        cp = lead & 0x0F;
        if (lead == 0xE0)
            low = 0xA0;
        else if (lead == 0xED)
            high = 0x9F;
    } else if (lead < 0xF5) {
        continuation = 3;
        cp = lead & 0x07;
        if (lead == 0xF0)
            low = 0x90;
        else if (lead == 0xF4)
            high = 0x8F;
    } else if (lead < 0xF8) {
        return {Utf8Error::BeyondMaxLead};
    } else {
        return {Utf8Error::NeverOccurs};
    }
    for (int i = 1; i <= continuation; ++i) {
        if (s + i == end || (s[i] & 0xC0) != 0x80)
            return {Utf8Error::Truncated};
        if (i == 1 && (s[1] < low || s[1] > high))
            return {Utf8Error::SecondByteRange};
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    return {Utf8Error::None, continuation + 1, cp};
}

// RFC 8785 section 3.2.2.2: how the canonical form writes the character c (< 0x80) inside a
// string. Writes the escape to out (at most 6 bytes) and returns its length, or returns 0 when
// c is written as itself. Every character >= 0x80 is written as itself (raw UTF-8).
inline int canonicalEscape(unsigned char c, char *out)
{
    if (c >= 0x20 && c != '"' && c != '\\')
        return 0;
    out[0] = '\\';
    switch (c) {
    case '"': out[1] = '"'; return 2;
    case '\\': out[1] = '\\'; return 2;
    case '\b': out[1] = 'b'; return 2;
    case '\t': out[1] = 't'; return 2;
    case '\n': out[1] = 'n'; return 2;
    case '\f': out[1] = 'f'; return 2;
    case '\r': out[1] = 'r'; return 2;
    default: {
        constexpr char kHex[] = "0123456789abcdef"; // lowercase, as ECMAScript's JSON.stringify
        out[1] = 'u';
        out[2] = '0';
        out[3] = '0';
        out[4] = kHex[c >> 4];
        out[5] = kHex[c & 0xF];
        return 6;
    }
    }
}

// The double a number token stands for, exactly as parse() converts it. [start, end) is a token
// of the JSON number grammar for parse(); for any other bytes the result is meaningless but
// memory-safe (the checker compares the result's canonical spelling to the bytes).
enum class NumberConversion : std::uint8_t {
    Ok,         // value set; an underflow below the smallest subnormal gives a signed zero
    OutOfRange, // too large for a double
    Failed,     // not converted in full
};
NumberConversion toDouble(const char *start, const char *end, double &value);

// formatNumber() into a buffer: returns the length written (at most kMaxNumberChars), or 0 for a
// non-finite value.
inline constexpr int kMaxNumberChars = 32;
int formatNumberTo(double value, char (&out)[kMaxNumberChars]);

} // namespace countersign::json::detail
