// A small rounded label for facts the console itself states ("Tier 4 · Critical",
// "Irreversible", "authenticated"). Painted, not styled, so its colours follow palette changes;
// its text is drawn as plain text.
#pragma once

#include "models/SemanticColors.h"

#include <QWidget>

namespace countersign::ui {

class Badge final : public QWidget {
    Q_OBJECT

public:
    enum class Fill { Tinted, Solid, Outline };

    explicit Badge(QWidget *parent = nullptr);
    Badge(const QString &text, Semantic semantic, QWidget *parent = nullptr);
    Q_DISABLE_COPY_MOVE(Badge)

    void setText(const QString &text);
    [[nodiscard]] QString text() const { return m_text; }
    void setSemantic(Semantic semantic);
    [[nodiscard]] Semantic semantic() const { return m_semantic; }
    void setFill(Fill fill);

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override { return sizeHint(); }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    [[nodiscard]] QFont badgeFont() const;

    QString m_text;
    Semantic m_semantic = Semantic::Neutral;
    Fill m_fill = Fill::Tinted;
};

} // namespace countersign::ui
