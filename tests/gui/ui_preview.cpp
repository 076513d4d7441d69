// countersign-ui-preview: the real main window over a scripted connection filled with realistic
// actions, for looking at the console (and taking screenshots) without a gateway. Not a test.
//
//   countersign-ui-preview [--scenario NAME] [--dark] [--screenshot FILE] [--delay MS]
//   scenarios: queue (default), flagged, armed, approved, dual, hostile, empty, offline, expired, audit-alarm,
//              attention (an escalated, flagged email shown while the connection is down),
//              shortcuts, locked (the key locked after idling), unlock (the unlock dialog after a
//              wrong passphrase), confirm (the deliberate approval of a tier 4 payment),
//              enrol and enrolled (the first-run key dialog, before and after Generate),
//              audit (the audit view on a generated log, a signed approval selected) and
//              audit-verified (the same after "Verify integrity"); detail-email, detail-payment
//              and detail-flagged-credential (the effect preview of an email, of a payment, and of a
//              Judge-flagged email carrying a redacted key and a right-to-left override),
//              detail-permission (an agent widening its own permissions, from an application
//              that is not enrolled: its user and application are only claimed);
//              queue-judge-filter (Queue ▸ Show only Judge-flagged on, a flagged email selected) and
//              queue-judge-filter-empty (the same once every flagged action was decided)
#include "ScriptedGatewayConnection.h"
#include "SampleActions.h"

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "models/AuditHistoryModel.h"
#include "models/PendingQueueModel.h"
#include "net/AuditWitness.h"
#include "net/ConsoleJournal.h"
#include "net/ReviewerKey.h"
#include "tests/support/AuditLogGenerator.h"
#include "tests/support/MemoryTreeLog.h"
#include "ui/ActionDetailView.h"
#include "ui/AuditBrowserView.h"
#include "ui/AuditEntryView.h"
#include "ui/ConfirmApprovalDialog.h"
#include "ui/EnrolmentDialog.h"
#include "ui/MainWindow.h"
#include "ui/Resources.h"
#include "ui/UnlockDialog.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QTemporaryDir>
#include <QStyleFactory>
#include <QTableView>
#include <QTimer>

using namespace countersign;
using countersign::testing::ScriptedGatewayConnection;

namespace {

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31);
    const QColor base(0x1f, 0x21, 0x24);
    const QColor text(0xe6, 0xe8, 0xeb);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x6f, 0xb4));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    QColor placeholder = text;
    placeholder.setAlpha(128);
    p.setColor(QPalette::PlaceholderText, placeholder);
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x7a, 0x7d, 0x82));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x7a, 0x7d, 0x82));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x7a, 0x7d, 0x82));
    p.setColor(QPalette::Mid, QColor(0x44, 0x47, 0x4c));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    return p;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("countersign-ui-preview"));
    QApplication::setOrganizationName(QStringLiteral("CountersignPreview"));
    QApplication::setWindowIcon(ui::appIcon());

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption scenarioOption(
        QStringLiteral("scenario"), QStringLiteral("What to show."), QStringLiteral("name"), QStringLiteral("queue"));
    const QCommandLineOption darkOption(QStringLiteral("dark"), QStringLiteral("Use a dark palette."));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"), QStringLiteral("Write a PNG and quit."), QStringLiteral("file"));
    const QCommandLineOption delayOption(QStringLiteral("delay"), QStringLiteral("Milliseconds before the screenshot."),
        QStringLiteral("ms"), QStringLiteral("1500"));
    parser.addOptions({scenarioOption, darkOption, screenshotOption, delayOption});
    parser.process(app);
    const QString scenario = parser.value(scenarioOption);

    if (parser.isSet(darkOption)) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
    }

    // A throwaway reviewer key at the cheapest cost; the passphrase is only for this preview.
    const QTemporaryDir keyDir;
    const crypto::SecureBuffer passphrase(QByteArrayView("preview passphrase"));
    const crypto::ScryptCost cheap {uint64_t(1) << 14, 8, 1};
    auto enrolled = ReviewerKey::enrol(
        keyDir.filePath(QStringLiteral("reviewer-key.pem")), QStringLiteral("rita@example.com"), passphrase, cheap);
    if (!enrolled) {
        qWarning("cannot create the preview key: %s", qPrintable(enrolled.error().toString()));
        return 1;
    }
    const std::unique_ptr<ReviewerKey> key = std::move(enrolled).value();
    key->setIdleTimeout(std::chrono::minutes(10));

    // The same audit view layout every time: no splitter or columns from an earlier run.
    QSettings().remove(QStringLiteral("auditBrowser"));
    // Nor a queue order or filter left on by an earlier scenario.
    QSettings().remove(QStringLiteral("queue"));

    ScriptedGatewayConnection connection;
    ServerTime serverTime(SystemClock::instance());
    ui::MainWindow window(&connection, serverTime, key.get());
    window.show();

    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (scenario == QLatin1String("offline")) {
        connection.setRetryInMs(4000);
        connection.setState(
            GatewayConnection::State::Reconnecting, QStringLiteral("connection refused; retrying in 4 s"));
    } else {
        connection.connectAs(QStringLiteral("rita@example.com"), now);
    }
    connection.emitResyncStarted();

    QString select;
    if (scenario != QLatin1String("empty")) {
        using namespace countersign::testing;
        connection.emitPending(paymentAction(QStringLiteral("act-5f0c2a91d3e47b18"), now.addSecs(-50), 300, 12400.0));
        connection.emitPending(emailAction(QStringLiteral("act-91b2e0d4c7a35f66"), now.addSecs(-230), 300, true));
        connection.emitPending(deleteAction(QStringLiteral("act-0c7e55a1b9d2f304"), now.addSecs(-20), 240));
        connection.emitPending(permissionAction(QStringLiteral("act-77a1c3e9f0b24d58"), now.addSecs(-10), 300));
        connection.emitPending(
            paymentAction(QStringLiteral("act-c41d8e2a6b9f0375"), now.addSecs(-100), 600, 248000.0, false, 4, 2), 1);
        connection.emitPending(emailAction(QStringLiteral("act-2e6b90f1a4c8d7e3"), now.addSecs(-160), 180, false));
        if (scenario == QLatin1String("hostile"))
            connection.emitPending(hostileAction(QStringLiteral("act-hostile-0001"), now.addSecs(-5), 300));
        if (scenario == QLatin1String("expired"))
            connection.emitPending(deleteAction(QStringLiteral("act-expired-0001"), now.addSecs(-300), 240));
        if (scenario == QLatin1String("credential"))
            connection.emitPending(credentialAction(QStringLiteral("act-cred-0001"), now.addSecs(-40), 180));
        if (scenario == QLatin1String("detail-permission"))
            connection.emitPending(permissionAction(QStringLiteral("act-perm-0001"), now.addSecs(-30), 600));
        if (scenario == QLatin1String("detail-flagged-credential")
            || scenario.startsWith(QLatin1String("queue-judge-filter")))
            connection.emitPending(flaggedCredentialEmailAction(QStringLiteral("act-e7f3a0c95b12d846"), now.addSecs(-25), 300));
        connection.emitSubscribed(true);
        // One live arrival after the snapshot: it gets the fading "new" highlight.
        connection.emitPending(
            paymentAction(QStringLiteral("act-8d3f1b7c2e9a6054"), now.addSecs(-2), 300, 31750.0, false));
        QCoreApplication::processEvents();

        select = QStringLiteral("act-5f0c2a91d3e47b18");
        if (scenario == QLatin1String("flagged") || scenario == QLatin1String("attention")
            || scenario.startsWith(QLatin1String("queue-judge-filter")))
            select = QStringLiteral("act-91b2e0d4c7a35f66");
        if (scenario.startsWith(QLatin1String("queue-judge-filter")))
            window.findChild<QAction *>(QStringLiteral("flaggedOnlyAction"))->trigger();
        else if (scenario == QLatin1String("dual"))
            select = QStringLiteral("act-c41d8e2a6b9f0375");
        else if (scenario == QLatin1String("hostile"))
            select = QStringLiteral("act-hostile-0001");
        else if (scenario == QLatin1String("expired"))
            select = QStringLiteral("act-expired-0001");
        else if (scenario == QLatin1String("credential"))
            select = QStringLiteral("act-cred-0001");
        else if (scenario == QLatin1String("detail-permission"))
            select = QStringLiteral("act-perm-0001");
        else if (scenario == QLatin1String("detail-email"))
            select = QStringLiteral("act-2e6b90f1a4c8d7e3");
        else if (scenario == QLatin1String("detail-flagged-credential"))
            select = QStringLiteral("act-e7f3a0c95b12d846");
        window.selectAction(select);
        window.queueView()->setFocus();
    }

    if (scenario == QLatin1String("queue-judge-filter-empty")) {
        for (const QString &id : {QStringLiteral("act-91b2e0d4c7a35f66"), QStringLiteral("act-e7f3a0c95b12d846")})
            connection.emitResolved(id, protocol::Outcome::Denied, QStringLiteral("sam@example.com"), now);
    }
    if (scenario == QLatin1String("armed")) {
        window.detailView()->armApprove();
    } else if (scenario == QLatin1String("approved")) {
        window.detailView()->armApprove();
        window.detailView()->confirmArmed();
        const protocol::Decision decision = connection.sentDecisions().constLast();
        connection.emitResult(decision, true, QDateTime::currentDateTimeUtc());
        connection.emitResolved(decision.actionId, protocol::Outcome::Approved, QStringLiteral("rita@example.com"),
            QDateTime::currentDateTimeUtc());
    } else if (scenario == QLatin1String("offline")) {
        // nothing more: the banner, the status line and decision bar say what offline means
    } else if (scenario == QLatin1String("attention")) {
        // The gateway told the payment's escalation group before the connection dropped.
        connection.emitEscalated(QStringLiteral("act-91b2e0d4c7a35f66"), QStringLiteral("support-leads"), now.addSecs(-12));
        connection.setRetryInMs(7000);
        connection.setState(GatewayConnection::State::Reconnecting,
            QStringLiteral("Connection to wss://127.0.0.1:8443/v1/console lost; retrying in 7 s."));
    }

    if (scenario == QLatin1String("shortcuts"))
        window.showShortcuts();

    // The witness's alarm: the gateway's log, witnessed at 1,207 entries, comes back rewritten.
    std::unique_ptr<ConsoleJournal> journal;
    std::unique_ptr<AuditWitness> witness;
    if (scenario == QLatin1String("audit-alarm")) {
        auto opened = ConsoleJournal::open(keyDir.filePath(QStringLiteral("reviewer-key.journal.db")));
        if (!opened) {
            qWarning("cannot open the preview journal: %s", qPrintable(opened.error().toString()));
            return 1;
        }
        journal = std::move(opened).value();
        const auto gatewayKey = crypto::Ed25519PrivateKey::generate().value();
        witness = std::make_unique<AuditWitness>(connection, *journal, gatewayKey.publicKey());
        window.setAuditWitness(witness.get());
        connection.connectAs(QStringLiteral("rita@example.com"), now);
        testsupport::MemoryTreeLog honest{QStringLiteral("countersign/gw-test"), {}};
        honest.appendMany(1207, "entry-");
        connection.emitCheckpoint(honest.note(1207, gatewayKey));
        testsupport::MemoryTreeLog rewritten{honest.origin, honest.leaves.mid(0, 1100)};
        rewritten.appendMany(160, "other-");
        connection.emitCheckpoint(rewritten.note(1260, gatewayKey));
        connection.answerLastProofRequest(rewritten.proof(1207, 1260));
    }

    if (scenario == QLatin1String("locked")) {
        key->lock(ReviewerKey::LockReason::Idle);
    } else if (scenario == QLatin1String("unlock")) {
        key->lock(ReviewerKey::LockReason::Idle);
        ui::UnlockDialog *dialog = window.unlock();
        auto *edit = dialog->findChild<QLineEdit *>(QStringLiteral("unlockPassphraseLineEdit"));
        edit->setText(QStringLiteral("preview passfrase"));
        dialog->tryUnlock();
    } else if (scenario == QLatin1String("confirm")) {
        window.selectAction(QStringLiteral("act-c41d8e2a6b9f0375"));
        window.detailView()->armApprove();
        window.detailView()->confirmArmed();
        if (ui::ConfirmApprovalDialog *dialog = window.confirmApprovalDialog()) {
            dialog->findChild<QLineEdit *>(QStringLiteral("keyFactLineEdit"))->setText(QStringLiteral("248000"));
            dialog->findChild<QLineEdit *>(QStringLiteral("approvalPassphraseLineEdit"))
                ->setText(QStringLiteral("preview passphrase"));
        }
    } else if (scenario == QLatin1String("enrol") || scenario == QLatin1String("enrolled")) {
        auto *dialog = new ui::EnrolmentDialog(
            QDir(keyDir.path()).filePath(QStringLiteral("new/reviewer-key.pem")), QStringLiteral("rita@example.com"),
            &window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFixedCost(cheap);
        dialog->findChild<QLineEdit *>(QStringLiteral("passphraseLineEdit"))->setText(QStringLiteral("preview passphrase"));
        dialog->findChild<QLineEdit *>(QStringLiteral("repeatPassphraseLineEdit"))
            ->setText(QStringLiteral("preview passphrase"));
        dialog->open();
        if (scenario == QLatin1String("enrolled"))
            dialog->generate();
    }

    if (scenario == QLatin1String("audit") || scenario == QLatin1String("audit-verified")) {
        // A day of a gateway's log, with signed decisions and checkpoints.
        testsupport::AuditLogSpec spec;
        spec.actions = 400;
        auto generated = testsupport::generateAuditLog(keyDir.filePath(QStringLiteral("audit.db")), spec);
        if (!generated) {
            qWarning("cannot generate the audit log: %s", qPrintable(generated.error().toString()));
            return 1;
        }
        window.setGatewayKey(crypto::Ed25519PublicKey::fromRaw(generated.value().gatewayKeyRaw).value());
        ui::AuditBrowserView *audit = window.auditView();
        const bool verify = scenario == QLatin1String("audit-verified");
        QObject::connect(audit->model(), &AuditHistoryModel::pageLoaded, audit, [audit, verify] {
            if (audit->entryView()->seq() != 0)
                return;
            for (int row = 0; row < audit->model()->rowCount(); ++row) {
                const audit::BrowseRow *entry = audit->model()->rowAt(row);
                if (entry->outcome == QLatin1String("approved") && entry->kind == QLatin1String("decision.accepted")) {
                    audit->selectEntry(entry->seq);
                    break;
                }
            }
            if (verify)
                audit->verifyIntegrity();
        });
        window.openAuditLog(generated.value().path);
        window.showAudit();
    }

    if (parser.isSet(screenshotOption)) {
        const QString file = parser.value(screenshotOption);
        const bool detailOnly = scenario.startsWith(QLatin1String("detail-"));
        QTimer::singleShot(parser.value(delayOption).toInt(), &window, [&window, file, detailOnly] {
            // A dialog, when one is open, is what the scenario is about.
            QWidget *subject = QApplication::activeModalWidget() ? QApplication::activeModalWidget() : &window;
            if (detailOnly) {
                // The detail pane alone, tall enough to show the action from its headline to its
                // parameters without scrolling.
                auto *scroll = window.detailView()->findChild<QScrollArea *>(QStringLiteral("detailScrollArea"));
                QWidget *body = scroll->widget();
                const int needed = body->hasHeightForWidth() ? body->heightForWidth(scroll->viewport()->width())
                                                             : body->sizeHint().height();
                const int missing = needed - scroll->viewport()->height();
                if (missing > 0) {
                    window.resize(window.width(), window.height() + missing + 4);
                    for (int i = 0; i < 3; ++i)
                        QCoreApplication::processEvents();
                }
                subject = window.detailView();
            }
            QApplication::exit(subject->grab().save(file, "PNG") ? 0 : 1);
        });
    }
    return QApplication::exec();
}
