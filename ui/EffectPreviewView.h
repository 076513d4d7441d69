// Shows an EffectPreview (models/EffectPreview): the email as it would be sent, the payment, the
// deletion or the permission diff, in plain-text labels only. Thin on purpose: what is shown and
// how it was made safe is decided by the model; this lays it out and opens long values whole.
#pragma once

#include "models/EffectPreview.h"

#include <QWidget>

class QLabel;
class QVBoxLayout;

namespace countersign::ui {

class EffectPreviewView final : public QWidget {
    Q_OBJECT

public:
    explicit EffectPreviewView(QWidget *parent = nullptr);
    Q_DISABLE_COPY_MOVE(EffectPreviewView)

    // Replaces what is shown. An empty preview shows nothing, or why there is none.
    void setPreview(const EffectPreview &model);
    [[nodiscard]] const EffectPreview &preview() const { return m_preview; }

    // Opens a long value whole in a read-only viewer (the "Show all" buttons call it).
    void showWhole(const QString &title, const QString &text);

private:
    void rebuild();
    void addEmail(QVBoxLayout *card);
    void addPayment(QVBoxLayout *card);
    void addFields(QVBoxLayout *card);
    void addDiff(QVBoxLayout *card);
    QLabel *label(QWidget *parent, const QString &objectName = {});
    QWidget *valueWidget(QWidget *parent, const QString &title, const PreviewText &value, bool monospace = false);

    EffectPreview m_preview;
    QVBoxLayout *m_layout = nullptr;
};

} // namespace countersign::ui
