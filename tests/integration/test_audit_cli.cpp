// countersign-audit as an analyst runs it, a real process over real audit files: a clean log
// verifies; a log edited around its triggers (a payload byte flipped, a row deleted, two rows
// swapped, the file truncated, a checkpoint replaced, a decision forged) fails with the first bad
// entry named and exit code 1; export, proofs and checkpoint agree with the log and with an
// independent Python recomputation of the RFC 6962 root.
#include "core/audit/AuditLog.h"
#include "core/audit/Checkpoint.h"
#include "core/audit/Merkle.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/decision/SignedDecision.h"
#include "core/json/Json.h"
#include "tests/support/RawSqlite.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace countersign;
using namespace countersign::audit;
using countersign::testsupport::execRaw;

namespace {

constexpr int kEntries = 40;
const QString kOrigin = QStringLiteral("countersign.test/gw-audit");
const QString kReviewer = QStringLiteral("rita@example.com");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runProgram(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.start(program, arguments);
    Run run;
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

Run runAudit(const QStringList &arguments)
{
    return runProgram(QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-audit"), arguments);
}

QByteArray signedDecision(const crypto::Ed25519PrivateKey &key, const QString &reviewer, int n)
{
    decision::DecisionClaims claims;
    claims.actionId = QStringLiteral("act-%1").arg(n);
    claims.actionDigest = crypto::sha256Hex(QByteArray::number(n));
    claims.verdict = protocol::Verdict::Approve;
    claims.reviewer = reviewer;
    claims.gatewayId = QStringLiteral("gw-audit");
    claims.policyVersion = QStringLiteral("p1");
    const ManualClock clock;
    return decision::signDecision(claims, key, clock).value();
}

// What a run printed, for a failure message.
QByteArray said(const Run &run)
{
    return run.out + run.err;
}

} // namespace

class TestAuditCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanLogVerifies();
    void tamperingIsDetectedAtTheRightEntry_data();
    void tamperingIsDetectedAtTheRightEntry();
    void truncatedFileFails();
    void replacedCheckpointIsNamed();
    void forgedDecisionIsNamed();
    void fileProblemsAndUsage();
    void exportFiltersAndCsvDefusesFormulas();
    void pythonRootEqualsTheCheckpointCommand();
    void proofsVerify();

private:
    // A fresh copy of the reference log, for one test to damage.
    QString copyOfLog(const QString &name);

    QTemporaryDir m_dir;
    QString m_log;
    QString m_reviewersFile;
    QString m_gatewayKey; // base64url
    QByteArray m_root;
    std::optional<crypto::Ed25519PrivateKey> m_gatewaySigner;
    std::optional<crypto::Ed25519PrivateKey> m_reviewerKey;
};

void TestAuditCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_gatewaySigner.emplace(crypto::Ed25519PrivateKey::generate().value());
    m_reviewerKey.emplace(crypto::Ed25519PrivateKey::generate().value());
    m_gatewayKey = QString::fromLatin1(crypto::base64UrlEncode(m_gatewaySigner->publicKey().raw()));

    // The list as `countersign-gateway admin reviewers list` prints it.
    const QJsonObject list{{QStringLiteral("reviewers"),
                            QJsonArray{QJsonObject{{QStringLiteral("id"), kReviewer},
                                                   {QStringLiteral("role"), QStringLiteral("reviewer")},
                                                   {QStringLiteral("key"), crypto::publicKeyToJwk(m_reviewerKey->publicKey())},
                                                   {QStringLiteral("keyId"),
                                                    QString::fromLatin1(crypto::jwkThumbprint(m_reviewerKey->publicKey()))}}}}};
    m_reviewersFile = m_dir.filePath(QStringLiteral("reviewers.json"));
    QFile reviewers(m_reviewersFile);
    QVERIFY(reviewers.open(QIODevice::WriteOnly));
    reviewers.write(QJsonDocument(list).toJson());
    reviewers.close();

    // Entries of every kind the gateway writes, decisions with their JWS whole, a subject that a
    // spreadsheet would run as a formula, and checkpoints at 4 and at the end.
    m_log = m_dir.filePath(QStringLiteral("reference.db"));
    ManualClock clock(QDateTime(QDate(2026, 3, 1), QTime(9, 0), Qt::UTC));
    AuditLog::Options options;
    options.clock = &clock;
    auto log = AuditLog::open(m_log, options);
    QVERIFY2(log, qPrintable(log ? QString() : log.error().toString()));
    const QStringList kinds{QStringLiteral("submission.accepted"), QStringLiteral("policy.outcome"),
                            QStringLiteral("decision.accepted"), QStringLiteral("action.denied_by_timeout"),
                            QStringLiteral("session.opened")};
    for (int i = 1; i <= kEntries; ++i) {
        clock.advanceMs(60'000);
        const QString kind = kinds.at(i % kinds.size());
        QJsonObject payload{{QStringLiteral("n"), i}, {QStringLiteral("note"), QStringLiteral("entry %1, padded").arg(i)},
                            {QStringLiteral("pad"), QString(3000, QLatin1Char('p'))}};
        QString actor = QStringLiteral("agent-%1").arg(i % 3);
        if (kind == QLatin1String("decision.accepted")) {
            payload.insert(QStringLiteral("token"), QString::fromLatin1(signedDecision(*m_reviewerKey, kReviewer, i)));
            actor = kReviewer;
        }
        const QString subject = i == 3 ? QStringLiteral("=HYPERLINK(\"http://evil.example\")") : QStringLiteral("act-%1").arg(i);
        QVERIFY(log.value()->append(NewEntry{kind, actor, subject, payload}));
        if (i == 4 || i == kEntries)
            QVERIFY(log.value()->writeCheckpoint(kOrigin, *m_gatewaySigner));
    }
    m_root = log.value()->root();
}

QString TestAuditCli::copyOfLog(const QString &name)
{
    const QString path = m_dir.filePath(name + QStringLiteral(".db"));
    QFile::remove(path);
    return QFile::copy(m_log, path) ? path : QString();
}

void TestAuditCli::cleanLogVerifies()
{
    const Run full = runAudit({QStringLiteral("verify"), m_log, QStringLiteral("--reviewers"), m_reviewersFile,
                            QStringLiteral("--gateway-key"), m_gatewayKey});
    QVERIFY2(full.exitCode == 0, said(full).constData());
    QVERIFY2(full.out.startsWith(QByteArray(QByteArray("OK: ") + QByteArray::number(kEntries) + " entries, root " + m_root.toHex())),
             full.out);
    QVERIFY2(full.out.contains("2 checkpoint(s) and 8 decision signature(s) verified"), full.out);
    QVERIFY(!full.out.contains("not checked"));

    // Without keys it still verifies what it can, and says what it could not.
    const Run bare = runAudit({QStringLiteral("verify"), m_log});
    QCOMPARE(bare.exitCode, 0);
    QVERIFY2(bare.out.contains("not checked: checkpoint signatures"), bare.out);
    QVERIFY2(bare.out.contains("not checked: 8 decision signature(s)"), bare.out);
}

void TestAuditCli::tamperingIsDetectedAtTheRightEntry_data()
{
    QTest::addColumn<QByteArray>("sql");
    QTest::addColumn<int>("seq");
    QTest::addColumn<QByteArray>("code");

    QTest::newRow("payload byte flipped")
        << QByteArray("DROP TRIGGER entries_no_update;"
                      "UPDATE entries SET payload = replace(payload, 'entry 17,', 'entry 18,') WHERE seq = 17;")
        << 17 << QByteArray("audit.hash_mismatch");
    QTest::newRow("row deleted") << QByteArray("DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq = 23;") << 23
                                 << QByteArray("audit.seq_gap");
    QTest::newRow("last row deleted and the tree state rewound")
        << QByteArray("DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq = 40;"
                      "UPDATE tree_state SET size = 39, last_hash = (SELECT entry_hash FROM entries WHERE seq = 39);")
        << 40 << QByteArray("audit.tail_missing");
    QTest::newRow("two rows swapped")
        << QByteArray("DROP TRIGGER entries_no_update;"
                      "UPDATE entries SET seq = 1000 WHERE seq = 9;"
                      "UPDATE entries SET seq = 9 WHERE seq = 12;"
                      "UPDATE entries SET seq = 12 WHERE seq = 1000;")
        << 9 << QByteArray("audit.hash_mismatch");
    QTest::newRow("stored hash overwritten")
        << QByteArray("DROP TRIGGER entries_no_update;"
                      "UPDATE entries SET entry_hash = randomblob(32) WHERE seq = 30;")
        << 30 << QByteArray("audit.hash_mismatch");
    QTest::newRow("triggers dropped, nothing else") << QByteArray("DROP TRIGGER entries_no_delete;") << 0
                                                    << QByteArray("audit.schema_tampered");
}

void TestAuditCli::tamperingIsDetectedAtTheRightEntry()
{
    QFETCH(QByteArray, sql);
    QFETCH(int, seq);
    QFETCH(QByteArray, code);

    const QString path = copyOfLog(QStringLiteral("tampered"));
    QVERIFY(!path.isEmpty());
    QCOMPARE(execRaw(path, sql.constData()), SQLITE_OK);
    const Run run = runAudit({QStringLiteral("verify"), path, QStringLiteral("--reviewers"), m_reviewersFile,
                           QStringLiteral("--gateway-key"), m_gatewayKey});
    QVERIFY2(run.exitCode == 1, said(run).constData());
    const QByteArray where = seq > 0 ? QByteArray(QByteArray("FAILED at entry ") + QByteArray::number(seq) + " (")
                                     : QByteArray("FAILED at the file (");
    QVERIFY2(run.out.startsWith(QByteArray(where + code + "): ")), run.out);
}

void TestAuditCli::truncatedFileFails()
{
    const QString path = copyOfLog(QStringLiteral("truncated"));
    QFile file(path);
    const qint64 size = file.size();
    QVERIFY(size > 16 * 4096);
    QVERIFY(file.resize(size / 2));
    const Run run = runAudit({QStringLiteral("verify"), path});
    QVERIFY2(run.exitCode == 1, said(run).constData());
    // The first entry that cannot be read, or the first missing one, is named.
    static const QRegularExpression named(QStringLiteral("^FAILED at entry (\\d+) \\("));
    const auto match = named.match(QString::fromUtf8(run.out));
    QVERIFY2(match.hasMatch(), run.out);
    QVERIFY2(run.out.contains("the file is truncated: "), run.out);
    QVERIFY(match.captured(1).toInt() > 1);
    QVERIFY(match.captured(1).toInt() <= kEntries);
}

void TestAuditCli::replacedCheckpointIsNamed()
{
    // Someone without the gateway key rewrites the checkpoint at size 4 to vouch for another root.
    const auto forger = crypto::Ed25519PrivateKey::generate().value();
    Checkpoint fake;
    fake.origin = kOrigin;
    fake.size = 4;
    fake.rootHash = crypto::sha256("another history");
    const QByteArray note = signNote(checkpointText(fake), kOrigin, forger);
    QVERIFY(!note.isEmpty());
    const QByteArray sql = QByteArray("DROP TRIGGER checkpoints_no_delete; DELETE FROM checkpoints WHERE size = 4;"
                                      "INSERT INTO checkpoints (size, root, note, created_at) VALUES (4, X'")
        + fake.rootHash.toHex() + "', CAST(X'" + note.toHex() + "' AS TEXT), '2026-03-01T09:04:00.000Z');";

    const QString path = copyOfLog(QStringLiteral("checkpoint"));
    QCOMPARE(execRaw(path, sql.constData()), SQLITE_OK);
    const Run withKey = runAudit({QStringLiteral("verify"), path, QStringLiteral("--gateway-key"), m_gatewayKey});
    QVERIFY2(withKey.exitCode == 1, said(withKey).constData());
    QVERIFY2(withKey.out.startsWith("FAILED at entry 4 (audit.checkpoint_signature): "), withKey.out);
    // Without the key the root still gives it away.
    const Run withoutKey = runAudit({QStringLiteral("verify"), path});
    QVERIFY2(withoutKey.exitCode == 1, said(withoutKey).constData());
    QVERIFY2(withoutKey.out.startsWith("FAILED at entry 4 (audit.checkpoint_root): "), withoutKey.out);
}

void TestAuditCli::forgedDecisionIsNamed()
{
    // Written through the real append path, so the chain and the tree are sound: only the
    // decision's signature is wrong (a key that is not enrolled signed it for Rita).
    const QString path = copyOfLog(QStringLiteral("forged"));
    {
        auto log = AuditLog::open(path);
        QVERIFY(log);
        const auto mallory = crypto::Ed25519PrivateKey::generate().value();
        QVERIFY(log.value()->append(NewEntry{QStringLiteral("decision.accepted"), kReviewer, QStringLiteral("act-41"),
                                             QJsonObject{{QStringLiteral("token"),
                                                          QString::fromLatin1(signedDecision(mallory, kReviewer, 41))}}}));
    }
    const Run run = runAudit({QStringLiteral("verify"), path, QStringLiteral("--reviewers"), m_reviewersFile});
    QVERIFY2(run.exitCode == 1, said(run).constData());
    QVERIFY2(run.out.startsWith("FAILED at entry 41 (audit.decision_invalid): "), run.out);
    QVERIFY2(run.out.contains("not enrolled"), run.out);
}

void TestAuditCli::fileProblemsAndUsage()
{
    const Run missing = runAudit({QStringLiteral("verify"), m_dir.filePath(QStringLiteral("absent.db"))});
    QCOMPARE(missing.exitCode, 3);
    QVERIFY2(missing.err.contains("no such file"), missing.err);
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("absent.db"))));

    const QString foreign = m_dir.filePath(QStringLiteral("foreign.db"));
    {
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(foreign).constData(), &db), SQLITE_OK);
        QCOMPARE(sqlite3_exec(db, "CREATE TABLE actions (id TEXT)", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    for (const QString &command : {QStringLiteral("verify"), QStringLiteral("checkpoint")}) {
        const Run run = runAudit({command, foreign});
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.err.contains("audit.foreign_file") && run.err.contains("not a Countersign audit log"), run.err);
    }
    const QString text = m_dir.filePath(QStringLiteral("notes.txt"));
    QFile notes(text);
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write(QByteArray("plain text, not a database\n").repeated(100));
    notes.close();
    const Run notSqlite = runAudit({QStringLiteral("export"), text, QStringLiteral("--format"), QStringLiteral("jsonl")});
    QCOMPARE(notSqlite.exitCode, 3);
    QVERIFY2(notSqlite.err.contains("not a SQLite database"), notSqlite.err);

    QCOMPARE(runAudit({}).exitCode, 2);
    QCOMPARE(runAudit({QStringLiteral("frobnicate"), m_log}).exitCode, 2);
    QCOMPARE(runAudit({QStringLiteral("verify"), m_log, QStringLiteral("--format"), QStringLiteral("csv")}).exitCode, 2);
    QCOMPARE(runAudit({QStringLiteral("export"), m_log, QStringLiteral("--format"), QStringLiteral("xml")}).exitCode, 2);
    QCOMPARE(runAudit({QStringLiteral("export"), m_log, QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--since"),
                    QStringLiteral("yesterday")})
                 .exitCode,
             2);
    QCOMPARE(runAudit({QStringLiteral("prove"), QStringLiteral("inclusion"), m_log, QStringLiteral("0")}).exitCode, 2);
    QCOMPARE(runAudit({QStringLiteral("prove"), QStringLiteral("inclusion"), m_log, QStringLiteral("41")}).exitCode, 2);
    QCOMPARE(runAudit({QStringLiteral("verify"), m_log, QStringLiteral("--gateway-key"), QStringLiteral("not+key")}).exitCode, 2);
    const Run help = runAudit({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("Exit codes:"));
    QVERIFY(help.out.contains("3  the file is missing"));
}

void TestAuditCli::exportFiltersAndCsvDefusesFormulas()
{
    const Run all = runAudit({QStringLiteral("export"), m_log, QStringLiteral("--format"), QStringLiteral("jsonl")});
    QVERIFY2(all.exitCode == 0, all.err);
    const QList<QByteArray> lines = all.out.trimmed().split('\n');
    QCOMPARE(lines.size(), kEntries);
    for (const QByteArray &line : lines) {
        const auto parsed = json::parse(line);
        QVERIFY(parsed);
        QCOMPARE(json::canonicalize(parsed.value()), line);
    }

    const Run some = runAudit({QStringLiteral("export"), m_log, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--kind"),
                            QStringLiteral("decision.accepted"), QStringLiteral("--kind"), QStringLiteral("session.opened"),
                            QStringLiteral("--from-seq"), QStringLiteral("5"), QStringLiteral("--to-seq"), QStringLiteral("20"),
                            QStringLiteral("--since"), QStringLiteral("2026-03-01T09:06:00Z"), QStringLiteral("--until"),
                            QStringLiteral("2026-03-01T09:18:00Z")});
    QVERIFY2(some.exitCode == 0, some.err);
    QList<int> seqs;
    for (const QByteArray &line : some.out.trimmed().split('\n'))
        seqs.append(json::parse(line).value()[QStringLiteral("entry")][QStringLiteral("seq")].toInt());
    // decision.accepted: i % 5 == 2; session.opened: i % 5 == 4; time 09:00 + i minutes.
    QCOMPARE(seqs, (QList<int>{7, 9, 12, 14, 17}));

    const Run csv = runAudit({QStringLiteral("export"), m_log, QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--to-seq"),
                           QStringLiteral("3")});
    QVERIFY2(csv.exitCode == 0, csv.err);
    const QList<QByteArray> rows = csv.out.split('\n');
    QCOMPARE(rows.first(), QByteArray("seq,time,kind,actor,subject,payload,prev_hash,leaf_hash\r"));
    QCOMPARE(rows.size(), 5); // header, three rows, and the empty piece after the last CRLF
    // The subject "=HYPERLINK(...)" is defused and, holding quotes, quoted with them doubled.
    QVERIFY2(rows.at(3).contains(",\"'=HYPERLINK(\"\"http://evil.example\"\")\","), rows.at(3));
    QVERIFY(rows.at(1).startsWith("1,2026-03-01T09:01:00.000Z,policy.outcome,agent-1,act-1,\"{\"\"n\"\":1,"));
}

void TestAuditCli::pythonRootEqualsTheCheckpointCommand()
{
    const Run exported = runAudit({QStringLiteral("export"), m_log, QStringLiteral("--format"), QStringLiteral("jsonl")});
    QCOMPARE(exported.exitCode, 0);
    const QString exportFile = m_dir.filePath(QStringLiteral("export.jsonl"));
    QFile file(exportFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(exported.out);
    file.close();

    const Run python = runProgram(QStringLiteral("python3"), {QStringLiteral(COUNTERSIGN_SOURCE_DIR "/tests/audit_root.py"), exportFile});
    QVERIFY2(python.exitCode == 0, python.err);
    const Run checkpoint = runAudit({QStringLiteral("checkpoint"), m_log});
    QVERIFY2(checkpoint.exitCode == 0, checkpoint.err);

    QVERIFY2(python.out.contains(QByteArray(QByteArray("size ") + QByteArray::number(kEntries) + '\n')), python.out);
    QVERIFY2(python.out.contains(QByteArray(QByteArray("root-hex ") + m_root.toHex() + '\n')), python.out);
    QVERIFY2(checkpoint.out.contains(QByteArray(QByteArray("tree size: ") + QByteArray::number(kEntries) + '\n')), checkpoint.out);
    QVERIFY2(checkpoint.out.contains(QByteArray(QByteArray("root hex: ") + m_root.toHex() + '\n')), checkpoint.out);
    // And the signed checkpoint printed is the one at the end, with the same root.
    QVERIFY2(checkpoint.out.contains(QByteArray(QByteArray("\n") + QByteArray::number(kEntries) + '\n' + m_root.toBase64() + '\n')),
             checkpoint.out);
    QVERIFY(checkpoint.out.contains(QByteArray(QByteArray("\xe2\x80\x94 ") + kOrigin.toUtf8() + ' ')));

    // The independent script also notices an edit the export carries.
    QByteArray edited = exported.out;
    edited.replace("entry 5, padded", "entry 6, padded");
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(edited);
    file.close();
    const Run caught = runProgram(QStringLiteral("python3"), {QStringLiteral(COUNTERSIGN_SOURCE_DIR "/tests/audit_root.py"), exportFile});
    QCOMPARE(caught.exitCode, 1);
    QVERIFY2(caught.err.startsWith("line 5: "), caught.err);
}

void TestAuditCli::proofsVerify()
{
    const Run inclusion = runAudit({QStringLiteral("prove"), QStringLiteral("inclusion"), m_log, QStringLiteral("13"),
                                 QStringLiteral("--size"), QStringLiteral("30")});
    QVERIFY2(inclusion.exitCode == 0, inclusion.err);
    const QJsonObject proof = json::parse(inclusion.out.trimmed()).value().toObject();
    QList<QByteArray> path;
    for (const QJsonValue &hash : proof.value(QStringLiteral("proof")).toArray())
        path.append(QByteArray::fromHex(hash.toString().toLatin1()));
    QCOMPARE(proof.value(QStringLiteral("treeSize")).toInt(), 30);
    AuditLog::Options readOnly;
    readOnly.readOnly = true;
    auto log = AuditLog::open(m_log, readOnly);
    QVERIFY(log);
    const QByteArray root30 = rootOf(30, log.value()->leafSource()).value();
    QCOMPARE(proof.value(QStringLiteral("rootHash")).toString().toLatin1(), root30.toHex());
    QVERIFY(verifyInclusion(12, 30, log.value()->entry(13).value().leafHash, path, root30));

    const Run consistency = runAudit({QStringLiteral("prove"), QStringLiteral("consistency"), m_log, QStringLiteral("4"),
                                   QString::number(kEntries)});
    QVERIFY2(consistency.exitCode == 0, consistency.err);
    const QJsonObject between = json::parse(consistency.out.trimmed()).value().toObject();
    QList<QByteArray> hashes;
    for (const QJsonValue &hash : between.value(QStringLiteral("proof")).toArray())
        hashes.append(QByteArray::fromHex(hash.toString().toLatin1()));
    // The old root is the one the first signed checkpoint holds.
    const QByteArray root4 = log.value()->checkpoints().value().first().rootHash;
    QCOMPARE(between.value(QStringLiteral("oldRoot")).toString().toLatin1(), root4.toHex());
    QCOMPARE(between.value(QStringLiteral("newRoot")).toString().toLatin1(), m_root.toHex());
    QVERIFY(verifyConsistency(4, kEntries, root4, m_root, hashes));
}

QTEST_GUILESS_MAIN(TestAuditCli)
#include "test_audit_cli.moc"
