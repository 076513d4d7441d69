// The inline message bar at the top of the main window: confirmations, refusals and errors are
// shown here, in the window, instead of in a modal box. Text is always plain.
#pragma once

#include "models/SemanticColors.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QToolButton;

namespace countersign::ui {

class Band;

class MessageBar final : public QWidget {
    Q_OBJECT

public:
    explicit MessageBar(QWidget *parent = nullptr);
    Q_DISABLE_COPY_MOVE(MessageBar)

    // title: our own words ("Approved"); detail: may hold untrusted text, shown plain and
    // escaped. Positive and informational messages hide themselves after autoHideMs (0: stay).
    void showMessage(Semantic semantic, const QString &title, const QString &detail = {}, int autoHideMs = 0);
    void dismiss();

    [[nodiscard]] QString title() const;
    [[nodiscard]] QString detail() const;
    // Title and detail as one line, for tests and accessibility.
    [[nodiscard]] QString text() const;
    [[nodiscard]] Semantic semantic() const;

Q_SIGNALS:
    void dismissed();

private:
    Band *m_band;
    QLabel *m_title;
    QLabel *m_detail;
    QToolButton *m_close;
    QTimer m_autoHide;
};

} // namespace countersign::ui
