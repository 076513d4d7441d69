// The reviewer's window: the connection status line on top, an inline message bar, the
// pending queue on the left and the selected action with its decision bar on the right.
// Keyboard first: every command is a QAction with a shortcut, listed by '?'.
#pragma once

#include "core/ServerTime.h"
#include "core/protocol/Protocol.h"
#include "net/GatewayConnection.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QSplitter;
class QTableView;

namespace countersign {
class PendingQueueModel;
}

namespace countersign::ui {

class ActionDetailView;
class MessageBar;
class StatusLine;

class MainWindow final : public QMainWindow {
    Q_OBJECT

public:
    // The connection is not owned and must outlive the window; the window syncs serverTime
    // from each hello and measures every deadline with it.
    MainWindow(GatewayConnection *connection, ServerTime &serverTime, QWidget *parent = nullptr);
    ~MainWindow() override;
    Q_DISABLE_COPY_MOVE(MainWindow)

    [[nodiscard]] PendingQueueModel *queueModel() const { return m_model; }
    [[nodiscard]] QTableView *queueView() const { return m_queueView; }
    [[nodiscard]] ActionDetailView *detailView() const { return m_detail; }
    [[nodiscard]] MessageBar *messageBar() const { return m_messageBar; }
    [[nodiscard]] StatusLine *statusLine() const { return m_statusLine; }

    // The id of the action shown on the right; empty when none.
    [[nodiscard]] QString selectedActionId() const;
    bool selectAction(const QString &actionId);

    // Every command with a shortcut, in the order the shortcuts dialog lists them.
    [[nodiscard]] QList<QAction *> commandActions() const { return m_commands; }
    void showShortcuts();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    struct Request {
        QString actionId;
        protocol::Verdict verdict;
        QString summary;
    };

    QWidget *buildQueuePane();
    void createActions();
    void restoreSettings();
    void saveSettings() const;

    void onStateChanged(GatewayConnection::State state, const QString &detail);
    void onHello(const protocol::Hello &hello);
    void onSubscribed();
    void onActionResolved(const protocol::ActionResolved &frame);
    void onDecisionResult(const protocol::DecisionResult &result);
    void onProtocolViolation(const Error &error);
    void onDecisionRequested(
        const QString &actionId, const QByteArray &digest, protocol::Verdict verdict, const QString &reason);
    void onCurrentRowChanged();
    void onRowsRemoved();
    void onModelAboutToBeReset();
    void onModelReset();
    void onRowsInserted();
    void onModelDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight);

    void showCurrent();
    void moveSelection(int delta);
    void selectRow(int row);
    void approve();
    void deny();
    void confirm();
    void cancel();
    void updateWidgets();

    QPointer<GatewayConnection> m_connection;
    ServerTime &m_serverTime;
    PendingQueueModel *m_model = nullptr;

    StatusLine *m_statusLine = nullptr;
    MessageBar *m_messageBar = nullptr;
    QSplitter *m_splitter = nullptr;
    QTableView *m_queueView = nullptr;
    QLabel *m_queueCount = nullptr;
    ActionDetailView *m_detail = nullptr;

    QList<QAction *> m_commands;
    QAction *m_nextAction = nullptr;
    QAction *m_previousAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_focusQueueAction = nullptr;
    QAction *m_approveAction = nullptr;
    QAction *m_denyAction = nullptr;
    QAction *m_confirmAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_shortcutsAction = nullptr;
    QAction *m_quitAction = nullptr;

    QString m_reviewer;
    protocol::Role m_role = protocol::Role::Reviewer;
    QHash<QString, Request> m_requests; // requestId → decision awaiting its result
    QHash<QString, protocol::Verdict> m_recorded; // actionId → accepted, awaiting resolution
    QString m_reselectId; // to select again after a reset
    bool m_selectNextAfterRemoval = false;
};

} // namespace countersign::ui
