// The effect preview in the real main window's detail pane, offscreen over a scripted gateway:
// the email, payment, deletion and permission-change previews, the raw parameters one click or
// key away (and always shown when there is no preview), long values opened whole, hostile text
// escaped, and every label of the preview plain text.
#include "ConsoleWindowFixture.h"
#include "ScriptedGatewayConnection.h"
#include "SampleActions.h"

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "models/SemanticColors.h"
#include "net/ReviewerKey.h"
#include "ui/ActionDetailView.h"
#include "ui/EffectPreviewView.h"
#include "ui/MainWindow.h"
#include "ui/ParameterTree.h"

#include <QApplication>
#include <QDialog>
#include "ui/Badge.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocument>

using namespace countersign;
using namespace std::chrono_literals;
using countersign::testing::ScriptedGatewayConnection;

namespace {

// The colour a label's text is drawn in: its foreground role, which under the detail body's
// Base background is Text rather than WindowText.
QColor shownColor(const QLabel *label)
{
    return label->palette().color(label->foregroundRole());
}

QStringList textsOf(const QList<QLabel *> &labels)
{
    QStringList texts;
    for (const QLabel *label : labels)
        texts.append(label->text());
    return texts;
}

} // namespace

class TestDetailPreview final : public QObject, private testing::ConsoleWindowFixture {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void emailShowsTheMessageAsItWouldBeSent();
    void paymentShowsAmountAndBeneficiary();
    void deletionSaysWhatAndHowManyAndIrreversible();
    void permissionChangeIsADiffInSignsAndColours();
    void rawParametersAreOneClickAway();
    void rawParametersAreOneKeyAway();
    void otherKindsShowOnlyTheRawParameters();
    void malformedShapeSaysWhyAndShowsTheRawParameters();
    void longBodyOpensWhole();
    void hostileTextIsEscapedInThePreview();
    void flaggedCredentialEmailStaysRedacted();
    void everyPreviewLabelIsPlainText();
    void identityChainHasABadgePerLinkAndWarnings();
    void judgeVerdictsSayWhetherTheJudgeSignedThem();

private:
    ui::ActionDetailView *detail() const { return m_window->detailView(); }
    ui::EffectPreviewView *preview() const
    {
        auto *view = detail()->findChild<ui::EffectPreviewView *>(QStringLiteral("effectPreview"));
        if (!view)
            qFatal("no effect preview in the detail pane");
        return view;
    }
    QPushButton *rawToggle() const
    {
        return detail()->findChild<QPushButton *>(QStringLiteral("rawParametersToggle"));
    }
    ui::ParameterTree *tree() const { return detail()->findChild<ui::ParameterTree *>(QStringLiteral("parametersTree")); }
    QList<QLabel *> labels(const QString &name) const { return preview()->findChildren<QLabel *>(name); }
    QLabel *value(const QString &field) const
    {
        for (QLabel *label : labels(QStringLiteral("previewValue"))) {
            if (label->accessibleName() == field)
                return label;
        }
        return nullptr;
    }
    QString valueText(const QString &field) const
    {
        const QLabel *label = value(field);
        return label ? label->text() : QStringLiteral("<no value %1>").arg(field);
    }
    void show(const Action &action)
    {
        m_connection->emitPending(action);
        QCoreApplication::processEvents();
        m_window->selectAction(action.id);
        QCOMPARE(detail()->actionId(), action.id);
        // New rows of the preview are shown and laid out from the event loop.
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
    }

};

void TestDetailPreview::initTestCase()
{
    // Amounts are grouped for the reader's locale; the expectations below are in US English.
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    const QString problem = setUpConsole("test_detail_preview");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestDetailPreview::init()
{
    makeConsole();
    m_window->resize(1280, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_connection->connectAs(QStringLiteral("rita@example.com"), m_now);
}

void TestDetailPreview::cleanup()
{
    closeConsole();
}

void TestDetailPreview::emailShowsTheMessageAsItWouldBeSent()
{
    show(testing::emailAction(QStringLiteral("act-mail"), m_now, 300, false));
    QVERIFY(preview()->isVisible());
    auto *title = detail()->findChild<QLabel *>(QStringLiteral("previewTitle"));
    QVERIFY(title->isVisible());
    QCOMPARE(title->text(), QStringLiteral("EMAIL, AS IT WOULD BE SENT"));

    QCOMPARE(valueText(QStringLiteral("From")), QStringLiteral("bob@example.com"));
    const QStringList recipients = textsOf(labels(QStringLiteral("previewRecipient")));
    // Outside the sender's domain is said in words, not only in colour.
    QCOMPARE(recipients,
        (QStringList {QStringLiteral("dana@example.com"),
            QStringLiteral("procurement@nordwind-logistics.de   · outside example.com"),
            QStringLiteral("sales@atlas-supply.co.uk   · outside example.com")}));
    const QList<QLabel *> recipientLabels = labels(QStringLiteral("previewRecipient"));
    QCOMPARE(shownColor(recipientLabels.at(1)),
        semanticColor(Semantic::Warning, recipientLabels.at(1)->palette()));
    QVERIFY(shownColor(recipientLabels.at(0))
        != shownColor(recipientLabels.at(1)));

    QCOMPARE(labels(QStringLiteral("previewSubject")).constFirst()->text(), QStringLiteral("Q4 pricing update"));
    const QString body = labels(QStringLiteral("previewBody")).constFirst()->text();
    QCOMPARE(body,
        QStringLiteral("Hello,\n\nPlease find the updated figures attached. Let me know if anything needs changing.\n\n"
                       "Best regards,\nBob Chen"));
    QVERIFY(preview()->findChildren<QPushButton *>(QStringLiteral("previewShowWholeButton")).isEmpty());
    const QStringList notes = textsOf(labels(QStringLiteral("previewNoteText")));
    QVERIFY2(notes.contains(QStringLiteral("2 of 3 recipients are outside example.com.")), qPrintable(notes.join(u'|')));

    // The preview sits above the raw parameters, which are folded away but there.
    QTRY_VERIFY(preview()->height() > 100 && preview()->geometry().bottom() < rawToggle()->geometry().top());
    QVERIFY(rawToggle()->isVisible());
    QVERIFY(!tree()->isVisible());
    QVERIFY(!detail()->rawParametersShown());
}

void TestDetailPreview::paymentShowsAmountAndBeneficiary()
{
    show(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.5));
    auto *title = detail()->findChild<QLabel *>(QStringLiteral("previewTitle"));
    QCOMPARE(title->text(), QStringLiteral("PAYMENT"));
    QLabel *amount = labels(QStringLiteral("previewAmount")).constFirst();
    QCOMPARE(amount->text(), QStringLiteral("12,400.50 EUR"));
    // Prominent: larger than the text around it.
    QVERIFY(amount->font().pointSizeF() > preview()->font().pointSizeF() * 1.5);
    QCOMPARE(valueText(QStringLiteral("Beneficiary")), QStringLiteral("Nordwind Logistics GmbH"));
    QCOMPARE(valueText(QStringLiteral("IBAN")), QStringLiteral("DE89 3704 0044 0532 0130 00"));
    QVERIFY(valueText(QStringLiteral("New beneficiary")).startsWith(QStringLiteral("Yes")));
    QCOMPARE(valueText(QStringLiteral("Reference")), QStringLiteral("INV-48213"));
    QVERIFY(textsOf(labels(QStringLiteral("previewNoteText"))).join(u'|').contains(QStringLiteral("New beneficiary")));

    // A known beneficiary: no warning.
    show(testing::paymentAction(QStringLiteral("act-pay-known"), m_now, 300, 31750.0, false));
    QCOMPARE(labels(QStringLiteral("previewAmount")).constFirst()->text(), QStringLiteral("31,750.00 EUR"));
    QVERIFY(valueText(QStringLiteral("New beneficiary")).startsWith(QStringLiteral("No")));
    QVERIFY(!textsOf(labels(QStringLiteral("previewNoteText"))).join(u'|').contains(QStringLiteral("New beneficiary")));
}

void TestDetailPreview::deletionSaysWhatAndHowManyAndIrreversible()
{
    show(testing::deleteAction(QStringLiteral("act-del"), m_now, 240));
    QCOMPARE(detail()->findChild<QLabel *>(QStringLiteral("previewTitle"))->text(), QStringLiteral("DELETION"));
    QCOMPARE(valueText(QStringLiteral("Table")), QStringLiteral("customers"));
    QCOMPARE(valueText(QStringLiteral("Which")), QStringLiteral("last_activity < '2023-01-01'"));
    QCOMPARE(valueText(QStringLiteral("How many")), QStringLiteral("about 1,204 rows"));
    const QString notes = textsOf(labels(QStringLiteral("previewNoteText"))).join(u'|');
    QVERIFY2(notes.contains(QStringLiteral("Irreversible: once deleted, this cannot be restored.")), qPrintable(notes));
}

void TestDetailPreview::permissionChangeIsADiffInSignsAndColours()
{
    Action action = testing::permissionAction(QStringLiteral("act-perm"), m_now, 300);
    action.parameters.insert(QStringLiteral("before"),
        QJsonArray {QStringLiteral("code.execute"), QStringLiteral("iam.update_permissions"), QStringLiteral("logs.read")});
    show(action);
    QCOMPARE(detail()->findChild<QLabel *>(QStringLiteral("previewTitle"))->text(), QStringLiteral("PERMISSION CHANGE"));
    const QList<QLabel *> lines = labels(QStringLiteral("previewDiffLine"));
    QCOMPARE(textsOf(lines),
        (QStringList {QStringLiteral("  code.execute"), QStringLiteral("  iam.update_permissions"),
            QStringLiteral("− logs.read"), QStringLiteral("+ db.delete")}));
    const QColor unchanged = shownColor(lines.at(0));
    const QColor removed = shownColor(lines.at(2));
    const QColor added = shownColor(lines.at(3));
    QCOMPARE(added, semanticColor(Semantic::Positive, lines.at(3)->palette()));
    QCOMPARE(removed, semanticColor(Semantic::Danger, lines.at(2)->palette()));
    QVERIFY(unchanged != added && unchanged != removed && added != removed);
    QCOMPARE(lines.at(3)->accessibleName(), QStringLiteral("Added permission"));
    QCOMPARE(lines.at(2)->accessibleName(), QStringLiteral("Removed permission"));
    QCOMPARE(valueText(QStringLiteral("Whose")), QStringLiteral("ops-agent"));
    QVERIFY(textsOf(labels(QStringLiteral("previewNoteText"))).join(u'|').contains(QStringLiteral("its own permissions")));
}

void TestDetailPreview::rawParametersAreOneClickAway()
{
    show(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0));
    QVERIFY(!tree()->isVisible());
    QCOMPARE(rawToggle()->text(), QStringLiteral("Show raw parameters"));
    QTest::mouseClick(rawToggle(), Qt::LeftButton);
    QVERIFY(tree()->isVisible());
    QVERIFY(detail()->rawParametersShown());
    QCOMPARE(rawToggle()->text(), QStringLiteral("Hide raw parameters"));
    // The preview stays above the tree.
    QVERIFY(preview()->isVisible());
    QVERIFY(tree()->topLevelItemCount() >= 4);
    QTest::mouseClick(rawToggle(), Qt::LeftButton);
    QVERIFY(!tree()->isVisible());

    // Another action starts with its preview, the raw parameters folded again.
    QTest::mouseClick(rawToggle(), Qt::LeftButton);
    show(testing::deleteAction(QStringLiteral("act-del"), m_now, 240));
    QVERIFY(!tree()->isVisible());
}

void TestDetailPreview::rawParametersAreOneKeyAway()
{
    show(testing::emailAction(QStringLiteral("act-mail"), m_now, 300, false));
    QVERIFY(!tree()->isVisible());

    // R from the queue.
    m_window->queueView()->setFocus();
    QTest::keyClick(m_window->queueView(), Qt::Key_R);
    QVERIFY(tree()->isVisible());
    QTest::keyClick(m_window->queueView(), Qt::Key_R);
    QVERIFY(!tree()->isVisible());

    // Tab reaches the toggle from inside the item, and Space presses it.
    QVERIFY(rawToggle()->focusPolicy() & Qt::TabFocus);
    detail()->focusContent();
    bool reached = false;
    for (int i = 0; i < 40 && !reached && QApplication::focusWidget(); ++i) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        reached = QApplication::focusWidget() == rawToggle();
    }
    QVERIFY(reached);
    QTest::keyClick(rawToggle(), Qt::Key_Space);
    QVERIFY(tree()->isVisible());
}

void TestDetailPreview::otherKindsShowOnlyTheRawParameters()
{
    show(testing::credentialAction(QStringLiteral("act-code"), m_now, 300));
    QVERIFY(!preview()->isVisible());
    QVERIFY(!detail()->findChild<QLabel *>(QStringLiteral("previewTitle"))->isVisible());
    QVERIFY(!rawToggle()->isVisible());
    QVERIFY(tree()->isVisible());
    QVERIFY(detail()->rawParametersShown());
    // R does nothing to it.
    m_window->queueView()->setFocus();
    QTest::keyClick(m_window->queueView(), Qt::Key_R);
    QVERIFY(tree()->isVisible());
}

void TestDetailPreview::malformedShapeSaysWhyAndShowsTheRawParameters()
{
    Action action = testing::emailAction(QStringLiteral("act-odd"), m_now, 300, false);
    action.parameters.insert(QStringLiteral("subject"), QJsonObject {{QStringLiteral("text"), QStringLiteral("hi")}});
    show(action);
    QVERIFY(preview()->isVisible());
    const QList<QLabel *> why = labels(QStringLiteral("previewUnavailable"));
    QCOMPARE(why.size(), 1);
    QVERIFY2(why.constFirst()->text().startsWith(QStringLiteral("No preview: “subject” is not text.")),
        qPrintable(why.constFirst()->text()));
    QVERIFY(labels(QStringLiteral("previewRecipient")).isEmpty());
    QVERIFY(!rawToggle()->isVisible());
    QVERIFY(tree()->isVisible());
}

void TestDetailPreview::longBodyOpensWhole()
{
    Action action = testing::emailAction(QStringLiteral("act-long"), m_now, 300, false);
    QStringList lines;
    for (int i = 1; i <= 40; ++i)
        lines.append(QStringLiteral("Paragraph %1 of the message.").arg(i));
    action.parameters.insert(QStringLiteral("body"), lines.join(QLatin1Char('\n')));
    show(action);
    const QString shown = labels(QStringLiteral("previewBody")).constFirst()->text();
    QVERIFY(shown.contains(QStringLiteral("Paragraph 12 of")));
    QVERIFY(!shown.contains(QStringLiteral("Paragraph 13 of")));
    QVERIFY(shown.endsWith(QStringLiteral("…")));
    const QList<QPushButton *> buttons = preview()->findChildren<QPushButton *>(QStringLiteral("previewShowWholeButton"));
    QCOMPARE(buttons.size(), 1);
    QTest::mouseClick(buttons.constFirst(), Qt::LeftButton);
    QDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = preview()->findChild<QDialog *>(QStringLiteral("previewWholeDialog"))) != nullptr);
    auto *text = dialog->findChild<QPlainTextEdit *>(QStringLiteral("previewWholeText"));
    QVERIFY(text->isReadOnly());
    QCOMPARE(text->toPlainText(), lines.join(QLatin1Char('\n')));
    dialog->reject();
}

void TestDetailPreview::hostileTextIsEscapedInThePreview()
{
    show(testing::hostileAction(QStringLiteral("act-hostile"), m_now, 300));
    QCOMPARE(labels(QStringLiteral("previewSubject")).constFirst()->text(),
        QStringLiteral("<h1>URGENT</h1><a href='https://evil.example'>click</a>"));
    QCOMPARE(textsOf(labels(QStringLiteral("previewAttachment"))), QStringList {QStringLiteral("invoice⟨U+202E⟩txt.exe")});
    QLabel *attachment = labels(QStringLiteral("previewAttachment")).constFirst();
    QCOMPARE(shownColor(attachment), semanticColor(Semantic::Warning, attachment->palette()));
    const QString others = labels(QStringLiteral("previewOtherParameters")).constFirst()->text();
    QVERIFY2(others.contains(QStringLiteral("note")) && others.contains(QStringLiteral("<script>key</script>")),
        qPrintable(others));
    QCOMPARE(textsOf(labels(QStringLiteral("previewRecipient"))),
        QStringList {QStringLiteral("attacker@evil.example   · outside example.com")});
    for (const QLabel *label : preview()->findChildren<QLabel *>()) {
        for (const QChar c : label->text())
            QVERIFY2(c != QChar(0x202E) && c != QChar(0x200B) && c != QChar(0x2066), qPrintable(label->text()));
        QVERIFY2(label->toolTip().isEmpty() || !Qt::mightBeRichText(label->toolTip()), qPrintable(label->toolTip()));
    }
}

void TestDetailPreview::flaggedCredentialEmailStaysRedacted()
{
    show(testing::flaggedCredentialEmailAction(QStringLiteral("act-leak"), m_now, 300));
    QVERIFY(detail()->findChild<QWidget *>(QStringLiteral("credentialNotice"))->isVisible());
    QVERIFY(detail()->findChild<QWidget *>(QStringLiteral("judgeFlagBand"))->isVisible());
    const QString body = labels(QStringLiteral("previewBody")).constFirst()->text();
    QVERIFY2(body.contains(QStringLiteral("[redacted: aws-access-key …3F2A]")), qPrintable(body));
    QCOMPARE(textsOf(labels(QStringLiteral("previewAttachment"))),
        QStringList {QStringLiteral("invoice-summary-⟨U+202E⟩fdp.exe")});
    QCOMPARE(textsOf(labels(QStringLiteral("previewRecipient"))),
        (QStringList {QStringLiteral("billing@nordwind-logistics.de   · outside example.com"), QStringLiteral("dana@example.com")}));
}

void TestDetailPreview::everyPreviewLabelIsPlainText()
{
    Action malformed = testing::paymentAction(QStringLiteral("act-odd"), m_now, 300, 1.0);
    malformed.parameters.insert(QStringLiteral("amount"), QStringLiteral("<b>lots</b>"));
    const QList<Action> actions {testing::emailAction(QStringLiteral("act-mail"), m_now, 300, true),
        testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0),
        testing::deleteAction(QStringLiteral("act-del"), m_now, 300),
        testing::permissionAction(QStringLiteral("act-perm"), m_now, 300),
        testing::hostileAction(QStringLiteral("act-hostile"), m_now, 300),
        testing::flaggedCredentialEmailAction(QStringLiteral("act-leak"), m_now, 300), malformed};
    int checked = 0;
    for (const Action &action : actions) {
        show(action);
        QList<QLabel *> shown = preview()->findChildren<QLabel *>();
        shown.append(detail()->findChild<QLabel *>(QStringLiteral("previewTitle")));
        QVERIFY2(!shown.isEmpty(), qPrintable(action.id));
        for (const QLabel *label : std::as_const(shown)) {
            QVERIFY2(label->textFormat() == Qt::PlainText,
                qPrintable(action.id + QStringLiteral(": ") + label->objectName() + QStringLiteral(": ") + label->text()));
            ++checked;
        }
    }
    QVERIFY2(checked > 50, qPrintable(QString::number(checked)));
}

QStringList badgeTexts(const QWidget *parent, const QString &name)
{
    QStringList texts;
    for (const ui::Badge *badge : parent->findChildren<ui::Badge *>(name))
        texts.append(badge->text());
    return texts;
}

void TestDetailPreview::identityChainHasABadgePerLinkAndWarnings()
{
    // Delegated through the gateway's token exchange: every link verified, and the sub-agent
    // holds payments.transfer, which its parent never declared.
    show(testing::paymentAction(QStringLiteral("act-chain"), m_now, 300, 12400));
    auto *chain = detail()->findChild<QWidget *>(QStringLiteral("identityChain"));
    QVERIFY(chain);
    QCOMPARE(badgeTexts(chain, QStringLiteral("identityBadge")),
             (QStringList{QStringLiteral("verified"), QStringLiteral("verified"), QStringLiteral("verified"),
                          QStringLiteral("verified")}));
    const QList<QLabel *> warnings = chain->findChildren<QLabel *>(QStringLiteral("identityWarning"));
    QCOMPARE(warnings.size(), 1);
    QCOMPARE(warnings.first()->textFormat(), Qt::PlainText);
    QVERIFY(warnings.first()->text().contains(QStringLiteral("Holds payments.transfer, which finance-orchestrator did not declare")));

    // From an application that is not enrolled: the user and the application are only claimed.
    show(testing::permissionAction(QStringLiteral("act-claimed"), m_now, 300));
    QCOMPARE(badgeTexts(chain, QStringLiteral("identityBadge")),
             (QStringList{QStringLiteral("claimed"), QStringLiteral("claimed"), QStringLiteral("verified")}));
    QVERIFY(chain->findChildren<QLabel *>(QStringLiteral("identityWarning")).isEmpty());
    for (const QLabel *label : chain->findChildren<QLabel *>())
        QCOMPARE(label->textFormat(), Qt::PlainText);
}

void TestDetailPreview::judgeVerdictsSayWhetherTheJudgeSignedThem()
{
    show(testing::emailAction(QStringLiteral("act-signed"), m_now, 300, true));
    QCOMPARE(badgeTexts(detail(), QStringLiteral("judgeProvenance")), QStringList{QStringLiteral("signed")});
    show(testing::hostileAction(QStringLiteral("act-unsigned"), m_now, 300));
    QCOMPARE(badgeTexts(detail(), QStringLiteral("judgeProvenance")), QStringList{QStringLiteral("unsigned")});
}

QTEST_MAIN(TestDetailPreview)
#include "test_detail_preview.moc"
