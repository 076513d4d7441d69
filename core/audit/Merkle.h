// RFC 6962 / RFC 9162 Merkle tree hashing for the audit log: leaf and node hashes, a compact
// tree that keeps only the right-hand frontier so appending is O(log n), tree heads of any
// earlier size, and inclusion and consistency proofs with their verification (RFC 9162
// §2.1.3.2 and §2.1.4.2).
#pragma once

#include "core/Result.h"

#include <functional>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace countersign::audit {

inline constexpr qsizetype kHashSize = 32;

// SHA-256(0x00 || entry).
[[nodiscard]] QByteArray leafHash(QByteArrayView entry);
// SHA-256(0x01 || left || right).
[[nodiscard]] QByteArray nodeHash(QByteArrayView left, QByteArrayView right);
// The root of the empty tree: SHA-256 of nothing.
[[nodiscard]] QByteArray emptyRoot();

// The leaf hash at index (0-based), read from wherever the leaves live (the audit database, a
// vector in a test). Errors are passed through unchanged.
using LeafSource = std::function<Result<QByteArray>(qint64 index)>;

// A Merkle tree that holds only the roots of its perfect subtrees (at most 63 hashes), enough to
// append a leaf in O(log n) and to give the current root. It can be saved and restored from its
// size and frontier, so a log reopened with millions of entries does not rehash them.
class CompactTree final
{
public:
    CompactTree() = default;
    // Error "audit.invalid_frontier" unless frontier holds exactly one 32-byte hash per set bit
    // of size, largest subtree first.
    [[nodiscard]] static Result<CompactTree> fromFrontier(qint64 size, const QList<QByteArray> &frontier);

    [[nodiscard]] qint64 size() const { return m_size; }
    [[nodiscard]] const QList<QByteArray> &frontier() const { return m_frontier; }
    // leafHash must be 32 bytes (from leafHash()); anything else is a programming error and
    // stops the program rather than yield a root nobody can reproduce, as does appending to a
    // tree of 2^63 - 1 leaves.
    void append(const QByteArray &leafHash);
    // RFC 6962 MTH of the leaves appended so far (emptyRoot() when none).
    [[nodiscard]] QByteArray root() const;

private:
    qint64 m_size = 0;
    QList<QByteArray> m_frontier; // perfect-subtree roots, largest (leftmost) first
};

// MTH of the first size leaves. Error "audit.invalid_size" if size < 0; the source's errors;
// "audit.invalid_leaf" (naming the index) if the source gives something other than 32 bytes,
// here and in the proof generators below. Each leaf is read once; the proof generators read
// each leaf they need once too (O(size) hashing, O(log size) memory).
[[nodiscard]] Result<QByteArray> rootOf(qint64 size, const LeafSource &leaves);

// The audit path of leaf index in the tree of size leaves (RFC 9162 §2.1.3.1). Error
// "audit.invalid_size" unless 0 <= index < size.
[[nodiscard]] Result<QList<QByteArray>> inclusionProof(qint64 index, qint64 size, const LeafSource &leaves);
// The consistency proof between tree sizes oldSize and newSize (RFC 9162 §2.1.4.1). Error
// "audit.invalid_size" unless 0 < oldSize <= newSize.
[[nodiscard]] Result<QList<QByteArray>> consistencyProof(qint64 oldSize, qint64 newSize, const LeafSource &leaves);

// Error "audit.bad_proof" (with what failed) unless proof shows leafHash at index in the tree
// of size with the given root. Sizes, indices and hash lengths outside the rules are refused
// the same way, never read out of range.
[[nodiscard]] Status verifyInclusion(qint64 index, qint64 size, QByteArrayView leafHash,
                                     const QList<QByteArray> &proof, QByteArrayView root);
// Error "audit.bad_proof" unless proof shows the tree of oldSize with oldRoot is a prefix of the
// tree of newSize with newRoot. A proof from size 0 is refused, as transparency-dev/merkle does.
[[nodiscard]] Status verifyConsistency(qint64 oldSize, qint64 newSize, QByteArrayView oldRoot,
                                       QByteArrayView newRoot, const QList<QByteArray> &proof);

} // namespace countersign::audit
