// The console's presence outside its window: a system tray icon whose badge and tooltip count
// the pending actions, desktop notifications for what the AttentionMonitor raises (clicking one
// opens that action; nothing is ever decided from a notification), and an optional beep. Where
// there is no system tray (offscreen, some desktops) it keeps the same state, asks the window
// system to flag the window instead, and can still be driven by tests.
#pragma once

#include "models/AttentionMonitor.h"

#include <optional>

#include <QElapsedTimer>
#include <QIcon>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QMenu;
class QSystemTrayIcon;

namespace countersign::ui {

class AttentionTray final : public QObject {
    Q_OBJECT

public:
    // A message as shown (or, without a tray, as it would have been shown).
    struct Message {
        QString title;
        QString body;
        QString actionId; // what clicking it opens
        int notices = 0; // how many notices it stands for
    };

    // Neither the monitor nor the window is owned; window is what the tray icon raises.
    AttentionTray(AttentionMonitor *monitor, QWidget *window, QObject *parent = nullptr);
    ~AttentionTray() override;
    Q_DISABLE_COPY_MOVE(AttentionTray)

    // The app icon with the count drawn on it (no badge for 0; "99+" above 99).
    [[nodiscard]] static QPixmap badgePixmap(const QIcon &base, int count, int size);
    [[nodiscard]] static QIcon badgedIcon(const QIcon &base, int count);

    // Whether a system tray icon is showing (false where the platform has no tray).
    [[nodiscard]] bool isTrayShown() const;
    [[nodiscard]] QIcon icon() const { return m_icon; }
    [[nodiscard]] QString toolTip() const { return m_toolTip; }
    // Said under the count in the tooltip, e.g. that decisions cannot reach the gateway; empty for none.
    void setConnectionNote(const QString &note);

    // A beep with each notification. Off by default.
    void setSoundEnabled(bool enabled) { m_sound = enabled; }
    [[nodiscard]] bool soundEnabled() const { return m_sound; }
    // Notices raised within this long of the last message wait and go out together. Default 4 s.
    void setMinimumGapMs(int ms) { m_minimumGapMs = ms; }

    [[nodiscard]] std::optional<Message> lastMessage() const { return m_last; }
    [[nodiscard]] int messageCount() const { return m_messageCount; }
    // What clicking the last message does (QSystemTrayIcon::messageClicked): asks the window to
    // open its action.
    void activateLastMessage();

Q_SIGNALS:
    // Open (show, select) this action; never decide it.
    void actionActivated(const QString &actionId);
    // The tray icon was clicked: bring the window forward.
    void windowRequested();

private:
    void onNotice(const AttentionNotice &notice);
    void flush();
    void updateIcon(int count);

    QPointer<AttentionMonitor> m_monitor;
    QPointer<QWidget> m_window;
    QSystemTrayIcon *m_tray = nullptr; // null without a system tray
    QPointer<QMenu> m_menu; // a widget, so parented to the window
    QIcon m_baseIcon;
    QIcon m_icon;
    QString m_toolTip;
    QString m_connectionNote;
    int m_count = 0;
    bool m_sound = false;
    int m_minimumGapMs = 4000;
    QList<AttentionNotice> m_waiting;
    QTimer m_flushTimer;
    QElapsedTimer m_sinceLast;
    std::optional<Message> m_last;
    int m_messageCount = 0;
};

} // namespace countersign::ui
