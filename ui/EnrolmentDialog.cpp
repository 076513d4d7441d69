// The first-run key enrolment dialog.
#include "ui/EnrolmentDialog.h"

#include "models/SemanticColors.h"
#include "net/ReviewerKey.h"
#include "ui/KeyWidgets.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QStackedWidget>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

constexpr int kCalibrationTargetMs = 500;

QLabel *wrappedLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    return label;
}

QLabel *titleLabel(const QString &text, QWidget *parent)
{
    QLabel *label = wrappedLabel(text, parent);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 1.3);
    font.setWeight(QFont::DemiBold);
    label->setFont(font);
    return label;
}

QPushButton *plainButton(const QString &text, const QString &objectName, QWidget *parent)
{
    auto *button = new QPushButton(text, parent);
    button->setObjectName(objectName);
    button->setAutoDefault(false);
    return button;
}

} // namespace

EnrolmentDialog::EnrolmentDialog(const QString &keyPath, const QString &suggestedReviewer, QWidget *parent)
    : QDialog(parent), m_keyPath(keyPath)
{
    setObjectName(QStringLiteral("enrolmentDialog"));
    setWindowTitle(QStringLiteral("Create your reviewer key"));
    setModal(true);

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(buildFormPage());
    m_pages->addWidget(buildDonePage());

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(22, 20, 22, 16);
    layout->addWidget(m_pages);

    m_reviewerEdit->setText(suggestedReviewer);
    updateWidgets();
    fitDialogToWidth(this, 700);
}

EnrolmentDialog::~EnrolmentDialog() = default;

QWidget *EnrolmentDialog::buildFormPage()
{
    auto *page = new QWidget(this);

    QLabel *title = titleLabel(QStringLiteral("Create your reviewer key"), page);
    QLabel *intro = wrappedLabel(
        QStringLiteral("Every approval and denial you make is signed with a key that only this computer holds. "
                       "The gateway accepts a decision only with a valid signature from a key its administrator "
                       "has enrolled for you. The key is stored encrypted under your passphrase; Countersign "
                       "locks it when you are away, and asks for the passphrase again before high-impact "
                       "approvals."),
        page);

    m_reviewerEdit = new QLineEdit(page);
    m_reviewerEdit->setObjectName(QStringLiteral("reviewerLineEdit"));
    m_reviewerEdit->setAccessibleName(QStringLiteral("Reviewer id"));
    m_reviewerEdit->setPlaceholderText(QStringLiteral("the id your gateway administrator gave you, e.g. rita@example.com"));
    m_reviewerEdit->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[A-Za-z0-9._:@/+-]{1,128}")), m_reviewerEdit));
    m_passphraseEdit =
        newPassphraseEdit(page, QStringLiteral("passphraseLineEdit"), QStringLiteral("Passphrase"));
    m_repeatEdit =
        newPassphraseEdit(page, QStringLiteral("repeatPassphraseLineEdit"), QStringLiteral("Passphrase again"));
    m_passphraseHint = new QLabel(page);
    m_passphraseHint->setObjectName(QStringLiteral("passphraseHintLabel"));
    m_passphraseHint->setTextFormat(Qt::PlainText);
    m_passphraseHint->setWordWrap(true);
    m_passphraseHint->setForegroundRole(QPalette::PlaceholderText);

    auto *pathLabel = new QLabel(QDir::toNativeSeparators(m_keyPath), page);
    pathLabel->setObjectName(QStringLiteral("keyPathLabel"));
    pathLabel->setTextFormat(Qt::PlainText);
    pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    pathLabel->setForegroundRole(QPalette::PlaceholderText);
    pathLabel->setWordWrap(true);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setVerticalSpacing(8);
    form->addRow(newFormLabel(QStringLiteral("&Reviewer id:"), m_reviewerEdit, page), m_reviewerEdit);
    form->addRow(newFormLabel(QStringLiteral("&Passphrase:"), m_passphraseEdit, page), m_passphraseEdit);
    form->addRow(newFormLabel(QStringLiteral("Passphrase &again:"), m_repeatEdit, page), m_repeatEdit);
    form->addRow(newFormLabel(QString(), m_passphraseHint, page), m_passphraseHint);
    form->addRow(newFormLabel(QStringLiteral("Key file:"), pathLabel, page), pathLabel);

    m_errorLabel = newErrorLabel(page, QStringLiteral("enrolmentErrorLabel"));

    m_busyLabel = new QLabel(page);
    m_busyLabel->setObjectName(QStringLiteral("busyLabel"));
    m_busyLabel->setTextFormat(Qt::PlainText);
    m_busyLabel->setWordWrap(true);
    m_busyBar = new QProgressBar(page);
    m_busyBar->setRange(0, 0);
    m_busyBar->setTextVisible(false);
    m_busyBar->setMaximumHeight(6);
    m_busyBar->setAccessibleName(QStringLiteral("Creating the key"));
    m_busyLabel->hide();
    m_busyBar->hide();

    m_cancelButton = plainButton(QStringLiteral("Cancel"), QStringLiteral("cancelButton"), page);
    m_generateButton = plainButton(QStringLiteral("&Generate key"), QStringLiteral("generateButton"), page);
    // Enter in the form generates: nothing is signed by it, and it is the only way forward.
    m_generateButton->setDefault(true);
    connect(m_cancelButton, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_generateButton, &QPushButton::clicked, this, &EnrolmentDialog::generate);
    for (QLineEdit *edit : {m_reviewerEdit, m_passphraseEdit, m_repeatEdit})
        connect(edit, &QLineEdit::textChanged, this, &EnrolmentDialog::updateWidgets);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(m_generateButton);

    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(12);
    layout->addWidget(title);
    layout->addWidget(intro);
    layout->addSpacing(4);
    layout->addLayout(form);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_busyLabel);
    layout->addWidget(m_busyBar);
    layout->addSpacing(6);
    layout->addLayout(buttons);
    return page;
}

QWidget *EnrolmentDialog::buildDonePage()
{
    auto *page = new QWidget(this);
    QLabel *title = titleLabel(QStringLiteral("Your key is ready"), page);
    m_doneReviewer = wrappedLabel(QString(), page);
    m_doneReviewer->setObjectName(QStringLiteral("doneReviewerLabel"));

    auto *fingerprintTitle = wrappedLabel(QStringLiteral("Fingerprint (RFC 7638 thumbprint of the public key):"), page);
    fingerprintTitle->setForegroundRole(QPalette::PlaceholderText);
    m_fingerprint = newFingerprintLabel(page, QStringLiteral("fingerprintLabel"));

    m_instructions = wrappedLabel(QString(), page);
    m_instructions->setObjectName(QStringLiteral("instructionsLabel"));
    m_instructions->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_command = wrappedLabel(QString(), page);
    m_command->setObjectName(QStringLiteral("enrolCommandLabel"));
    m_command->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_command->setContentsMargins(16, 0, 0, 0);
    m_command->setAccessibleName(QStringLiteral("Command for the gateway administrator"));

    m_exportJwkButton = plainButton(QStringLiteral("Export &JWK…"), QStringLiteral("exportJwkButton"), page);
    m_exportPemButton = plainButton(QStringLiteral("Export &PEM…"), QStringLiteral("exportPemButton"), page);
    m_copyJwkButton = plainButton(QStringLiteral("&Copy JWK"), QStringLiteral("copyJwkButton"), page);
    m_exportJwkButton->setToolTip(QStringLiteral("Save the public key as a JSON Web Key file"));
    m_exportPemButton->setToolTip(QStringLiteral("Save the public key as a PEM file"));
    m_copyJwkButton->setToolTip(QStringLiteral("Copy the public key (JWK) to the clipboard"));
    connect(m_exportJwkButton, &QPushButton::clicked, this, &EnrolmentDialog::onExportJwk);
    connect(m_exportPemButton, &QPushButton::clicked, this, &EnrolmentDialog::onExportPem);
    connect(m_copyJwkButton, &QPushButton::clicked, this, &EnrolmentDialog::copyJwk);
    auto *exports = new QHBoxLayout;
    exports->addWidget(m_exportJwkButton);
    exports->addWidget(m_exportPemButton);
    exports->addWidget(m_copyJwkButton);
    exports->addStretch(1);

    m_notice = wrappedLabel(QString(), page);
    m_notice->setObjectName(QStringLiteral("exportNoticeLabel"));
    m_notice->setForegroundRole(QPalette::PlaceholderText);
    m_notice->hide();

    m_doneButton = plainButton(QStringLiteral("C&ontinue"), QStringLiteral("continueButton"), page);
    connect(m_doneButton, &QPushButton::clicked, this, &QDialog::accept);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_doneButton);

    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(12);
    layout->addWidget(title);
    layout->addWidget(m_doneReviewer);
    layout->addSpacing(4);
    layout->addWidget(fingerprintTitle);
    layout->addWidget(m_fingerprint);
    layout->addSpacing(4);
    layout->addWidget(m_instructions);
    layout->addWidget(m_command);
    layout->addLayout(exports);
    layout->addWidget(m_notice);
    layout->addSpacing(6);
    layout->addLayout(buttons);
    return page;
}

std::unique_ptr<ReviewerKey> EnrolmentDialog::takeKey()
{
    return std::move(m_key);
}

QString EnrolmentDialog::errorText() const
{
    return m_errorLabel->isVisible() || !m_errorLabel->text().isEmpty() ? m_errorLabel->text() : QString();
}

void EnrolmentDialog::updateWidgets()
{
    const bool idOk = m_reviewerEdit->hasAcceptableInput();
    const int length = static_cast<int>(m_passphraseEdit->text().size());
    const bool longEnough = length >= ReviewerKey::kMinPassphraseChars;
    const bool repeated = !m_repeatEdit->text().isEmpty();
    const bool same = m_passphraseEdit->text() == m_repeatEdit->text();

    QString hint;
    QPalette hintPalette = palette();
    hintPalette.setColor(QPalette::WindowText, hintPalette.color(QPalette::PlaceholderText));
    if (length > 0 && !longEnough) {
        hint = QStringLiteral("At least %1 characters: %2 more.")
                   .arg(ReviewerKey::kMinPassphraseChars)
                   .arg(ReviewerKey::kMinPassphraseChars - length);
    } else if (repeated && !same) {
        hint = QStringLiteral("The two passphrases differ.");
        hintPalette.setColor(QPalette::WindowText, semanticColor(Semantic::Danger, palette()));
    } else if (longEnough && repeated && same) {
        hint = QStringLiteral("The passphrases match.");
    } else {
        hint = QStringLiteral("At least %1 characters. A few unrelated words are easy to type and hard to guess. "
                              "Nobody can recover it for you.")
                   .arg(ReviewerKey::kMinPassphraseChars);
    }
    m_passphraseHint->setText(hint);
    m_passphraseHint->setPalette(hintPalette);

    const bool ready = idOk && longEnough && repeated && same;
    m_generateButton->setEnabled(ready && !m_busy);
    m_cancelButton->setEnabled(!m_busy);
    for (QLineEdit *edit : {m_reviewerEdit, m_passphraseEdit, m_repeatEdit})
        edit->setEnabled(!m_busy);
    m_busyLabel->setVisible(m_busy);
    m_busyBar->setVisible(m_busy);
}

void EnrolmentDialog::generate()
{
    if (m_busy || !m_generateButton->isEnabled())
        return;
    hideError(m_errorLabel);
    m_busy = true;
    updateWidgets();

    if (m_fixedCost) {
        m_busyLabel->setText(QStringLiteral("Creating and encrypting your key…"));
        const crypto::ScryptCost cost = *m_fixedCost;
        QTimer::singleShot(0, this, [this, cost] { finishGeneration(cost); });
        return;
    }
    // Calibration takes about two seconds of real key derivations: off the GUI thread.
    m_busyLabel->setText(QStringLiteral("Measuring this computer to choose how hard the passphrase is to attack "
                                        "(a few seconds)…"));
    auto cost = std::make_shared<crypto::ScryptCost>();
    QThread *thread = QThread::create([cost] { *cost = crypto::calibrateScrypt(kCalibrationTargetMs); });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    connect(thread, &QThread::finished, this, [this, cost] { finishGeneration(*cost); });
    thread->start();
}

void EnrolmentDialog::finishGeneration(crypto::ScryptCost cost)
{
    m_busyLabel->setText(QStringLiteral("Creating and encrypting your key…"));
    m_busyLabel->repaint();
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const crypto::SecureBuffer passphrase = passphraseOf(m_passphraseEdit);
    Result<std::unique_ptr<ReviewerKey>> created =
        ReviewerKey::enrol(m_keyPath, m_reviewerEdit->text().trimmed(), passphrase, cost);
    QGuiApplication::restoreOverrideCursor();
    m_busy = false;

    if (!created) {
        QString advice;
        if (created.error().code == QLatin1String("key.exists"))
            advice = QStringLiteral(" Start Countersign again to unlock the existing key.");
        showError(m_errorLabel, QStringLiteral("The key was not created: %1.%2").arg(created.error().message, advice));
        updateWidgets();
        return;
    }
    m_key = std::move(created).value();
    wipePassphrase(m_passphraseEdit);
    wipePassphrase(m_repeatEdit);

    m_doneReviewer->setText(QStringLiteral("Reviewer %1. The encrypted key is in %2.")
                                .arg(m_key->reviewerId(), QDir::toNativeSeparators(m_keyPath)));
    m_fingerprint->setText(m_key->fingerprint());
    m_instructions->setText(
        QStringLiteral("Send the public key to your gateway administrator (export it, or copy it into a message). "
                       "It is public: it lets the gateway check your signatures, not make them. Ask them to "
                       "compare the fingerprint above with you by another channel, then to enrol it (until it is "
                       "enrolled, the gateway refuses to sign you in):"));
    m_command->setText(
        enrolCommandFor(m_key->reviewerId(), QFileInfo(suggestedFileName(QStringLiteral(".jwk"))).fileName()));
    m_pages->setCurrentIndex(1);
    fitDialogToWidth(this, width());
    m_doneButton->setDefault(true);
    m_exportJwkButton->setFocus(Qt::OtherFocusReason);
    updateWidgets();
    Q_EMIT generated();
}

bool EnrolmentDialog::exportJwkTo(const QString &path)
{
    if (!m_key)
        return false;
    const Status written = m_key->writePublicJwk(path);
    setNotice(written ? QStringLiteral("Public key saved as %1").arg(QDir::toNativeSeparators(path))
                      : QStringLiteral("Not saved: %1").arg(written.error().message));
    return written.ok();
}

bool EnrolmentDialog::exportPemTo(const QString &path)
{
    if (!m_key)
        return false;
    const Status written = m_key->writePublicPem(path);
    setNotice(written ? QStringLiteral("Public key saved as %1").arg(QDir::toNativeSeparators(path))
                      : QStringLiteral("Not saved: %1").arg(written.error().message));
    return written.ok();
}

void EnrolmentDialog::copyJwk()
{
    if (!m_key)
        return;
    QGuiApplication::clipboard()->setText(
        QString::fromUtf8(QJsonDocument(m_key->exportJwk()).toJson(QJsonDocument::Compact)));
    setNotice(QStringLiteral("The public key (JWK) is on the clipboard."));
}

void EnrolmentDialog::onExportJwk()
{
    const QString suggested = suggestedFileName(QStringLiteral(".jwk"));
    const QString path = QFileDialog::getSaveFileName(
        this, QStringLiteral("Export the public key (JWK)"), suggested, QStringLiteral("JSON Web Key (*.jwk *.json)"));
    if (!path.isEmpty())
        exportJwkTo(path);
}

void EnrolmentDialog::onExportPem()
{
    const QString suggested = suggestedFileName(QStringLiteral(".pub.pem"));
    const QString path = QFileDialog::getSaveFileName(
        this, QStringLiteral("Export the public key (PEM)"), suggested, QStringLiteral("PEM public key (*.pem)"));
    if (!path.isEmpty())
        exportPemTo(path);
}

QString EnrolmentDialog::suggestedFileName(const QString &suffix) const
{
    QString name = m_key->reviewerId();
    name.replace(QLatin1Char('/'), QLatin1Char('_')).replace(QLatin1Char(':'), QLatin1Char('_'));
    return QDir::home().filePath(QStringLiteral("countersign-") + name + suffix);
}

void EnrolmentDialog::reject()
{
    if (!m_busy)
        QDialog::reject();
}

void EnrolmentDialog::setNotice(const QString &text)
{
    m_notice->setText(text);
    m_notice->show();
}

} // namespace countersign::ui
