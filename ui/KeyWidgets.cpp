// Shared pieces of the key dialogs.
#include "ui/KeyWidgets.h"

#include "models/SemanticColors.h"

#include <QFontDatabase>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>

namespace countersign::ui {

QLineEdit *newPassphraseEdit(QWidget *parent, const QString &objectName, const QString &accessibleName)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setEchoMode(QLineEdit::Password);
    edit->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
    edit->setContextMenuPolicy(Qt::NoContextMenu);
    edit->setDragEnabled(false);
    edit->setMinimumWidth(320);
    return edit;
}

crypto::SecureBuffer passphraseOf(const QLineEdit *edit)
{
    QByteArray utf8 = edit->text().toUtf8();
    crypto::SecureBuffer secret(utf8);
    utf8.fill('\0');
    return secret;
}

void wipePassphrase(QLineEdit *edit)
{
    edit->clear();
    // clear() is undoable; a fresh text with no history leaves nothing to undo back into.
    edit->setText(QString());
}

QLabel *newErrorLabel(QWidget *parent, const QString &objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, semanticColor(Semantic::Danger, palette));
    label->setPalette(palette);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    label->hide();
    return label;
}

void showError(QLabel *label, const QString &text)
{
    label->setText(text);
    label->setAccessibleDescription(text);
    label->show();
    // The dialog grows to fit the message rather than squeezing its other rows.
    if (QWidget *window = label->window(); window && window->isWindow() && window != label)
        fitDialogToWidth(window, window->width());
}

void hideError(QLabel *label)
{
    label->clear();
    label->hide();
}

QLabel *newFormLabel(const QString &text, QWidget *field, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    label->setBuddy(field);
    return label;
}

QLabel *newFingerprintLabel(QWidget *parent, const QString &objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setAccessibleName(QStringLiteral("Key fingerprint"));
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSizeF(label->font().pointSizeF() * 1.1);
    label->setFont(font);
    return label;
}

void fitDialogToWidth(QWidget *dialog, int width)
{
    QLayout *layout = dialog->layout();
    width = qMax(width, dialog->minimumSizeHint().width());
    int height = dialog->sizeHint().height();
    if (layout && layout->hasHeightForWidth())
        height = layout->totalHeightForWidth(width);
    dialog->resize(width, height);
}

QString enrolCommandFor(const QString &reviewerId, const QString &jwkFile)
{
    // As gateway/AdminClient spells it; the administrator adds the connection options.
    return QStringLiteral("countersign-gateway admin reviewers add --id %1 --role reviewer --key %2 --why \"…\"")
        .arg(reviewerId, jwkFile);
}

} // namespace countersign::ui
