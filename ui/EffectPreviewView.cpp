// Lays out an effect preview in plain-text labels.
#include "ui/EffectPreviewView.h"
#include "ui/PlainWidgets.h"

#include "ui/Band.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

constexpr int kCardMargin = 14;

// The detail body has a Base background, so its labels draw in Text (the role that contrasts
// with Base) rather than WindowText: both are set.
void tint(QLabel *label, Semantic semantic)
{
    QPalette palette = label->palette();
    const QColor color = semanticColor(semantic, label->palette());
    palette.setColor(QPalette::WindowText, color);
    palette.setColor(QPalette::Text, color);
    label->setPalette(palette);
}

QFont fixedFont(const QFont &base)
{
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSizeF(base.pointSizeF() * 0.95);
    return font;
}

const QString &hiddenTip()
{
    static const QString tip = QStringLiteral(
        "Contains invisible or direction-changing characters, shown as ⟨U+…⟩: the text may not be what it seems.");
    return tip;
}

} // namespace

EffectPreviewView::EffectPreviewView(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("effectPreview"));
    setAccessibleName(QStringLiteral("What will happen"));
    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(6);
}

QLabel *EffectPreviewView::label(QWidget *parent, const QString &objectName)
{
    // Everything here came from an agent or is about what it sent: never markup.
    return plainLabel(parent, objectName);
}

void EffectPreviewView::setPreview(const EffectPreview &model)
{
    m_preview = model;
    rebuild();
}

QWidget *EffectPreviewView::valueWidget(QWidget *parent, const QString &title, const PreviewText &value, bool monospace)
{
    QLabel *text = label(parent, QStringLiteral("previewValue"));
    text->setText(value.shown);
    text->setAccessibleName(title);
    text->setWordWrap(true);
    if (monospace)
        text->setFont(fixedFont(font()));
    if (value.hidden) {
        tint(text, Semantic::Warning);
        text->setToolTip(hiddenTip());
    }
    if (!value.elided())
        return text;

    auto *row = new QWidget(parent);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    text->setParent(row);
    auto *whole = new QPushButton(QStringLiteral("Show all"), row);
    whole->setObjectName(QStringLiteral("previewShowWholeButton"));
    whole->setAccessibleName(QStringLiteral("Show all of %1").arg(title));
    const QString wholeText = value.whole;
    connect(whole, &QPushButton::clicked, this, [this, title, wholeText] { showWhole(title, wholeText); });
    layout->addWidget(text, 1);
    layout->addWidget(whole, 0, Qt::AlignTop);
    return row;
}

void EffectPreviewView::rebuild()
{
    clearLayout(m_layout);
    const EffectPreview &model = m_preview;
    if (model.isEmpty()) {
        if (!model.unavailable.isEmpty()) {
            QLabel *why = label(this, QStringLiteral("previewUnavailable"));
            why->setWordWrap(true);
            why->setForegroundRole(QPalette::PlaceholderText);
            why->setText(QStringLiteral("No preview: %1. The parameters below are exactly what was sent.")
                             .arg(model.unavailable));
            m_layout->addWidget(why);
        }
        setVisible(!model.unavailable.isEmpty());
        return;
    }
    setVisible(true);

    auto *card = new Band(Semantic::Neutral, this);
    card->setObjectName(QStringLiteral("previewCard"));
    card->setAccessibleName(model.title);
    auto *cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(kCardMargin + 4, 12, kCardMargin, 12);
    cardLayout->setSpacing(8);
    switch (model.kind) {
    case EffectPreview::Kind::Email:
        addEmail(cardLayout);
        break;
    case EffectPreview::Kind::Payment:
        addPayment(cardLayout);
        addFields(cardLayout);
        break;
    case EffectPreview::Kind::Deletion:
        addFields(cardLayout);
        break;
    case EffectPreview::Kind::PermissionChange:
        addFields(cardLayout);
        addDiff(cardLayout);
        break;
    case EffectPreview::Kind::None:
        break;
    }
    m_layout->addWidget(card);

    for (const PreviewNote &note : model.notes) {
        auto *band = new Band(note.semantic, this);
        band->setObjectName(QStringLiteral("previewNote"));
        QLabel *text = label(band, QStringLiteral("previewNoteText"));
        text->setWordWrap(true);
        text->setText(note.text);
        auto *bandLayout = new QHBoxLayout(band);
        bandLayout->setContentsMargins(14, 6, 10, 6);
        bandLayout->addWidget(text);
        m_layout->addWidget(band);
    }
    if (!model.otherParameters.isEmpty()) {
        QLabel *others = label(this, QStringLiteral("previewOtherParameters"));
        others->setWordWrap(true);
        others->setForegroundRole(QPalette::PlaceholderText);
        others->setText(QStringLiteral("Also sent, not shown in this preview: %1. See the raw parameters.")
                            .arg(model.otherParameters.join(QStringLiteral(", "))));
        m_layout->addWidget(others);
    }
}

void EffectPreviewView::addEmail(QVBoxLayout *card)
{
    QWidget *parent = card->parentWidget();
    const EffectPreview &model = m_preview;
    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(14);
    grid->setVerticalSpacing(6);
    int row = 0;
    const auto addRow = [&](const QString &name, QWidget *value) {
        QLabel *key = label(parent);
        key->setText(name);
        key->setForegroundRole(QPalette::PlaceholderText);
        grid->addWidget(key, row, 0, Qt::AlignTop | Qt::AlignLeft);
        grid->addWidget(value, row, 1);
        ++row;
    };

    if (model.from.isEmpty()) {
        QLabel *none = label(parent, QStringLiteral("previewFrom"));
        none->setForegroundRole(QPalette::PlaceholderText);
        none->setText(QStringLiteral("not given (the user's domain: %1)")
                          .arg(model.homeDomain.isEmpty() ? QStringLiteral("unknown") : model.homeDomain));
        addRow(QStringLiteral("From"), none);
    } else {
        addRow(QStringLiteral("From"), valueWidget(parent, QStringLiteral("From"), model.from));
    }

    for (const QString &field : {QStringLiteral("To"), QStringLiteral("Cc"), QStringLiteral("Bcc")}) {
        auto *list = new QWidget(parent);
        auto *listLayout = new QVBoxLayout(list);
        listLayout->setContentsMargins(0, 0, 0, 0);
        listLayout->setSpacing(2);
        for (const PreviewRecipient &recipient : model.recipients) {
            if (recipient.field != field)
                continue;
            QLabel *address = label(list, QStringLiteral("previewRecipient"));
            address->setWordWrap(true);
            QString text = recipient.address.shown;
            // Said in words as well as in colour.
            if (recipient.external)
                text += model.homeDomain.isEmpty() ? QStringLiteral("   · external")
                                                     : QStringLiteral("   · outside %1").arg(model.homeDomain);
            address->setText(text);
            address->setAccessibleName(QStringLiteral("%1 recipient").arg(field));
            if (!recipient.lookalike.isEmpty() || recipient.address.hidden) {
                tint(address, Semantic::Danger);
            } else if (recipient.external) {
                tint(address, Semantic::Warning);
                QFont bold = address->font();
                bold.setWeight(QFont::DemiBold);
                address->setFont(bold);
            }
            if (recipient.address.hidden)
                address->setToolTip(hiddenTip());
            listLayout->addWidget(address);
            if (!recipient.lookalike.isEmpty()) {
                QLabel *warning = label(list, QStringLiteral("previewLookalike"));
                warning->setWordWrap(true);
                warning->setText(recipient.lookalike);
                tint(warning, Semantic::Danger);
                listLayout->addWidget(warning);
            }
        }
        if (listLayout->count() == 0) {
            delete list;
            continue;
        }
        addRow(field, list);
    }

    if (model.subject.isEmpty()) {
        QLabel *none = label(parent, QStringLiteral("previewSubject"));
        none->setForegroundRole(QPalette::PlaceholderText);
        none->setText(QStringLiteral("(no subject)"));
        addRow(QStringLiteral("Subject"), none);
    } else {
        QWidget *subject = valueWidget(parent, QStringLiteral("Subject"), model.subject);
        auto *subjectLabel = qobject_cast<QLabel *>(subject) ? qobject_cast<QLabel *>(subject)
                                                             : subject->findChild<QLabel *>();
        subjectLabel->setObjectName(QStringLiteral("previewSubject"));
        QFont bold = subjectLabel->font();
        bold.setWeight(QFont::DemiBold);
        subjectLabel->setFont(bold);
        addRow(QStringLiteral("Subject"), subject);
    }
    if (!model.attachments.isEmpty()) {
        auto *list = new QWidget(parent);
        auto *listLayout = new QVBoxLayout(list);
        listLayout->setContentsMargins(0, 0, 0, 0);
        listLayout->setSpacing(2);
        for (const PreviewText &attachment : model.attachments) {
            QLabel *name = label(list, QStringLiteral("previewAttachment"));
            name->setText(attachment.shown);
            name->setAccessibleName(QStringLiteral("Attachment"));
            if (attachment.hidden) {
                tint(name, Semantic::Warning);
                name->setToolTip(hiddenTip());
            }
            listLayout->addWidget(name);
        }
        addRow(model.attachments.size() == 1 ? QStringLiteral("Attachment") : QStringLiteral("Attachments"), list);
    }
    grid->setColumnStretch(1, 1);
    card->addLayout(grid);

    auto *rule = new QFrame(parent);
    rule->setFrameShape(QFrame::HLine);
    rule->setFrameShadow(QFrame::Plain);
    rule->setForegroundRole(QPalette::Mid);
    rule->setFixedHeight(1);
    card->addWidget(rule);

    QLabel *body = label(parent, QStringLiteral("previewBody"));
    body->setWordWrap(true);
    body->setAccessibleName(QStringLiteral("Message body"));
    if (model.body.isEmpty()) {
        body->setForegroundRole(QPalette::PlaceholderText);
        body->setText(QStringLiteral("(no body)"));
    } else {
        body->setText(model.body.shown);
        if (model.body.hidden) {
            tint(body, Semantic::Warning);
            body->setToolTip(hiddenTip());
        }
    }
    card->addWidget(body);
    if (model.body.elided()) {
        auto *whole = new QPushButton(QStringLiteral("Show the whole message"), parent);
        whole->setObjectName(QStringLiteral("previewShowWholeButton"));
        whole->setAccessibleName(QStringLiteral("Show the whole message"));
        const QString text = model.body.whole;
        connect(whole, &QPushButton::clicked, this, [this, text] { showWhole(QStringLiteral("Message body"), text); });
        auto *wholeRow = new QHBoxLayout;
        wholeRow->addWidget(whole);
        wholeRow->addStretch(1);
        card->addLayout(wholeRow);
    }
}

void EffectPreviewView::addPayment(QVBoxLayout *card)
{
    QLabel *amount = label(card->parentWidget(), QStringLiteral("previewAmount"));
    amount->setAccessibleName(QStringLiteral("Amount"));
    QString text = m_preview.amount;
    if (!m_preview.currency.isEmpty())
        text += QLatin1Char(' ') + m_preview.currency.shown;
    amount->setText(text);
    QFont big = amount->font();
    big.setPointSizeF(big.pointSizeF() * 1.9);
    big.setWeight(QFont::DemiBold);
    amount->setFont(big);
    if (m_preview.currency.hidden)
        tint(amount, Semantic::Warning);
    card->addWidget(amount);
}

void EffectPreviewView::addFields(QVBoxLayout *card)
{
    QWidget *parent = card->parentWidget();
    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(14);
    grid->setVerticalSpacing(6);
    int row = 0;
    for (const PreviewField &field : std::as_const(m_preview.fields)) {
        QLabel *key = label(parent);
        key->setText(field.label);
        key->setForegroundRole(QPalette::PlaceholderText);
        const bool fixed = field.label == QLatin1String("IBAN") || field.label == QLatin1String("Account")
            || field.label == QLatin1String("Which");
        grid->addWidget(key, row, 0, Qt::AlignTop | Qt::AlignLeft);
        grid->addWidget(valueWidget(parent, field.label, field.value, fixed), row, 1);
        ++row;
    }
    grid->setColumnStretch(1, 1);
    card->addLayout(grid);
}

void EffectPreviewView::addDiff(QVBoxLayout *card)
{
    QWidget *parent = card->parentWidget();
    QLabel *title = label(parent);
    title->setText(QStringLiteral("Permissions, before → after"));
    title->setForegroundRole(QPalette::PlaceholderText);
    card->addWidget(title);
    for (const PreviewDiffLine &line : std::as_const(m_preview.diff)) {
        QLabel *text = label(parent, QStringLiteral("previewDiffLine"));
        text->setText(line.text());
        text->setFont(fixedFont(font()));
        switch (line.change) {
        case PreviewDiffLine::Change::Added:
            tint(text, Semantic::Positive);
            text->setAccessibleName(QStringLiteral("Added permission"));
            break;
        case PreviewDiffLine::Change::Removed:
            tint(text, Semantic::Danger);
            text->setAccessibleName(QStringLiteral("Removed permission"));
            break;
        case PreviewDiffLine::Change::Unchanged:
            text->setAccessibleName(QStringLiteral("Unchanged permission"));
            break;
        }
        if (line.permission.hidden) {
            tint(text, Semantic::Warning);
            text->setToolTip(hiddenTip());
        }
        card->addWidget(text);
    }
}

void EffectPreviewView::showWhole(const QString &title, const QString &text)
{
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("previewWholeDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    QLabel *caption = label(dialog);
    caption->setWordWrap(true);
    caption->setText(QStringLiteral("%1 — %2 characters. Invisible and direction-changing characters are shown as ⟨U+XXXX⟩.")
                         .arg(title, QLocale().toString(text.size())));
    auto *viewer = new QPlainTextEdit(dialog);
    viewer->setObjectName(QStringLiteral("previewWholeText"));
    viewer->setReadOnly(true);
    viewer->setAccessibleName(QStringLiteral("Whole value"));
    // Already through displayText() by the model; QPlainTextEdit never reads markup.
    viewer->setPlainText(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(caption);
    layout->addWidget(viewer, 1);
    layout->addWidget(buttons);
    dialog->resize(640, 420);
    dialog->open();
}

} // namespace countersign::ui
