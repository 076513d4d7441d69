// The audit-only window.
#include "ui/AuditWindow.h"

#include "ui/AuditBrowserView.h"
#include "ui/Resources.h"
#include "ui/ShortcutsDialog.h"

#include <QAction>
#include <QCloseEvent>
#include <QFileInfo>
#include <QMenuBar>
#include <QScreen>
#include <QSettings>

namespace countersign::ui {

namespace {

const QString kGeometryKey = QStringLiteral("auditWindow/geometry");

} // namespace

AuditWindow::AuditWindow(QWidget *parent) : QMainWindow(parent)
{
    initResources();
    setObjectName(QStringLiteral("auditWindow"));
    setWindowTitle(QStringLiteral("Countersign — audit log"));
    setWindowIcon(appIcon());
    m_audit = new AuditBrowserView(this);
    setCentralWidget(m_audit);
    connect(m_audit, &AuditBrowserView::logOpened, this, [this](const QString &path) {
        setWindowTitle(QStringLiteral("Countersign — audit log %1").arg(QFileInfo(path).fileName()));
    });

    QMenu *file = menuBar()->addMenu(QStringLiteral("&Audit"));
    for (QAction *command : m_audit->commandActions()) {
        // The window has nothing else: its commands work wherever the focus is.
        command->setShortcutContext(Qt::WindowShortcut);
        file->addAction(command);
    }
    file->addSeparator();
    auto *quit = file->addAction(QStringLiteral("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setObjectName(QStringLiteral("quitAction"));
    QMenu *help = menuBar()->addMenu(QStringLiteral("&Help"));
    auto *shortcuts = help->addAction(QStringLiteral("&Keyboard shortcuts"), this, &AuditWindow::showShortcuts);
    shortcuts->setShortcuts({QKeySequence(Qt::Key_F1)});
    shortcuts->setObjectName(QStringLiteral("shortcutsAction"));

    if (const QScreen *screen = this->screen()) {
        const QSize available = screen->availableSize();
        resize(qMin(available.width() * 94 / 100, 1680), qMin(available.height() * 92 / 100, 1050));
    } else {
        resize(1360, 820);
    }
    const QByteArray geometry = QSettings().value(kGeometryKey).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
}

AuditWindow::~AuditWindow() = default;

void AuditWindow::openAuditLog(const QString &path)
{
    m_audit->openLog(path);
}

void AuditWindow::setGatewayKey(const std::optional<crypto::Ed25519PublicKey> &key)
{
    m_audit->setGatewayKey(key);
}

void AuditWindow::showShortcuts()
{
    auto *dialog = new ShortcutsDialog(m_audit->commandActions(),
        {{QStringLiteral("↓  or  ↑"), QStringLiteral("Next or previous entry (in the list)")},
            {QStringLiteral("Tab"), QStringLiteral("Move between the filters, the list and the entry")}},
        this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void AuditWindow::closeEvent(QCloseEvent *event)
{
    QSettings().setValue(kGeometryKey, saveGeometry());
    QMainWindow::closeEvent(event);
}

} // namespace countersign::ui
