// RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification for the audit log.
#include "core/audit/Merkle.h"

#include "core/crypto/Digest.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>

#include <QtGlobal>

namespace countersign::audit {

namespace {

// A tree of 2^63 - 1 leaves has a path of at most 63 hashes, and so does a consistency proof
// (plus the old root when the old size is a power of two, which the verifier adds itself).
constexpr qsizetype kMaxProofHashes = 64;

Error invalidSize(const QString &message)
{
    return makeError(QStringLiteral("audit.invalid_size"), message);
}

Error badProof(const QString &message)
{
    return makeError(QStringLiteral("audit.bad_proof"), message);
}

// The largest power of two strictly less than n (n >= 2): the size of the left subtree.
qint64 splitPoint(qint64 n)
{
    return qint64(std::bit_floor(static_cast<quint64>(n - 1)));
}

// One leaf from the source, refusing anything that is not a 32-byte hash: a source that hands
// back something else would otherwise yield roots and proofs nobody can reproduce.
Result<QByteArray> fetchLeaf(const LeafSource &leaves, qint64 index)
{
    Result<QByteArray> leaf = leaves(index);
    if (!leaf)
        return leaf;
    if (leaf.value().size() != kHashSize) {
        return makeError(QStringLiteral("audit.invalid_leaf"),
                         QStringLiteral("the leaf hash at index %1 is %2 bytes, not %3")
                             .arg(index)
                             .arg(leaf.value().size())
                             .arg(kHashSize));
    }
    return leaf;
}

// MTH(D[begin:end]) for a non-empty range, reading each leaf once and keeping only the frontier
// of perfect subtrees, so memory stays O(log n) however large the range.
Result<QByteArray> rangeHash(qint64 begin, qint64 end, const LeafSource &leaves)
{
    CompactTree tree;
    for (qint64 index = begin; index < end; ++index) {
        Result<QByteArray> leaf = fetchLeaf(leaves, index);
        if (!leaf)
            return leaf.error();
        tree.append(leaf.value());
    }
    return tree.root();
}

QString hashLengthMessage(const char *what, qsizetype size)
{
    return QStringLiteral("%1 is %2 bytes, not %3").arg(QLatin1String(what)).arg(size).arg(kHashSize);
}

// The proof elements must all be hashes; the first wrong one is named.
Status checkProofHashes(const QList<QByteArray> &proof)
{
    if (proof.size() > kMaxProofHashes) {
        return badProof(QStringLiteral("the proof has %1 hashes, more than any tree needs (%2)")
                            .arg(proof.size())
                            .arg(kMaxProofHashes));
    }
    for (qsizetype i = 0; i < proof.size(); ++i) {
        if (proof.at(i).size() != kHashSize) {
            return badProof(QStringLiteral("proof hash %1 is %2 bytes, not %3")
                                .arg(i)
                                .arg(proof.at(i).size())
                                .arg(kHashSize));
        }
    }
    return {};
}

// Shifts fn and sn right together until fn's lowest bit is set or fn is 0.
void shiftWhileEven(quint64 &fn, quint64 &sn)
{
    if (fn == 0)
        return;
    const int shift = std::countr_zero(fn);
    fn >>= shift;
    sn >>= shift;
}

} // namespace

QByteArray leafHash(QByteArrayView entry)
{
    QByteArray input;
    input.reserve(entry.size() + 1);
    input.append('\x00');
    input.append(entry);
    return crypto::sha256(input);
}

QByteArray nodeHash(QByteArrayView left, QByteArrayView right)
{
    if (left.size() == kHashSize && right.size() == kHashSize) {
        // The common case, the interior of every tree: no allocation for the input.
        std::array<char, 1 + 2 * kHashSize> input{};
        input[0] = '\x01';
        std::memcpy(input.data() + 1, left.data(), kHashSize);
        std::memcpy(input.data() + 1 + kHashSize, right.data(), kHashSize);
        return crypto::sha256(QByteArrayView(input.data(), qsizetype(input.size())));
    }
    QByteArray input;
    input.reserve(1 + left.size() + right.size());
    input.append('\x01');
    input.append(left);
    input.append(right);
    return crypto::sha256(input);
}

QByteArray emptyRoot()
{
    return crypto::sha256(QByteArrayView());
}

Result<CompactTree> CompactTree::fromFrontier(qint64 size, const QList<QByteArray> &frontier)
{
    const auto invalid = [](const QString &message) {
        return makeError(QStringLiteral("audit.invalid_frontier"), message);
    };
    if (size < 0)
        return invalid(QStringLiteral("the tree size %1 is negative").arg(size));
    const int expected = std::popcount(static_cast<quint64>(size));
    if (frontier.size() != expected) {
        return invalid(QStringLiteral("a tree of %1 leaves has %2 perfect subtrees, but the frontier has %3 hashes")
                           .arg(size)
                           .arg(expected)
                           .arg(frontier.size()));
    }
    for (qsizetype i = 0; i < frontier.size(); ++i) {
        if (frontier.at(i).size() != kHashSize)
            return invalid(QStringLiteral("frontier hash %1 is %2 bytes, not %3").arg(i).arg(frontier.at(i).size()).arg(kHashSize));
    }
    CompactTree tree;
    tree.m_size = size;
    tree.m_frontier = frontier;
    return tree;
}

void CompactTree::append(const QByteArray &leafHash)
{
    // A wrong-length leaf is a programming error (hashes come from leafHash()); carrying on would
    // sign a root nobody can reproduce.
    if (leafHash.size() != kHashSize)
        qFatal("CompactTree::append: leaf hash of %lld bytes, not 32", static_cast<long long>(leafHash.size()));
    if (m_size == std::numeric_limits<qint64>::max())
        qFatal("CompactTree::append: the tree already holds 2^63 - 1 leaves");
    // Each set low bit of the old size is a perfect subtree of the same height as the one being
    // carried: merge them, as in binary addition.
    QByteArray carry = leafHash;
    for (quint64 bits = static_cast<quint64>(m_size); bits & 1U; bits >>= 1)
        carry = nodeHash(m_frontier.takeLast(), carry);
    m_frontier.append(carry);
    ++m_size;
}

QByteArray CompactTree::root() const
{
    if (m_frontier.isEmpty())
        return emptyRoot();
    // The smallest subtrees sit on the right: fold them into their left neighbours.
    QByteArray root = m_frontier.last();
    for (qsizetype i = m_frontier.size() - 2; i >= 0; --i)
        root = nodeHash(m_frontier.at(i), root);
    return root;
}

Result<QByteArray> rootOf(qint64 size, const LeafSource &leaves)
{
    if (size < 0)
        return invalidSize(QStringLiteral("the tree size %1 is negative").arg(size));
    if (size == 0)
        return emptyRoot();
    return rangeHash(0, size, leaves);
}

Result<QList<QByteArray>> inclusionProof(qint64 index, qint64 size, const LeafSource &leaves)
{
    if (index < 0 || index >= size) {
        return invalidSize(QStringLiteral("leaf index %1 is not in a tree of %2 leaves").arg(index).arg(size));
    }
    // Walk down from the root to the leaf (RFC 9162 PATH): at each level the sibling subtree of
    // the one holding the leaf is one proof hash. Siblings are disjoint, so every leaf other than
    // the one proved is hashed exactly once. The proof runs leaf to root, so reverse at the end.
    QList<QByteArray> siblings;
    qint64 offset = 0; // the current subtree is D[offset : offset + n]
    qint64 n = size;
    qint64 m = index;
    while (n > 1) {
        const qint64 k = splitPoint(n);
        Result<QByteArray> sibling = m < k ? rangeHash(offset + k, offset + n, leaves)
                                           : rangeHash(offset, offset + k, leaves);
        if (!sibling)
            return sibling.error();
        siblings.append(std::move(sibling).value());
        if (m < k) {
            n = k;
        } else {
            offset += k;
            m -= k;
            n -= k;
        }
    }
    std::reverse(siblings.begin(), siblings.end());
    return siblings;
}

Result<QList<QByteArray>> consistencyProof(qint64 oldSize, qint64 newSize, const LeafSource &leaves)
{
    if (oldSize <= 0 || oldSize > newSize) {
        return invalidSize(QStringLiteral("no consistency proof from tree size %1 to %2: it needs 0 < old size <= new size")
                               .arg(oldSize)
                               .arg(newSize));
    }
    // RFC 9162 SUBPROOF(m, D[n], b), unrolled: descend while m differs from n, collecting the
    // subtree beside the path; when they meet, the subtree reached is itself a proof hash unless
    // it is the whole old tree (b still true), which the verifier already knows.
    QList<QByteArray> siblings;
    qint64 offset = 0;
    qint64 n = newSize;
    qint64 m = oldSize;
    bool wholeOldTree = true;
    while (m != n) {
        const qint64 k = splitPoint(n);
        Result<QByteArray> sibling = m <= k ? rangeHash(offset + k, offset + n, leaves)
                                            : rangeHash(offset, offset + k, leaves);
        if (!sibling)
            return sibling.error();
        siblings.append(std::move(sibling).value());
        if (m <= k) {
            n = k;
        } else {
            offset += k;
            m -= k;
            n -= k;
            wholeOldTree = false;
        }
    }
    QList<QByteArray> proof;
    proof.reserve(siblings.size() + 1);
    if (!wholeOldTree) {
        Result<QByteArray> meeting = rangeHash(offset, offset + n, leaves);
        if (!meeting)
            return meeting.error();
        proof.append(std::move(meeting).value());
    }
    for (auto it = siblings.crbegin(); it != siblings.crend(); ++it)
        proof.append(*it);
    return proof;
}

Status verifyInclusion(qint64 index, qint64 size, QByteArrayView leafHash, const QList<QByteArray> &proof,
                       QByteArrayView root)
{
    if (size <= 0)
        return badProof(QStringLiteral("no leaf is included in a tree of size %1").arg(size));
    if (index < 0 || index >= size)
        return badProof(QStringLiteral("leaf index %1 is not in a tree of %2 leaves").arg(index).arg(size));
    if (leafHash.size() != kHashSize)
        return badProof(hashLengthMessage("the leaf hash", leafHash.size()));
    if (root.size() != kHashSize)
        return badProof(hashLengthMessage("the root hash", root.size()));
    if (Status hashes = checkProofHashes(proof); !hashes)
        return hashes;

    // RFC 9162 §2.1.3.2.
    quint64 fn = static_cast<quint64>(index);
    quint64 sn = static_cast<quint64>(size - 1);
    QByteArray r = leafHash.toByteArray();
    for (qsizetype i = 0; i < proof.size(); ++i) {
        if (sn == 0) {
            return badProof(QStringLiteral("the proof has %1 hashes, but a leaf at index %2 of %3 needs %4")
                                .arg(proof.size())
                                .arg(index)
                                .arg(size)
                                .arg(i));
        }
        if ((fn & 1U) != 0 || fn == sn) {
            r = nodeHash(proof.at(i), r);
            if ((fn & 1U) == 0)
                shiftWhileEven(fn, sn);
        } else {
            r = nodeHash(r, proof.at(i));
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        return badProof(QStringLiteral("the proof has %1 hashes, too few for leaf index %2 in a tree of %3")
                            .arg(proof.size())
                            .arg(index)
                            .arg(size));
    }
    if (r != root)
        return badProof(QStringLiteral("the proof does not lead to the given root"));
    return {};
}

Status verifyConsistency(qint64 oldSize, qint64 newSize, QByteArrayView oldRoot, QByteArrayView newRoot,
                         const QList<QByteArray> &proof)
{
    if (oldSize <= 0) {
        return badProof(QStringLiteral("a consistency proof from tree size %1 proves nothing; the old size must be at least 1")
                            .arg(oldSize));
    }
    if (oldSize > newSize)
        return badProof(QStringLiteral("the old tree size %1 is larger than the new size %2").arg(oldSize).arg(newSize));
    if (oldRoot.size() != kHashSize)
        return badProof(hashLengthMessage("the old root hash", oldRoot.size()));
    if (newRoot.size() != kHashSize)
        return badProof(hashLengthMessage("the new root hash", newRoot.size()));
    if (Status hashes = checkProofHashes(proof); !hashes)
        return hashes;

    if (oldSize == newSize) {
        if (!proof.isEmpty())
            return badProof(QStringLiteral("trees of equal size %1 need an empty proof, not %2 hashes").arg(oldSize).arg(proof.size()));
        if (oldRoot != newRoot)
            return badProof(QStringLiteral("trees of equal size %1 have different roots").arg(oldSize));
        return {};
    }
    if (proof.isEmpty())
        return badProof(QStringLiteral("the proof from size %1 to %2 is empty").arg(oldSize).arg(newSize));

    // RFC 9162 §2.1.4.2. When the old size is a power of two the old tree is a node on the new
    // tree's left edge, and its root is the first hash of the path.
    const bool oldIsPerfect = std::has_single_bit(static_cast<quint64>(oldSize));
    const qsizetype pathSize = proof.size() + (oldIsPerfect ? 1 : 0);
    const auto pathAt = [&](qsizetype i) -> QByteArrayView {
        if (oldIsPerfect)
            return i == 0 ? oldRoot : QByteArrayView(proof.at(i - 1));
        return proof.at(i);
    };

    quint64 fn = static_cast<quint64>(oldSize - 1);
    quint64 sn = static_cast<quint64>(newSize - 1);
    if ((fn & 1U) != 0) {
        const int shift = std::countr_one(fn);
        fn >>= shift;
        sn >>= shift;
    }
    QByteArray fr = pathAt(0).toByteArray();
    QByteArray sr = fr;
    for (qsizetype i = 1; i < pathSize; ++i) {
        if (sn == 0) {
            return badProof(QStringLiteral("the proof from size %1 to %2 has more hashes than it needs (%3)")
                                .arg(oldSize)
                                .arg(newSize)
                                .arg(proof.size()));
        }
        const QByteArrayView c = pathAt(i);
        if ((fn & 1U) != 0 || fn == sn) {
            fr = nodeHash(c, fr);
            sr = nodeHash(c, sr);
            if ((fn & 1U) == 0)
                shiftWhileEven(fn, sn);
        } else {
            sr = nodeHash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        return badProof(QStringLiteral("the proof from size %1 to %2 has too few hashes (%3)")
                            .arg(oldSize)
                            .arg(newSize)
                            .arg(proof.size()));
    }
    if (fr != oldRoot)
        return badProof(QStringLiteral("the proof does not lead to the old root"));
    if (sr != newRoot)
        return badProof(QStringLiteral("the proof does not lead to the new root"));
    return {};
}

} // namespace countersign::audit
