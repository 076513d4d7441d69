// The console executable's key handling from the command line: `countersign enrol` creates a key
// headlessly (passphrase from a file descriptor, never argv), prints its fingerprint, exports the
// public key and never overwrites; the console refuses to start on a wrong --passphrase-fd
// passphrase or without a key, refuses a --notify-at that is not percentages, and --help
// documents all of it. With --audit-log and no --gateway it opens only the audit view, with no
// key at all.
#include "core/crypto/Jwk.h"
#include "net/ReviewerKey.h"
#include "tests/support/AuditLogGenerator.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

const QString kConsole = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
const QByteArray kPassphrase = "correct horse battery staple";

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs the console with stdin fed by input (and then closed), as --passphrase-fd 0 reads it.
Run run(const QStringList &arguments, const QByteArray &input = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(environment);
    process.start(kConsole, arguments);
    if (!process.waitForStarted(10'000))
        return {};
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
        QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class TestConsoleCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void helpDocumentsKeysAndEnrol();
    void enrolCreatesAKeyAndPrintsItsFingerprint();
    void enrolRefusesToOverwriteAndWeakPassphrases();
    void enrolNeedsTheReviewerAndTheDescriptor();
    void consoleRefusesAWrongPassphrase();
    void consoleWithPassphraseFdNeedsAnExistingKey();
    void notifyAtTakesPercentages();
    void auditLogWithoutAGatewayOpensOnlyTheAuditView();

private:
    QString keyPath() const { return m_dir->filePath(QStringLiteral("keys/rita.pem")); }
    QStringList enrolArguments() const
    {
        return {QStringLiteral("enrol"), QStringLiteral("--reviewer"), QStringLiteral("rita@example.com"),
            QStringLiteral("--key-file"), keyPath(), QStringLiteral("--passphrase-fd"), QStringLiteral("0"),
            QStringLiteral("--scrypt-log2n"), QStringLiteral("14")};
    }
    QStringList consoleArguments() const
    {
        // A loopback ws:// gateway that is never reached: the key is checked before connecting.
        return {QStringLiteral("--gateway"), QStringLiteral("ws://127.0.0.1:9/v1/console"),
            QStringLiteral("--gateway-key"), QStringLiteral("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
            QStringLiteral("--key-file"), keyPath(), QStringLiteral("--passphrase-fd"), QStringLiteral("0")};
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestConsoleCli::init()
{
    QVERIFY2(QFile::exists(kConsole), qPrintable(kConsole));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestConsoleCli::helpDocumentsKeysAndEnrol()
{
    const Run help = run({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    for (const char *text : {"--key-file", "--idle-lock", "--passphrase-fd", "countersign enrol", "--audit-log", "--notify-at"})
        QVERIFY2(help.out.contains(QLatin1String(text)), text);
    QVERIFY(!help.out.contains(QStringLiteral("COUNTERSIGN_TOKEN")));

    const Run enrolHelp = run({QStringLiteral("enrol"), QStringLiteral("--help")});
    QCOMPARE(enrolHelp.exitCode, 0);
    for (const char *text : {"--reviewer", "--export-jwk", "--export-pem", "--passphrase-fd"})
        QVERIFY2(enrolHelp.out.contains(QLatin1String(text)), text);
}

void TestConsoleCli::enrolCreatesAKeyAndPrintsItsFingerprint()
{
    const QString jwkPath = m_dir->filePath(QStringLiteral("rita.jwk"));
    const QString pemPath = m_dir->filePath(QStringLiteral("rita.pub.pem"));
    const Run enrolled = run(enrolArguments()
            << QStringLiteral("--export-jwk") << jwkPath << QStringLiteral("--export-pem") << pemPath,
        kPassphrase + '\n');
    QVERIFY2(enrolled.exitCode == 0, qPrintable(enrolled.err));

    auto key = ReviewerKey::open(keyPath());
    QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
    QCOMPARE(key.value()->reviewerId(), QStringLiteral("rita@example.com"));
    QVERIFY(enrolled.out.contains(QStringLiteral("fingerprint: ") + key.value()->fingerprint()));
    QVERIFY(enrolled.out.contains(key.value()->keyId()));
    // The newline ended the passphrase; it is not part of it.
    QVERIFY(key.value()->unlock(crypto::SecureBuffer(kPassphrase)));

    QFile jwk(jwkPath);
    QVERIFY(jwk.open(QIODevice::ReadOnly));
    QCOMPARE(crypto::publicKeyFromJwk(QJsonDocument::fromJson(jwk.readAll()).object()).value(),
        key.value()->publicKey());
    QFile pem(pemPath);
    QVERIFY(pem.open(QIODevice::ReadOnly));
    QCOMPARE(crypto::Ed25519PublicKey::fromPem(pem.readAll()).value(), key.value()->publicKey());
}

void TestConsoleCli::enrolRefusesToOverwriteAndWeakPassphrases()
{
    QCOMPARE(run(enrolArguments(), kPassphrase).exitCode, 0);
    QFile file(keyPath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    file.close();

    const Run again = run(enrolArguments(), "another long passphrase\n");
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.contains(QStringLiteral("key.exists")), qPrintable(again.err));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);

    QStringList other = enrolArguments();
    other[4] = m_dir->filePath(QStringLiteral("other.pem"));
    const Run weak = run(other, "short\n");
    QCOMPARE(weak.exitCode, 1);
    QVERIFY2(weak.err.contains(QStringLiteral("at least 12 characters")), qPrintable(weak.err));
    QVERIFY(!QFile::exists(other[4]));
}

void TestConsoleCli::enrolNeedsTheReviewerAndTheDescriptor()
{
    const Run noReviewer = run({QStringLiteral("enrol"), QStringLiteral("--key-file"), keyPath(),
        QStringLiteral("--passphrase-fd"), QStringLiteral("0")}, kPassphrase);
    QCOMPARE(noReviewer.exitCode, 2);
    QVERIFY(noReviewer.err.contains(QStringLiteral("--reviewer")));
    const Run noFd = run({QStringLiteral("enrol"), QStringLiteral("--reviewer"), QStringLiteral("rita@example.com"),
        QStringLiteral("--key-file"), keyPath()});
    QCOMPARE(noFd.exitCode, 2);
    QVERIFY(noFd.err.contains(QStringLiteral("--passphrase-fd")));
    QVERIFY(!QFile::exists(keyPath()));
}

void TestConsoleCli::consoleRefusesAWrongPassphrase()
{
    QCOMPARE(run(enrolArguments(), kPassphrase).exitCode, 0);
    const Run wrong = run(consoleArguments(), "not the passphrase\n");
    QCOMPARE(wrong.exitCode, 1);
    QVERIFY2(wrong.err.contains(QStringLiteral("key.wrong_passphrase")), qPrintable(wrong.err));
}

void TestConsoleCli::consoleWithPassphraseFdNeedsAnExistingKey()
{
    const Run missing = run(consoleArguments(), kPassphrase);
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains(QStringLiteral("countersign enrol")), qPrintable(missing.err));
    QVERIFY(!QFile::exists(keyPath())); // no key is created behind the reviewer's back
}

void TestConsoleCli::notifyAtTakesPercentages()
{
    for (const char *bad : {"120", "0", "half", "50,,80"}) {
        const Run refused = run(consoleArguments() << QStringLiteral("--notify-at") << QLatin1String(bad), kPassphrase);
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(QStringLiteral("--notify-at")), qPrintable(refused.err));
    }
    // A good value gets past the option checks to the key, which does not exist here.
    const Run accepted = run(consoleArguments() << QStringLiteral("--notify-at") << QStringLiteral("25,75"), kPassphrase);
    QCOMPARE(accepted.exitCode, 1);
    QVERIFY2(accepted.err.contains(QStringLiteral("countersign enrol")), qPrintable(accepted.err));
}

void TestConsoleCli::auditLogWithoutAGatewayOpensOnlyTheAuditView()
{
    const Run missing = run({QStringLiteral("--audit-log"), m_dir->filePath(QStringLiteral("nothing.db"))});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY2(missing.err.contains(QStringLiteral("--audit-log: no such file")), qPrintable(missing.err));

    testsupport::AuditLogSpec spec;
    spec.actions = 20;
    const auto log = testsupport::generateAuditLog(m_dir->filePath(QStringLiteral("audit.db")), spec);
    QVERIFY2(log, qPrintable(log ? QString() : log.error().toString()));
    const QString screenshot = m_dir->filePath(QStringLiteral("audit.png"));
    // No key file exists and none is asked for: an analyst with a copy of the log needs none.
    const Run opened = run({QStringLiteral("--audit-log"), log.value().path, QStringLiteral("--key-file"), keyPath(),
        QStringLiteral("--screenshot"), screenshot, QStringLiteral("--screenshot-delay"), QStringLiteral("300")});
    QVERIFY2(opened.exitCode == 0, qPrintable(opened.err));
    QVERIFY(QFile::exists(screenshot));
    QVERIFY(!QFile::exists(keyPath()));

    const Run badKey = run({QStringLiteral("--audit-log"), log.value().path, QStringLiteral("--gateway-key"), QStringLiteral("nope")});
    QCOMPARE(badKey.exitCode, 2);
    QVERIFY2(badKey.err.contains(QStringLiteral("--gateway-key")), qPrintable(badKey.err));
}

QTEST_GUILESS_MAIN(TestConsoleCli)
#include "test_console_cli.moc"
