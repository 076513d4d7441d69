// libFuzzer target for the redaction engine: any text must be redacted without a crash or a
// hang, redacting the result again must change nothing (no secret half-survives a first pass
// to be found by a second), and the same must hold for the text as a JSON member value.
#include "core/redaction/Redaction.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <QJsonObject>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace countersign::redaction;
    if (size > 64 * 1024)
        return 0;
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const Redacted once = redactText(text);
    const Redacted twice = redactText(once.text);
    if (twice.text != once.text || !twice.findings.isEmpty())
        std::abort();
    const QJsonObject object{{QStringLiteral("note"), text}, {QStringLiteral("password"), text}};
    const QJsonValue redacted = redactJson(object);
    if (redactJson(redacted) != redacted)
        std::abort();
    return 0;
}
