// A tinted panel with an accent stripe on its leading edge: warnings (a flagged Judge verdict),
// the message bar, and the armed-decision notice.
#pragma once

#include "models/SemanticColors.h"

#include <QFrame>

namespace countersign::ui {

class Band : public QFrame {
    Q_OBJECT

public:
    explicit Band(Semantic semantic = Semantic::Neutral, QWidget *parent = nullptr);

    void setSemantic(Semantic semantic);
    [[nodiscard]] Semantic semantic() const { return m_semantic; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Semantic m_semantic;
};

} // namespace countersign::ui
