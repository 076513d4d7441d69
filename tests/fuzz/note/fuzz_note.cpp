// libFuzzer target for untrusted signed notes, checkpoints and verifier keys: verifyNote(),
// parseCheckpoint() and parseVerifierKey() must never crash or hang; whatever they accept must
// be the one spelling of what they return (checkpointText / verifierKeyText give the input back),
// and a note may only verify if it carries exactly the signature signNote() makes with the key.
#include "core/audit/Checkpoint.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/SecureBuffer.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <QString>

namespace {

using namespace countersign;
using namespace countersign::audit;

const QString &logName()
{
    static const QString name = QStringLiteral("example.com/approval-log");
    return name;
}

// RFC 8032 TEST 1, whose seed is public: the harness can re-sign what verified and compare.
const crypto::Ed25519PrivateKey &fixedKey()
{
    static const crypto::Ed25519PrivateKey key =
        crypto::Ed25519PrivateKey::fromSeed(
            crypto::SecureBuffer(QByteArray::fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")))
            .value();
    return key;
}

const QList<NoteVerifier> &fixedVerifiers()
{
    static const QList<NoteVerifier> verifiers{NoteVerifier(logName(), fixedKey().publicKey())};
    return verifiers;
}

void checkCheckpoint(QByteArrayView text)
{
    const auto checkpoint = parseCheckpoint(text);
    if (!checkpoint)
        return;
    if (checkpointText(checkpoint.value()) != text)
        std::abort(); // a second spelling of the same checkpoint was accepted
    if (checkpoint.value().rootHash.size() != 32 || checkpoint.value().size < 0 || checkpoint.value().origin.isEmpty())
        std::abort();
}

void checkNote(QByteArrayView input)
{
    const auto verified = verifyNote(input, fixedVerifiers());
    if (!verified)
        return;
    const QByteArray &text = verified.value().text;
    if (verified.value().verifiedBy != QStringList{logName()})
        std::abort();
    if (!input.startsWith(text) || input.size() <= text.size() || input.at(text.size()) != '\n')
        std::abort();
    // Ed25519 signatures are deterministic and OpenSSL refuses non-canonical ones, so the only
    // signature by the key is the one signNote() makes; it must be one of the signature lines.
    const QByteArray resigned = signNote(text, logName(), fixedKey());
    if (resigned.isEmpty())
        std::abort(); // verifyNote accepted a text signNote refuses
    const QByteArray signatureLine = resigned.sliced(text.size() + 1);
    const QByteArray block = QByteArray('\n' + input.sliced(text.size() + 1).toByteArray());
    if (!block.contains(QByteArray('\n' + signatureLine)))
        std::abort();
    if (!verifyNote(resigned, fixedVerifiers()))
        std::abort();
    checkCheckpoint(text);
}

void checkVerifierKey(QByteArrayView input)
{
    const QString text = QString::fromUtf8(input);
    const auto verifier = parseVerifierKey(text);
    if (!verifier)
        return;
    if (verifierKeyText(verifier.value().name, verifier.value().key) != text)
        std::abort();
    if (verifier.value().keyHash != noteKeyHash(verifier.value().name, verifier.value().key))
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    checkCheckpoint(input);
    checkNote(input);
    checkVerifierKey(input);
    return 0;
}
