// libFuzzer target for untrusted JSON: parse() must never crash or hang on any input, and the
// canonical form of anything it accepts must be a fixed point of parse + canonicalize.
#include "core/json/Json.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace countersign;

    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto parsed = json::parse(input);
    if (!parsed)
        return 0;
    const QByteArray canonical = json::canonicalize(parsed.value());

    // Canonical output can be longer than its input ("1e21" becomes "1e+21"), so only the size
    // limit is relaxed for the second parse; every other limit must still hold.
    json::Limits limits;
    limits.maxBytes = std::max(limits.maxBytes, canonical.size());
    const auto reparsed = json::parse(canonical, limits);
    if (!reparsed)
        std::abort(); // canonicalize() wrote something the parser refuses
    if (json::canonicalize(reparsed.value()) != canonical)
        std::abort(); // the canonical form is not stable
    return 0;
}
