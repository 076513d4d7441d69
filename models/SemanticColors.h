// Colours that carry meaning (tier, warning, danger, success) chosen for the current palette,
// so they read on a light and on a dark background alike. Everything else follows the palette.
#pragma once

#include <QColor>
#include <QPalette>

namespace countersign {

enum class Semantic { Neutral, Info, Positive, Warning, Danger };

[[nodiscard]] bool isDarkPalette(const QPalette &palette);
// A foreground-strength colour: text, icons, bars, borders.
[[nodiscard]] QColor semanticColor(Semantic semantic, const QPalette &palette);
// A quiet background tint of the same colour over the palette's base, for bands and badges.
[[nodiscard]] QColor semanticTint(Semantic semantic, const QPalette &palette);
[[nodiscard]] Semantic tierSemantic(int tier);
// The countdown colour for the share of the decision window still left (1 = all, 0 = none).
[[nodiscard]] QColor countdownColor(double fractionLeft, const QPalette &palette);

} // namespace countersign
