// Strict JSON for untrusted input (RFC 8259 with the I-JSON rules of RFC 7493) and the RFC 8785
// canonical form that digests and signatures are computed over.
//
// Written by hand rather than using QJsonDocument because the console and gateway must refuse
// what QJsonDocument accepts silently (duplicate member names, escaped lone surrogates, numbers
// outside IEEE 754 double range) and must report the byte offset and the limit that was broken.
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>

namespace countersign::json {

struct Limits
{
    qsizetype maxBytes = 1 << 20;          // whole document
    int maxDepth = 32;                     // nested arrays/objects
    qsizetype maxStringBytes = 64 * 1024;  // one string (member names included), UTF-8 bytes
    qsizetype maxArrayLength = 10'000;     // elements of one array
    qsizetype maxObjectMembers = 1'000;    // members of one object
};

// Parses one JSON text. Error codes:
//   json.too_large  the document exceeds Limits::maxBytes
//   json.syntax     not JSON (message names the byte offset and what was expected)
//   json.utf8       invalid UTF-8 or an escaped lone surrogate (byte offset)
//   json.duplicate  an object repeats a member name (byte offset and name)
//   json.limit      depth, string length, array length or member count over the limit
//   json.number     a number that is not a finite IEEE 754 double
// Every number becomes a double, as I-JSON and RFC 8785 require.
[[nodiscard]] Result<QJsonValue> parse(QByteArrayView text, const Limits &limits = {});

// The RFC 8785 (JCS) canonical UTF-8 serialization of a value.
[[nodiscard]] QByteArray canonicalize(const QJsonValue &value);

// ECMAScript Number.prototype.toString() of a finite double, as RFC 8785 section 3.2.2.3 requires.
[[nodiscard]] QByteArray formatNumber(double value);

} // namespace countersign::json
