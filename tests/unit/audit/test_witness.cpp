// The witness's verdicts over real trees, real proofs and real signed checkpoints: the first
// checkpoint is held on trust; a larger tree is accepted only with a consistency proof that
// verifies; a log that shrank, was rewritten at the same size, or forked after the witnessed
// point is caught; so are checkpoints of another log, by another key, or altered.
#include "core/audit/Witness.h"

#include "core/audit/Merkle.h"
#include "tests/support/MemoryTreeLog.h"

#include <QTest>

using namespace countersign;
using namespace countersign::audit;

namespace {

const QString kOrigin = QStringLiteral("countersign/gw-witness-test");

// A log in memory under kOrigin.
struct Log : testsupport::MemoryTreeLog
{
    Log() { origin = kOrigin; }
    void append(const QByteArray &entry) { leaves.append(leafHash(entry)); }
};

} // namespace

class TestWitness final : public QObject
{
    Q_OBJECT

    crypto::Ed25519PrivateKey m_key = crypto::Ed25519PrivateKey::generate().value();

    WitnessedCheckpoint read(const QByteArray &note)
    {
        auto checkpoint = readSignedCheckpoint(note, kOrigin, m_key.publicKey());
        if (!checkpoint)
            qWarning("%s", qPrintable(checkpoint.error().toString()));
        return checkpoint.value();
    }

private Q_SLOTS:
    void readsOnlyCheckpointsOfThisLogByThisKey()
    {
        Log log;
        log.appendMany(5, "e");
        const auto held = readSignedCheckpoint(log.note(5, m_key), kOrigin, m_key.publicKey());
        QVERIFY(held);
        QCOMPARE(held.value().checkpoint.size, 5);
        QCOMPARE(held.value().checkpoint.rootHash, log.root(5));

        const auto other = crypto::Ed25519PrivateKey::generate().value();
        QCOMPARE(readSignedCheckpoint(log.note(5, other), kOrigin, m_key.publicKey()).error().code,
                 QStringLiteral("note.unverified"));
        // Signed by the right key under the right name, but for another log's origin line.
        const QByteArray foreign =
            signNote(checkpointText(Checkpoint{QStringLiteral("countersign/gw-other"), 5, log.root(5), {}}), kOrigin, m_key);
        QCOMPARE(readSignedCheckpoint(foreign, kOrigin, m_key.publicKey()).error().code,
                 QStringLiteral("checkpoint.wrong_origin"));
        QByteArray altered = log.note(5, m_key);
        altered.replace("\n5\n", "\n6\n");
        QCOMPARE(readSignedCheckpoint(altered, kOrigin, m_key.publicKey()).error().code,
                 QStringLiteral("note.bad_signature"));
        QCOMPARE(readSignedCheckpoint("not a note", kOrigin, m_key.publicKey()).error().code,
                 QStringLiteral("note.malformed"));
    }

    void firstCheckpointIsHeldAndTheSameOneIsNothingNew()
    {
        Log log;
        log.appendMany(3, "e");
        const WitnessedCheckpoint first = read(log.note(3, m_key));
        QCOMPARE(witness(std::nullopt, first, std::nullopt).step, WitnessStep::Accept);
        QCOMPARE(witness(first, read(log.note(3, m_key)), std::nullopt).step, WitnessStep::Same);
    }

    void aLogThatGrewIsAcceptedOnlyWithItsProof_data()
    {
        QTest::addColumn<int>("first");
        QTest::addColumn<int>("second");
        for (const auto &[first, second] : {std::pair{1, 2}, {1, 8}, {3, 7}, {4, 8}, {7, 8}, {8, 9}, {5, 1000}, {64, 65}, {999, 1000}})
            QTest::addRow("%d to %d", first, second) << first << second;
    }

    void aLogThatGrewIsAcceptedOnlyWithItsProof()
    {
        QFETCH(int, first);
        QFETCH(int, second);
        Log log;
        log.appendMany(second, "entry-");
        const WitnessedCheckpoint held = read(log.note(first, m_key));
        const WitnessedCheckpoint next = read(log.note(second, m_key));
        QCOMPARE(witness(held, next, std::nullopt).step, WitnessStep::NeedProof);
        QCOMPARE(witness(held, next, log.proof(first, second)).step, WitnessStep::Accept);

        // Any other proof fails: a hash flipped, one missing, or the proof for other sizes.
        QList<QByteArray> flipped = log.proof(first, second);
        if (!flipped.isEmpty()) {
            flipped[0][0] = char(flipped[0][0] ^ 1);
            QCOMPARE(witness(held, next, flipped).step, WitnessStep::Inconsistent);
            QList<QByteArray> shorter = log.proof(first, second);
            shorter.removeLast();
            QCOMPARE(witness(held, next, shorter).step, WitnessStep::Inconsistent);
        }
        if (first > 1)
            QCOMPARE(witness(held, next, log.proof(first - 1, second)).step, WitnessStep::Inconsistent);
    }

    void aRewrittenHistoryIsCaught()
    {
        // The honest log, witnessed at 10 entries.
        Log honest;
        honest.appendMany(10, "entry-");
        const WitnessedCheckpoint held = read(honest.note(10, m_key));

        // The same size with another root: an entry was changed in place.
        Log edited = honest;
        edited.leaves[4] = leafHash("entry-4 (edited)");
        const WitnessVerdict sameSize = witness(held, read(edited.note(10, m_key)), std::nullopt);
        QCOMPARE(sameSize.step, WitnessStep::Inconsistent);
        QVERIFY2(sameSize.reason.contains(QStringLiteral("size 10")), qPrintable(sameSize.reason));

        // Shrank: restored from an older backup.
        const WitnessVerdict shrank = witness(held, read(honest.note(7, m_key)), std::nullopt);
        QCOMPARE(shrank.step, WitnessStep::Inconsistent);
        QVERIFY2(shrank.reason.contains(QStringLiteral("shrank")), qPrintable(shrank.reason));

        // Forked: rolled back to 6 entries and grown again to 15 with other entries. The proof
        // the rewritten log can give is its own, and it cannot reach the witnessed root.
        Log forked;
        forked.leaves = honest.leaves.mid(0, 6);
        forked.appendMany(9, "other-");
        const WitnessedCheckpoint next = read(forked.note(15, m_key));
        QCOMPARE(witness(held, next, std::nullopt).step, WitnessStep::NeedProof);
        const WitnessVerdict rewritten = witness(held, next, forked.proof(10, 15));
        QCOMPARE(rewritten.step, WitnessStep::Inconsistent);
        QVERIFY2(rewritten.reason.contains(QStringLiteral("size 10")) && rewritten.reason.contains(QStringLiteral("size 15")),
                 qPrintable(rewritten.reason));
        // Nor can the honest log's proof make the forked head acceptable.
        Log grown = honest;
        grown.appendMany(5, "later-");
        QCOMPARE(witness(held, next, grown.proof(10, 15)).step, WitnessStep::Inconsistent);
        QCOMPARE(witness(held, read(grown.note(15, m_key)), grown.proof(10, 15)).step, WitnessStep::Accept);
    }
};

QTEST_GUILESS_MAIN(TestWitness)
#include "test_witness.moc"
