// Turns untrusted text (anything an agent, a Judge or a gateway message carries) into text that
// is safe to put on screen as plain text: invisible and direction-changing characters become
// visible escapes, and very long values are elided.
#pragma once

#include <QString>

namespace countersign {

enum class TextLines {
    Single, // a line feed is shown as "⏎", like every other break
    Multiple, // line feeds are kept (for rationale, reasons, the full-value viewer)
};

// Replaces every character a reader could not see or that changes how its neighbours are
// drawn with a visible escape "⟨U+202E⟩": C0/C1 controls, bidi embeddings, overrides and
// isolates (U+202A–202E, U+2066–2069, U+200E/F, U+061C), zero-width characters (U+200B–200D,
// U+2060, U+FEFF), every other format character (Unicode category Cf, e.g. tag characters),
// line and paragraph separators, spaces other than U+0020, unpaired surrogates, and the
// escape's own "⟨" so a literal "⟨U+202E⟩" in the input cannot pass for one of ours.
// Stops before maxChars characters of output and appends "…" (maxChars <= 0: no limit); an
// escape or a surrogate pair is never cut in half.
[[nodiscard]] QString displayText(const QString &text, int maxChars, TextLines lines = TextLines::Single);

// True when displayText() would change something other than by eliding.
[[nodiscard]] bool hasHiddenCharacters(const QString &text);

// A tooltip that Qt shows as plain text. QToolTip renders rich text when the first line looks
// like HTML (Qt::mightBeRichText), so a fixed first line of our own (title: no '<', no '&')
// goes first and the untrusted text, passed through displayText(), follows it; long lines are
// wrapped because plain-text tooltips do not wrap by themselves.
[[nodiscard]] QString plainToolTip(const QString &title, const QString &untrusted, int maxChars = 1000);

} // namespace countersign
