// libFuzzer target for the canonical-form checker: a differential oracle. checkCanonicalObject
// must accept exactly what parse + canonicalize reproduce byte for byte as an object, and when
// it refuses, its error code must be parse()'s (or json.not_canonical when parse() accepts).
// Checked under the default limits and under tight ones, so every limit rule is compared too.
#include "core/json/CanonicalCheck.h"
#include "core/json/Json.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

void compare(QByteArrayView input, const countersign::json::Limits &limits)
{
    using namespace countersign;
    const auto parsed = json::parse(input, limits);
    const bool canonical = parsed.ok() && parsed.value().isObject() && json::canonicalize(parsed.value()) == input;
    const Status status = json::checkCanonicalObject(input, limits);
    if (status.ok() != canonical)
        std::abort(); // the checker and its definition disagree
    if (!status.ok()) {
        const QString expected = parsed.ok() ? QStringLiteral("json.not_canonical") : parsed.error().code;
        if (status.error().code != expected)
            std::abort(); // refused for the wrong reason
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace countersign;
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    compare(input, json::Limits{});

    json::Limits tight;
    tight.maxBytes = 512;
    tight.maxDepth = 3;
    tight.maxStringBytes = 6;
    tight.maxArrayLength = 3;
    tight.maxObjectMembers = 4;
    compare(input, tight);
    return 0;
}
