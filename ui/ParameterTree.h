// The action's parameters exactly as sent, as a read-only tree of plain-text keys and values.
// Hidden characters are made visible, long values are elided (the tooltip shows a bounded
// prefix), and a value can be opened whole in a read-only viewer.
#pragma once

#include <QJsonObject>
#include <QTreeWidget>

namespace countersign::ui {

class ParameterTree final : public QTreeWidget {
    Q_OBJECT

public:
    static constexpr int kMaxValueChars = 160;
    static constexpr int kMaxKeyChars = 64;
    static constexpr int kMaxToolTipChars = 1000;
    static constexpr int kMaxItems = 2000; // a hostile action cannot make the view unusable

    explicit ParameterTree(QWidget *parent = nullptr);
    Q_DISABLE_COPY_MOVE(ParameterTree)

    // trustedDomains: domains a look-alike of which is suspicious (the requesting user's own).
    void setParameters(const QJsonObject &parameters, const QStringList &trustedDomains = {});
    // One sentence per look-alike or mixed-script domain found in the values (core/text/Spoofing).
    [[nodiscard]] const QStringList &lookalikeWarnings() const { return m_lookalikes; }
    // Opens the current item's whole value in a read-only viewer.
    void showWholeValue();

    // The raw (unescaped) value of an item, for the whole-value viewer.
    static constexpr int RawValueRole = Qt::UserRole;
    static constexpr int HiddenCharactersRole = Qt::UserRole + 1;

private:
    void addValue(QTreeWidgetItem *parent, const QString &key, const QJsonValue &value);
    [[nodiscard]] int rowHeight() const;

    void markLookalikes(QTreeWidgetItem *item, const QString &value);

    int m_items = 0;
    QStringList m_trusted;
    QStringList m_lookalikes;
};

} // namespace countersign::ui
