// No private key bytes and no passphrase anywhere but in memory and (encrypted) in the key file:
// a reviewer enrols with the real console executable, the administrator adds the key on the
// control plane, the real console signs in to a real gateway and runs, a decision signed with
// that key is accepted; then every file the console and the gateway wrote (settings, key files,
// exports, logs, the gateway's database) and everything they printed is searched for the key's
// seed and the passphrase, in every encoding a careless line of code would use.
#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/EncryptedKeyFile.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/SecureBuffer.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"
#include "tests/support/TestConsoleClient.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;

namespace {

const QString kDana = QStringLiteral("dana@example.com");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QString &program, const QStringList &arguments, const QProcessEnvironment &environment,
        const QByteArray &standardInput = {}, int timeoutMs = 60'000)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    Run result;
    if (!process.waitForStarted(10'000))
        return result;
    process.write(standardInput);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

// The spellings of a secret a log line, a settings file or a debug dump would contain.
QList<QByteArray> encodings(const QByteArray &secret)
{
    return {secret,
            secret.toHex(),
            secret.toHex().toUpper(),
            secret.toBase64(),
            secret.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals),
            // Long enough to be unmistakable, short enough to catch a truncated dump.
            secret.toHex().left(24)};
}

} // namespace

class TestSecretsAtRest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noKeyBytesOrPassphraseOutsideTheKeyFile();
};

void TestSecretsAtRest::noKeyBytesOrPassphraseOutsideTheKeyFile()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    // The console gets its own home, so every setting and cache it writes lands in here.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("HOME"), home.path());
    for (const auto &[name, sub] : {std::pair{"XDG_CONFIG_HOME", "config"}, std::pair{"XDG_DATA_HOME", "data"},
                                    std::pair{"XDG_CACHE_HOME", "cache"}, std::pair{"XDG_STATE_HOME", "state"},
                                    std::pair{"XDG_RUNTIME_DIR", "runtime"}, std::pair{"TMPDIR", "tmp"}}) {
        QVERIFY(QDir(home.path()).mkpath(QLatin1String(sub)));
        QFile::setPermissions(home.filePath(QLatin1String(sub)), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        environment.insert(QLatin1String(name), home.filePath(QLatin1String(sub)));
    }
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    const QString console = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
    const QString keyFile = home.filePath(QStringLiteral("keys/dana.pem"));
    QVERIFY(QDir(home.path()).mkpath(QStringLiteral("keys")));
    const QByteArray passphrase = crypto::randomBytes(18).toBase64(QByteArray::Base64UrlEncoding);

    // 1. Enrol with the real executable; the passphrase arrives on a file descriptor.
    QList<Run> runs;
    runs.append(run(console,
                    {QStringLiteral("enrol"), QStringLiteral("--reviewer"), kDana, QStringLiteral("--key-file"), keyFile,
                     QStringLiteral("--passphrase-fd"), QStringLiteral("0"), QStringLiteral("--scrypt-log2n"), QStringLiteral("14"),
                     QStringLiteral("--export-jwk"), home.filePath(QStringLiteral("dana.jwk")),
                     QStringLiteral("--export-pem"), home.filePath(QStringLiteral("dana.pub.pem"))},
                    environment, passphrase));
    QVERIFY2(runs.last().exitCode == 0, runs.last().err.constData());

    // The test alone reads the seed back, to know what to search for.
    crypto::SecureBuffer secretPassphrase(passphrase.size());
    std::copy(passphrase.cbegin(), passphrase.cend(), secretPassphrase.data());
    auto seed = crypto::readEncryptedKey(keyFile, secretPassphrase);
    QVERIFY2(seed, qPrintable(seed ? QString() : seed.error().toString()));
    const QByteArray seedBytes(reinterpret_cast<const char *>(seed.value().data()), seed.value().size());
    const auto key = crypto::Ed25519PrivateKey::fromSeed(seed.value());
    QVERIFY(key);

    // 2. The administrator enrols the exported public key on the control plane.
    GatewayProcess gateway;
    QString error;
    QVERIFY2(gateway.start(&error), qPrintable(error));
    QProcessEnvironment adminEnvironment = QProcessEnvironment::systemEnvironment();
    adminEnvironment.insert(QStringLiteral("COUNTERSIGN_ADMIN_TOKEN"), QString::fromLatin1(gateway.adminToken()));
    adminEnvironment.insert(QStringLiteral("LSAN_OPTIONS"),
                            QStringLiteral("suppressions=" COUNTERSIGN_SOURCE_DIR "/tests/sanitizer/qt-network-thread.supp"));
    runs.append(run(QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-gateway"),
                    {QStringLiteral("admin"), QStringLiteral("--ready-file"), gateway.readyFilePath(), QStringLiteral("reviewers"),
                     QStringLiteral("add"), QStringLiteral("--id"), kDana, QStringLiteral("--role"), QStringLiteral("reviewer"),
                     QStringLiteral("--key"), home.filePath(QStringLiteral("dana.jwk")), QStringLiteral("--why"),
                     QStringLiteral("new reviewer")},
                    adminEnvironment));
    QVERIFY2(runs.last().exitCode == 0, runs.last().err.constData());

    // 3. The real console unlocks the key, signs in, runs for a while and quits.
    runs.append(run(console,
                    {QStringLiteral("--gateway"), gateway.consoleUrl().toString(), QStringLiteral("--pin"),
                     QString::fromLatin1(gateway.fingerprint()), QStringLiteral("--gateway-key"),
                     QString::fromLatin1(crypto::base64UrlEncode(gateway.gatewayPublicKey())), QStringLiteral("--key-file"), keyFile,
                     QStringLiteral("--passphrase-fd"), QStringLiteral("0"), QStringLiteral("--screenshot"),
                     home.filePath(QStringLiteral("console.png")), QStringLiteral("--screenshot-delay"), QStringLiteral("3000")},
                    environment, passphrase));
    QVERIFY2(runs.last().exitCode == 0, runs.last().err.constData());
    QVERIFY(QFile::exists(home.filePath(QStringLiteral("console.png"))));
    QVERIFY2(gateway.logText().contains("session opened"), gateway.logText().constData());
    QVERIFY(gateway.logText().contains(kDana.toUtf8()));

    // 4. A decision signed with that key is accepted and stored whole by the gateway.
    auto dana = std::make_unique<TestConsoleClient>(gateway.consoleUrl(), gateway.fingerprint(), kDana, &key.value());
    QVERIFY(dana->open());
    QVERIFY(dana->subscribe(0));
    TestAgentClient agent(gateway.agentUrl(), gateway.fingerprint());
    const HttpResult submitted = agent.post(QStringLiteral("/v1/actions"),
                                            submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                                           {{QStringLiteral("amount"), 31000}}),
                                            gateway.agentToken(GatewayProcess::kPaymentsAgent));
    QCOMPARE(submitted.status, 202);
    const QString id = submitted.json.value(QStringLiteral("id")).toString();
    QVERIFY(dana->waitUntil([&] { return dana->pending(id).has_value(); }));
    const auto decided = dana->decide(id, submitted.json.value(QStringLiteral("digest")).toString().toLatin1(),
                                      protocol::Verdict::Deny, QStringLiteral("not on the vendor list"));
    QVERIFY(decided && decided->accepted);
    dana.reset();
    gateway.stop(); // flushes the gateway's log and WAL

    // 5. Search everything that was written or printed.
    QList<QPair<QString, QByteArray>> haystacks;
    for (const QString &root : {home.path(), gateway.dataDir()}) {
        QDirIterator files(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            const QString path = files.next();
            QFile file(path);
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
            haystacks.append({path, file.readAll()});
        }
    }
    haystacks.append({gateway.logPath(), gateway.logText()});
    for (const Run &r : runs) {
        haystacks.append({QStringLiteral("a process's stdout"), r.out});
        haystacks.append({QStringLiteral("a process's stderr"), r.err});
    }
    QVERIFY(haystacks.size() > 8);
    bool sawKeyFile = false;
    bool sawSettings = false;
    for (const auto &[where, bytes] : haystacks) {
        sawKeyFile = sawKeyFile || where == keyFile;
        sawSettings = sawSettings || where.contains(QLatin1String("/config/"));
        for (const QByteArray &needle : encodings(seedBytes))
            QVERIFY2(!bytes.contains(needle), qPrintable(QStringLiteral("the key's seed (%1) is in %2").arg(QString::fromLatin1(needle.left(8)), where)));
        for (const QByteArray &needle : encodings(passphrase))
            QVERIFY2(!bytes.contains(needle), qPrintable(QStringLiteral("the passphrase is in %1").arg(where)));
    }
    // The search saw what it was meant to: the key file (encrypted) and the console's settings.
    QVERIFY(sawKeyFile);
    QVERIFY2(sawSettings, "the console wrote no settings under XDG_CONFIG_HOME: the search missed them");
}

QTEST_GUILESS_MAIN(TestSecretsAtRest)
#include "test_secrets_at_rest.moc"
