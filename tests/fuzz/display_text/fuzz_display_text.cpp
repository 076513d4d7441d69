// libFuzzer target for the safe-text renderer every widget showing untrusted text goes through:
// displayText() must never crash, never leave a hidden or direction-changing character in its
// output, never cut a surrogate pair, and keep to its length limit. The first byte picks the
// mode and the limit; the rest is the text, as UTF-8 or (odd first byte) raw UTF-16, so unpaired
// surrogates reach it too.
#include "core/text/DisplayText.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace countersign;

    if (size < 1)
        return 0;
    const uint8_t mode = data[0];
    const char *bytes = reinterpret_cast<const char *>(data + 1);
    const qsizetype length = qsizetype(size - 1);
    const QString text = (mode & 1) != 0
        ? QString(reinterpret_cast<const QChar *>(bytes), length / 2)
        : QString::fromUtf8(bytes, length);
    const TextLines lines = (mode & 2) != 0 ? TextLines::Multiple : TextLines::Single;
    const int maxChars = (mode >> 2) == 0 ? 0 : int(mode >> 2) * 4;

    const QString shown = displayText(text, maxChars, lines);
    if (maxChars > 0 && shown.size() > maxChars + 1)
        std::abort(); // over the limit (plus the ellipsis)
    for (qsizetype i = 0; i < shown.size(); ++i) {
        const QChar c = shown.at(i);
        if (c.isHighSurrogate() && (i + 1 >= shown.size() || !shown.at(i + 1).isLowSurrogate()))
            std::abort(); // a pair cut in half, or an unpaired surrogate passed through
        if (c.isLowSurrogate() && (i == 0 || !shown.at(i - 1).isHighSurrogate()))
            std::abort();
    }
    // Nothing a reader cannot see is left (the escapes' own brackets are visible), except the
    // line feeds and tabs Multiple keeps.
    for (const QChar c : shown) {
        if ((c == QLatin1Char('\n') || c == QLatin1Char('\t')) && lines == TextLines::Multiple)
            continue;
        switch (c.category()) {
        case QChar::Other_Control:
        case QChar::Other_Format:
        case QChar::Separator_Line:
        case QChar::Separator_Paragraph:
            std::abort();
        case QChar::Separator_Space:
            if (c != QLatin1Char(' '))
                std::abort();
            break;
        default:
            break;
        }
    }
    (void)plainToolTip(QStringLiteral("Value"), text, maxChars > 0 ? maxChars : 1000);
    return 0;
}
