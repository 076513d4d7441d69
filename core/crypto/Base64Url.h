// Base64url without padding (RFC 4648 section 5), the encoding JOSE uses for every binary field,
// decoded strictly so that each byte string has exactly one accepted text form.
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace countersign::crypto {

// The unpadded base64url text of data.
[[nodiscard]] QByteArray base64UrlEncode(QByteArrayView data);

// Decodes unpadded base64url. Refuses '=' padding, the '+' and '/' of standard base64,
// whitespace, a length that leaves a single trailing character, and trailing bits that are not
// zero: a signed object must not have two spellings that decode to the same bytes.
// Error code "base64url.invalid"; the message names the offending byte, counted from
// offsetBase so a caller decoding one part of a larger text can say where it is in the whole.
[[nodiscard]] Result<QByteArray> base64UrlDecode(QByteArrayView text, qsizetype offsetBase = 0);

} // namespace countersign::crypto
