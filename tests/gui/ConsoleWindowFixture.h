// What the console's GUI tests share: settings kept in a temporary directory for the test, the
// reviewer's key enrolled once at the cheapest key-file cost, and a main window over a scripted
// connection and a hand-moved clock, made afresh for each test function. A test class derives
// from QObject first, then from this.
#pragma once

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "core/crypto/SecureBuffer.h"
#include "net/ReviewerKey.h"
#include "tests/gui/ScriptedGatewayConnection.h"
#include "ui/MainWindow.h"

#include <chrono>
#include <memory>

#include <QApplication>
#include <QCoreApplication>
#include <QDateTime>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

namespace countersign::testing {

class ConsoleWindowFixture
{
protected:
    static constexpr char kReviewer[] = "rita@example.com";
    static constexpr char kPassphrase[] = "correct horse battery staple";

    static crypto::SecureBuffer secret(const char *text) { return crypto::SecureBuffer(QByteArrayView(text)); }

    // For initTestCase: settings under a temporary directory named for the test, and the
    // reviewer's key, unlocked and never locking by itself. Empty, or what went wrong.
    [[nodiscard]] QString setUpConsole(const char *testName)
    {
        using namespace std::chrono_literals;
        if (!m_settingsDir.isValid() || !m_keyDir.isValid())
            return QStringLiteral("no temporary directory");
        QCoreApplication::setOrganizationName(QStringLiteral("CountersignTest"));
        QCoreApplication::setApplicationName(QLatin1String(testName));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        auto key = ReviewerKey::enrol(m_keyDir.filePath(QStringLiteral("reviewer-key.pem")), QLatin1String(kReviewer),
                                      secret(kPassphrase), crypto::ScryptCost {uint64_t(1) << 14, 8, 1});
        if (!key)
            return key.error().toString();
        m_key = std::move(key).value();
        return unlockKey();
    }

    // The key unlocked again (a test may have locked it) with no idle lock. Empty, or why not.
    [[nodiscard]] QString unlockKey()
    {
        using namespace std::chrono_literals;
        if (!m_key->isUnlocked() && !m_key->unlock(secret(kPassphrase)))
            return QStringLiteral("the key did not unlock");
        m_key->setIdleTimeout(0ms);
        return {};
    }

    // For init: a fresh clock, server time and scripted connection.
    void makeConnection()
    {
        m_clock = std::make_unique<ManualClock>();
        m_time = std::make_unique<ServerTime>(*m_clock);
        m_now = m_clock->nowUtc();
        m_connection = std::make_unique<ScriptedGatewayConnection>();
    }

    // The same, and a main window over them, made but not shown (a test may configure it first).
    void makeConsole()
    {
        makeConnection();
        m_window = std::make_unique<ui::MainWindow>(m_connection.get(), *m_time, m_key.get());
    }

    // The window's widget of this object name; a test that asks for a missing one stops there.
    template<typename T> T *find(const QString &name) const
    {
        T *widget = m_window->findChild<T *>(name);
        if (!widget)
            qFatal("no widget named %s", qPrintable(name));
        return widget;
    }

    // An action arriving from the gateway, handled as the event loop would.
    protocol::ActionPending arrive(const Action &action, int approvals = 0)
    {
        const protocol::ActionPending frame = m_connection->emitPending(action, approvals);
        QCoreApplication::processEvents();
        return frame;
    }

    // A key press where the keyboard focus is (the window when nothing has it).
    void press(int key, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
    {
        QWidget *target = QApplication::focusWidget() ? QApplication::focusWidget() : m_window.get();
        QTest::keyClick(target, static_cast<Qt::Key>(key), modifiers);
    }

    // For cleanup.
    void closeConsole()
    {
        m_window.reset();
        m_connection.reset();
        m_time.reset();
        m_clock.reset();
    }

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_keyDir;
    std::unique_ptr<ReviewerKey> m_key;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<ServerTime> m_time;
    std::unique_ptr<ScriptedGatewayConnection> m_connection;
    std::unique_ptr<ui::MainWindow> m_window;
    QDateTime m_now;
};

} // namespace countersign::testing
