// Small pieces the key dialogs share: passphrase fields whose text is handed over in a wiping
// buffer, the inline error line, and the key fingerprint as a reviewer reads it.
#pragma once

#include "core/crypto/SecureBuffer.h"

#include <QString>

class QLabel;
class QLineEdit;
class QWidget;
class QLayout;

namespace countersign {
class ReviewerKey;
}

namespace countersign::ui {

// A QLineEdit in Password mode (no copy, cut or drag; no input-method prediction).
[[nodiscard]] QLineEdit *newPassphraseEdit(QWidget *parent, const QString &objectName, const QString &accessibleName);
// The field's text as UTF-8 in a wiping buffer; the temporary copy is wiped too.
[[nodiscard]] crypto::SecureBuffer passphraseOf(const QLineEdit *edit);
// Clears the field and its undo history.
void wipePassphrase(QLineEdit *edit);

// A word-wrapped plain-text label in the danger colour, hidden until it has something to say.
[[nodiscard]] QLabel *newErrorLabel(QWidget *parent, const QString &objectName);
void showError(QLabel *label, const QString &text);
void hideError(QLabel *label);

// A form row's label, plain text, with its mnemonic ('&') moving the focus to field.
[[nodiscard]] QLabel *newFormLabel(const QString &text, QWidget *field, QWidget *parent);

// The key's fingerprint in a fixed-width, selectable label.
[[nodiscard]] QLabel *newFingerprintLabel(QWidget *parent, const QString &objectName);

// Sizes a dialog to width and the height its word-wrapped labels need at that width.
void fitDialogToWidth(QWidget *dialog, int width);

// The command an administrator runs to enrol an exported public key (for the explanations).
[[nodiscard]] QString enrolCommandFor(const QString &reviewerId, const QString &jwkFile);

} // namespace countersign::ui
