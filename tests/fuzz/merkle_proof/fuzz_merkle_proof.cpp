// libFuzzer target for untrusted Merkle proofs: arbitrary bytes become sizes, indices, hashes
// and proofs for verifyInclusion() and verifyConsistency(), which must never crash, overflow or
// read out of range; and for the 64-leaf tree built here, neither may ever accept a proof
// against the tree's real roots unless it is exactly the real proof (and the real leaf).
#include "core/audit/Merkle.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

using namespace countersign;
using namespace countersign::audit;

constexpr int kLeaves = 64;

struct Harness
{
    QList<QByteArray> leaves;
    QList<QByteArray> roots; // roots[s] for s = 0..kLeaves
    LeafSource source;

    Harness()
    {
        for (int i = 0; i < kLeaves; ++i)
            leaves.append(leafHash(QByteArray(QByteArray("fuzz leaf ") + QByteArray::number(i))));
        source = [this](qint64 index) -> Result<QByteArray> { return leaves.at(index); };
        CompactTree tree;
        roots.append(tree.root());
        for (const QByteArray &leaf : leaves) {
            tree.append(leaf);
            roots.append(tree.root());
        }
    }
};

const Harness &harness()
{
    static const Harness instance;
    return instance;
}

// Reads the fuzz input front to back; past the end every read yields zeros / nothing.
class Reader
{
public:
    Reader(const uint8_t *data, size_t size) : m_data(data), m_size(size) {}

    [[nodiscard]] bool atEnd() const { return m_pos >= m_size; }
    quint8 byte() { return atEnd() ? 0 : m_data[m_pos++]; }
    QByteArray bytes(size_t count)
    {
        const size_t available = m_pos < m_size ? m_size - m_pos : 0;
        const size_t n = count < available ? count : available;
        QByteArray out(reinterpret_cast<const char *>(m_data + m_pos), qsizetype(n));
        m_pos += n;
        return out;
    }
    qint64 raw64()
    {
        quint64 value = 0;
        for (int i = 0; i < 8; ++i)
            value |= quint64(byte()) << (8 * i);
        return static_cast<qint64>(value);
    }

private:
    const uint8_t *m_data;
    size_t m_size;
    size_t m_pos = 0;
};

// Small values land inside (or just outside) the harness tree; otherwise any 64-bit value.
qint64 readSize(Reader &in, bool small)
{
    return small ? qint64(in.byte() % (kLeaves + 6)) - 2 : in.raw64();
}

// Proof elements: 0x00-0x7f that many raw bytes (mostly wrong lengths), 0x80-0xbf 32 raw bytes,
// 0xc0-0xff the real proof's hash at that position (so near-valid proofs are easy to reach).
QList<QByteArray> readProof(Reader &in, const QList<QByteArray> &real)
{
    QList<QByteArray> proof;
    while (!in.atEnd() && proof.size() < 80) {
        const quint8 code = in.byte();
        if (code >= 0xc0) {
            if (!real.isEmpty())
                proof.append(real.at((code & 0x3f) % real.size()));
        } else if (code >= 0x80) {
            proof.append(in.bytes(32));
        } else {
            proof.append(in.bytes(code));
        }
    }
    return proof;
}

bool inHarness(qint64 size)
{
    return size >= 1 && size <= kLeaves;
}

void fuzzInclusion(Reader &in, quint8 flags)
{
    const Harness &h = harness();
    const bool small = (flags & 0x08) != 0;
    const qint64 index = readSize(in, small);
    const qint64 size = readSize(in, small);
    const bool real = inHarness(size) && index >= 0 && index < size;
    const QByteArray leaf = (flags & 0x02) != 0 && real ? h.leaves.at(index) : in.bytes(32);
    const QByteArray root = (flags & 0x04) != 0 && inHarness(size) ? h.roots.at(size) : in.bytes(32);
    const QList<QByteArray> realProof = real ? inclusionProof(index, size, h.source).value() : QList<QByteArray>();
    const QList<QByteArray> proof = readProof(in, realProof);

    if (!verifyInclusion(index, size, leaf, proof, root))
        return;
    if (size < 1 || index < 0 || index >= size || leaf.size() != kHashSize || root.size() != kHashSize)
        std::abort(); // accepted outside the rules
    if (inHarness(size) && root == h.roots.at(size) && (leaf != h.leaves.at(index) || proof != realProof))
        std::abort(); // a forged proof against the harness tree
}

void fuzzConsistency(Reader &in, quint8 flags)
{
    const Harness &h = harness();
    const bool small = (flags & 0x08) != 0;
    const qint64 oldSize = readSize(in, small);
    const qint64 newSize = readSize(in, small);
    const QByteArray oldRoot = (flags & 0x02) != 0 && inHarness(oldSize) ? h.roots.at(oldSize) : in.bytes(32);
    const QByteArray newRoot = (flags & 0x04) != 0 && inHarness(newSize) ? h.roots.at(newSize) : in.bytes(32);
    const bool real = inHarness(oldSize) && inHarness(newSize) && oldSize <= newSize;
    const QList<QByteArray> realProof = real ? consistencyProof(oldSize, newSize, h.source).value() : QList<QByteArray>();
    const QList<QByteArray> proof = readProof(in, realProof);

    if (!verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof))
        return;
    if (oldSize < 1 || oldSize > newSize || oldRoot.size() != kHashSize || newRoot.size() != kHashSize)
        std::abort();
    if (oldSize == newSize && (!proof.isEmpty() || oldRoot != newRoot))
        std::abort();
    if (real && oldRoot == h.roots.at(oldSize) && newRoot == h.roots.at(newSize) && proof != realProof)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Reader in(data, size);
    const quint8 flags = in.byte();
    if ((flags & 0x01) == 0)
        fuzzInclusion(in, flags);
    else
        fuzzConsistency(in, flags);
    return 0;
}
