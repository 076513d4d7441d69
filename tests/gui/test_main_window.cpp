// Drives the real main window offscreen over a scripted gateway connection: keyboard-first
// approval and denial signed with a real reviewer key, what the window shows afterwards,
// selection stability, the fail-safe states, the locked key (idle lock, Ctrl+L, unlocking),
// deliberate approval of high-impact actions, and that hostile text from an action is only
// ever shown as escaped plain text.
#include "ConsoleWindowFixture.h"
#include "ScriptedGatewayConnection.h"
#include "SampleActions.h"

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "core/decision/SignedDecision.h"
#include "core/json/FieldReader.h"
#include "models/PendingQueueModel.h"
#include "net/AuditWitness.h"
#include "net/ConsoleJournal.h"
#include "net/DecisionOutbox.h"
#include "net/ReviewerKey.h"
#include "tests/support/MemoryTreeLog.h"
#include "ui/ActionDetailView.h"
#include "ui/Badge.h"
#include "ui/Band.h"
#include "ui/ConfirmApprovalDialog.h"
#include "ui/MainWindow.h"
#include "ui/MessageBar.h"
#include "ui/ParameterTree.h"
#include "ui/ShortcutsDialog.h"
#include "ui/StatusLine.h"
#include "ui/UnlockDialog.h"

#include <QAction>
#include <QApplication>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QTextDocument>
#include <QTreeWidget>
#include <QElapsedTimer>

using namespace countersign;
using namespace std::chrono_literals;
using countersign::testing::ScriptedGatewayConnection;

class TestMainWindow final : public QObject, private testing::ConsoleWindowFixture {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void importantWidgetsHaveNamesAndAccessibleNames();
    void approveWithTheKeyboard();
    void approveWithTheMouseTakesTwoClicks();
    void nextMostUrgentIsSelectedAfterADecision();
    void judgeFlaggedFirstReordersTheQueueAndKeepsTheSelection();
    void denyIsImpossibleWithoutAReason();
    void enterInTheReasonFieldNeverDecides();
    void escapeCancelsAnArmedDecision();
    void newArrivalDoesNotChangeTheSelection();
    void snapshotShowsTheMostUrgentAction();
    void burstKeepsTheSelection();
    void keyboardMovesFocus();
    void refusedDecisionShowsCodeAndMessage();
    void credentialsAreFlaggedAndNeverShown();
    void lookalikeDomainsAreMarked();
    void everyRefusalIsShownInline_data();
    void everyRefusalIsShownInline();
    void dualApprovalWaitsForASecondReviewer();
    void reviewerCannotApproveTheirOwnAction();
    void expiredActionIsUndecidable();
    void offlineAndReconnectingSayWhatHappens_data();
    void offlineAndReconnectingSayWhatHappens();
    void refusedConnectionIsShownInline();
    void resolvedElsewhereWhileReading();
    void everyLabelIsPlainText();
    void hostileTextRendersLiterallyAndEscaped();
    void shortcutsDialogListsEveryCommand();
    void headerStateIsRestored();

    void decisionIsASignedStatementThatVerifies();
    void lockedKeyBlocksDecisions();
    void unlockDialogSaysWhenThePassphraseIsWrong();
    void ctrlLLocksAtOnce();
    void idleLockSaysHowLongAndInputKeepsItOpen();
    void refusedWhileLockedReconnectsAfterUnlocking();
    void deliberateApprovalNeedsTheFactAndThePassphrase();
    void tierFourPermissionChangeAsksForTheSubject();
    void enterNeverApprovesInTheConfirmation();
    void denyNeedsNoDeliberateApproval();
    void confirmationClosesWhenTheActionResolves();
    void quorumTallyShowsWhoApproved();
    // The console's journal and its witness of the gateway's audit log.
    void decisionIsJournaledBeforeItIsSent();
    void rewrittenAuditHistoryRaisesARedBandThatStays();
    void aRefusalToProveIsShownInTheGatewaysWordsMadeSafe();

private:
    QTableView *queue() const { return m_window->queueView(); }
    QPushButton *approveButton() const { return find<QPushButton>(QStringLiteral("approveButton")); }
    QPushButton *denyButton() const { return find<QPushButton>(QStringLiteral("denyButton")); }
    QLineEdit *reasonEdit() const { return find<QLineEdit>(QStringLiteral("reasonLineEdit")); }
    // The claims inside a sent decision, verified under the reviewer's public key.
    decision::DecisionClaims claimsOf(const protocol::Decision &decision) const
    {
        const Result<decision::DecisionClaims> claims = decision::verifyDecision(decision.token, m_key->publicKey());
        if (!claims)
            qFatal("the decision does not verify: %s", qPrintable(claims.error().toString()));
        return claims.value();
    }
    // Arms and confirms an approval of the selected action, which opens the confirmation.
    ui::ConfirmApprovalDialog *startDeliberateApproval()
    {
        // After an earlier dialog closed, shortcuts work again once the window is active.
        m_window->activateWindow();
        if (!QTest::qWaitForWindowActive(m_window.get()))
            return nullptr;
        queue()->setFocus();
        QTest::keyClick(queue(), Qt::Key_A);
        press(Qt::Key_Return, Qt::ControlModifier);
        ui::ConfirmApprovalDialog *dialog = m_window->confirmApprovalDialog();
        if (dialog)
            (void)QTest::qWaitForWindowExposed(dialog);
        return dialog;
    }
    static void fillConfirmation(ui::ConfirmApprovalDialog *dialog, const QString &fact, const QString &passphrase)
    {
        auto *factEdit = dialog->findChild<QLineEdit *>(QStringLiteral("keyFactLineEdit"));
        auto *passEdit = dialog->findChild<QLineEdit *>(QStringLiteral("approvalPassphraseLineEdit"));
        factEdit->clear();
        QTest::keyClicks(factEdit, fact);
        passEdit->clear();
        QTest::keyClicks(passEdit, passphrase);
    }
    ui::MessageBar *messageBar() const { return m_window->messageBar(); }
    QString headline() const { return find<QLabel>(QStringLiteral("headlineLabel"))->text(); }

    // Emits the action and lets the model insert it.
    void focusQueueAndPressDown()
    {
        queue()->setFocus();
        QTest::keyClick(queue(), Qt::Key_Down);
    }

};

void TestMainWindow::initTestCase()
{
    const QString problem = setUpConsole("test_main_window");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestMainWindow::init()
{
    const QString problem = unlockKey();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    makeConsole();
    // Most tests are about the plain two-step flow; the deliberate-approval tests set these back.
    m_window->setDeliberateCategories({});
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_connection->connectAs(QStringLiteral("rita@example.com"), m_now);
}

void TestMainWindow::cleanup()
{
    closeConsole();
}

void TestMainWindow::importantWidgetsHaveNamesAndAccessibleNames()
{
    for (const char *name : {"queueView", "approveButton", "denyButton", "reasonLineEdit", "statusLine", "messageBar",
             "detailView", "headlineLabel"}) {
        QWidget *widget = m_window->findChild<QWidget *>(QLatin1String(name));
        QVERIFY2(widget, name);
        if (qstrcmp(name, "headlineLabel") != 0)
            QVERIFY2(!widget->accessibleName().isEmpty(), name);
    }
    // Neither decision is the default button: Enter must never approve or deny.
    for (QPushButton *button : {approveButton(), denyButton()}) {
        QVERIFY(!button->isDefault());
        QVERIFY(!button->autoDefault());
    }
    // Every command has a shortcut.
    for (const QAction *action : m_window->commandActions())
        QVERIFY2(!action->shortcuts().isEmpty(), qPrintable(action->text()));
    QCOMPARE(m_window->statusLine()->stateText(), QStringLiteral("Connected"));
    QVERIFY(m_window->statusLine()->text().contains(QStringLiteral("rita@example.com · reviewer")));
}

void TestMainWindow::approveWithTheKeyboard()
{
    const protocol::ActionPending frame =
        arrive(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0));
    QCOMPARE(m_window->queueModel()->rowCount(), 1);
    QVERIFY(!m_window->detailView()->hasAction()); // arrivals are never selected for you

    focusQueueAndPressDown();
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-pay"));
    QVERIFY(headline().startsWith(QStringLiteral("Transfer 12,400.00 EUR to Nordwind Logistics GmbH")));

    QTest::keyClick(queue(), Qt::Key_A);
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::Approve);
    QCOMPARE(QApplication::focusWidget(), approveButton());
    QCOMPARE(approveButton()->text(), QStringLiteral("Confirm approval"));
    QVERIFY(m_connection->sentDecisions().isEmpty()); // arming sends nothing

    press(Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_connection->sentDecisions().size(), 1);
    const protocol::Decision decision = m_connection->sentDecisions().constFirst();
    QCOMPARE(decision.actionId, QStringLiteral("act-pay"));
    QCOMPARE(claimsOf(decision).actionDigest, frame.digest);
    QCOMPARE(claimsOf(decision).actionDigest, frame.action.digest());
    QCOMPARE(claimsOf(decision).verdict, protocol::Verdict::Approve);
    QVERIFY(!decision.requestId.isEmpty());
    QVERIFY(!approveButton()->isEnabled()); // no second decision while the first is on its way

    const QDateTime at = m_now.addSecs(3);
    m_connection->emitResult(decision, true, at);
    QVERIFY(!messageBar()->isHidden());
    QCOMPARE(messageBar()->semantic(), Semantic::Positive);
    const QString expected = QStringLiteral("Approved, acknowledged by gateway at ")
        + QLocale().toString(at.toLocalTime().time(), QStringLiteral("HH:mm:ss"));
    QCOMPARE(messageBar()->title(), expected);

    m_connection->emitResolved(
        QStringLiteral("act-pay"), protocol::Outcome::Approved, QStringLiteral("rita@example.com"), at);
    QCOMPARE(m_window->queueModel()->rowCount(), 0);
    QCOMPARE(m_window->queueModel()->rowOf(QStringLiteral("act-pay")), -1);
    QVERIFY(!m_window->detailView()->hasAction());
    QCOMPARE(messageBar()->title(), expected); // the confirmation stays
    QCOMPARE(m_connection->sentDecisions().size(), 1);
}

void TestMainWindow::approveWithTheMouseTakesTwoClicks()
{
    arrive(testing::deleteAction(QStringLiteral("act-del"), m_now, 240));
    const QModelIndex index = queue()->model()->index(0, PendingQueueModel::Tool); // the view's row, as listed
    QTest::mouseClick(queue()->viewport(), Qt::LeftButton, {}, queue()->visualRect(index).center());
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-del"));
    QCOMPARE(headline(), QStringLiteral("Delete 1,204 rows from customers"));

    QTest::mouseClick(approveButton(), Qt::LeftButton);
    QVERIFY(m_connection->sentDecisions().isEmpty());
    QCOMPARE(approveButton()->text(), QStringLiteral("Confirm approval"));
    QTest::mouseClick(approveButton(), Qt::LeftButton);
    QCOMPARE(m_connection->sentDecisions().size(), 1);
    QCOMPARE(claimsOf(m_connection->sentDecisions().constFirst()).verdict, protocol::Verdict::Approve);
}

void TestMainWindow::nextMostUrgentIsSelectedAfterADecision()
{
    arrive(testing::paymentAction(QStringLiteral("act-first"), m_now, 100, 12000.0));
    arrive(testing::emailAction(QStringLiteral("act-second"), m_now, 200, false));
    arrive(testing::deleteAction(QStringLiteral("act-third"), m_now, 300));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_J);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-second"));

    QTest::keyClick(queue(), Qt::Key_A);
    press(Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_connection->sentDecisions().size(), 1);
    m_connection->emitResult(m_connection->sentDecisions().constFirst(), true, m_now);
    m_connection->emitResolved(
        QStringLiteral("act-second"), protocol::Outcome::Approved, QStringLiteral("rita@example.com"), m_now);

    // The most urgent remaining item, and the keyboard is back in the queue.
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-first"));
    QCOMPARE(queue()->currentIndex().row(), 0);
    QCOMPARE(QApplication::focusWidget(), queue());
    QTest::keyClick(queue(), Qt::Key_J);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-third"));
    QTest::keyClick(queue(), Qt::Key_K);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-first"));
}

void TestMainWindow::judgeFlaggedFirstReordersTheQueueAndKeepsTheSelection()
{
    arrive(testing::paymentAction(QStringLiteral("act-first"), m_now, 100, 12000.0));
    arrive(testing::emailAction(QStringLiteral("act-flagged"), m_now, 400, true));
    arrive(testing::deleteAction(QStringLiteral("act-third"), m_now, 300));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_J);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-third"));
    auto *label = find<QLabel>(QStringLiteral("queueCountLabel"));
    QCOMPARE(label->text(), QStringLiteral("3 · most urgent first"));
    QCOMPARE(m_window->queueModel()->actionAt(2)->action.id, QStringLiteral("act-flagged"));

    auto *flaggedFirst = m_window->findChild<QAction *>(QStringLiteral("flaggedFirstAction"));
    QVERIFY(flaggedFirst && flaggedFirst->isCheckable() && !flaggedFirst->isChecked());
    flaggedFirst->trigger();
    QCOMPARE(m_window->queueModel()->actionAt(0)->action.id, QStringLiteral("act-flagged"));
    QCOMPARE(m_window->queueModel()->actionAt(1)->action.id, QStringLiteral("act-first"));
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-third")); // the selection followed its row
    QCOMPARE(queue()->currentIndex().row(), 2);
    QCOMPARE(m_window->detailView()->actionId(), QStringLiteral("act-third"));
    QCOMPARE(label->text(), QStringLiteral("3 · Judge-flagged first, then most urgent"));
    QVERIFY(QSettings().value(QStringLiteral("queue/flaggedFirst")).toBool());

    flaggedFirst->trigger();
    QCOMPARE(m_window->queueModel()->actionAt(0)->action.id, QStringLiteral("act-first"));
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-third"));
    QVERIFY(!QSettings().value(QStringLiteral("queue/flaggedFirst")).toBool());
}

void TestMainWindow::denyIsImpossibleWithoutAReason()
{
    arrive(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0));
    focusQueueAndPressDown();
    QVERIFY(!denyButton()->isEnabled());

    QTest::keyClick(queue(), Qt::Key_D);
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::Deny);
    QCOMPARE(QApplication::focusWidget(), reasonEdit());
    QVERIFY(!denyButton()->isEnabled());
    press(Qt::Key_Return, Qt::ControlModifier);
    QTest::mouseClick(denyButton(), Qt::LeftButton);
    QVERIFY(m_connection->sentDecisions().isEmpty());

    QTest::keyClicks(reasonEdit(), QStringLiteral("   "));
    QVERIFY(!denyButton()->isEnabled()); // blank is not a reason
    press(Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(m_connection->sentDecisions().isEmpty());

    // Letters that are shortcuts elsewhere (a, d, j, k) are typed, not obeyed.
    reasonEdit()->clear();
    QTest::keyClicks(reasonEdit(), QStringLiteral("Unknown beneficiary, ask Jake to adjust"));
    QCOMPARE(reasonEdit()->text(), QStringLiteral("Unknown beneficiary, ask Jake to adjust"));
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-pay"));
    QVERIFY(denyButton()->isEnabled());
    QVERIFY(m_connection->sentDecisions().isEmpty());

    press(Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_connection->sentDecisions().size(), 1);
    const protocol::Decision decision = m_connection->sentDecisions().constFirst();
    QCOMPARE(claimsOf(decision).verdict, protocol::Verdict::Deny);
    QCOMPARE(claimsOf(decision).reason, QStringLiteral("Unknown beneficiary, ask Jake to adjust"));
    QCOMPARE(decision.actionId, QStringLiteral("act-pay"));

    m_connection->emitResult(decision, true, m_now);
    QVERIFY(messageBar()->title().startsWith(QStringLiteral("Denied, acknowledged by gateway at ")));
}

void TestMainWindow::enterInTheReasonFieldNeverDecides()
{
    arrive(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_A);
    reasonEdit()->setFocus();
    QTest::keyClicks(reasonEdit(), QStringLiteral("looks right"));
    QTest::keyClick(reasonEdit(), Qt::Key_Return);
    QTest::keyClick(reasonEdit(), Qt::Key_Enter);
    QVERIFY(m_connection->sentDecisions().isEmpty());
}

void TestMainWindow::escapeCancelsAnArmedDecision()
{
    arrive(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_A);
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::Approve);
    press(Qt::Key_Escape);
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::None);
    QCOMPARE(QApplication::focusWidget(), queue());
    QCOMPARE(approveButton()->text(), QStringLiteral("Approve"));
    press(Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(m_connection->sentDecisions().isEmpty());
    QVERIFY(!messageBar()->isHidden()); // "Nothing to confirm: press A or D first"
}

void TestMainWindow::newArrivalDoesNotChangeTheSelection()
{
    arrive(testing::paymentAction(QStringLiteral("act-a"), m_now, 100, 12000.0));
    arrive(testing::deleteAction(QStringLiteral("act-b"), m_now, 200));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_Down);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-b"));
    QTest::keyClick(queue(), Qt::Key_A);
    QWidget *focus = QApplication::focusWidget();
    const QString before = headline();

    // A more urgent action and a later one arrive together.
    m_connection->emitPending(testing::emailAction(QStringLiteral("act-urgent"), m_now, 30, true));
    m_connection->emitPending(testing::permissionAction(QStringLiteral("act-late"), m_now, 900));
    QCoreApplication::processEvents();
    QCOMPARE(m_window->queueModel()->rowCount(), 4);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-b"));
    QCOMPARE(queue()->currentIndex().data(PendingQueueModel::ActionIdRole).toString(), QStringLiteral("act-b"));
    QCOMPARE(queue()->selectionModel()->selectedRows().size(), 1);
    QCOMPARE(queue()->selectionModel()->selectedRows().constFirst().row(), 2);
    QCOMPARE(headline(), before);
    QCOMPARE(QApplication::focusWidget(), focus); // focus not stolen
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::Approve); // nor the armed decision
    QVERIFY(m_window->queueModel()->index(0, 0).data(PendingQueueModel::NewRole).toBool()); // highlighted instead
}

void TestMainWindow::snapshotShowsTheMostUrgentAction()
{
    // What is pending when the console connects is shown at once, most urgent first...
    m_connection->emitResyncStarted();
    m_connection->emitPending(testing::deleteAction(QStringLiteral("act-later"), m_now, 240));
    m_connection->emitPending(testing::paymentAction(QStringLiteral("act-sooner"), m_now, 100, 12000.0));
    m_connection->emitSubscribed(true);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-sooner"));
    QVERIFY(!m_window->queueModel()->index(0, 0).data(PendingQueueModel::NewRole).toBool());
    // ...while a live arrival, even a more urgent one, changes nothing.
    arrive(testing::emailAction(QStringLiteral("act-live"), m_now, 30, true));
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-sooner"));
    QVERIFY(m_window->queueModel()->index(0, 0).data(PendingQueueModel::NewRole).toBool());
}

void TestMainWindow::burstKeepsTheSelection()
{
    arrive(testing::paymentAction(QStringLiteral("act-chosen"), m_now, 500, 12000.0));
    focusQueueAndPressDown();
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-chosen"));
    // More than the model inserts row by row: it resets, and the window finds the action again.
    for (int i = 0; i < PendingQueueModel::kResetThreshold + 10; ++i)
        m_connection->emitPending(testing::deleteAction(QStringLiteral("act-burst-%1").arg(i), m_now, 100 + 10 * i));
    QCoreApplication::processEvents();
    QCOMPARE(m_window->queueModel()->rowCount(), PendingQueueModel::kResetThreshold + 11);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-chosen"));
    QCOMPARE(queue()->currentIndex().data(PendingQueueModel::ActionIdRole).toString(), QStringLiteral("act-chosen"));
}

void TestMainWindow::keyboardMovesFocus()
{
    arrive(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_Return);
    QVERIFY(m_window->detailView()->isAncestorOf(QApplication::focusWidget()));
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-pay"));
    press(Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(QApplication::focusWidget(), queue());
    press(Qt::Key_D);
    QCOMPARE(QApplication::focusWidget(), reasonEdit());
    press(Qt::Key_Escape);
    QCOMPARE(QApplication::focusWidget(), queue());
}

void TestMainWindow::refusedDecisionShowsCodeAndMessage()
{
    arrive(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_A);
    press(Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_connection->sentDecisions().size(), 1);
    m_connection->emitResult(m_connection->sentDecisions().constFirst(), false, m_now,
        QStringLiteral("decision.too_late"), QStringLiteral("the deadline passed at 12:05:00.000Z"));
    QVERIFY(!messageBar()->isHidden());
    QVERIFY(messageBar()->title().contains(QStringLiteral("decision.too_late")));
    QVERIFY(messageBar()->detail().contains(QStringLiteral("the deadline passed at 12:05:00.000Z")));
    QCOMPARE(m_window->queueModel()->rowCount(), 1); // still there until the gateway resolves it
    QVERIFY(approveButton()->isEnabled()); // and may be decided again
    QCOMPARE(m_window->detailView()->decisionState(), ui::ActionDetailView::DecisionState::Open);
}

void TestMainWindow::credentialsAreFlaggedAndNeverShown()
{
    // The gateway found one credential and redacted it; another one came through unredacted,
    // as from a gateway that does not redact: the console must not show it either.
    Action action = testing::paymentAction(QStringLiteral("act-cred"), m_now, 300, 12400.0);
    const QString leaked = QStringLiteral("postgres://app:S3cr3t-pa55@db.internal/crm");
    action.parameters.insert(QStringLiteral("callback"), leaked);
    action.parameters.insert(QStringLiteral("memo"), QStringLiteral("[redacted: aws-access-key …3F2A]"));
    action.credentials = {CredentialFinding{QStringLiteral("parameters.memo"), QStringLiteral("aws-access-key"), QStringLiteral("3F2A")}};
    arrive(action);
    focusQueueAndPressDown();
    auto *band = m_window->findChild<QWidget *>(QStringLiteral("credentialNotice"));
    QVERIFY(band && band->isVisible());
    auto *text = m_window->findChild<QLabel *>(QStringLiteral("credentialText"));
    QVERIFY(text->text().contains(QStringLiteral("treat as compromised and rotate")));
    QVERIFY(text->text().contains(QStringLiteral("aws-access-key in parameters.memo (…3F2A)")));
    QCOMPARE(text->textFormat(), Qt::PlainText);

    QStringList shown;
    for (const QLabel *label : m_window->findChildren<QLabel *>())
        shown << label->text() << label->toolTip();
    for (const QTreeWidget *tree : m_window->findChildren<QTreeWidget *>()) {
        for (QTreeWidgetItemIterator it(const_cast<QTreeWidget *>(tree)); *it; ++it)
            shown << (*it)->text(0) << (*it)->text(1) << (*it)->toolTip(1) << (*it)->data(1, Qt::UserRole + 1).toString();
    }
    const QString all = shown.join(QLatin1Char('\n'));
    QVERIFY(!all.contains(QStringLiteral("S3cr3t-pa55")));
    QVERIFY(all.contains(QStringLiteral("[redacted: database-uri-password …")));
}

void TestMainWindow::lookalikeDomainsAreMarked()
{
    Action lure = testing::emailAction(QStringLiteral("act-lure"), m_now, 300, false);
    lure.parameters.insert(QStringLiteral("to"), QJsonArray{QStringLiteral("dana@example.com"), QStringLiteral("finance@examp1e.com"),
                                                            QStringLiteral("it@\u0435xample.com")});
    arrive(lure);
    Action plain = testing::emailAction(QStringLiteral("act-plain"), m_now, 200, false);
    arrive(plain);
    m_window->selectAction(QStringLiteral("act-plain"));
    auto *band = m_window->findChild<QWidget *>(QStringLiteral("lookalikeNotice"));
    QVERIFY(band);
    QVERIFY(!band->isVisible());
    m_window->selectAction(QStringLiteral("act-lure"));
    QVERIFY(band->isVisible());
    const QString text = m_window->findChild<QLabel *>(QStringLiteral("lookalikeText"))->text();
    QVERIFY2(text.contains(QStringLiteral("examp1e.com looks like example.com but is not")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("mixes scripts (Cyrillic + Latin)")), qPrintable(text));
    QVERIFY(!text.contains(QStringLiteral("dana@example.com")));

    // A name in the parameters (here a payment's beneficiary) that mixes scripts is marked too.
    Action payment = testing::paymentAction(QStringLiteral("act-name"), m_now, 300, 12400);
    QJsonObject beneficiary = payment.parameters.value(QStringLiteral("beneficiary")).toObject();
    beneficiary.insert(QStringLiteral("name"), QStringLiteral("Nordwind Logisti\u0441s GmbH"));
    payment.parameters.insert(QStringLiteral("beneficiary"), beneficiary);
    arrive(payment);
    m_window->selectAction(QStringLiteral("act-name"));
    QVERIFY(band->isVisible());
    const QString nameText = m_window->findChild<QLabel *>(QStringLiteral("lookalikeText"))->text();
    QVERIFY2(nameText.contains(QStringLiteral("mixes scripts (Latin + Cyrillic)")), qPrintable(nameText));
}

void TestMainWindow::everyRefusalIsShownInline_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<bool>("alarm"); // tampering rather than a race, a role or a clock
    for (const char *code : {"decision.too_late", "decision.already_resolved", "decision.self_approval",
                             "decision.duplicate_approval", "decision.forbidden_role", "decision.policy_mismatch",
                             "decision.stale", "decision.revoked_key", "decision.unknown_action", "store.unavailable",
                             "audit.unavailable"})
        QTest::newRow(code) << QString::fromLatin1(code) << false;
    for (const char *code : {"decision.digest_mismatch", "decision.replayed", "decision.wrong_key", "decision.bad_signature",
                             "decision.subject_mismatch", "decision.wrong_audience", "decision.action_mismatch",
                             "decision.malformed"})
        QTest::newRow(code) << QString::fromLatin1(code) << true;
}

void TestMainWindow::everyRefusalIsShownInline()
{
    QFETCH(QString, code);
    QFETCH(bool, alarm);
    arrive(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_A);
    press(Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_connection->sentDecisions().size(), 1);
    m_connection->emitResult(m_connection->sentDecisions().constFirst(), false, m_now, code, QStringLiteral("the gateway's words"));
    QVERIFY(!messageBar()->isHidden());
    QVERIFY(messageBar()->title().contains(code));
    QVERIFY(messageBar()->detail().contains(QStringLiteral("the gateway's words")));
    // Advice beyond the generic line for every code the gateway documents.
    QVERIFY2(!messageBar()->detail().contains(QStringLiteral("Nothing was changed; the action is still pending unless it resolved."))
                 || code == QLatin1String("decision.unknown_action"),
             qPrintable(messageBar()->detail()));
    QCOMPARE(messageBar()->semantic() == Semantic::Danger, alarm);
}

void TestMainWindow::dualApprovalWaitsForASecondReviewer()
{
    arrive(testing::paymentAction(QStringLiteral("act-dual"), m_now, 600, 248000.0, false, 4, 2));
    focusQueueAndPressDown();
    QCOMPARE(
        m_window->queueModel()->index(0, PendingQueueModel::Approvals).data().toString(), QStringLiteral("0 of 2"));
    QVERIFY(m_window->detailView()->effectText().contains(QStringLiteral("approval 1 of 2")));
    // Tier 4: the approval is deliberate.
    ui::ConfirmApprovalDialog *dialog = startDeliberateApproval();
    QVERIFY(dialog);
    fillConfirmation(dialog, QStringLiteral("248000"), QString::fromLatin1(kPassphrase));
    QVERIFY(dialog->tryApprove());
    QCOMPARE(m_connection->sentDecisions().size(), 1);
    m_connection->emitResult(m_connection->sentDecisions().constFirst(), true, m_now);
    m_connection->emitUpdated(QStringLiteral("act-dual"), 1, {QStringLiteral("rita@example.com")});
    QCOMPARE(
        m_window->queueModel()->index(0, PendingQueueModel::Approvals).data().toString(), QStringLiteral("1 of 2"));
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-dual"));
    QVERIFY(!approveButton()->isEnabled());
    QVERIFY(m_window->detailView()->effectText().contains(QStringLiteral("1 more reviewer")));
}

void TestMainWindow::reviewerCannotApproveTheirOwnAction()
{
    Action own = testing::paymentAction(QStringLiteral("act-own"), m_now, 300, 12400.0);
    own.identity.user = {QStringLiteral("rita@example.com"), QStringLiteral("Rita")};
    arrive(own);
    focusQueueAndPressDown();
    QVERIFY(!approveButton()->isEnabled());
    QTest::keyClick(queue(), Qt::Key_A);
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::None);
    QVERIFY(m_window->detailView()->effectText().contains(QStringLiteral("another reviewer")));
}

void TestMainWindow::expiredActionIsUndecidable()
{
    arrive(testing::paymentAction(QStringLiteral("act-soon"), m_now, 10, 12400.0));
    focusQueueAndPressDown();
    QVERIFY(approveButton()->isEnabled());
    QTest::keyClick(queue(), Qt::Key_A);

    m_clock->advanceMs(10'000);
    m_window->queueModel()->refreshCountdown();
    QCOMPARE(
        m_window->queueModel()->index(0, PendingQueueModel::TimeLeft).data().toString(), QStringLiteral("expired"));
    QTRY_VERIFY(!approveButton()->isEnabled()); // the detail's own countdown notices within a second
    QVERIFY(!denyButton()->isEnabled());
    QVERIFY(!reasonEdit()->isEnabled());
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::None);
    QVERIFY(m_window->detailView()->effectText().contains(QStringLiteral("deadline has passed")));
    press(Qt::Key_Return, Qt::ControlModifier);
    QTest::keyClick(queue(), Qt::Key_A);
    QVERIFY(m_connection->sentDecisions().isEmpty());
    QCOMPARE(m_window->queueModel()->rowCount(), 1); // stays until the gateway's action.resolved
    m_connection->emitResolved(
        QStringLiteral("act-soon"), protocol::Outcome::Expired, QStringLiteral("gateway"), m_now);
    QCOMPARE(m_window->queueModel()->rowCount(), 0);
}

void TestMainWindow::offlineAndReconnectingSayWhatHappens_data()
{
    QTest::addColumn<GatewayConnection::State>("state");
    QTest::addColumn<QString>("title");
    QTest::newRow("offline") << GatewayConnection::State::Offline << QStringLiteral("Offline");
    QTest::newRow("reconnecting") << GatewayConnection::State::Reconnecting << QStringLiteral("Reconnecting");
    QTest::newRow("refused") << GatewayConnection::State::Refused << QStringLiteral("Refused");
}

void TestMainWindow::offlineAndReconnectingSayWhatHappens()
{
    QFETCH(GatewayConnection::State, state);
    QFETCH(QString, title);
    arrive(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0));
    focusQueueAndPressDown();
    QVERIFY(approveButton()->isEnabled());

    m_connection->setState(state, QStringLiteral("network unreachable"));
    QCOMPARE(m_window->statusLine()->stateText(), title);
    QVERIFY(
        m_window->statusLine()->text().contains(QStringLiteral("pending actions will be denied at their deadlines")));
    QVERIFY(m_window->statusLine()->text().contains(QStringLiteral("wss://127.0.0.1:8443/v1/console")));
    QVERIFY(!approveButton()->isEnabled());
    QTest::keyClick(queue(), Qt::Key_A);
    press(Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(m_connection->sentDecisions().isEmpty());

    m_connection->setState(GatewayConnection::State::Connected);
    QCOMPARE(m_window->statusLine()->stateText(), QStringLiteral("Connected"));
    QVERIFY(approveButton()->isEnabled());
}

void TestMainWindow::refusedConnectionIsShownInline()
{
    m_connection->setState(GatewayConnection::State::Refused,
        QStringLiteral("The gateway presented certificate AB:CD, which is not the pinned 12:34."));
    QVERIFY(!messageBar()->isHidden());
    QCOMPARE(messageBar()->semantic(), Semantic::Danger);
    QVERIFY(messageBar()->detail().contains(QStringLiteral("not the pinned")));
    QVERIFY(QApplication::activeModalWidget() == nullptr); // inline, never a modal box
}

void TestMainWindow::resolvedElsewhereWhileReading()
{
    arrive(testing::paymentAction(QStringLiteral("act-a"), m_now, 100, 12000.0));
    arrive(testing::deleteAction(QStringLiteral("act-b"), m_now, 200));
    focusQueueAndPressDown();
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-a"));
    m_connection->emitResolved(
        QStringLiteral("act-a"), protocol::Outcome::Denied, QStringLiteral("sam@example.com"), m_now);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-b"));
    QVERIFY(messageBar()->title().contains(QStringLiteral("sam@example.com")));
    QVERIFY(messageBar()->detail().startsWith(QStringLiteral("Transfer 12,000.00 EUR")));
}

void TestMainWindow::everyLabelIsPlainText()
{
    arrive(testing::hostileAction(QStringLiteral("act-hostile"), m_now, 300));
    arrive(testing::emailAction(QStringLiteral("act-flagged"), m_now, 200, true));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_Down);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-hostile"));
    m_connection->emitResult(
        protocol::Decision {QStringLiteral("r-x"), {}, {}}, false, m_now);

    const QList<QLabel *> labels = m_window->findChildren<QLabel *>();
    QVERIFY(labels.size() > 20);
    for (const QLabel *label : labels)
        QVERIFY2(label->textFormat() == Qt::PlainText,
            qPrintable(label->objectName() + QStringLiteral(": ") + label->text()));
}

void TestMainWindow::hostileTextRendersLiterallyAndEscaped()
{
    arrive(testing::hostileAction(QStringLiteral("act-hostile"), m_now, 300));
    focusQueueAndPressDown();
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-hostile"));

    QStringList texts;
    const QList<QLabel *> labels = m_window->findChildren<QLabel *>();
    for (const QLabel *label : labels) {
        texts.append(label->text());
        // No bidi control or invisible character reaches the screen unescaped.
        for (const QChar c : label->text()) {
            QVERIFY2(c != QChar(0x202E) && c != QChar(0x202C) && c != QChar(0x2066) && c != QChar(0x200B)
                    && c != QChar(0x0007),
                qPrintable(label->text()));
        }
    }
    auto shows = [&texts](const QString &expected) {
        for (const QString &text : std::as_const(texts)) {
            if (text.contains(expected))
                return true;
        }
        return false;
    };
    QVERIFY(shows(QStringLiteral("<b>Security Team</b> ⟨U+202E⟩evil⟨U+202C⟩"))); // user name, literally
    QVERIFY(shows(QStringLiteral("<img src=x>CRM")));
    QVERIFY(shows(QStringLiteral("<i>Approved by policy</i> ⟨U+202E⟩deny⟨U+202C⟩")));
    QVERIFY(shows(QStringLiteral("<b>Looks fine</b>, approve⟨U+202E⟩!ti evorppa")));
    QVERIFY(shows(QStringLiteral("<u>none</u>")));

    // Parameters: keys and values as plain text, escapes visible, tooltips never rich text.
    auto *tree = find<ui::ParameterTree>(QStringLiteral("parametersTree"));
    QHash<QString, QString> values;
    for (QTreeWidgetItemIterator it(tree); *it; ++it) {
        values.insert((*it)->text(0), (*it)->text(1));
        const QString tip = (*it)->toolTip(1);
        QVERIFY2(tip.isEmpty() || !Qt::mightBeRichText(tip), qPrintable(tip));
    }
    QCOMPARE(values.value(QStringLiteral("attachment")), QStringLiteral("invoice⟨U+202E⟩txt.exe"));
    QCOMPARE(values.value(QStringLiteral("note")), QStringLiteral("pay⟨U+200B⟩pal⟨U+2066⟩hidden⟨U+2069⟩⟨U+0007⟩bell"));
    QCOMPARE(values.value(QStringLiteral("subject")),
        QStringLiteral("<h1>URGENT</h1><a href='https://evil.example'>click</a>"));
    QCOMPARE(values.value(QStringLiteral("<script>key</script>")), QStringLiteral("value"));

    // The queue's cells and tooltips too.
    const PendingQueueModel *model = m_window->queueModel();
    for (int column = 0; column < PendingQueueModel::ColumnCount; ++column) {
        const QModelIndex index = model->index(0, column);
        const QString tip = index.data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.isEmpty() || !Qt::mightBeRichText(tip), qPrintable(tip));
        QVERIFY(!index.data().toString().contains(QChar(0x202E)));
    }
    QVERIFY(model->index(0, PendingQueueModel::OnBehalfOf)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("<b>Security Team</b> ⟨U+202E⟩evil")));

    // A protocol error carrying markup is shown as the characters it is.
    m_connection->protocolViolation(makeError(QStringLiteral("frame.invalid"), QStringLiteral("<b>x</b>\u202Ey")));
    QVERIFY(messageBar()->detail().contains(QStringLiteral("<b>x</b>⟨U+202E⟩y")));
}

void TestMainWindow::shortcutsDialogListsEveryCommand()
{
    QTest::keyClick(queue(), Qt::Key_Question);
    ui::ShortcutsDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<ui::ShortcutsDialog *>()) != nullptr);
    auto *table = dialog->findChild<QTableWidget *>(QStringLiteral("shortcutsTable"));
    QVERIFY(table);
    QStringList listed;
    for (int row = 0; row < table->rowCount(); ++row)
        listed.append(table->item(row, 1)->text());
    for (const QAction *action : m_window->commandActions()) {
        const QString described = action->statusTip().isEmpty()
            ? QString(action->text()).remove(QLatin1Char('&')).remove(QStringLiteral("…"))
            : action->statusTip();
        QVERIFY2(listed.contains(described), qPrintable(action->text()));
    }
    dialog->reject();
}

void TestMainWindow::headerStateIsRestored()
{
    QHeaderView *header = queue()->horizontalHeader();
    header->resizeSection(PendingQueueModel::Tool, 222);
    header->moveSection(PendingQueueModel::Judge, 0);
    m_window->close();
    m_window = std::make_unique<ui::MainWindow>(m_connection.get(), *m_time, m_key.get());
    QCOMPARE(queue()->horizontalHeader()->sectionSize(PendingQueueModel::Tool), 222);
    QCOMPARE(queue()->horizontalHeader()->visualIndex(PendingQueueModel::Judge), 0);
    QSettings().clear();
}

// ---- the reviewer key ---------------------------------------------------------------------

void TestMainWindow::decisionIsASignedStatementThatVerifies()
{
    const protocol::ActionPending frame = arrive(testing::deleteAction(QStringLiteral("act-del"), m_now, 240));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_A);
    press(Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_connection->sentDecisions().size(), 1);
    const protocol::Decision decision = m_connection->sentDecisions().constFirst();
    QCOMPARE(decision.actionId, QStringLiteral("act-del"));
    QCOMPARE(decision.token.count('.'), 2); // compact JWS

    const decision::DecisionClaims claims = claimsOf(decision);
    QCOMPARE(claims.actionId, QStringLiteral("act-del"));
    QCOMPARE(claims.actionDigest, frame.digest);
    QCOMPARE(claims.verdict, protocol::Verdict::Approve);
    QCOMPARE(claims.reviewer, QStringLiteral("rita@example.com"));
    QCOMPARE(claims.keyId, m_key->keyId());
    QCOMPARE(claims.gatewayId, QStringLiteral("gw-test")); // the hello's gateway id, the audience
    QCOMPARE(claims.policyVersion, frame.action.policyVersion);
    QVERIFY(!claims.nonce.isEmpty());

    // Another key does not verify it.
    const auto other = crypto::Ed25519PrivateKey::generate().value();
    QVERIFY(!decision::verifyDecision(decision.token, other.publicKey()));
}

void TestMainWindow::lockedKeyBlocksDecisions()
{
    arrive(testing::deleteAction(QStringLiteral("act-del"), m_now, 240));
    focusQueueAndPressDown();
    QVERIFY(approveButton()->isEnabled());
    QVERIFY(m_window->lockBand()->parentWidget()->isHidden());
    QTest::keyClick(queue(), Qt::Key_A);
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::Approve);

    m_key->lock();
    QVERIFY(!m_window->lockBand()->parentWidget()->isHidden());
    QVERIFY2(m_window->lockText().startsWith(QStringLiteral("Locked — unlock to decide")), qPrintable(m_window->lockText()));
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::None); // disarmed
    QVERIFY(!approveButton()->isEnabled());
    QVERIFY(!denyButton()->isEnabled());
    QVERIFY(m_window->detailView()->effectText().contains(QStringLiteral("key is locked")));
    QTest::keyClick(queue(), Qt::Key_A);
    press(Qt::Key_Return, Qt::ControlModifier);
    QTest::keyClick(queue(), Qt::Key_D);
    QTest::keyClicks(reasonEdit(), QStringLiteral("no"));
    press(Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(m_connection->sentDecisions().isEmpty());
    QVERIFY(!m_window->findChild<QAction *>(QStringLiteral("lockAction"))->isEnabled());
    QVERIFY(m_window->findChild<QAction *>(QStringLiteral("unlockAction"))->isEnabled());

    // Ctrl+U opens the unlock dialog; the right passphrase unlocks and decisions are possible again.
    queue()->setFocus();
    press(Qt::Key_U, Qt::ControlModifier);
    ui::UnlockDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<ui::UnlockDialog *>()) != nullptr);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("unlockPassphraseLineEdit")),
        QString::fromLatin1(kPassphrase));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("unlockButton")), Qt::LeftButton);
    QVERIFY(m_key->isUnlocked());
    QVERIFY(m_window->lockBand()->parentWidget()->isHidden());
    QVERIFY(m_window->lockText().isEmpty());
    QVERIFY(approveButton()->isEnabled());
    QTest::keyClick(queue(), Qt::Key_A);
    press(Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_connection->sentDecisions().size(), 1);
}

void TestMainWindow::unlockDialogSaysWhenThePassphraseIsWrong()
{
    m_key->lock();
    ui::UnlockDialog *dialog = m_window->unlock();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    auto *edit = dialog->findChild<QLineEdit *>(QStringLiteral("unlockPassphraseLineEdit"));
    QCOMPARE(edit->echoMode(), QLineEdit::Password);
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("unlockReviewerLabel"))->text() == m_key->reviewerId());
    QCOMPARE(dialog->findChild<QLabel *>(QStringLiteral("unlockFingerprintLabel"))->text(), m_key->fingerprint());

    QTest::keyClicks(edit, QStringLiteral("correct horse battery stapel"));
    QTest::keyClick(edit, Qt::Key_Return); // Enter unlocks (that decides nothing)
    QVERIFY(!m_key->isUnlocked());
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->errorText().contains(QStringLiteral("does not unlock")));
    QCOMPARE(edit->text(), QStringLiteral("correct horse battery stapel")); // never cleared silently
    QCOMPARE(edit->selectedText(), edit->text()); // selected: typing replaces it

    QTest::keyClicks(edit, QString::fromLatin1(kPassphrase));
    QTest::keyClick(edit, Qt::Key_Return);
    QVERIFY(m_key->isUnlocked());
    QTRY_VERIFY(m_window->findChild<ui::UnlockDialog *>() == nullptr); // closed and deleted
}

void TestMainWindow::ctrlLLocksAtOnce()
{
    queue()->setFocus();
    press(Qt::Key_L, Qt::ControlModifier);
    QVERIFY(!m_key->isUnlocked());
    QCOMPARE(m_key->lockReason(), ReviewerKey::LockReason::Requested);
    QVERIFY(!m_window->lockBand()->parentWidget()->isHidden());
    QCOMPARE(m_window->lockBand()->semantic(), Semantic::Warning);
}

void TestMainWindow::idleLockSaysHowLongAndInputKeepsItOpen()
{
    arrive(testing::deleteAction(QStringLiteral("act-del"), m_now, 240));
    focusQueueAndPressDown();
    m_key->setIdleTimeout(1000ms);
    // Input anywhere in the application counts as presence.
    QElapsedTimer elapsed;
    elapsed.start();
    while (elapsed.elapsed() < 1800) {
        QTest::keyClick(queue(), Qt::Key_Shift);
        QTest::qWait(100);
        QVERIFY(m_key->isUnlocked());
    }
    // Without it, the key locks and the window says after how long.
    QTRY_VERIFY_WITH_TIMEOUT(!m_key->isUnlocked(), 4000);
    QCOMPARE(m_key->lockReason(), ReviewerKey::LockReason::Idle);
    QVERIFY2(m_window->lockText().startsWith(QStringLiteral("Locked after 1 second idle — unlock to decide")),
        qPrintable(m_window->lockText()));
    QVERIFY(!approveButton()->isEnabled());
}

void TestMainWindow::refusedWhileLockedReconnectsAfterUnlocking()
{
    m_key->lock();
    QVERIFY(!m_connection->started());
    m_connection->setState(
        GatewayConnection::State::Refused, QStringLiteral("key.locked: the reviewer key is locked"));
    QCOMPARE(messageBar()->title(), QStringLiteral("Not signed in: your key is locked"));
    QCOMPARE(messageBar()->semantic(), Semantic::Warning);

    QVERIFY(m_key->unlock(secret(kPassphrase)));
    QVERIFY(m_connection->started()); // stop() then start(): a fresh sign-in
    QVERIFY(messageBar()->isHidden());
}

void TestMainWindow::deliberateApprovalNeedsTheFactAndThePassphrase()
{
    m_window->setDeliberateCategories(defaultDeliberateCategories());
    const protocol::ActionPending frame =
        arrive(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0)); // tier 3, financial
    focusQueueAndPressDown();
    ui::ConfirmApprovalDialog *dialog = startDeliberateApproval();
    QVERIFY(dialog);
    QVERIFY(m_connection->sentDecisions().isEmpty()); // nothing signed yet
    QCOMPARE(dialog->fact()->kind, KeyFact::Kind::Amount);
    auto *approve = dialog->findChild<QPushButton *>(QStringLiteral("confirmApproveButton"));
    QVERIFY(!approve->isDefault());
    QVERIFY(!approve->autoDefault());
    for (const QPushButton *button : dialog->findChildren<QPushButton *>())
        QVERIFY2(!button->isDefault(), qPrintable(button->text()));
    QVERIFY(!approve->isEnabled()); // nothing typed yet
    for (const QLabel *label : dialog->findChildren<QLabel *>()) // the value is read from the action, not shown
        QVERIFY2(!label->text().contains(QStringLiteral("12400")), qPrintable(label->text()));

    // The amount as the summary formats it is not the amount as the parameters hold it.
    fillConfirmation(dialog, QStringLiteral("12,400.00"), QString::fromLatin1(kPassphrase));
    QTest::mouseClick(approve, Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->errorText().contains(QStringLiteral("not the amount")));
    QVERIFY(m_connection->sentDecisions().isEmpty());

    fillConfirmation(dialog, QStringLiteral(" 12400 "), QStringLiteral("not my passphrase"));
    QTest::mouseClick(approve, Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->errorText().contains(QStringLiteral("passphrase")));
    QVERIFY(m_connection->sentDecisions().isEmpty());
    QVERIFY(m_key->isUnlocked()); // a wrong re-entry does not lock

    fillConfirmation(dialog, QStringLiteral(" 12400 "), QString::fromLatin1(kPassphrase));
    QTest::keyClick(dialog->findChild<QLineEdit *>(QStringLiteral("approvalPassphraseLineEdit")), Qt::Key_Return,
        Qt::ControlModifier);
    QCOMPARE(m_connection->sentDecisions().size(), 1);
    const decision::DecisionClaims claims = claimsOf(m_connection->sentDecisions().constFirst());
    QCOMPARE(claims.verdict, protocol::Verdict::Approve);
    QCOMPARE(claims.actionDigest, frame.digest);
    QTRY_VERIFY(m_window->confirmApprovalDialog() == nullptr);
}

void TestMainWindow::tierFourPermissionChangeAsksForTheSubject()
{
    arrive(testing::permissionAction(QStringLiteral("act-perm"), m_now, 300));
    focusQueueAndPressDown();
    ui::ConfirmApprovalDialog *dialog = startDeliberateApproval(); // categories cleared: tier 4 alone
    QVERIFY(dialog);
    QCOMPARE(dialog->fact()->kind, KeyFact::Kind::Recipient);
    QCOMPARE(dialog->fact()->value, QStringLiteral("ops-agent"));
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("confirmWhyLabel"))->text().startsWith(
        QStringLiteral("Tier 4 actions are approved deliberately.")));
    QTest::keyClick(dialog, Qt::Key_Escape);
    QTRY_VERIFY(m_window->confirmApprovalDialog() == nullptr);
    QVERIFY(m_connection->sentDecisions().isEmpty());
    QCOMPARE(messageBar()->title(), QStringLiteral("Approval cancelled; nothing was signed"));
}

void TestMainWindow::enterNeverApprovesInTheConfirmation()
{
    arrive(testing::permissionAction(QStringLiteral("act-perm"), m_now, 300));
    focusQueueAndPressDown();
    ui::ConfirmApprovalDialog *dialog = startDeliberateApproval();
    QVERIFY(dialog);
    fillConfirmation(dialog, QStringLiteral("ops-agent"), QString::fromLatin1(kPassphrase));
    auto *factEdit = dialog->findChild<QLineEdit *>(QStringLiteral("keyFactLineEdit"));
    auto *passEdit = dialog->findChild<QLineEdit *>(QStringLiteral("approvalPassphraseLineEdit"));
    QTest::keyClick(factEdit, Qt::Key_Return);
    QTest::keyClick(passEdit, Qt::Key_Return);
    QTest::keyClick(passEdit, Qt::Key_Enter);
    QVERIFY(dialog->isVisible());
    QVERIFY(m_connection->sentDecisions().isEmpty());
    dialog->reject();
}

void TestMainWindow::denyNeedsNoDeliberateApproval()
{
    m_window->setDeliberateCategories(defaultDeliberateCategories());
    arrive(testing::permissionAction(QStringLiteral("act-perm"), m_now, 300));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_D);
    QTest::keyClicks(reasonEdit(), QStringLiteral("Not without a ticket"));
    press(Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(m_window->confirmApprovalDialog() == nullptr);
    QCOMPARE(m_connection->sentDecisions().size(), 1);
    QCOMPARE(claimsOf(m_connection->sentDecisions().constFirst()).verdict, protocol::Verdict::Deny);
}

void TestMainWindow::confirmationClosesWhenTheActionResolves()
{
    arrive(testing::permissionAction(QStringLiteral("act-perm"), m_now, 300));
    focusQueueAndPressDown();
    ui::ConfirmApprovalDialog *dialog = startDeliberateApproval();
    QVERIFY(dialog);
    m_connection->emitResolved(
        QStringLiteral("act-perm"), protocol::Outcome::Expired, QStringLiteral("gateway"), m_now);
    QTRY_VERIFY(m_window->confirmApprovalDialog() == nullptr);
    QVERIFY(messageBar()->title().contains(QStringLiteral("nothing was signed")));
    QVERIFY(m_connection->sentDecisions().isEmpty());

    // The key locking while confirming closes it too.
    arrive(testing::permissionAction(QStringLiteral("act-perm-2"), m_now, 300));
    focusQueueAndPressDown();
    QVERIFY(startDeliberateApproval());
    m_key->lock(ReviewerKey::LockReason::Idle);
    QTRY_VERIFY(m_window->confirmApprovalDialog() == nullptr);
    QCOMPARE(messageBar()->title(), QStringLiteral("Your approval was not signed"));
    QVERIFY(m_connection->sentDecisions().isEmpty());
}

void TestMainWindow::quorumTallyShowsWhoApproved()
{
    arrive(testing::paymentAction(QStringLiteral("act-dual"), m_now, 600, 248000.0, false, 4, 2));
    focusQueueAndPressDown();
    auto *tally = find<QLabel>(QStringLiteral("quorumLabel"));
    QVERIFY(tally->isVisible());
    QVERIFY2(tally->text().contains(QStringLiteral("No approvals yet")), qPrintable(tally->text()));
    m_connection->emitUpdated(QStringLiteral("act-dual"), 1, {QStringLiteral("dana@example.com")});
    QVERIFY2(tally->text().contains(QStringLiteral("dana@example.com (1 of 2)")), qPrintable(tally->text()));
    QCOMPARE(find<ui::Badge>(QStringLiteral("quorumBadge"))->text(), QStringLiteral("1 of 2 approvals"));

    arrive(testing::deleteAction(QStringLiteral("act-single"), m_now, 900));
    m_window->selectAction(QStringLiteral("act-single"));
    QVERIFY(!tally->isVisible()); // one approval needed: no tally
}

void TestMainWindow::decisionIsJournaledBeforeItIsSent()
{
    QTemporaryDir dir;
    auto journal = ConsoleJournal::open(dir.filePath(QStringLiteral("journal.db")));
    QVERIFY(journal);
    journal.value()->attach(*m_connection);
    DecisionOutbox outbox(*m_connection, *journal.value(), *m_time);
    m_window->setOutbox(&outbox);
    m_connection->connectAs(QStringLiteral("rita@example.com"), m_now);

    const protocol::ActionPending frame = arrive(testing::deleteAction(QStringLiteral("act-del"), m_now, 240));
    focusQueueAndPressDown();
    QTest::keyClick(queue(), Qt::Key_A);
    press(Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_connection->sentDecisions().size(), 1);

    // Written before it was sent: what was signed, and (batched) what was shown.
    auto signedEntry = journal.value()->latest(QStringLiteral("decision.signed"), QStringLiteral("act-del"));
    QVERIFY(signedEntry && signedEntry.value());
    const QJsonObject signedPayload = QJsonDocument::fromJson(signedEntry.value()->payload).object();
    QCOMPARE(signedPayload.value(QStringLiteral("token")).toString().toLatin1(), m_connection->sentDecisions().constFirst().token);
    QCOMPARE(signedPayload.value(QStringLiteral("deadline")).toString(), json::formatTimestamp(frame.action.deadline));
    QCOMPARE(outbox.unsettled().size(), 1);
    m_connection->emitResult(m_connection->sentDecisions().constFirst(), true, m_now.addSecs(1));
    QVERIFY(outbox.unsettled().isEmpty());
    QCOMPARE(signedEntry.value()->actor, QStringLiteral("rita@example.com"));
    QVERIFY(journal.value()->flush());
    auto shown = journal.value()->latest(QStringLiteral("action.shown"), QStringLiteral("act-del"));
    QVERIFY(shown && shown.value());
    QCOMPARE(QJsonDocument::fromJson(shown.value()->payload).object().value(QStringLiteral("digest")).toString().toLatin1(),
             frame.digest);
    m_window->setOutbox(nullptr);
}

void TestMainWindow::aRefusalToProveIsShownInTheGatewaysWordsMadeSafe()
{
    QTemporaryDir dir;
    auto journal = ConsoleJournal::open(dir.filePath(QStringLiteral("journal.db")));
    QVERIFY(journal);
    const auto gatewayKey = crypto::Ed25519PrivateKey::generate().value();
    AuditWitness witness(*m_connection, *journal.value(), gatewayKey.publicKey());
    m_window->setAuditWitness(&witness);
    m_connection->connectAs(QStringLiteral("rita@example.com"), m_now);
    testsupport::MemoryTreeLog log{QStringLiteral("countersign/gw-test"), {}};
    log.appendMany(6, "entry-");
    m_connection->emitCheckpoint(log.note(3, gatewayKey));
    m_connection->emitCheckpoint(log.note(6, gatewayKey));
    QCOMPARE(m_connection->proofRequests().size(), 1);

    // The gateway's refusal is its own text: it carries a credential and a bidi override.
    const QString secret = QStringLiteral("AKIAZ7QWERTYUIOP2345");
    m_connection->refuseLastProofRequest(
        makeError(QStringLiteral("audit.unavailable"), QStringLiteral("cannot read \u202Eevil key ") + secret));
    QVERIFY(!m_window->auditAlarmBand()->parentWidget()->isHidden());
    const QString detail = find<QLabel>(QStringLiteral("auditAlarmDetailLabel"))->text();
    QVERIFY2(detail.contains(QStringLiteral("answered audit.unavailable")), qPrintable(detail));
    QVERIFY2(!detail.contains(secret), qPrintable(detail));
    QVERIFY2(detail.contains(QStringLiteral("[redacted: aws-access-key")), qPrintable(detail));
    QVERIFY2(!detail.contains(QChar(0x202E)), qPrintable(detail));
    QVERIFY2(detail.contains(QStringLiteral("\u27E8U+202E\u27E9")), qPrintable(detail));
}

void TestMainWindow::rewrittenAuditHistoryRaisesARedBandThatStays()
{
    QTemporaryDir dir;
    auto journal = ConsoleJournal::open(dir.filePath(QStringLiteral("journal.db")));
    QVERIFY(journal);
    const auto gatewayKey = crypto::Ed25519PrivateKey::generate().value();
    AuditWitness witness(*m_connection, *journal.value(), gatewayKey.publicKey());
    m_window->setAuditWitness(&witness);
    m_connection->connectAs(QStringLiteral("rita@example.com"), m_now); // gateway "gw-test"
    QVERIFY(m_window->auditAlarmBand()->parentWidget()->isHidden());

    testsupport::MemoryTreeLog honest{QStringLiteral("countersign/gw-test"), {}};
    honest.appendMany(8, "entry-");
    m_connection->emitCheckpoint(honest.note(5, gatewayKey));
    QCOMPARE(witness.last()->checkpoint.size, 5);
    m_connection->emitCheckpoint(honest.note(8, gatewayKey));
    QCOMPARE(m_connection->proofRequests().size(), 1);
    QCOMPARE(m_connection->proofRequests().constLast().first, 5);
    QCOMPARE(m_connection->proofRequests().constLast().second, 8);
    m_connection->answerLastProofRequest(honest.proof(5, 8));
    QCOMPARE(witness.last()->checkpoint.size, 8);
    QVERIFY(m_window->auditAlarmBand()->parentWidget()->isHidden());

    // History rewritten from entry 7 on, and grown to 12 entries.
    testsupport::MemoryTreeLog forked{honest.origin, honest.leaves.mid(0, 6)};
    forked.appendMany(6, "other-");
    m_connection->emitCheckpoint(forked.note(12, gatewayKey));
    m_connection->answerLastProofRequest(forked.proof(8, 12));
    QVERIFY(!m_window->auditAlarmBand()->parentWidget()->isHidden());
    QCOMPARE(m_window->auditAlarmBand()->semantic(), Semantic::Danger);
    const auto *title = find<QLabel>(QStringLiteral("auditAlarmTitleLabel"));
    const auto *detail = find<QLabel>(QStringLiteral("auditAlarmDetailLabel"));
    QCOMPARE(title->textFormat(), Qt::PlainText);
    QCOMPARE(detail->textFormat(), Qt::PlainText);
    QCOMPARE(title->text(), QStringLiteral("The gateway's audit history was rewritten"));
    QVERIFY2(detail->text().contains(QStringLiteral("checkpoint of 12 entries does not extend the checkpoint of 8 entries")),
             qPrintable(detail->text()));
    QVERIFY2(detail->text().contains(journal.value()->path()), qPrintable(detail->text()));
    QCOMPARE(witness.last()->checkpoint.size, 8); // what it held stays what it holds

    // Nothing the gateway sends later clears it.
    m_connection->emitCheckpoint(forked.note(12, gatewayKey));
    QVERIFY(!m_window->auditAlarmBand()->parentWidget()->isHidden());
    auto evidence = journal.value()->latest(QString::fromLatin1(AuditWitness::kInconsistent), honest.origin);
    QVERIFY(evidence && evidence.value());
}

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
