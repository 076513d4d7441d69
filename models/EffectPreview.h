// What an action will do, for the common kinds, as a reader would picture it: the email as it
// would be sent, the payment, the deletion, the permission change as a before/after diff. The
// detail pane shows it above the raw parameters. Built from the parameters after the console's
// own redaction pass, with every piece of text from the action already through displayText(),
// so a view can put each string straight into a plain-text label. A shape the builder does not
// recognise gives no preview (Kind::None) rather than a guess: the raw parameters stay the truth.
#pragma once

#include "core/action/Action.h"
#include "models/SemanticColors.h"

#include <QList>
#include <QLocale>
#include <QString>
#include <QStringList>

namespace countersign {

// A piece of text from the action, made safe for a plain-text label.
struct PreviewText
{
    QString shown;   // displayText(), elided if long
    QString whole;   // the whole text through displayText(); empty unless shown was elided
    bool hidden = false; // it carried invisible or direction-changing characters (now escapes)

    [[nodiscard]] bool elided() const { return !whole.isEmpty(); }
    [[nodiscard]] bool isEmpty() const { return shown.isEmpty(); }
};

// "Beneficiary: Nordwind Logistics GmbH". The label is ours; the value came from the action.
struct PreviewField
{
    QString label;
    PreviewText value;
};

struct PreviewRecipient
{
    QString field;        // "To", "Cc" or "Bcc"
    PreviewText address;
    bool external = false; // outside the sender's own domain (or its domain is unknown)
    QString lookalike;     // a look-alike or mixed-script warning (core/text/Spoofing), or empty
};

struct PreviewDiffLine
{
    enum class Change { Added, Removed, Unchanged };
    Change change = Change::Unchanged;
    PreviewText permission;

    // "+ db.delete", "− code.execute", "  iam.read": the sign says it, not only the colour.
    [[nodiscard]] QString text() const;
};

// A sentence the console states about the effect ("Irreversible: …", "New beneficiary: …").
struct PreviewNote
{
    Semantic semantic = Semantic::Neutral;
    QString text; // ours, with any action text in it already made safe
};

struct EffectPreview
{
    enum class Kind { None, Email, Payment, Deletion, PermissionChange };
    Kind kind = Kind::None;
    QString title; // "Email, as it would be sent"

    // Email.
    PreviewText from;
    QString homeDomain; // displayText() of the sender's domain, empty when unknown
    QList<PreviewRecipient> recipients;
    PreviewText subject;
    PreviewText body; // several lines; shown is elided by lines and characters
    QList<PreviewText> attachments;

    // Payment: the amount exactly as sent, grouped for the locale, and its currency.
    QString amount;
    PreviewText currency;

    // Payment, deletion, permission change: labelled facts in reading order.
    QList<PreviewField> fields;

    // Permission change.
    QList<PreviewDiffLine> diff;

    QList<PreviewNote> notes;
    // Parameters this preview does not show ("note", "headers"): the reader is told to look at
    // the raw parameters for them. Names through displayText().
    QStringList otherParameters;
    // Why a tool the builder knows gave no preview ("subject is not text"), else empty.
    QString unavailable;

    [[nodiscard]] bool isEmpty() const { return kind == Kind::None; }
    [[nodiscard]] qsizetype externalRecipients() const;
    // Every string a reader can see in the preview, for tests and for copy.
    [[nodiscard]] QStringList texts() const;
};

// Limits of what the preview shows before "show it whole".
inline constexpr int kPreviewBodyLines = 12;
inline constexpr int kPreviewBodyChars = 900;
inline constexpr int kPreviewValueChars = 160;

[[nodiscard]] EffectPreview effectPreview(const Action &action, const QLocale &locale = QLocale());

} // namespace countersign
