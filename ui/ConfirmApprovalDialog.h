// Deliberate approval of a high-impact action: before the approval is signed, the reviewer
// retypes the action's key fact (the amount, else the recipient, else the number of records)
// as the raw parameters hold it — nothing is pre-filled or pasted — and enters the key
// passphrase again. Approve is never the default button; Esc cancels.
#pragma once

#include "core/action/Action.h"
#include "models/KeyFact.h"

#include <optional>

#include <QDialog>
#include <QPointer>

class QLabel;
class QLineEdit;
class QPushButton;

namespace countersign {
class ReviewerKey;
}

namespace countersign::ui {

class ConfirmApprovalDialog final : public QDialog {
    Q_OBJECT

public:
    // key is not owned. summary: the action in words (actionSummary()), why: the line that says
    // why this approval must be deliberate.
    ConfirmApprovalDialog(const Action &action, const QString &summary, const QString &why,
        std::optional<KeyFact> fact, ReviewerKey *key, QWidget *parent = nullptr);
    ~ConfirmApprovalDialog() override;
    Q_DISABLE_COPY_MOVE(ConfirmApprovalDialog)

    [[nodiscard]] QString actionId() const { return m_actionId; }
    [[nodiscard]] const std::optional<KeyFact> &fact() const { return m_fact; }

    // What Approve does: accepts when the fact matches and the passphrase is right; otherwise
    // says which is wrong, inline, and stays open.
    bool tryApprove();
    [[nodiscard]] QString errorText() const;

private:
    void updateWidgets();

    QString m_actionId;
    std::optional<KeyFact> m_fact;
    QPointer<ReviewerKey> m_key;
    QLineEdit *m_factEdit = nullptr;
    QLineEdit *m_passphraseEdit = nullptr;
    QLabel *m_errorLabel = nullptr;
    QPushButton *m_approveButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
};

} // namespace countersign::ui
