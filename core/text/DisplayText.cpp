// Visible escapes for invisible and direction-changing characters in untrusted text.
#include "core/text/DisplayText.h"

#include <QChar>

namespace countersign {

namespace {

constexpr char16_t kEllipsis = u'…';
constexpr char32_t kEscapeOpen = U'⟨';

bool mustEscape(char32_t ucs, TextLines lines)
{
    if (ucs == U'\n')
        return false; // handled by the caller
    if (ucs == U'\t')
        return lines == TextLines::Single;
    if (ucs < 0x20 || (ucs >= 0x7F && ucs <= 0x9F))
        return true;
    if (ucs == kEscapeOpen)
        return true;
    switch (QChar::category(ucs)) {
    case QChar::Other_Control:
    case QChar::Other_Format: // bidi controls, zero-width characters, tags, BOM
    case QChar::Other_Surrogate: // unpaired
    case QChar::Other_PrivateUse: // draws as whatever a font decides
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return true;
    case QChar::Separator_Space:
        return ucs != U' ';
    default:
        return false;
    }
}

QString escapeFor(char32_t ucs)
{
    return QStringLiteral("⟨U+%1⟩").arg(QString::number(static_cast<uint>(ucs), 16).toUpper(), 4, QLatin1Char('0'));
}

// Calls sink(piece) for each visible piece of text: a whole code point or its escape.
template<typename Sink> bool forEachPiece(const QString &text, TextLines lines, Sink &&sink)
{
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const QChar unit = text.at(i);
        char32_t ucs = unit.unicode();
        qsizetype width = 1;
        if (unit.isHighSurrogate() && i + 1 < size && text.at(i + 1).isLowSurrogate()) {
            ucs = QChar::surrogateToUcs4(unit, text.at(i + 1));
            width = 2;
        }
        QString piece;
        if (ucs == U'\n')
            piece = lines == TextLines::Multiple ? QStringLiteral("\n") : QStringLiteral("⏎");
        else if (mustEscape(ucs, lines))
            piece = escapeFor(ucs);
        else
            piece = text.mid(i, width);
        if (!sink(piece))
            return false;
        i += width - 1;
    }
    return true;
}

} // namespace

QString displayText(const QString &text, int maxChars, TextLines lines)
{
    const bool bounded = maxChars > 0;
    QString out;
    out.reserve(bounded ? qMin<qsizetype>(text.size(), maxChars) + 8 : text.size());
    qsizetype cut = -1; // where "…" goes if the whole does not fit
    forEachPiece(text, lines, [&](const QString &piece) {
        if (bounded && cut < 0 && out.size() + piece.size() > maxChars - 1)
            cut = out.size();
        out += piece;
        return !bounded || out.size() <= maxChars;
    });
    if (!bounded || out.size() <= maxChars)
        return out;
    out.truncate(cut);
    out += kEllipsis;
    return out;
}

bool hasHiddenCharacters(const QString &text)
{
    bool hidden = false;
    forEachPiece(text, TextLines::Multiple, [&](const QString &piece) {
        if (piece.size() > 1 && piece.startsWith(QChar(kEscapeOpen))) {
            hidden = true;
            return false;
        }
        return true;
    });
    return hidden;
}

QString plainToolTip(const QString &title, const QString &untrusted, int maxChars)
{
    Q_ASSERT(!title.isEmpty() && !title.contains(QLatin1Char('<')) && !title.contains(QLatin1Char('&')));
    constexpr qsizetype kLineChars = 96;
    const QString body = displayText(untrusted, maxChars, TextLines::Multiple);
    QString wrapped;
    wrapped.reserve(body.size() + body.size() / kLineChars + 1);
    qsizetype column = 0;
    for (const QChar c : body) {
        if (c == QLatin1Char('\n')) {
            column = 0;
        } else if (column >= kLineChars && !c.isLowSurrogate()) {
            wrapped += QLatin1Char('\n');
            column = 0;
        }
        wrapped += c;
        if (c != QLatin1Char('\n'))
            ++column;
    }
    QString safeTitle = title;
    safeTitle.remove(QLatin1Char('<')).remove(QLatin1Char('&')).replace(QLatin1Char('\n'), QLatin1Char(' '));
    if (wrapped.isEmpty())
        return safeTitle;
    return safeTitle + QLatin1Char('\n') + wrapped;
}

} // namespace countersign
