// Small building blocks every view shares: labels that can only ever show plain text (anything
// that came from an agent, a Judge or a gateway is shown through these, never as markup),
// emptying a layout that is rebuilt for each action or entry, and a list beside its detail.
#pragma once

#include <QString>

class QLabel;
class QLayout;
class QSplitter;
class QWidget;

namespace countersign::ui {

enum class Selectable { No, Yes };

// A QLabel with Qt::PlainText, named objectName when given, its text selectable with the mouse
// unless told otherwise.
[[nodiscard]] QLabel *plainLabel(QWidget *parent, const QString &objectName = {}, Selectable selectable = Selectable::Yes);

// Deletes every widget and nested layout in layout, leaving it empty.
void clearLayout(QLayout *layout);

// A list beside its detail, as both views lay them out: neither pane can be collapsed away,
// and extra width is shared in the ratio listStretch : detailStretch.
[[nodiscard]] QSplitter *listAndDetail(QWidget *parent, const QString &objectName, QWidget *list, int listStretch,
                                       QWidget *detail, int detailStretch);

} // namespace countersign::ui
