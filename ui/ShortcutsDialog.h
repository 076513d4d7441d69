// Lists every keyboard shortcut of the main window, read from its actions so the list cannot
// drift from what the keys really do.
#pragma once

#include <QDialog>
#include <QList>

class QAction;

namespace countersign::ui {

class ShortcutsDialog final : public QDialog {
    Q_OBJECT

public:
    // extra: keys the views handle themselves (e.g. "↓ / ↑" in the queue), as (keys, what),
    // listed first. Each action is described by its status tip, else its text.
    ShortcutsDialog(
        const QList<QAction *> &actions, const QList<QPair<QString, QString>> &extra, QWidget *parent = nullptr);
    Q_DISABLE_COPY_MOVE(ShortcutsDialog)
};

} // namespace countersign::ui
