// The keyboard shortcuts dialog.
#include "ui/ShortcutsDialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QKeySequence>
#include <QTableWidget>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

QString actionText(const QAction *action)
{
    if (!action->statusTip().isEmpty())
        return action->statusTip();
    QString text = action->text();
    text.remove(QLatin1Char('&'));
    if (text.endsWith(QStringLiteral("…")))
        text.chop(1);
    return text;
}

} // namespace

ShortcutsDialog::ShortcutsDialog(
    const QList<QAction *> &actions, const QList<QPair<QString, QString>> &extra, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(QStringLiteral("Keyboard shortcuts"));

    QList<QPair<QString, QString>> rows = extra;
    for (const QAction *action : actions) {
        const QList<QKeySequence> shortcuts = action->shortcuts();
        if (shortcuts.isEmpty())
            continue;
        QStringList keys;
        for (const QKeySequence &sequence : shortcuts)
            keys.append(sequence.toString(QKeySequence::NativeText));
        rows.append({keys.join(QStringLiteral("  or  ")), actionText(action)});
    }

    auto *table = new QTableWidget(static_cast<int>(rows.size()), 2, this);
    table->setObjectName(QStringLiteral("shortcutsTable"));
    table->setAccessibleName(QStringLiteral("Keyboard shortcuts"));
    table->setHorizontalHeaderLabels({QStringLiteral("Keys"), QStringLiteral("Does")});
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setShowGrid(false);
    table->setFocusPolicy(Qt::StrongFocus);
    for (int row = 0; row < rows.size(); ++row) {
        auto *keys = new QTableWidgetItem(rows.at(row).first);
        QFont bold = keys->font();
        bold.setBold(true);
        keys->setFont(bold);
        table->setItem(row, 0, keys);
        table->setItem(row, 1, new QTableWidgetItem(rows.at(row).second));
    }
    table->resizeColumnToContents(0);
    table->setColumnWidth(0, table->columnWidth(0) + 24);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 10);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(table);
    layout->addWidget(buttons);
    table->setCurrentItem(nullptr);
    table->clearSelection();
    resize(720, 480);
}

} // namespace countersign::ui
