// The deliberate-approval dialog.
#include "ui/ConfirmApprovalDialog.h"

#include "core/text/DisplayText.h"
#include "models/ActionSummary.h"
#include "models/SemanticColors.h"
#include "net/ReviewerKey.h"
#include "ui/Band.h"
#include "ui/KeyWidgets.h"

#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

QLabel *wrapped(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    return label;
}

QString factPrompt(const KeyFact &fact)
{
    switch (fact.kind) {
    case KeyFact::Kind::Amount:
        return QStringLiteral("Type the amount of this payment, exactly as the parameter \"%1\" shows it in the "
                              "action (digits as written there, no thousands separators):")
            .arg(fact.parameter);
    case KeyFact::Kind::Recipient:
        return QStringLiteral("Type the recipient, exactly as the parameter \"%1\" shows it in the action:")
            .arg(fact.parameter);
    case KeyFact::Kind::RecordCount:
        return QStringLiteral("Type the number of records, exactly as the parameter \"%1\" shows it in the action:")
            .arg(fact.parameter);
    }
    return {};
}

} // namespace

ConfirmApprovalDialog::ConfirmApprovalDialog(const Action &action, const QString &summary, const QString &why,
    std::optional<KeyFact> fact, ReviewerKey *key, QWidget *parent)
    : QDialog(parent), m_actionId(action.id), m_fact(std::move(fact)), m_key(key)
{
    setObjectName(QStringLiteral("confirmApprovalDialog"));
    setWindowTitle(QStringLiteral("Approve deliberately"));
    setModal(true);

    auto *band = new Band(tierSemantic(action.impact.tier), this);
    QLabel *headline = wrapped(summary, band);
    headline->setObjectName(QStringLiteral("confirmHeadlineLabel"));
    QFont headlineFont = headline->font();
    headlineFont.setPointSizeF(headlineFont.pointSizeF() * 1.25);
    headlineFont.setWeight(QFont::DemiBold);
    headline->setFont(headlineFont);
    QLabel *whyLabel = wrapped(QStringLiteral("Tier %1 · %2 · %3 · %4")
                                   .arg(action.impact.tier)
                                   .arg(tierTitle(action.impact.tier), actionToolName(action),
                                       displayText(action.id, 64)),
        band);
    whyLabel->setForegroundRole(QPalette::PlaceholderText);
    auto *bandLayout = new QVBoxLayout(band);
    bandLayout->setContentsMargins(16, 10, 12, 10);
    bandLayout->setSpacing(4);
    bandLayout->addWidget(headline);
    bandLayout->addWidget(whyLabel);

    QLabel *explanation = wrapped(why
            + QStringLiteral(" Read the action again, then confirm what you are approving and that it is you."),
        this);
    explanation->setObjectName(QStringLiteral("confirmWhyLabel"));

    auto *form = new QVBoxLayout;
    form->setSpacing(6);
    m_factEdit = new QLineEdit(this);
    m_factEdit->setObjectName(QStringLiteral("keyFactLineEdit"));
    m_factEdit->setContextMenuPolicy(Qt::NoContextMenu); // typed, not pasted from the parameters
    m_factEdit->setDragEnabled(false);
    if (m_fact) {
        QLabel *prompt = wrapped(factPrompt(*m_fact), this);
        prompt->setObjectName(QStringLiteral("keyFactPromptLabel"));
        prompt->setBuddy(m_factEdit);
        m_factEdit->setAccessibleName(QStringLiteral("Retype ") + m_fact->noun());
        form->addWidget(prompt);
        form->addWidget(m_factEdit);
        form->addSpacing(6);
        connect(m_factEdit, &QLineEdit::textChanged, this, &ConfirmApprovalDialog::updateWidgets);
        // Enter moves on to the passphrase; it never approves.
        connect(m_factEdit, &QLineEdit::returnPressed, this, [this] { m_passphraseEdit->setFocus(); });
    } else {
        m_factEdit->hide();
    }
    QLabel *passPrompt = wrapped(
        QStringLiteral("Your key passphrase (%1), to sign this approval:").arg(key ? key->reviewerId() : QString()),
        this);
    m_passphraseEdit =
        newPassphraseEdit(this, QStringLiteral("approvalPassphraseLineEdit"), QStringLiteral("Key passphrase"));
    passPrompt->setBuddy(m_passphraseEdit);
    connect(m_passphraseEdit, &QLineEdit::textChanged, this, &ConfirmApprovalDialog::updateWidgets);
    form->addWidget(passPrompt);
    form->addWidget(m_passphraseEdit);

    m_errorLabel = newErrorLabel(this, QStringLiteral("confirmErrorLabel"));

    QLabel *effect = wrapped(
        QStringLiteral("Approve signs your approval with your key and sends it to the gateway. "
                       "Ctrl+Enter approves; Esc cancels and nothing is signed."),
        this);
    effect->setObjectName(QStringLiteral("confirmEffectLabel"));
    effect->setForegroundRole(QPalette::PlaceholderText);

    m_cancelButton = new QPushButton(QStringLiteral("Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_approveButton = new QPushButton(QStringLiteral("&Approve and sign"), this);
    m_approveButton->setObjectName(QStringLiteral("confirmApproveButton"));
    m_approveButton->setAccessibleName(QStringLiteral("Approve and sign"));
    m_approveButton->setToolTip(QStringLiteral("Approve and sign (Ctrl+Enter)"));
    // No default button at all: Enter in a field must never approve (nor cancel the work done).
    for (QPushButton *button : {m_cancelButton, m_approveButton}) {
        button->setAutoDefault(false);
        button->setDefault(false);
    }
    connect(m_cancelButton, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_approveButton, &QPushButton::clicked, this, &ConfirmApprovalDialog::tryApprove);
    for (const QKeySequence &keys :
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        auto *shortcut = new QShortcut(keys, this);
        connect(shortcut, &QShortcut::activated, this, &ConfirmApprovalDialog::tryApprove);
    }
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(m_approveButton);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(22, 20, 22, 16);
    layout->setSpacing(12);
    layout->addWidget(band);
    layout->addWidget(explanation);
    layout->addLayout(form);
    layout->addWidget(m_errorLabel);
    layout->addWidget(effect);
    layout->addSpacing(6);
    layout->addLayout(buttons);

    (m_fact ? m_factEdit : m_passphraseEdit)->setFocus(Qt::OtherFocusReason);
    updateWidgets();
    fitDialogToWidth(this, 620);
}

ConfirmApprovalDialog::~ConfirmApprovalDialog() = default;

QString ConfirmApprovalDialog::errorText() const
{
    return m_errorLabel->text();
}

void ConfirmApprovalDialog::updateWidgets()
{
    const bool factTyped = !m_fact || !m_factEdit->text().trimmed().isEmpty();
    m_approveButton->setEnabled(factTyped && !m_passphraseEdit->text().isEmpty() && m_key);
}

bool ConfirmApprovalDialog::tryApprove()
{
    ReviewerKey *key = m_key.data();
    if (!key || !m_approveButton->isEnabled())
        return false;
    if (m_fact && !keyFactMatches(*m_fact, m_factEdit->text())) {
        // Never says what the value is: the point is that it is read from the action.
        showError(m_errorLabel, QStringLiteral("That is not %1 of this action. Read it again in the action's "
                                               "parameters and type it exactly. Nothing was approved.")
                                    .arg(m_fact->noun()));
        m_factEdit->selectAll();
        m_factEdit->setFocus(Qt::OtherFocusReason);
        return false;
    }
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const Status checked = key->checkPassphrase(passphraseOf(m_passphraseEdit));
    QGuiApplication::restoreOverrideCursor();
    if (!checked) {
        showError(m_errorLabel,
            checked.error().code == QLatin1String("key.wrong_passphrase")
                ? QStringLiteral("That passphrase does not unlock your key. Nothing was approved.")
                : QStringLiteral("Your key could not be checked: %1 (%2). Nothing was approved.")
                      .arg(checked.error().message, checked.error().code));
        m_passphraseEdit->selectAll();
        m_passphraseEdit->setFocus(Qt::OtherFocusReason);
        return false;
    }
    wipePassphrase(m_passphraseEdit);
    hideError(m_errorLabel);
    accept();
    return true;
}

} // namespace countersign::ui
