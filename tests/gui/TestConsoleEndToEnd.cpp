// The whole console against a real gateway process over TLS: the console signs in with the
// reviewer's key (held by a ReviewerKey, as the console holds it), an agent submits over HTTPS,
// the action appears in the real main window, the reviewer selects and approves it with the
// keyboard (a payment: deliberately, retyping the amount and the passphrase), the signed
// decision is accepted, it leaves the queue, and the agent's long-poll learns the outcome.
#include "core/Clock.h"
#include "core/ServerTime.h"
#include "core/decision/SignedDecision.h"
#include "models/PendingQueueModel.h"
#include "net/ConsoleJournal.h"
#include "net/ReviewerKey.h"
#include "net/WebSocketGatewayConnection.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"
#include "ui/ActionDetailView.h"
#include "ui/ConfirmApprovalDialog.h"
#include "ui/MainWindow.h"
#include "ui/MessageBar.h"

#include <algorithm>

#include <QApplication>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMutex>
#include <QPlainTextEdit>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;

namespace {

// Every message the process logs while a test listens (the console's own log lines).
QMutex g_logMutex;
QStringList g_logged;
QtMessageHandler g_previousHandler = nullptr;

void recordMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_logged.append(message);
    }
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

} // namespace

class TestConsoleEndToEnd final : public QObject
{
    Q_OBJECT

private:
    static inline const QByteArray kPassphrase = "end to end passphrase";

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<QTemporaryDir> m_keyDir;
    std::unique_ptr<ReviewerKey> m_key;
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
        // Rita's key, enrolled in the gateway's policy, stored as the console stores a key.
        m_keyDir = std::make_unique<QTemporaryDir>();
        auto key = ReviewerKey::importKey(m_keyDir->filePath(QStringLiteral("rita.pem")), GatewayProcess::kRita,
            m_gateway->reviewerKey(GatewayProcess::kRita).seed(), crypto::SecureBuffer(kPassphrase),
            crypto::ScryptCost {uint64_t(1) << 14, 8, 1});
        QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
        m_key = std::move(key).value();

        ConnectionSettings settings = m_gateway->connectionSettings(GatewayProcess::kRita);
        ReviewerKey *signer = m_key.get(); // signs as the console does, through its ReviewerKey
        settings.signIn = [signer](const auth::SignInClaims &claims) { return signer->signSignIn(claims); };
        m_connection = std::make_unique<WebSocketGatewayConnection>(settings);
        m_serverTime = std::make_unique<ServerTime>(SystemClock::instance());
        m_window = std::make_unique<ui::MainWindow>(m_connection.get(), *m_serverTime, m_key.get());
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
        m_key.reset();
        m_keyDir.reset();
        m_gateway.reset();
    }

    // IAM-07 end to end: credentials an agent put in its parameters and its Judge's rationale
    // reach neither the gateway's database, its log, the console's journal, the console's log
    // lines, nor any text the console shows.
    void credentialsReachNoFileLogOrWidget()
    {
        {
            QMutexLocker lock(&g_logMutex);
            g_logged.clear();
        }
        g_previousHandler = qInstallMessageHandler(recordMessage);
        QTemporaryDir journalDir;
        auto journal = ConsoleJournal::open(journalDir.filePath(QStringLiteral("rita.journal.db")));
        QVERIFY2(journal, qPrintable(journal ? QString() : journal.error().toString()));
        journal.value()->attach(*m_connection);
        const QStringList secrets{QStringLiteral("AKIAIOSFODNN7EXAMPLE"), QStringLiteral("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                                  QStringLiteral("S3cr3t-pa55"), QStringLiteral("dXNlcjpwYXNzd29yZA==")};
        const QJsonObject body{
            {QStringLiteral("tool"), QStringLiteral("payments")},
            {QStringLiteral("operation"), QStringLiteral("transfer")},
            {QStringLiteral("parameters"),
             QJsonObject{{QStringLiteral("amount"), 31000},
                         {QStringLiteral("memo"), QString(QStringLiteral("creds: ") + secrets.at(0) + QLatin1Char(' ')
                                                          + QStringLiteral("aws_secret_access_key=") + secrets.at(1))},
                         {QStringLiteral("callback"), QString(QStringLiteral("postgres://app:") + secrets.at(2) + QStringLiteral("@db/crm"))},
                         {QStringLiteral("headers"), QJsonObject{{QStringLiteral("Authorization"), QString(QStringLiteral("Basic ") + secrets.at(3))}}}}},
            {QStringLiteral("context"),
             QJsonObject{{QStringLiteral("user"), QJsonObject{{QStringLiteral("id"), QStringLiteral("alice@example.com")}}},
                         {QStringLiteral("application"), QJsonObject{{QStringLiteral("id"), QStringLiteral("crm-app")}}},
                         {QStringLiteral("sessionId"), QStringLiteral("s-9")}}},
            {QStringLiteral("judge"),
             QJsonArray{QJsonObject{{QStringLiteral("judgeId"), QStringLiteral("judge-gpt-guard")},
                                    {QStringLiteral("verdict"), QStringLiteral("flag")},
                                    {QStringLiteral("category"), QStringLiteral("credential-leak")},
                                    {QStringLiteral("score"), 0.97},
                                    {QStringLiteral("rationale"), QString(QStringLiteral("the memo carries ") + secrets.at(0))}}}},
        };
        TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
        const HttpResult submitted = agent.post(QStringLiteral("/v1/actions"), QJsonDocument(body).toJson(QJsonDocument::Compact),
                                                m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        QVERIFY2(submitted.status == 202, qPrintable(submitted.describe()));
        const QString id = submitted.json.value(QStringLiteral("id")).toString();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->queueModel()->rowCount() == 1, 10000);
        selectWithKeyboard(id);
        QCOMPARE(m_window->selectedActionId(), id);
        auto *band = m_window->findChild<QWidget *>(QStringLiteral("credentialNotice"));
        QVERIFY(band && band->isVisible());

        QStringList shown;
        for (const QLabel *label : m_window->findChildren<QLabel *>())
            shown << label->text() << label->toolTip();
        for (const QTreeWidget *tree : m_window->findChildren<QTreeWidget *>()) {
            for (QTreeWidgetItemIterator it(const_cast<QTreeWidget *>(tree)); *it; ++it)
                shown << (*it)->text(0) << (*it)->text(1) << (*it)->toolTip(1);
        }
        for (const QPlainTextEdit *edit : m_window->findChildren<QPlainTextEdit *>())
            shown << edit->toPlainText();
        for (const QLineEdit *edit : m_window->findChildren<QLineEdit *>())
            shown << edit->text();
        // The queue's cells and tooltips, as the view asks for them.
        const QAbstractItemModel *queue = m_window->queueModel();
        for (int row = 0; row < queue->rowCount(); ++row) {
            for (int column = 0; column < queue->columnCount(); ++column)
                shown << queue->index(row, column).data().toString() << queue->index(row, column).data(Qt::ToolTipRole).toString();
        }
        const QString widgetText = shown.join(QLatin1Char('\n'));
        QVERIFY(widgetText.contains(QStringLiteral("[redacted: aws-access-key …")));

        m_window.reset();
        QVERIFY(journal.value()->flush());
        const qint64 journaled = journal.value()->size();
        journal.value().reset(); // written out and indexed
        m_connection.reset();
        m_gateway->stop();
        qInstallMessageHandler(g_previousHandler);
        QVERIFY2(journaled >= 1, "the console's journal recorded the action it was shown");
        QList<QPair<QString, QByteArray>> files{{m_gateway->logPath(), m_gateway->logText()}};
        for (const QString &directory : {m_gateway->dataDir(), journalDir.path()}) {
            QDirIterator it(directory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile file(it.next());
                QVERIFY(file.open(QIODevice::ReadOnly));
                files.append({file.fileName(), file.readAll()});
            }
        }
        QVERIFY(files.size() >= 4);
        // The journal holds the action it was shown, with its credentials as the gateway redacted them.
        QVERIFY(std::any_of(files.cbegin(), files.cend(), [](const auto &file) {
            return file.first.contains(QLatin1String("rita.journal.db")) && file.second.contains("[redacted: aws-access-key");
        }));
        const QString logged = [] {
            QMutexLocker lock(&g_logMutex);
            return g_logged.join(QLatin1Char('\n'));
        }();
        for (const QString &secret : secrets) {
            QVERIFY2(!widgetText.contains(secret), qPrintable(secret));
            QVERIFY2(!logged.contains(secret), qPrintable(secret + QStringLiteral(" in the console's log")));
            for (const auto &[path, bytes] : files)
                QVERIFY2(!bytes.contains(secret.toUtf8()), qPrintable(secret + QStringLiteral(" in ") + path));
        }
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

        // A payment is approved deliberately: the amount as the parameters hold it, and the passphrase.
        ui::ConfirmApprovalDialog *confirm = m_window->confirmApprovalDialog();
        QVERIFY(confirm);
        QTest::keyClicks(confirm->findChild<QLineEdit *>(QStringLiteral("keyFactLineEdit")), QStringLiteral("24000"));
        auto *passphrase = confirm->findChild<QLineEdit *>(QStringLiteral("approvalPassphraseLineEdit"));
        QTest::keyClicks(passphrase, QString::fromLatin1(kPassphrase));
        QVERIFY2(confirm->tryApprove(), qPrintable(confirm->errorText()));

        // The gateway acknowledges, publishes the resolution, and the row leaves the queue.
        QTRY_COMPARE_WITH_TIMEOUT(m_window->queueModel()->rowOf(id), -1, 10000);
        QVERIFY(m_window->messageBar()->title().startsWith(QStringLiteral("Approved, acknowledged by gateway")));

        const HttpResult outcome = agent.get(QStringLiteral("/v1/actions/%1?wait=5").arg(id),
                                             m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        QCOMPARE(outcome.json.value(QStringLiteral("status")).toString(), QStringLiteral("approved"));
        QCOMPARE(outcome.json.value(QStringLiteral("decidedBy")).toString(), GatewayProcess::kRita);
        // What the gateway recorded is the decision the console signed with Rita's key.
        const QList<GatewayProcess::StoredDecision> stored = m_gateway->storedDecisions(id);
        QCOMPARE(stored.size(), 1);
        QVERIFY(stored.constFirst().accepted);
        QVERIFY(decision::verifyDecision(stored.constFirst().token, m_key->publicKey()));
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

    void lockedKeyCannotSignInAndUnlockingReconnects()
    {
        // Locked, the session goes on; but a reconnection needs a fresh sign-in, which the key
        // cannot sign: the connection stops as Refused, and unlocking starts it again.
        m_key->lock();
        m_connection->simulateNetworkDrop();
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), GatewayConnection::State::Refused, 15000);
        QCOMPARE(m_window->messageBar()->title(), QStringLiteral("Not signed in: your key is locked"));
        QVERIFY(m_key->unlock(crypto::SecureBuffer(kPassphrase)));
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), GatewayConnection::State::Connected, 15000);
    }
};

QTEST_MAIN(TestConsoleEndToEnd)
#include "TestConsoleEndToEnd.moc"
