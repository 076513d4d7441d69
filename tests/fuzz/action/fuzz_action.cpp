// libFuzzer target for the action parser (what consoles read inside action.pending and what the
// audit browser reads back from the log): Action::fromJson must never crash on any JSON object,
// and an action it accepts must come back the same through toJson and fromJson again.
#include "core/action/Action.h"
#include "core/json/Json.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace countersign;

    const auto parsed = json::parse(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!parsed || !parsed.value().isObject())
        return 0;
    const auto action = Action::fromJson(parsed.value().toObject());
    if (!action)
        return 0;
    const QByteArray canonical = json::canonicalize(action.value().toJson());
    const auto again = Action::fromJson(json::parse(canonical).value().toObject());
    if (!again)
        std::abort(); // toJson() wrote an action fromJson() refuses
    if (json::canonicalize(again.value().toJson()) != canonical)
        std::abort(); // the round trip is not stable
    if (again.value().digest() != action.value().digest())
        std::abort();
    return 0;
}
