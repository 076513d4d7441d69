// The tray icon, its count badge, and desktop notifications.
#include "ui/AttentionTray.h"

#include "ui/Resources.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QSystemTrayIcon>

namespace countersign::ui {

namespace {

constexpr int kMessageMs = 10'000;
constexpr int kMaxListed = 3;

} // namespace

AttentionTray::AttentionTray(AttentionMonitor *monitor, QWidget *window, QObject *parent)
    : QObject(parent), m_monitor(monitor), m_window(window), m_baseIcon(appIcon())
{
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &AttentionTray::flush);
    connect(monitor, &AttentionMonitor::noticeRaised, this, &AttentionTray::onNotice);
    connect(monitor, &AttentionMonitor::pendingCountChanged, this, &AttentionTray::updateIcon);

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(this);
        m_menu = new QMenu(window);
        QAction *show = m_menu->addAction(QStringLiteral("Show Countersign"));
        connect(show, &QAction::triggered, this, &AttentionTray::windowRequested);
        m_tray->setContextMenu(m_menu);
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                Q_EMIT windowRequested();
        });
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, &AttentionTray::activateLastMessage);
    }
    updateIcon(monitor->pendingCount());
    if (m_tray)
        m_tray->show();
}

AttentionTray::~AttentionTray()
{
    delete m_menu.data(); // the window may outlive the tray
}

bool AttentionTray::isTrayShown() const
{
    return m_tray && m_tray->isVisible();
}

QPixmap AttentionTray::badgePixmap(const QIcon &base, int count, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    base.paint(&painter, QRect(0, 0, size, size));
    if (count <= 0)
        return pixmap;

    const QString text = count > 99 ? QStringLiteral("99+") : QString::number(count);
    QFont font = QApplication::font();
    font.setBold(true);
    font.setPixelSize(qMax(6, qRound(size * 0.40)));
    painter.setFont(font);
    const qreal height = size * 0.52;
    const qreal width = qMin<qreal>(size, qMax(height, painter.fontMetrics().horizontalAdvance(text) + height * 0.45));
    const QRectF badge(size - width, 0, width, height);
    // A red pill with a light rim reads on light and dark panels alike.
    QPainterPath pill;
    pill.addRoundedRect(badge.adjusted(0.5, 0.5, -0.5, -0.5), height / 2, height / 2);
    painter.setPen(QPen(QColor(0xff, 0xff, 0xff, 230), qMax(1.0, size / 32.0)));
    painter.setBrush(QColor(0xc0, 0x39, 0x2b));
    painter.drawPath(pill);
    painter.setPen(Qt::white);
    painter.drawText(badge, Qt::AlignCenter, text);
    return pixmap;
}

QIcon AttentionTray::badgedIcon(const QIcon &base, int count)
{
    QIcon icon;
    for (int size : {16, 22, 24, 32, 48, 64, 128})
        icon.addPixmap(badgePixmap(base, count, size));
    return icon;
}

void AttentionTray::setConnectionNote(const QString &note)
{
    if (note == m_connectionNote)
        return;
    m_connectionNote = note;
    updateIcon(m_count);
}

void AttentionTray::updateIcon(int count)
{
    // The icon is redrawn only when the count changes, not on every update of the queue.
    if (count != m_count || m_icon.isNull())
        m_icon = badgedIcon(m_baseIcon, count);
    m_count = count;
    m_toolTip = count == 0 ? QStringLiteral("Countersign — nothing pending")
                           : QStringLiteral("Countersign — %1 pending").arg(count);
    if (!m_connectionNote.isEmpty())
        m_toolTip += QLatin1Char('\n') + m_connectionNote;
    if (m_tray) {
        m_tray->setIcon(m_icon);
        m_tray->setToolTip(m_toolTip);
    }
}

void AttentionTray::onNotice(const AttentionNotice &notice)
{
    m_waiting.append(notice);
    if (m_flushTimer.isActive())
        return;
    // Notices of one moment (a burst, a clock jump) go out as one message, and messages come no
    // closer together than the minimum gap: a desktop full of pop-ups helps nobody.
    qint64 wait = 0;
    if (m_sinceLast.isValid() && m_sinceLast.elapsed() < m_minimumGapMs)
        wait = m_minimumGapMs - m_sinceLast.elapsed();
    m_flushTimer.start(static_cast<int>(wait));
}

void AttentionTray::flush()
{
    if (m_waiting.isEmpty())
        return;
    std::stable_sort(m_waiting.begin(), m_waiting.end(),
        [](const AttentionNotice &a, const AttentionNotice &b) { return a.msLeft < b.msLeft; });
    const AttentionNotice &first = m_waiting.constFirst();
    Message message;
    message.actionId = first.actionId; // the most urgent
    message.notices = static_cast<int>(m_waiting.size());
    if (m_waiting.size() == 1) {
        message.title = first.title;
        message.body = first.body;
    } else {
        message.title = QStringLiteral("%1 actions need your attention").arg(m_waiting.size());
        QStringList lines;
        for (qsizetype i = 0; i < std::min<qsizetype>(kMaxListed, m_waiting.size()); ++i)
            lines.append(m_waiting.at(i).title);
        if (m_waiting.size() > kMaxListed)
            lines.append(QStringLiteral("and %1 more").arg(m_waiting.size() - kMaxListed));
        message.body = lines.join(QLatin1Char('\n'));
    }
    const bool serious = std::any_of(m_waiting.cbegin(), m_waiting.cend(), [](const AttentionNotice &notice) {
        return notice.kind == AttentionNotice::Kind::Escalated || notice.tier >= 4;
    });
    m_waiting.clear();
    m_last = message;
    ++m_messageCount;
    m_sinceLast.start();

    if (m_tray && QSystemTrayIcon::supportsMessages()) {
        m_tray->showMessage(message.title, message.body,
            serious ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information, kMessageMs);
    } else if (m_window) {
        // No notifications here: have the window system mark the window (taskbar, dock).
        QApplication::alert(m_window->window());
    }
    if (m_sound)
        QApplication::beep();
}

void AttentionTray::activateLastMessage()
{
    if (m_last)
        Q_EMIT actionActivated(m_last->actionId);
}

} // namespace countersign::ui
