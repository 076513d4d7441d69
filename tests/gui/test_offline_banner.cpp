// The offline banner of the real main window, offscreen: it appears with what will happen when
// the connection is lost (reconnecting in N s; pending actions denied at their deadlines; nothing
// approved meanwhile), counts down to the next attempt, stays over the audit view too, and goes
// when the connection is back — over a scripted connection, and over the real WebSocket
// connection retrying a gateway that is not there.
#include "ConsoleWindowFixture.h"
#include "ScriptedGatewayConnection.h"
#include "SampleActions.h"

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "core/crypto/Ed25519.h"
#include "net/ReviewerKey.h"
#include "net/WebSocketGatewayConnection.h"
#include "ui/Band.h"
#include "ui/MainWindow.h"
#include "ui/StatusLine.h"

#include <QLabel>
#include <QRegularExpression>
#include <QSettings>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;
using namespace std::chrono_literals;
using countersign::testing::ScriptedGatewayConnection;

namespace {

} // namespace

class TestOfflineBanner final : public QObject, private testing::ConsoleWindowFixture {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void hiddenWhileConnected();
    void reconnectingSaysWhatHappensAndWhen();
    void countsDownToTheNextAttempt();
    void disappearsOnReconnect();
    void offlineIsRed();
    void refusedIsLeftToTheMessageBar();
    void staysOverTheAuditView();
    void theRealConnectionSaysWhenItRetries();

private:
    ui::Band *band() const { return m_window->offlineBand(); }
    QString title() const { return m_window->findChild<QLabel *>(QStringLiteral("offlineTitleLabel"))->text(); }
    QString detail() const { return m_window->findChild<QLabel *>(QStringLiteral("offlineDetailLabel"))->text(); }
    bool bannerShown() const { return band()->isVisibleTo(m_window.get()); }

};

void TestOfflineBanner::initTestCase()
{
    const QString problem = setUpConsole("test_offline_banner");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestOfflineBanner::init()
{
    makeConsole();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_connection->connectAs(QStringLiteral("rita@example.com"), m_now);
    m_connection->emitPending(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0));
    QCoreApplication::processEvents();
}

void TestOfflineBanner::cleanup()
{
    closeConsole();
}

void TestOfflineBanner::hiddenWhileConnected()
{
    QVERIFY(!bannerShown());
    QCOMPARE(m_window->offlineText(), QString());
}

void TestOfflineBanner::reconnectingSaysWhatHappensAndWhen()
{
    m_connection->setRetryInMs(4000);
    m_connection->setState(GatewayConnection::State::Reconnecting, QStringLiteral("connection refused"));
    QVERIFY(bannerShown());
    QCOMPARE(title(), QStringLiteral("Offline — reconnecting in 4 s"));
    QVERIFY(detail().contains(QStringLiteral("Pending actions will be denied at their deadlines")));
    QVERIFY(detail().contains(QStringLiteral("nothing is approved while you are away")));
    QCOMPARE(m_window->offlineText(),
        QStringLiteral("Offline — reconnecting in 4 s. Pending actions will be denied at their deadlines; nothing is "
                       "approved while you are away. Decisions cannot be sent until the connection is back."));
    QCOMPARE(band()->semantic(), Semantic::Warning);
    QCOMPARE(band()->accessibleDescription(), m_window->offlineText());
    // Why, one hover away; the gateway's words never as markup.
    QVERIFY(band()->toolTip().startsWith(QStringLiteral("Connection:\nconnection refused")));
    for (const QLabel *label : band()->findChildren<QLabel *>())
        QCOMPARE(label->textFormat(), Qt::PlainText);
    // The status line still says it too, always visible.
    QCOMPARE(m_window->statusLine()->stateText(), QStringLiteral("Reconnecting"));
}

void TestOfflineBanner::countsDownToTheNextAttempt()
{
    m_connection->setRetryInMs(9000);
    m_connection->setState(GatewayConnection::State::Reconnecting);
    QCOMPARE(title(), QStringLiteral("Offline — reconnecting in 9 s"));
    m_connection->setRetryInMs(1200);
    QTRY_COMPARE(title(), QStringLiteral("Offline — reconnecting in 2 s")); // its own 1 s tick
    m_connection->setRetryInMs(-1); // the attempt is under way
    QTRY_COMPARE(title(), QStringLiteral("Offline — reconnecting now"));
    QVERIFY(bannerShown());
}

void TestOfflineBanner::disappearsOnReconnect()
{
    m_connection->setRetryInMs(3000);
    m_connection->setState(GatewayConnection::State::Reconnecting);
    QVERIFY(bannerShown());
    m_connection->setState(GatewayConnection::State::Connected);
    QVERIFY(!bannerShown());
    QCOMPARE(m_window->offlineText(), QString());
    // And again, the next time.
    m_connection->setState(GatewayConnection::State::Reconnecting);
    QVERIFY(bannerShown());
    m_connection->connectAs(QStringLiteral("rita@example.com"), m_now);
    QVERIFY(!bannerShown());
}

void TestOfflineBanner::offlineIsRed()
{
    m_connection->setState(GatewayConnection::State::Offline, QStringLiteral("Disconnected"));
    QVERIFY(bannerShown());
    QCOMPARE(title(), QStringLiteral("Offline — not connected to the gateway"));
    QVERIFY(detail().contains(QStringLiteral("Pending actions will be denied at their deadlines")));
    QVERIFY(detail().contains(QStringLiteral("not trying to connect")));
    QCOMPARE(band()->semantic(), Semantic::Danger);
    m_connection->setState(GatewayConnection::State::Connecting);
    QVERIFY(!bannerShown());
}

void TestOfflineBanner::refusedIsLeftToTheMessageBar()
{
    m_connection->setState(GatewayConnection::State::Reconnecting);
    QVERIFY(bannerShown());
    m_connection->setState(GatewayConnection::State::Refused, QStringLiteral("certificate changed"));
    QVERIFY(!bannerShown()); // the red message says it, and that the console will not retry
}

void TestOfflineBanner::staysOverTheAuditView()
{
    m_connection->setRetryInMs(5000);
    m_connection->setState(GatewayConnection::State::Reconnecting);
    m_window->showAudit();
    QVERIFY(m_window->isAuditShown());
    QVERIFY(bannerShown());
    QVERIFY(band()->isVisible());
}

void TestOfflineBanner::theRealConnectionSaysWhenItRetries()
{
    // A loopback port with nothing listening: every attempt is refused at once.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();

    ConnectionSettings settings;
    settings.url = QUrl(QStringLiteral("wss://127.0.0.1:%1/v1/console").arg(port));
    settings.pinnedSha256 = QByteArray(64, 'a');
    settings.gatewayPublicKey = crypto::Ed25519PrivateKey::generate().value().publicKey().raw();
    settings.signIn = [](const auth::SignInClaims &) -> Result<QByteArray> {
        return makeError(QStringLiteral("test.unused"), QStringLiteral("never reached"));
    };
    settings.initialBackoffMs = 6000; // the first retry 3 to 9 s away
    WebSocketGatewayConnection connection(std::move(settings));
    ServerTime time(SystemClock::instance());
    ui::MainWindow window(&connection, time, m_key.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    connection.start();
    QTRY_COMPARE(connection.state(), GatewayConnection::State::Reconnecting);
    QVERIFY(window.offlineBand()->isVisibleTo(&window));
    const QString title = window.findChild<QLabel *>(QStringLiteral("offlineTitleLabel"))->text();
    const QRegularExpressionMatch match =
        QRegularExpression(QStringLiteral("^Offline — reconnecting in (\\d+) s$")).match(title);
    QVERIFY2(match.hasMatch(), qPrintable(title));
    QVERIFY2(match.captured(1).toInt() >= 1 && match.captured(1).toInt() <= 9, qPrintable(title));
    connection.stop();
    QVERIFY(window.offlineText().startsWith(QStringLiteral("Offline — not connected to the gateway")));
}

QTEST_MAIN(TestOfflineBanner)
#include "test_offline_banner.moc"
