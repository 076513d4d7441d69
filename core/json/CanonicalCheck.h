// Deciding whether stored bytes are already the RFC 8785 canonical form of a JSON object, in one
// pass and without building the value: what `countersign-audit verify` asks of every payload.
#pragma once

#include "core/Result.h"
#include "core/json/Json.h"

#include <QByteArrayView>

namespace countersign::json {

// Whether text is exactly canonicalize(parse(text, limits)) and that value is an object —
// decided in one pass over the bytes, without building the value. On failure, the error says
// what is not canonical and at which byte offset (code "json.not_canonical"), or it is the
// error parse() would give (json.too_large, json.syntax, json.utf8, json.duplicate, json.limit,
// json.number) where that is what is wrong.
//
// The decision is the single pass; only a refusal costs more: to name the right error, a refused
// text is handed to parse(), and parse()'s own error is returned if it has one (so the code and
// message are exactly parse()'s), otherwise "json.not_canonical" with the first byte where the
// text departs from the canonical form.
[[nodiscard]] Status checkCanonicalObject(QByteArrayView text, const Limits &limits = {});

} // namespace countersign::json
