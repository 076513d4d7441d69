// libFuzzer target for the policy document: Policy::fromJson() must never crash or hang, and
// whatever it accepts must survive its own serialisation unchanged (what the control plane
// stores is what it enforces after a restart).
#include "core/json/Json.h"
#include "core/policy/Policy.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace countersign;
    const auto policy = Policy::fromJson(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!policy)
        return 0;
    const QByteArray stored = json::canonicalize(policy.value().toJson());
    const auto reloaded = Policy::fromJson(stored);
    if (!reloaded || json::canonicalize(reloaded.value().toJson()) != stored)
        std::abort();
    return 0;
}
