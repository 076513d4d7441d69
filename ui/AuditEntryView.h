// One audit log entry as it was recorded: what happened and to what, whether a decision's
// signature verifies now (and for the action shown), where the entry sits in the log, the action
// exactly as the reviewer saw it (the existing detail view, with nothing to decide), the payload,
// the action's other entries, and the raw entry one tab away. Everything from the log is plain
// text with hidden characters made visible.
#pragma once

#include "models/AuditLogReader.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QTabWidget;
class QTreeWidget;

namespace countersign {
class ServerTime;
}

namespace countersign::ui {

class ActionDetailView;
class Band;
class ParameterTree;

class AuditEntryView final : public QWidget {
    Q_OBJECT

public:
    explicit AuditEntryView(QWidget *parent = nullptr);
    ~AuditEntryView() override;
    Q_DISABLE_COPY_MOVE(AuditEntryView)

    void showLoading(qint64 seq);
    void showDetail(const AuditEntryDetail &detail);
    void showError(qint64 seq, const QString &message);
    void clear(const QString &title, const QString &text);

    [[nodiscard]] qint64 seq() const { return m_seq; }
    [[nodiscard]] bool hasDetail() const { return m_detail.has_value(); }
    [[nodiscard]] const AuditEntryDetail *detail() const { return m_detail ? &*m_detail : nullptr; }
    // The signature line shown for a decision ("Signature verified: …"); empty otherwise.
    [[nodiscard]] QString signatureText() const;
    [[nodiscard]] ActionDetailView *actionView() const { return m_action; }
    [[nodiscard]] QPlainTextEdit *rawView() const { return m_raw; }
    [[nodiscard]] QTabWidget *tabs() const { return m_tabs; }
    void showRaw();

Q_SIGNALS:
    // Another entry (from the action's history) was asked for.
    void entryRequested(qint64 seq);

private:
    void setFact(int row, const QString &value, const QString &toolTip = {});

    std::unique_ptr<ServerTime> m_time;
    std::optional<AuditEntryDetail> m_detail;
    qint64 m_seq = 0;

    QStackedWidget *m_stack = nullptr;
    QLabel *m_placeholderTitle = nullptr;
    QLabel *m_placeholderText = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_meta = nullptr;
    Band *m_signatureBand = nullptr;
    QLabel *m_signatureTitle = nullptr;
    QLabel *m_signatureDetail = nullptr;
    QList<QLabel *> m_factValues;
    QTabWidget *m_tabs = nullptr;
    QWidget *m_actionPage = nullptr;
    QLabel *m_actionProblem = nullptr;
    ActionDetailView *m_action = nullptr;
    ParameterTree *m_payload = nullptr;
    QTreeWidget *m_history = nullptr;
    QPlainTextEdit *m_raw = nullptr;
};

} // namespace countersign::ui
