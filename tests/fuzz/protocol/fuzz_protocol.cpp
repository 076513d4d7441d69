// libFuzzer target for the console protocol: parseClientFrame (what the gateway reads from
// consoles) and parseServerFrame (what consoles read from the gateway) must never crash or hang,
// and whatever they accept must serialize to a frame they accept again, unchanged.
#include "core/protocol/Protocol.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace countersign;
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));

    if (const auto client = protocol::parseClientFrame(input)) {
        const QByteArray serialized = protocol::serialize(client.value());
        const auto again = protocol::parseClientFrame(serialized);
        if (!again || protocol::serialize(again.value()) != serialized)
            std::abort();
    }
    if (const auto server = protocol::parseServerFrame(input)) {
        const QByteArray serialized = protocol::serialize(server.value());
        const auto again = protocol::parseServerFrame(serialized);
        if (!again || protocol::serialize(again.value()) != serialized)
            std::abort();
    }
    return 0;
}
