// The unlock dialog.
#include "ui/UnlockDialog.h"

#include "net/ReviewerKey.h"
#include "ui/KeyWidgets.h"

#include <QDir>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

QString unlockAdvice(const Error &error, const QString &keyPath)
{
    const QString &code = error.code;
    if (code == QLatin1String("key.wrong_passphrase"))
        return QStringLiteral("That passphrase does not unlock this key. Check Caps Lock and the keyboard layout, "
                              "then try again.");
    if (code == QLatin1String("key.empty_passphrase"))
        return QStringLiteral("Type your passphrase first.");
    if (code == QLatin1String("key.permissions"))
        return error.message;
    if (code == QLatin1String("key.mismatch"))
        return QStringLiteral("The key file %1 holds a different key than the one enrolled for you: it was replaced. "
                              "Do not use it; tell your security team.")
            .arg(QDir::toNativeSeparators(keyPath));
    return QStringLiteral("The key could not be unlocked: %1 (%2).").arg(error.message, code);
}

} // namespace

UnlockDialog::UnlockDialog(ReviewerKey *key, Purpose purpose, const QString &reason, QWidget *parent)
    : QDialog(parent), m_key(key)
{
    setObjectName(QStringLiteral("unlockDialog"));
    setWindowTitle(QStringLiteral("Unlock your reviewer key"));
    setModal(true);

    auto *title = new QLabel(QStringLiteral("Unlock your reviewer key"), this);
    title->setTextFormat(Qt::PlainText);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setWeight(QFont::DemiBold);
    title->setFont(titleFont);

    auto *why = new QLabel(this);
    why->setObjectName(QStringLiteral("unlockReasonLabel"));
    why->setTextFormat(Qt::PlainText);
    why->setWordWrap(true);
    why->setText((reason.isEmpty() ? QString() : reason + QStringLiteral(". "))
        + QStringLiteral("Your decisions are signed with this key, so Countersign needs it unlocked to sign you in "
                         "and to send approvals and denials."));

    auto *reviewer = new QLabel(key->reviewerId(), this);
    reviewer->setObjectName(QStringLiteral("unlockReviewerLabel"));
    reviewer->setTextFormat(Qt::PlainText);
    reviewer->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QLabel *fingerprint = newFingerprintLabel(this, QStringLiteral("unlockFingerprintLabel"));
    fingerprint->setText(key->fingerprint());
    auto *path = new QLabel(QDir::toNativeSeparators(key->keyPath()), this);
    path->setTextFormat(Qt::PlainText);
    path->setTextInteractionFlags(Qt::TextSelectableByMouse);
    path->setForegroundRole(QPalette::PlaceholderText);
    path->setWordWrap(true);

    m_passphraseEdit = newPassphraseEdit(this, QStringLiteral("unlockPassphraseLineEdit"), QStringLiteral("Passphrase"));
    connect(m_passphraseEdit, &QLineEdit::textChanged, this, &UnlockDialog::updateWidgets);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setVerticalSpacing(8);
    form->addRow(newFormLabel(QStringLiteral("Reviewer:"), reviewer, this), reviewer);
    form->addRow(newFormLabel(QStringLiteral("Fingerprint:"), fingerprint, this), fingerprint);
    form->addRow(newFormLabel(QStringLiteral("Key file:"), path, this), path);
    form->addRow(newFormLabel(QStringLiteral("&Passphrase:"), m_passphraseEdit, this), m_passphraseEdit);

    m_errorLabel = newErrorLabel(this, QStringLiteral("unlockErrorLabel"));

    m_cancelButton = new QPushButton(
        purpose == Purpose::Start ? QStringLiteral("&Quit") : QStringLiteral("Stay &locked"), this);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_cancelButton->setAutoDefault(false);
    m_unlockButton = new QPushButton(QStringLiteral("&Unlock"), this);
    m_unlockButton->setObjectName(QStringLiteral("unlockButton"));
    // Unlocking decides nothing, so Enter may do it.
    m_unlockButton->setDefault(true);
    connect(m_cancelButton, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_unlockButton, &QPushButton::clicked, this, &UnlockDialog::tryUnlock);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(m_unlockButton);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(22, 20, 22, 16);
    layout->setSpacing(12);
    layout->addWidget(title);
    layout->addWidget(why);
    layout->addLayout(form);
    layout->addWidget(m_errorLabel);
    layout->addSpacing(6);
    layout->addLayout(buttons);

    m_passphraseEdit->setFocus(Qt::OtherFocusReason);
    updateWidgets();
    fitDialogToWidth(this, 580);
}

UnlockDialog::~UnlockDialog() = default;

QString UnlockDialog::errorText() const
{
    return m_errorLabel->text();
}

void UnlockDialog::updateWidgets()
{
    m_unlockButton->setEnabled(!m_passphraseEdit->text().isEmpty() && m_key);
}

bool UnlockDialog::tryUnlock()
{
    ReviewerKey *key = m_key.data();
    if (!key || m_passphraseEdit->text().isEmpty())
        return false;
    if (key->isUnlocked()) {
        wipePassphrase(m_passphraseEdit);
        accept();
        return true;
    }
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const Status unlocked = key->unlock(passphraseOf(m_passphraseEdit));
    QGuiApplication::restoreOverrideCursor();
    if (!unlocked) {
        ++m_failures;
        QString text = unlockAdvice(unlocked.error(), key->keyPath());
        if (m_failures > 1 && unlocked.error().code == QLatin1String("key.wrong_passphrase"))
            text += QStringLiteral(" (%1 attempts)").arg(m_failures);
        showError(m_errorLabel, text);
        // Kept, selected: typing replaces it, and nothing vanishes without a word.
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
