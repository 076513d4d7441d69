// Asks for the passphrase that unlocks the reviewer's key, showing whose key it is and its
// fingerprint. A wrong passphrase is said inline, and the field keeps what was typed (selected,
// so typing replaces it) rather than clearing silently.
#pragma once

#include <QDialog>
#include <QPointer>

class QLabel;
class QLineEdit;
class QPushButton;

namespace countersign {
class ReviewerKey;
}

namespace countersign::ui {

class UnlockDialog final : public QDialog {
    Q_OBJECT

public:
    enum class Purpose {
        Start, // at start-up: the alternative to unlocking is to quit
        Resume, // in the window: the alternative is to stay locked
    };

    // key is not owned and must outlive the dialog. reason: one line on why it is asked now
    // (e.g. "Locked after 10 minutes idle"); may be empty.
    UnlockDialog(ReviewerKey *key, Purpose purpose, const QString &reason = {}, QWidget *parent = nullptr);
    ~UnlockDialog() override;
    Q_DISABLE_COPY_MOVE(UnlockDialog)

    // What the Unlock button does: accepts on success, else shows why inline.
    bool tryUnlock();
    [[nodiscard]] QString errorText() const;

private:
    void updateWidgets();

    QPointer<ReviewerKey> m_key;
    QLineEdit *m_passphraseEdit = nullptr;
    QLabel *m_errorLabel = nullptr;
    QPushButton *m_unlockButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    int m_failures = 0;
};

} // namespace countersign::ui
