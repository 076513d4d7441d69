// Semantic colours for light and dark palettes.
#include "models/SemanticColors.h"

#include <QtGlobal>

namespace countersign {

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QColor semanticColor(Semantic semantic, const QPalette &palette)
{
    const bool dark = isDarkPalette(palette);
    switch (semantic) {
    case Semantic::Neutral:
        return dark ? QColor(0x9a, 0xa7, 0xb8) : QColor(0x5f, 0x6b, 0x7a);
    case Semantic::Info:
        return dark ? QColor(0x6f, 0xa8, 0xea) : QColor(0x2f, 0x6d, 0xb5);
    case Semantic::Positive:
        return dark ? QColor(0x6c, 0xc0, 0x70) : QColor(0x2e, 0x7d, 0x32);
    case Semantic::Warning:
        return dark ? QColor(0xf0, 0xa4, 0x3a) : QColor(0xa8, 0x5c, 0x00);
    case Semantic::Danger:
        return dark ? QColor(0xff, 0x6b, 0x5e) : QColor(0xc0, 0x39, 0x2b);
    }
    return palette.color(QPalette::Text);
}

QColor semanticTint(Semantic semantic, const QPalette &palette)
{
    const QColor base = palette.color(QPalette::Base);
    const QColor tint = semanticColor(semantic, palette);
    const double share = isDarkPalette(palette) ? 0.18 : 0.10;
    auto mix = [share](int a, int b) { return qRound(a * (1.0 - share) + b * share); };
    return QColor(mix(base.red(), tint.red()), mix(base.green(), tint.green()), mix(base.blue(), tint.blue()));
}

Semantic tierSemantic(int tier)
{
    switch (tier) {
    case 1:
        return Semantic::Neutral;
    case 2:
        return Semantic::Info;
    case 3:
        return Semantic::Warning;
    default:
        return Semantic::Danger;
    }
}

QColor countdownColor(double fractionLeft, const QPalette &palette)
{
    const double f = qBound(0.0, fractionLeft, 1.0);
    const QColor calm = semanticColor(Semantic::Positive, palette);
    const QColor soon = semanticColor(Semantic::Warning, palette);
    const QColor now = semanticColor(Semantic::Danger, palette);
    auto blend = [](const QColor &a, const QColor &b, double t) {
        return QColor(qRound(a.red() + (b.red() - a.red()) * t), qRound(a.green() + (b.green() - a.green()) * t),
            qRound(a.blue() + (b.blue() - a.blue()) * t));
    };
    // Calm above half the window, amber by a quarter, red in the last tenth.
    if (f >= 0.5)
        return calm;
    if (f >= 0.25)
        return blend(soon, calm, (f - 0.25) / 0.25);
    if (f >= 0.1)
        return blend(now, soon, (f - 0.1) / 0.15);
    return now;
}

} // namespace countersign
