// The audit log's Merkle tree against RFC 6962 / RFC 9162: the reference tree's roots, every
// inclusion and consistency case of transparency-dev/merkle's test data, proofs generated here
// for every size up to 64 (checked against the RFC's recursive definitions and against byte
// flips), the compact tree and its saved frontier, and real proofs from Google's Argon2020 CT log.
#include "core/audit/Merkle.h"

#include "core/json/Json.h"

#include <bit>
#include <limits>
#include <utility>

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace countersign;
using namespace countersign::audit;

namespace {

const QString kDataDir = QStringLiteral(COUNTERSIGN_TEST_DATA "/merkle/");

QJsonObject loadJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    // Read with the project's strict parser: a damaged copy should fail loudly, not shrink.
    const auto parsed = json::parse(file.readAll());
    return parsed ? parsed.value().toObject() : QJsonObject();
}

// An integer field read from the raw text: upstream's indices are Go uint64s, and one case uses
// 2^64 - 1, which a JSON double cannot carry. Taken modulo 2^64 into qint64, as the same bits
// would be (so 2^64 - 1 arrives as -1, an index no tree has).
qint64 integerField(const QString &path, const char *name)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::numeric_limits<qint64>::min();
    const QRegularExpression pattern(QStringLiteral("\"%1\": *([0-9]+)[,\n}]").arg(QLatin1String(name)));
    const QRegularExpressionMatch match = pattern.match(QString::fromUtf8(file.readAll()));
    bool ok = false;
    const quint64 value = match.captured(1).toULongLong(&ok);
    return ok ? static_cast<qint64>(value) : std::numeric_limits<qint64>::min();
}

QByteArray b64(const QJsonValue &value)
{
    return QByteArray::fromBase64(value.toString().toLatin1());
}

QList<QByteArray> b64List(const QJsonValue &value)
{
    QList<QByteArray> out;
    for (const QJsonValue &item : value.toArray()) // a JSON null (no proof) is an empty list
        out.append(b64(item));
    return out;
}

// The 8 reference leaves, then leaves made here, so every size up to 64 can be proved.
QList<QByteArray> testLeaves(int count)
{
    const QJsonObject reference = loadJson(kDataDir + QStringLiteral("rfc6962_reference_tree.json"));
    QList<QByteArray> leaves;
    for (const QJsonValue &input : reference.value(QStringLiteral("leafInputsHex")).toArray())
        leaves.append(leafHash(QByteArray::fromHex(input.toString().toLatin1())));
    for (int i = int(leaves.size()); i < count; ++i)
        leaves.append(leafHash(QByteArray(QByteArray("countersign test leaf ") + QByteArray::number(i))));
    leaves.resize(count);
    return leaves;
}

LeafSource sourceOf(const QList<QByteArray> &leaves, qint64 *reads = nullptr)
{
    return [leaves, reads](qint64 index) -> Result<QByteArray> {
        if (reads != nullptr)
            ++*reads;
        if (index < 0 || index >= leaves.size())
            return makeError(QStringLiteral("test.out_of_range"), QStringLiteral("index %1").arg(index));
        return leaves.at(index);
    };
}

// RFC 9162 §2.1.1 MTH, §2.1.3.1 PATH and §2.1.4.1 SUBPROOF written out recursively exactly as
// the RFC states them, as an independent reference for the iterative code under test.
qsizetype largestPowerOfTwoBelow(qsizetype n)
{
    qsizetype k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

QByteArray referenceMth(const QList<QByteArray> &d)
{
    if (d.isEmpty())
        return emptyRoot();
    if (d.size() == 1)
        return d.first();
    const qsizetype k = largestPowerOfTwoBelow(d.size());
    return nodeHash(referenceMth(d.mid(0, k)), referenceMth(d.mid(k)));
}

QList<QByteArray> referencePath(qsizetype m, const QList<QByteArray> &d)
{
    if (d.size() == 1)
        return {};
    const qsizetype k = largestPowerOfTwoBelow(d.size());
    if (m < k)
        return referencePath(m, d.mid(0, k)) << referenceMth(d.mid(k));
    return referencePath(m - k, d.mid(k)) << referenceMth(d.mid(0, k));
}

QList<QByteArray> referenceSubproof(qsizetype m, const QList<QByteArray> &d, bool b)
{
    const qsizetype n = d.size();
    if (m == n)
        return b ? QList<QByteArray>() : QList<QByteArray>{referenceMth(d)};
    const qsizetype k = largestPowerOfTwoBelow(n);
    if (m <= k)
        return referenceSubproof(m, d.mid(0, k), b) << referenceMth(d.mid(k));
    return referenceSubproof(m - k, d.mid(k), false) << referenceMth(d.mid(0, k));
}

QStringList vectorFiles(const QString &kind)
{
    QStringList files;
    QDirIterator it(kDataDir + QStringLiteral("testdata/") + kind, {QStringLiteral("*.json")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next());
    files.sort();
    return files;
}

QString relativeName(const QString &path)
{
    return path.mid(kDataDir.size());
}

// The one upstream case this verifier deliberately decides differently: transparency-dev/merkle
// compares the roots of equal-size trees without looking at their length, so it accepts two
// equal 12-byte "roots"; here a root that is not a 32-byte hash is always refused.
const QString kStricterConsistencyCase =
    QStringLiteral("testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json");

QByteArray flipped(QByteArray bytes, qsizetype at)
{
    bytes[at] = static_cast<char>(bytes.at(at) ^ 0x01);
    return bytes;
}

} // namespace

class TestMerkle final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hashesOfTheReferenceTree();
    void referenceRootsForEverySize();
    void inclusionVectors_data();
    void inclusionVectors();
    void consistencyVectors_data();
    void consistencyVectors();
    void vectorProofsAreTheOnesGenerated();
    void generatedInclusionProofs();
    void generatedConsistencyProofs();
    void generatorsReadEachLeafOnce();
    void generatorRefusals();
    void verifierRefusals();
    void compactTreeMatchesRootOf();
    void compactTreeFromFrontier();
    void compactTreeFrontierRefusals();
    void argon2020Inclusion();
    void argon2020Consistency();
};

void TestMerkle::hashesOfTheReferenceTree()
{
    const QJsonObject reference = loadJson(kDataDir + QStringLiteral("rfc6962_reference_tree.json"));
    const QJsonArray inputs = reference.value(QStringLiteral("leafInputsHex")).toArray();
    const QJsonArray hashes = reference.value(QStringLiteral("leafHashesHex")).toArray();
    QCOMPARE(inputs.size(), 8);
    QCOMPARE(hashes.size(), 8);
    for (qsizetype i = 0; i < inputs.size(); ++i) {
        QCOMPARE(leafHash(QByteArray::fromHex(inputs.at(i).toString().toLatin1())).toHex(),
                 hashes.at(i).toString().toLatin1());
    }
    QCOMPARE(emptyRoot().toHex(), QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(leafHash({}).size(), kHashSize);
}

void TestMerkle::referenceRootsForEverySize()
{
    const QJsonObject reference = loadJson(kDataDir + QStringLiteral("rfc6962_reference_tree.json"));
    const QJsonArray roots = reference.value(QStringLiteral("rootHashByTreeSizeHex")).toArray();
    QCOMPARE(roots.size(), 9);
    const QList<QByteArray> leaves = testLeaves(8);
    CompactTree tree;
    for (qsizetype size = 0; size < roots.size(); ++size) {
        const QByteArray expected = QByteArray::fromHex(roots.at(size).toString().toLatin1());
        const auto root = rootOf(size, sourceOf(leaves));
        QVERIFY(root);
        QCOMPARE(root.value().toHex(), expected.toHex());
        QCOMPARE(tree.root().toHex(), expected.toHex());
        QCOMPARE(referenceMth(leaves.mid(0, size)).toHex(), expected.toHex());
        if (size < leaves.size())
            tree.append(leaves.at(size));
    }
}

void TestMerkle::inclusionVectors_data()
{
    QTest::addColumn<QString>("path");
    const QStringList files = vectorFiles(QStringLiteral("inclusion"));
    QCOMPARE(files.size(), 98); // all of upstream's cases, none lost in the copy
    for (const QString &file : files)
        QTest::newRow(qPrintable(relativeName(file))) << file;
}

void TestMerkle::inclusionVectors()
{
    QFETCH(QString, path);
    const QJsonObject c = loadJson(path);
    QVERIFY(c.contains(QStringLiteral("wantErr")));
    const qint64 index = integerField(path, "leafIdx");
    const qint64 size = integerField(path, "treeSize");
    QCOMPARE_NE(index, std::numeric_limits<qint64>::min());
    QCOMPARE_NE(size, std::numeric_limits<qint64>::min());
    const Status status = verifyInclusion(index, size,
                                          b64(c.value(QStringLiteral("leafHash"))),
                                          b64List(c.value(QStringLiteral("proof"))),
                                          b64(c.value(QStringLiteral("root"))));
    if (c.value(QStringLiteral("wantErr")).toBool()) {
        QVERIFY2(!status, qPrintable(c.value(QStringLiteral("desc")).toString()));
        QCOMPARE(status.error().code, QStringLiteral("audit.bad_proof"));
        QVERIFY(!status.error().message.isEmpty());
    } else {
        QVERIFY2(status, qPrintable(status ? QString() : status.error().toString()));
    }
}

void TestMerkle::consistencyVectors_data()
{
    QTest::addColumn<QString>("path");
    const QStringList files = vectorFiles(QStringLiteral("consistency"));
    QCOMPARE(files.size(), 98);
    for (const QString &file : files)
        QTest::newRow(qPrintable(relativeName(file))) << file;
}

void TestMerkle::consistencyVectors()
{
    QFETCH(QString, path);
    const QJsonObject c = loadJson(path);
    QVERIFY(c.contains(QStringLiteral("wantErr")));
    const qint64 size1 = integerField(path, "size1");
    const qint64 size2 = integerField(path, "size2");
    QCOMPARE_NE(size1, std::numeric_limits<qint64>::min());
    QCOMPARE_NE(size2, std::numeric_limits<qint64>::min());
    const Status status = verifyConsistency(size1, size2,
                                            b64(c.value(QStringLiteral("root1"))),
                                            b64(c.value(QStringLiteral("root2"))),
                                            b64List(c.value(QStringLiteral("proof"))));
    bool wantErr = c.value(QStringLiteral("wantErr")).toBool();
    if (relativeName(path) == kStricterConsistencyCase) {
        QVERIFY(!wantErr);
        QVERIFY(!status);
        QVERIFY2(status.error().message.contains(QStringLiteral("not 32")), qPrintable(status.error().message));
        return;
    }
    if (wantErr) {
        QVERIFY2(!status, qPrintable(c.value(QStringLiteral("desc")).toString()));
        QCOMPARE(status.error().code, QStringLiteral("audit.bad_proof"));
        QVERIFY(!status.error().message.isEmpty());
    } else {
        QVERIFY2(status, qPrintable(status ? QString() : status.error().toString()));
    }
}

void TestMerkle::vectorProofsAreTheOnesGenerated()
{
    // The upstream happy paths are proofs over the reference tree: generating them here must
    // give the same hashes, in the same order.
    const QList<QByteArray> leaves = testLeaves(8);
    int compared = 0;
    for (const QString &file : vectorFiles(QStringLiteral("inclusion"))) {
        const QJsonObject c = loadJson(file);
        const qint64 size = c.value(QStringLiteral("treeSize")).toInteger();
        if (c.value(QStringLiteral("wantErr")).toBool() || size < 1 || size > 8
            || b64(c.value(QStringLiteral("root"))) != rootOf(size, sourceOf(leaves)).value())
            continue;
        const auto proof = inclusionProof(c.value(QStringLiteral("leafIdx")).toInteger(), size, sourceOf(leaves));
        QVERIFY(proof);
        QCOMPARE(proof.value(), b64List(c.value(QStringLiteral("proof"))));
        ++compared;
    }
    for (const QString &file : vectorFiles(QStringLiteral("consistency"))) {
        const QJsonObject c = loadJson(file);
        const qint64 size1 = c.value(QStringLiteral("size1")).toInteger();
        const qint64 size2 = c.value(QStringLiteral("size2")).toInteger();
        if (c.value(QStringLiteral("wantErr")).toBool() || size1 < 1 || size2 > 8
            || b64(c.value(QStringLiteral("root2"))) != rootOf(size2, sourceOf(leaves)).value())
            continue;
        const auto proof = consistencyProof(size1, size2, sourceOf(leaves));
        QVERIFY(proof);
        QCOMPARE(proof.value(), b64List(c.value(QStringLiteral("proof"))));
        ++compared;
    }
    QCOMPARE(compared, 10); // the five happy paths of each kind
}

void TestMerkle::generatedInclusionProofs()
{
    const QList<QByteArray> leaves = testLeaves(64);
    const LeafSource source = sourceOf(leaves);
    for (qint64 size = 1; size <= 64; ++size) {
        const QByteArray root = rootOf(size, source).value();
        for (qint64 index = 0; index < size; ++index) {
            const auto generated = inclusionProof(index, size, source);
            QVERIFY(generated);
            const QList<QByteArray> &proof = generated.value();
            QCOMPARE(proof, referencePath(index, leaves.mid(0, size)));
            const QByteArray &leaf = leaves.at(index);
            const Status ok = verifyInclusion(index, size, leaf, proof, root);
            QVERIFY2(ok, qPrintable(QStringLiteral("index %1 size %2: %3")
                                        .arg(index)
                                        .arg(size)
                                        .arg(ok ? QString() : ok.error().toString())));

            for (qsizetype p = 0; p < proof.size(); ++p) {
                for (qsizetype byte = 0; byte < kHashSize; ++byte) {
                    QList<QByteArray> altered = proof;
                    altered[p] = flipped(altered.at(p), byte);
                    QVERIFY(!verifyInclusion(index, size, leaf, altered, root));
                }
            }
            for (qsizetype byte = 0; byte < kHashSize; ++byte) {
                QVERIFY(!verifyInclusion(index, size, flipped(leaf, byte), proof, root));
                QVERIFY(!verifyInclusion(index, size, leaf, proof, flipped(root, byte)));
            }
            // The same proof for another position, another size, or shortened or lengthened.
            if (size > 1) {
                QVERIFY(!verifyInclusion((index + 1) % size, size, leaf, proof, root));
                QVERIFY(!verifyInclusion(index, size, leaves.at((index + 1) % size), proof, root));
                QVERIFY(!verifyInclusion(index, size, leaf, proof.mid(0, proof.size() - 1), root));
                QVERIFY(!verifyInclusion(index, size, leaf, proof.mid(1), root));
            }
            QVERIFY(!verifyInclusion(index, size, leaf, QList<QByteArray>(proof) << leaf, root));
            QVERIFY(!verifyInclusion(index, size, leaf, QList<QByteArray>{leaf} << proof, root));
            // The root does not commit to the size, but the next tree's root differs.
            if (size < 64)
                QVERIFY(!verifyInclusion(index, size + 1, leaf, proof, rootOf(size + 1, source).value()));
        }
    }
}

void TestMerkle::generatedConsistencyProofs()
{
    const QList<QByteArray> leaves = testLeaves(64);
    const LeafSource source = sourceOf(leaves);
    QList<QByteArray> roots;
    for (qint64 size = 0; size <= 64; ++size)
        roots.append(rootOf(size, source).value());
    for (qint64 newSize = 1; newSize <= 64; ++newSize) {
        for (qint64 oldSize = 1; oldSize <= newSize; ++oldSize) {
            const auto generated = consistencyProof(oldSize, newSize, source);
            QVERIFY(generated);
            const QList<QByteArray> &proof = generated.value();
            QCOMPARE(proof, referenceSubproof(oldSize, leaves.mid(0, newSize), true));
            const QByteArray &oldRoot = roots.at(oldSize);
            const QByteArray &newRoot = roots.at(newSize);
            const Status ok = verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof);
            QVERIFY2(ok, qPrintable(QStringLiteral("%1 -> %2: %3")
                                        .arg(oldSize)
                                        .arg(newSize)
                                        .arg(ok ? QString() : ok.error().toString())));
            for (qsizetype p = 0; p < proof.size(); ++p) {
                for (qsizetype byte = 0; byte < kHashSize; ++byte) {
                    QList<QByteArray> altered = proof;
                    altered[p] = flipped(altered.at(p), byte);
                    QVERIFY(!verifyConsistency(oldSize, newSize, oldRoot, newRoot, altered));
                }
            }
            for (qsizetype byte = 0; byte < kHashSize; ++byte) {
                QVERIFY(!verifyConsistency(oldSize, newSize, flipped(oldRoot, byte), newRoot, proof));
                QVERIFY(!verifyConsistency(oldSize, newSize, oldRoot, flipped(newRoot, byte), proof));
            }
            if (oldSize < newSize) {
                QVERIFY(!verifyConsistency(oldSize, newSize, newRoot, oldRoot, proof)); // swapped
                QVERIFY(!verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.mid(1)));
                QVERIFY(!verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.mid(0, proof.size() - 1)));
                QVERIFY(!verifyConsistency(oldSize, newSize, oldRoot, newRoot, QList<QByteArray>(proof) << oldRoot));
                QVERIFY(!verifyConsistency(oldSize, newSize, oldRoot, newRoot, QList<QByteArray>{oldRoot} << proof));
                QVERIFY(!verifyConsistency(oldSize, newSize, oldRoot, newRoot, {}));
                if (newSize < 64)
                    QVERIFY(!verifyConsistency(oldSize, newSize + 1, oldRoot, roots.at(newSize + 1), proof));
                if (oldSize > 1)
                    QVERIFY(!verifyConsistency(oldSize - 1, newSize, roots.at(oldSize - 1), newRoot, proof));
            } else {
                QVERIFY(proof.isEmpty());
                QVERIFY(!verifyConsistency(oldSize, newSize, oldRoot, newRoot, {oldRoot}));
            }
        }
    }
}

void TestMerkle::generatorsReadEachLeafOnce()
{
    // Each needed subtree is hashed once: a proof reads every leaf other than the proved one
    // exactly once (inclusion), or at most once (consistency), and never beyond the tree.
    const QList<QByteArray> leaves = testLeaves(64);
    for (qint64 size = 1; size <= 64; ++size) {
        for (qint64 index = 0; index < size; ++index) {
            qint64 reads = 0;
            QVERIFY(inclusionProof(index, size, sourceOf(leaves.mid(0, size), &reads)));
            QCOMPARE(reads, size - 1);
        }
        for (qint64 oldSize = 1; oldSize <= size; ++oldSize) {
            qint64 reads = 0;
            QVERIFY(consistencyProof(oldSize, size, sourceOf(leaves.mid(0, size), &reads)));
            QVERIFY(reads <= size);
            if (std::has_single_bit(static_cast<quint64>(oldSize)))
                QCOMPARE(reads, size - oldSize); // the old tree is a node the verifier has
        }
        qint64 reads = 0;
        QVERIFY(rootOf(size, sourceOf(leaves.mid(0, size), &reads)));
        QCOMPARE(reads, size);
    }
}

void TestMerkle::generatorRefusals()
{
    const QList<QByteArray> leaves = testLeaves(8);
    const LeafSource source = sourceOf(leaves);
    QCOMPARE(rootOf(-1, source).error().code, QStringLiteral("audit.invalid_size"));
    QCOMPARE(rootOf(0, source).value(), emptyRoot());
    for (const auto &[index, size] : QList<std::pair<qint64, qint64>>{{0, 0}, {-1, 8}, {8, 8}, {9, 8}, {0, -1}}) {
        const auto proof = inclusionProof(index, size, source);
        QVERIFY(!proof);
        QCOMPARE(proof.error().code, QStringLiteral("audit.invalid_size"));
    }
    for (const auto &[oldSize, newSize] : QList<std::pair<qint64, qint64>>{{0, 0}, {0, 8}, {-1, 8}, {5, 4}}) {
        const auto proof = consistencyProof(oldSize, newSize, source);
        QVERIFY(!proof);
        QCOMPARE(proof.error().code, QStringLiteral("audit.invalid_size"));
    }
    // The source's errors come through unchanged, and it is never asked for a leaf beyond size.
    const auto beyond = rootOf(9, source);
    QCOMPARE(beyond.error().code, QStringLiteral("test.out_of_range"));
    QCOMPARE(beyond.error().message, QStringLiteral("index 8"));
    QCOMPARE(inclusionProof(0, 9, source).error().code, QStringLiteral("test.out_of_range"));
    QCOMPARE(consistencyProof(3, 9, source).error().code, QStringLiteral("test.out_of_range"));
    // A source that returns something other than a hash is refused, naming the index.
    QList<QByteArray> broken = leaves;
    broken[5] = QByteArray(31, 'x');
    const auto bad = rootOf(8, sourceOf(broken));
    QCOMPARE(bad.error().code, QStringLiteral("audit.invalid_leaf"));
    QVERIFY2(bad.error().message.contains(QStringLiteral("index 5")), qPrintable(bad.error().message));
    QCOMPARE(inclusionProof(0, 8, sourceOf(broken)).error().code, QStringLiteral("audit.invalid_leaf"));
}

void TestMerkle::verifierRefusals()
{
    const QList<QByteArray> leaves = testLeaves(8);
    const LeafSource source = sourceOf(leaves);
    const QByteArray root = rootOf(8, source).value();
    const QList<QByteArray> proof = inclusionProof(3, 8, source).value();
    QVERIFY(verifyInclusion(3, 8, leaves.at(3), proof, root));

    const auto refused = [](const Status &status, const char *mentions) {
        return !status && status.error().code == QStringLiteral("audit.bad_proof")
            && status.error().message.contains(QLatin1String(mentions));
    };
    QVERIFY(refused(verifyInclusion(3, 0, leaves.at(3), proof, root), "size 0"));
    QVERIFY(refused(verifyInclusion(-1, 8, leaves.at(3), proof, root), "index -1"));
    QVERIFY(refused(verifyInclusion(8, 8, leaves.at(3), proof, root), "index 8"));
    QVERIFY(refused(verifyInclusion(3, 8, leaves.at(3).left(31), proof, root), "leaf hash is 31 bytes"));
    QVERIFY(refused(verifyInclusion(3, 8, leaves.at(3), proof, QByteArray(root + 'x')), "root hash is 33 bytes"));
    QList<QByteArray> shortHash = proof;
    shortHash[1].chop(1);
    QVERIFY(refused(verifyInclusion(3, 8, leaves.at(3), shortHash, root), "proof hash 1 is 31 bytes"));
    QVERIFY(refused(verifyInclusion(3, 8, leaves.at(3), QList<QByteArray>(65, root), root), "65 hashes"));
    QVERIFY(refused(verifyInclusion(3, 8, leaves.at(3), proof.mid(0, 2), root), "too few"));
    // Sizes at the top of the range neither overflow nor read out of range.
    constexpr qint64 kMax = std::numeric_limits<qint64>::max();
    QVERIFY(!verifyInclusion(kMax - 1, kMax, leaves.at(0), QList<QByteArray>(63, root), root));
    QVERIFY(!verifyInclusion(0, kMax, leaves.at(0), QList<QByteArray>(64, root), root));

    const QByteArray oldRoot = rootOf(5, source).value();
    const QList<QByteArray> consistency = consistencyProof(5, 8, source).value();
    QVERIFY(verifyConsistency(5, 8, oldRoot, root, consistency));
    QVERIFY(refused(verifyConsistency(0, 8, emptyRoot(), root, consistency), "size 0"));
    QVERIFY(refused(verifyConsistency(-5, 8, oldRoot, root, consistency), "size -5"));
    QVERIFY(refused(verifyConsistency(9, 8, oldRoot, root, consistency), "larger"));
    QVERIFY(refused(verifyConsistency(5, 8, oldRoot.left(16), root, consistency), "old root hash is 16 bytes"));
    QVERIFY(refused(verifyConsistency(5, 8, oldRoot, QByteArray(), consistency), "new root hash is 0 bytes"));
    QVERIFY(refused(verifyConsistency(5, 8, oldRoot, root, {}), "empty"));
    QVERIFY(refused(verifyConsistency(5, 5, oldRoot, oldRoot, {oldRoot}), "empty proof"));
    QVERIFY(refused(verifyConsistency(5, 5, oldRoot, root, {}), "different roots"));
    QVERIFY(verifyConsistency(5, 5, oldRoot, oldRoot, {}));
    QVERIFY(!verifyConsistency(kMax - 1, kMax, oldRoot, root, QList<QByteArray>(64, root)));
    QVERIFY(!verifyConsistency(1, kMax, oldRoot, root, QList<QByteArray>(63, root)));
}

void TestMerkle::compactTreeMatchesRootOf()
{
    QList<QByteArray> leaves;
    for (int i = 0; i < 1000; ++i)
        leaves.append(leafHash(QByteArray::number(i)));
    // rootOf over a growing prefix is itself checked against the recursive definition.
    CompactTree tree;
    for (qint64 size = 0; size <= 1000; ++size) {
        QCOMPARE(tree.size(), size);
        QCOMPARE(tree.frontier().size(), std::popcount(static_cast<quint64>(size)));
        const QByteArray expected = rootOf(size, sourceOf(leaves)).value();
        QCOMPARE(tree.root(), expected);
        if (size % 97 == 0 || size < 70)
            QCOMPARE(referenceMth(leaves.mid(0, size)), expected);
        // Saved and restored at every size, the tree gives the same root and grows the same way.
        const auto restored = CompactTree::fromFrontier(tree.size(), tree.frontier());
        QVERIFY(restored);
        QCOMPARE(restored.value().root(), expected);
        if (size < 1000) {
            CompactTree grown = restored.value();
            grown.append(leaves.at(size));
            tree.append(leaves.at(size));
            QCOMPARE(grown.root(), tree.root());
            QCOMPARE(grown.frontier(), tree.frontier());
        }
    }
}

void TestMerkle::compactTreeFromFrontier()
{
    QList<QByteArray> leaves;
    for (int i = 0; i < 300; ++i)
        leaves.append(leafHash(QByteArray::number(i)));
    CompactTree full;
    for (qint64 saveAt = 0; saveAt <= 200; ++saveAt) {
        // Save at saveAt, restore, and append the rest: the root must follow the full tree.
        const auto restored = CompactTree::fromFrontier(full.size(), full.frontier());
        QVERIFY(restored);
        CompactTree tree = restored.value();
        QCOMPARE(tree.size(), saveAt);
        QCOMPARE(tree.root(), full.root());
        for (qint64 i = saveAt; i < 300; ++i)
            tree.append(leaves.at(i));
        QCOMPARE(tree.root(), rootOf(300, sourceOf(leaves)).value());
        full.append(leaves.at(saveAt));
    }
}

void TestMerkle::compactTreeFrontierRefusals()
{
    const QByteArray h = leafHash("x");
    const auto refused = [](const Result<CompactTree> &tree) {
        return !tree && tree.error().code == QStringLiteral("audit.invalid_frontier");
    };
    QVERIFY(CompactTree::fromFrontier(0, {}));
    QVERIFY(CompactTree::fromFrontier(5, {h, h}));
    QVERIFY(refused(CompactTree::fromFrontier(-1, {})));
    QVERIFY(refused(CompactTree::fromFrontier(0, {h})));
    QVERIFY(refused(CompactTree::fromFrontier(5, {h})));
    QVERIFY(refused(CompactTree::fromFrontier(5, {h, h, h})));
    QVERIFY(refused(CompactTree::fromFrontier(4, {h.left(31)})));
    QVERIFY(refused(CompactTree::fromFrontier(4, {QByteArray()})));
    const auto tooMany = CompactTree::fromFrontier(1, {h, h});
    QVERIFY(tooMany.error().message.contains(QStringLiteral("has 2 hashes")));
    // A full 63-bit tree has 63 subtrees.
    QVERIFY(CompactTree::fromFrontier(std::numeric_limits<qint64>::max(), QList<QByteArray>(63, h)));
}

void TestMerkle::argon2020Inclusion()
{
    const QString dir = kDataDir + QStringLiteral("ct-argon2020/");
    const QJsonObject sth = loadJson(dir + QStringLiteral("sth.json"));
    const QJsonObject entries = loadJson(dir + QStringLiteral("entries.json"));
    const QJsonObject proofJson = loadJson(dir + QStringLiteral("proof.json"));
    const qint64 size = sth.value(QStringLiteral("tree_size")).toInteger();
    QCOMPARE(size, 961984013);
    const QByteArray root = b64(sth.value(QStringLiteral("sha256_root_hash")));
    const QByteArray leafInput = b64(entries.value(QStringLiteral("entries")).toArray().at(0).toObject().value(QStringLiteral("leaf_input")));
    QVERIFY(!leafInput.isEmpty());
    const qint64 index = proofJson.value(QStringLiteral("leaf_index")).toInteger();
    QCOMPARE(index, 10000);
    const QList<QByteArray> proof = b64List(proofJson.value(QStringLiteral("audit_path")));
    QCOMPARE(proof.size(), 30);

    const QByteArray leaf = leafHash(leafInput);
    const Status ok = verifyInclusion(index, size, leaf, proof, root);
    QVERIFY2(ok, qPrintable(ok ? QString() : ok.error().toString()));
    QVERIFY(!verifyInclusion(index + 1, size, leaf, proof, root));
    QVERIFY(!verifyInclusion(index, size, leafHash(flipped(leafInput, 100)), proof, root));
    for (qsizetype p = 0; p < proof.size(); ++p) {
        QList<QByteArray> altered = proof;
        altered[p] = flipped(altered.at(p), p % kHashSize);
        QVERIFY(!verifyInclusion(index, size, leaf, altered, root));
    }
}

void TestMerkle::argon2020Consistency()
{
    const QString dir = kDataDir + QStringLiteral("ct-argon2020/");
    const QJsonObject sth = loadJson(dir + QStringLiteral("sth.json"));
    const qint64 newSize = sth.value(QStringLiteral("tree_size")).toInteger();
    const QByteArray newRoot = b64(sth.value(QStringLiteral("sha256_root_hash")));
    const QList<QByteArray> proof = b64List(loadJson(dir + QStringLiteral("consistency.json")).value(QStringLiteral("consistency")));
    QCOMPARE(proof.size(), 30);
    // The older tree head is in golang/mod's sumdb/tlog/ct_test.go rather than in the JSON.
    constexpr qint64 oldSize = 3654490;
    const QByteArray oldRoot = QByteArray::fromBase64("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=");

    const Status ok = verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof);
    QVERIFY2(ok, qPrintable(ok ? QString() : ok.error().toString()));
    QVERIFY(!verifyConsistency(oldSize + 1, newSize, oldRoot, newRoot, proof));
    QVERIFY(!verifyConsistency(oldSize, newSize, newRoot, oldRoot, proof));
    for (qsizetype p = 0; p < proof.size(); ++p) {
        QList<QByteArray> altered = proof;
        altered[p] = flipped(altered.at(p), p % kHashSize);
        QVERIFY(!verifyConsistency(oldSize, newSize, oldRoot, newRoot, altered));
    }
}

QTEST_GUILESS_MAIN(TestMerkle)
#include "test_merkle.moc"
