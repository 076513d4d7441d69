// The whole console against a real gateway process over TLS: an agent submits over HTTPS, the
// action appears in the real main window, the reviewer selects and approves it with the
// keyboard, it leaves the queue, and the agent's long-poll learns the outcome.
#include "core/Clock.h"
#include "core/ServerTime.h"
#include "models/PendingQueueModel.h"
#include "net/WebSocketGatewayConnection.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"
#include "ui/ActionDetailView.h"
#include "ui/MainWindow.h"
#include "ui/MessageBar.h"

#include <QApplication>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;

class TestConsoleEndToEnd final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<WebSocketGatewayConnection> m_connection;
    std::unique_ptr<ServerTime> m_serverTime;
    std::unique_ptr<ui::MainWindow> m_window;

    QString submitPayment(TestAgentClient &agent, int amount)
    {
        const HttpResult result = agent.post(
            QStringLiteral("/v1/actions"),
            submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                           {{QStringLiteral("amount"), amount}, {QStringLiteral("currency"), QStringLiteral("EUR")}}),
            m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        return result.status == 202 ? result.json.value(QStringLiteral("id")).toString() : QString();
    }

    void selectWithKeyboard(const QString &actionId)
    {
        QTableView *queue = m_window->queueView();
        queue->setFocus();
        QTRY_VERIFY(queue->hasFocus());
        for (int i = 0; i < 10 && m_window->selectedActionId() != actionId; ++i)
            QTest::keyClick(queue, Qt::Key_Down);
    }

private Q_SLOTS:
    // Window geometry and header state must not land in the real user's settings.
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        m_gateway = std::make_unique<GatewayProcess>();
        QString error;
        QVERIFY2(m_gateway->start(&error), qPrintable(error));
        ConnectionSettings settings;
        settings.url = m_gateway->consoleUrl();
        settings.pinnedSha256 = m_gateway->fingerprint();
        settings.bearerToken = m_gateway->reviewerToken(GatewayProcess::kRita);
        settings.gatewayPublicKey = m_gateway->gatewayPublicKey();
        m_connection = std::make_unique<WebSocketGatewayConnection>(settings);
        m_serverTime = std::make_unique<ServerTime>(SystemClock::instance());
        m_window = std::make_unique<ui::MainWindow>(m_connection.get(), *m_serverTime);
        m_window->resize(1280, 800);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_connection->start();
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), GatewayConnection::State::Connected, 10000);
    }

    void cleanup()
    {
        m_window.reset();
        m_connection.reset();
        m_serverTime.reset();
        m_gateway.reset();
    }

    void approveWithTheKeyboard()
    {
        TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
        const QString id = submitPayment(agent, 24000);
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_window->queueModel()->rowOf(id), 0, 10000);

        selectWithKeyboard(id);
        QCOMPARE(m_window->selectedActionId(), id);
        QTest::keyClick(m_window->queueView(), Qt::Key_A);
        QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::Approve);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return, Qt::ControlModifier);

        // The gateway acknowledges, publishes the resolution, and the row leaves the queue.
        QTRY_COMPARE_WITH_TIMEOUT(m_window->queueModel()->rowOf(id), -1, 10000);
        QVERIFY(m_window->messageBar()->title().startsWith(QStringLiteral("Approved, acknowledged by gateway")));

        const HttpResult outcome = agent.get(QStringLiteral("/v1/actions/%1?wait=5").arg(id),
                                             m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        QCOMPARE(outcome.json.value(QStringLiteral("status")).toString(), QStringLiteral("approved"));
        QCOMPARE(outcome.json.value(QStringLiteral("decidedBy")).toString(), GatewayProcess::kRita);
    }

    void denyWithAReason()
    {
        TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
        const QString id = submitPayment(agent, 31000);
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(m_window->queueModel()->rowOf(id) >= 0, 10000);

        selectWithKeyboard(id);
        QTest::keyClick(m_window->queueView(), Qt::Key_D);
        auto *reason = m_window->findChild<QLineEdit *>(QStringLiteral("reasonLineEdit"));
        QVERIFY(reason);
        QTRY_COMPARE(QApplication::focusWidget(), reason);
        QTest::keyClicks(reason, QStringLiteral("Beneficiary is not on the vendor list"));
        QTest::keyClick(reason, Qt::Key_Return, Qt::ControlModifier);

        QTRY_COMPARE_WITH_TIMEOUT(m_window->queueModel()->rowOf(id), -1, 10000);
        const HttpResult outcome = agent.get(QStringLiteral("/v1/actions/%1?wait=5").arg(id),
                                             m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        QCOMPARE(outcome.json.value(QStringLiteral("status")).toString(), QStringLiteral("denied"));
        QCOMPARE(outcome.json.value(QStringLiteral("reason")).toString(),
                 QStringLiteral("Beneficiary is not on the vendor list"));
    }
};

QTEST_MAIN(TestConsoleEndToEnd)
#include "TestConsoleEndToEnd.moc"
