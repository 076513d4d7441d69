// The key dialogs on their own, offscreen: enrolment (inline passphrase checks, Generate creates
// the key and shows its fingerprint, exports, refusal to overwrite), unlocking, and the
// deliberate-approval confirmation (retyped fact, passphrase, never a default button).
#include "SampleActions.h"

#include "core/crypto/Jwk.h"
#include "models/KeyFact.h"
#include "net/ReviewerKey.h"
#include "ui/ConfirmApprovalDialog.h"
#include "ui/EnrolmentDialog.h"
#include "ui/UnlockDialog.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

constexpr crypto::ScryptCost kFastCost {uint64_t(1) << 14, 8, 1};
const char kPassphrase[] = "correct horse battery staple";

bool allLabelsPlain(const QWidget *dialog)
{
    for (const QLabel *label : dialog->findChildren<QLabel *>()) {
        if (label->textFormat() != Qt::PlainText) {
            qWarning("not plain text: %s", qPrintable(label->text()));
            return false;
        }
    }
    return true;
}

template<typename T> T *child(const QWidget *parent, const char *name)
{
    T *widget = parent->findChild<T *>(QLatin1String(name));
    if (!widget)
        qFatal("no widget named %s", name);
    return widget;
}

} // namespace

class TestKeyDialogs final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();

    void enrolmentChecksThePassphraseInline();
    void enrolmentCreatesTheKeyAndShowsItsFingerprint();
    void enrolmentRefusesToOverwrite();
    void unlockDialogUnlocks();
    void confirmationAsksForTheFactAndThePassphrase();
    void confirmationWithoutAFactAsksForThePassphraseOnly();

private:
    QString keyPath() const { return m_dir->filePath(QStringLiteral("keys/reviewer-key.pem")); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestKeyDialogs::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestKeyDialogs::enrolmentChecksThePassphraseInline()
{
    ui::EnrolmentDialog dialog(keyPath(), QString());
    dialog.setFixedCost(kFastCost);
    dialog.show();
    auto *reviewer = child<QLineEdit>(&dialog, "reviewerLineEdit");
    auto *passphrase = child<QLineEdit>(&dialog, "passphraseLineEdit");
    auto *repeat = child<QLineEdit>(&dialog, "repeatPassphraseLineEdit");
    auto *hint = child<QLabel>(&dialog, "passphraseHintLabel");
    auto *generate = child<QPushButton>(&dialog, "generateButton");
    QCOMPARE(passphrase->echoMode(), QLineEdit::Password);
    QCOMPARE(repeat->echoMode(), QLineEdit::Password);
    QVERIFY(!generate->isEnabled());
    QVERIFY(allLabelsPlain(&dialog));

    QTest::keyClicks(reviewer, QStringLiteral("rita@example.com"));
    QTest::keyClicks(passphrase, QStringLiteral("too short"));
    QVERIFY2(hint->text().contains(QStringLiteral("3 more")), qPrintable(hint->text()));
    QVERIFY(!generate->isEnabled());

    passphrase->clear();
    QTest::keyClicks(passphrase, QString::fromLatin1(kPassphrase));
    QTest::keyClicks(repeat, QStringLiteral("correct horse battery stapel"));
    QCOMPARE(hint->text(), QStringLiteral("The two passphrases differ."));
    QVERIFY(!generate->isEnabled());

    repeat->clear();
    QTest::keyClicks(repeat, QString::fromLatin1(kPassphrase));
    QCOMPARE(hint->text(), QStringLiteral("The passphrases match."));
    QVERIFY(generate->isEnabled());

    // A reviewer id the gateway could never accept cannot be typed into the field.
    reviewer->clear();
    QTest::keyClicks(reviewer, QStringLiteral("rita example"));
    QCOMPARE(reviewer->text(), QStringLiteral("ritaexample"));
    reviewer->clear();
    QVERIFY(!generate->isEnabled());
}

void TestKeyDialogs::enrolmentCreatesTheKeyAndShowsItsFingerprint()
{
    ui::EnrolmentDialog dialog(keyPath(), QStringLiteral("rita@example.com"));
    dialog.setFixedCost(kFastCost);
    dialog.show();
    QSignalSpy generated(&dialog, &ui::EnrolmentDialog::generated);
    QTest::keyClicks(child<QLineEdit>(&dialog, "passphraseLineEdit"), QString::fromLatin1(kPassphrase));
    QTest::keyClicks(child<QLineEdit>(&dialog, "repeatPassphraseLineEdit"), QString::fromLatin1(kPassphrase));
    QTest::mouseClick(child<QPushButton>(&dialog, "generateButton"), Qt::LeftButton);
    QTRY_COMPARE(generated.count(), 1);

    ReviewerKey *key = dialog.key();
    QVERIFY(key);
    QVERIFY(key->isUnlocked());
    QCOMPARE(key->reviewerId(), QStringLiteral("rita@example.com"));
    QVERIFY(QFile::exists(keyPath()));
    QCOMPARE(child<QLabel>(&dialog, "fingerprintLabel")->text(), key->fingerprint());
    QVERIFY(allLabelsPlain(&dialog));
    QVERIFY(child<QLabel>(&dialog, "enrolCommandLabel")->text().startsWith(
        QStringLiteral("countersign-gateway admin reviewers add")));
    // The passphrase is gone from the fields.
    QVERIFY(child<QLineEdit>(&dialog, "passphraseLineEdit")->text().isEmpty());
    QVERIFY(child<QLineEdit>(&dialog, "repeatPassphraseLineEdit")->text().isEmpty());

    const QString jwkPath = m_dir->filePath(QStringLiteral("rita.jwk"));
    const QString pemPath = m_dir->filePath(QStringLiteral("rita.pem"));
    QVERIFY(dialog.exportJwkTo(jwkPath));
    QVERIFY(dialog.exportPemTo(pemPath));
    QFile jwkFile(jwkPath);
    QVERIFY(jwkFile.open(QIODevice::ReadOnly));
    const QJsonObject jwk = QJsonDocument::fromJson(jwkFile.readAll()).object();
    QVERIFY(!jwk.contains(QStringLiteral("d")));
    QCOMPARE(crypto::publicKeyFromJwk(jwk).value(), key->publicKey());
    QFile pemFile(pemPath);
    QVERIFY(pemFile.open(QIODevice::ReadOnly));
    QCOMPARE(crypto::Ed25519PublicKey::fromPem(pemFile.readAll()).value(), key->publicKey());
    QVERIFY(child<QLabel>(&dialog, "exportNoticeLabel")->text().startsWith(QStringLiteral("Public key saved")));

    dialog.copyJwk();
    const QJsonObject copied = QJsonDocument::fromJson(QGuiApplication::clipboard()->text().toUtf8()).object();
    QCOMPARE(copied.value(QStringLiteral("x")), jwk.value(QStringLiteral("x")));

    QTest::mouseClick(child<QPushButton>(&dialog, "continueButton"), Qt::LeftButton);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    const std::unique_ptr<ReviewerKey> taken = dialog.takeKey();
    QVERIFY(taken);
    QVERIFY(!dialog.key());
}

void TestKeyDialogs::enrolmentRefusesToOverwrite()
{
    QVERIFY(ReviewerKey::enrol(keyPath(), QStringLiteral("rita@example.com"),
        crypto::SecureBuffer(QByteArrayView(kPassphrase)), kFastCost));
    ui::EnrolmentDialog dialog(keyPath(), QStringLiteral("rita@example.com"));
    dialog.setFixedCost(kFastCost);
    dialog.show();
    QTest::keyClicks(child<QLineEdit>(&dialog, "passphraseLineEdit"), QStringLiteral("another passphrase"));
    QTest::keyClicks(child<QLineEdit>(&dialog, "repeatPassphraseLineEdit"), QStringLiteral("another passphrase"));
    dialog.generate();
    QTRY_VERIFY(!dialog.errorText().isEmpty());
    QVERIFY2(dialog.errorText().contains(QStringLiteral("never overwritten")), qPrintable(dialog.errorText()));
    QVERIFY(!dialog.key());
    QVERIFY(child<QPushButton>(&dialog, "generateButton")->isEnabled()); // the form is usable again
}

void TestKeyDialogs::unlockDialogUnlocks()
{
    QVERIFY(ReviewerKey::enrol(keyPath(), QStringLiteral("rita@example.com"),
        crypto::SecureBuffer(QByteArrayView(kPassphrase)), kFastCost));
    auto key = std::move(ReviewerKey::open(keyPath())).value();
    ui::UnlockDialog dialog(key.get(), ui::UnlockDialog::Purpose::Start);
    dialog.show();
    QCOMPARE(child<QPushButton>(&dialog, "cancelButton")->text(), QStringLiteral("&Quit"));
    QVERIFY(allLabelsPlain(&dialog));
    auto *edit = child<QLineEdit>(&dialog, "unlockPassphraseLineEdit");
    auto *unlock = child<QPushButton>(&dialog, "unlockButton");
    QVERIFY(!unlock->isEnabled());
    QTest::keyClicks(edit, QStringLiteral("wrong"));
    QVERIFY(!dialog.tryUnlock());
    QVERIFY(!key->isUnlocked());
    QVERIFY(child<QLabel>(&dialog, "unlockErrorLabel")->isVisible());
    QCOMPARE(edit->text(), QStringLiteral("wrong"));
    edit->clear();
    QTest::keyClicks(edit, QString::fromLatin1(kPassphrase));
    QTest::mouseClick(unlock, Qt::LeftButton);
    QVERIFY(key->isUnlocked());
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(edit->text().isEmpty());
}

void TestKeyDialogs::confirmationAsksForTheFactAndThePassphrase()
{
    auto key = std::move(ReviewerKey::enrol(keyPath(), QStringLiteral("rita@example.com"),
                             crypto::SecureBuffer(QByteArrayView(kPassphrase)), kFastCost))
                   .value();
    const Action action = testing::deleteAction(QStringLiteral("act-del"), QDateTime::currentDateTimeUtc(), 300);
    const std::optional<KeyFact> fact = keyFact(action);
    QVERIFY(fact);
    QCOMPARE(fact->value, QStringLiteral("1204"));
    ui::ConfirmApprovalDialog dialog(action, QStringLiteral("Delete 1,204 rows from customers"),
        QStringLiteral("Deletion actions are approved deliberately."), fact, key.get());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *factEdit = child<QLineEdit>(&dialog, "keyFactLineEdit");
    auto *passEdit = child<QLineEdit>(&dialog, "approvalPassphraseLineEdit");
    auto *approve = child<QPushButton>(&dialog, "confirmApproveButton");
    QCOMPARE(QApplication::focusWidget(), factEdit);
    QCOMPARE(factEdit->contextMenuPolicy(), Qt::NoContextMenu);
    QVERIFY(!approve->isDefault() && !approve->autoDefault());
    QVERIFY(allLabelsPlain(&dialog));
    QVERIFY(child<QLabel>(&dialog, "keyFactPromptLabel")->text().contains(QStringLiteral("number of records")));

    QTest::keyClicks(factEdit, QStringLiteral("1,204"));
    QTest::keyClicks(passEdit, QString::fromLatin1(kPassphrase));
    QVERIFY(!dialog.tryApprove());
    QVERIFY(dialog.errorText().contains(QStringLiteral("not the number of records")));
    QVERIFY(!dialog.errorText().contains(QStringLiteral("1204"))); // never gives the answer away
    QCOMPARE(QApplication::focusWidget(), factEdit);

    factEdit->clear();
    QTest::keyClicks(factEdit, QStringLiteral("1204"));
    QTest::keyClick(factEdit, Qt::Key_Return); // moves on, does not approve
    QCOMPARE(QApplication::focusWidget(), passEdit);
    QVERIFY(dialog.isVisible());
    QTest::keyClick(passEdit, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(passEdit->text().isEmpty());
}

void TestKeyDialogs::confirmationWithoutAFactAsksForThePassphraseOnly()
{
    auto key = std::move(ReviewerKey::enrol(keyPath(), QStringLiteral("rita@example.com"),
                             crypto::SecureBuffer(QByteArrayView(kPassphrase)), kFastCost))
                   .value();
    Action action = testing::deleteAction(QStringLiteral("act-run"), QDateTime::currentDateTimeUtc(), 300);
    action.parameters = {{QStringLiteral("command"), QStringLiteral("systemctl restart nginx")}};
    ui::ConfirmApprovalDialog dialog(action, QStringLiteral("Run"), QString(), keyFact(action), key.get());
    dialog.show();
    QVERIFY(!dialog.fact());
    QVERIFY(child<QLineEdit>(&dialog, "keyFactLineEdit")->isHidden());
    QTest::keyClicks(child<QLineEdit>(&dialog, "approvalPassphraseLineEdit"), QStringLiteral("wrong passphrase"));
    QVERIFY(!dialog.tryApprove());
    QVERIFY(dialog.errorText().contains(QStringLiteral("passphrase")));
    child<QLineEdit>(&dialog, "approvalPassphraseLineEdit")->clear();
    QTest::keyClicks(child<QLineEdit>(&dialog, "approvalPassphraseLineEdit"), QString::fromLatin1(kPassphrase));
    QVERIFY(dialog.tryApprove());
}

QTEST_MAIN(TestKeyDialogs)
#include "test_key_dialogs.moc"
