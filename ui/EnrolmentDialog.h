// First run: creates the reviewer's signing key. The reviewer gives their id and a passphrase
// (twice); Generate picks the passphrase-hardening cost for this computer (off the GUI thread),
// creates the key encrypted under the passphrase, and then shows its fingerprint with ways to
// hand the public key to the gateway administrator (JWK or PEM file, or the JWK copied).
#pragma once

#include "core/crypto/EncryptedKeyFile.h"

#include <memory>
#include <optional>

#include <QDialog>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace countersign {
class ReviewerKey;
}

namespace countersign::ui {

class EnrolmentDialog final : public QDialog {
    Q_OBJECT

public:
    EnrolmentDialog(const QString &keyPath, const QString &suggestedReviewer, QWidget *parent = nullptr);
    ~EnrolmentDialog() override;
    Q_DISABLE_COPY_MOVE(EnrolmentDialog)

    // Skips the calibration and uses this cost (tests, and screenshots, use the cheapest).
    void setFixedCost(crypto::ScryptCost cost) { m_fixedCost = cost; }

    // The created key (unlocked), once the dialog has shown it; null before or after takeKey().
    [[nodiscard]] ReviewerKey *key() const { return m_key.get(); }
    [[nodiscard]] std::unique_ptr<ReviewerKey> takeKey();

    // Generate, as the button does. Returns at once; generated() or the inline error follows.
    void generate();
    // Writes the public key files (what the export buttons do after asking for a file name).
    bool exportJwkTo(const QString &path);
    bool exportPemTo(const QString &path);
    void copyJwk();

    [[nodiscard]] QString errorText() const;

    // Esc and Cancel do nothing while the key is being created.
    void reject() override;

Q_SIGNALS:
    void generated();

private:
    QWidget *buildFormPage();
    QWidget *buildDonePage();
    void updateWidgets();
    void finishGeneration(crypto::ScryptCost cost);
    void onExportJwk();
    void onExportPem();
    void setNotice(const QString &text);
    [[nodiscard]] QString suggestedFileName(const QString &suffix) const;

    QString m_keyPath;
    std::optional<crypto::ScryptCost> m_fixedCost;
    std::unique_ptr<ReviewerKey> m_key;
    bool m_busy = false;

    QStackedWidget *m_pages = nullptr;
    QLineEdit *m_reviewerEdit = nullptr;
    QLineEdit *m_passphraseEdit = nullptr;
    QLineEdit *m_repeatEdit = nullptr;
    QLabel *m_passphraseHint = nullptr;
    QLabel *m_errorLabel = nullptr;
    QLabel *m_busyLabel = nullptr;
    QProgressBar *m_busyBar = nullptr;
    QPushButton *m_generateButton = nullptr;
    QPushButton *m_cancelButton = nullptr;

    QLabel *m_doneReviewer = nullptr;
    QLabel *m_fingerprint = nullptr;
    QLabel *m_instructions = nullptr;
    QLabel *m_command = nullptr;
    QLabel *m_notice = nullptr;
    QPushButton *m_exportJwkButton = nullptr;
    QPushButton *m_exportPemButton = nullptr;
    QPushButton *m_copyJwkButton = nullptr;
    QPushButton *m_doneButton = nullptr;
};

} // namespace countersign::ui
