// C2SP tlog-checkpoint v1.0.0 bodies and C2SP signed-note v1.0.0 with Ed25519 (type 0x01): the
// text form of the audit log's signed tree heads, strict in what it reads.
#include "core/audit/Checkpoint.h"

#include "core/audit/Merkle.h"
#include "core/crypto/Digest.h"

#include <limits>
#include <optional>

#include <QStringDecoder>

namespace countersign::audit {

namespace {

constexpr char kNoteKeyTypeEd25519 = '\x01';
// The em dash U+2014 in UTF-8, then a space: how every signature line starts.
constexpr QByteArrayView kSignaturePrefix("\xE2\x80\x94 ", 4);
// A signature carries a 4-byte key hash and at least one byte of signature.
constexpr qsizetype kKeyHashSize = 4;

Error noteMalformed(qsizetype offset, const QString &what)
{
    return makeError(QStringLiteral("note.malformed"), QStringLiteral("byte offset %1: %2").arg(offset).arg(what));
}

Error checkpointMalformed(qsizetype line, const QString &what)
{
    return makeError(QStringLiteral("checkpoint.malformed"), QStringLiteral("line %1: %2").arg(line).arg(what));
}

// Where the text stops being valid UTF-8 without control characters other than newline, and
// why; nullopt if it is fine. Decoded by hand (RFC 3629 §4) so that overlong forms, surrogates
// and code points past U+10FFFF are refused, each with its offset.
struct TextFault
{
    qsizetype offset = 0;
    QString what;
};

std::optional<TextFault> findTextFault(QByteArrayView text)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(text.data());
    const qsizetype size = text.size();
    qsizetype i = 0;
    while (i < size) {
        const unsigned char lead = bytes[i];
        if (lead < 0x80) {
            if (lead < 0x20 && lead != '\n')
                return TextFault{i, QStringLiteral("control character 0x%1").arg(lead, 2, 16, QLatin1Char('0'))};
            ++i;
            continue;
        }
        qsizetype length = 0;
        unsigned char low = 0x80; // the allowed range of the second byte
        unsigned char high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0)
                low = 0xA0; // no overlong three-byte forms
            else if (lead == 0xED)
                high = 0x9F; // no UTF-16 surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0)
                low = 0x90;
            else if (lead == 0xF4)
                high = 0x8F; // nothing past U+10FFFF
        } else {
            return TextFault{i, QStringLiteral("invalid UTF-8 lead byte 0x%1").arg(lead, 2, 16, QLatin1Char('0'))};
        }
        if (i + length > size)
            return TextFault{i, QStringLiteral("truncated UTF-8 sequence")};
        for (qsizetype k = 1; k < length; ++k) {
            const unsigned char c = bytes[i + k];
            const unsigned char min = k == 1 ? low : 0x80;
            const unsigned char max = k == 1 ? high : 0xBF;
            if (c < min || c > max)
                return TextFault{i + k, QStringLiteral("invalid UTF-8 continuation byte 0x%1").arg(c, 2, 16, QLatin1Char('0'))};
        }
        i += length;
    }
    return std::nullopt;
}

// Text already checked by findTextFault() as a QString, keeping a leading U+FEFF (which
// QString::fromUtf8 would drop) so that every line converts back to the same bytes.
QString fromCheckedUtf8(QByteArrayView utf8)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom | QStringDecoder::Flag::Stateless);
    return decoder.decode(utf8);
}

// The problem with a key name, or an empty string if it is valid: non-empty, no Unicode spaces
// (QChar::isSpace covers the White_Space property), no plus, no control characters.
QString keyNameFault(QStringView name)
{
    if (name.isEmpty())
        return QStringLiteral("the key name is empty");
    if (!name.isValidUtf16())
        return QStringLiteral("the key name is not valid Unicode");
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        if (c.isSpace())
            return QStringLiteral("the key name has a space (U+%1) at character %2").arg(c.unicode(), 4, 16, QLatin1Char('0')).arg(i);
        if (c == QLatin1Char('+'))
            return QStringLiteral("the key name has a plus sign at character %1").arg(i);
        if (c.unicode() < 0x20)
            return QStringLiteral("the key name has a control character at character %1").arg(i);
    }
    return {};
}

// Standard base64 (RFC 4648 §4) with padding, in its one canonical spelling: decoding and
// encoding again must give the same text, which rules out bad characters, missing or extra
// padding and non-zero trailing bits.
std::optional<QByteArray> decodeCanonicalBase64(QByteArrayView text)
{
    const QByteArray::FromBase64Result decoded =
        QByteArray::fromBase64Encoding(text.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return std::nullopt;
    if (decoded.decoded.toBase64() != text)
        return std::nullopt;
    return decoded.decoded;
}

quint32 readBigEndian32(QByteArrayView bytes)
{
    return (quint32(quint8(bytes[0])) << 24) | (quint32(quint8(bytes[1])) << 16) | (quint32(quint8(bytes[2])) << 8)
        | quint32(quint8(bytes[3]));
}

QByteArray bigEndian32(quint32 value)
{
    QByteArray out(4, Qt::Uninitialized);
    out[0] = char(value >> 24);
    out[1] = char(value >> 16);
    out[2] = char(value >> 8);
    out[3] = char(value);
    return out;
}

struct SignatureLine
{
    qsizetype offset = 0; // of the line in the note
    QByteArray name;      // UTF-8
    quint32 keyHash = 0;
    QByteArray signature; // without the key hash
};

// One signature line, without its newline, at offset in the note.
Result<SignatureLine> parseSignatureLine(QByteArrayView line, qsizetype offset)
{
    if (!line.startsWith(kSignaturePrefix))
        return noteMalformed(offset, QStringLiteral("a signature line must start with an em dash (U+2014) and a space"));
    const QByteArrayView rest = line.sliced(kSignaturePrefix.size());
    const qsizetype space = rest.indexOf(' ');
    if (space < 0)
        return noteMalformed(offset, QStringLiteral("the signature line has no space between key name and signature"));
    const QByteArrayView name = rest.first(space);
    const QByteArrayView encoded = rest.sliced(space + 1);
    if (const QString fault = keyNameFault(fromCheckedUtf8(name)); !fault.isEmpty())
        return noteMalformed(offset + kSignaturePrefix.size(), fault);
    const qsizetype encodedOffset = offset + kSignaturePrefix.size() + space + 1;
    const std::optional<QByteArray> decoded = decodeCanonicalBase64(encoded);
    if (!decoded)
        return noteMalformed(encodedOffset, QStringLiteral("the signature is not canonical standard base64"));
    if (decoded->size() <= kKeyHashSize) {
        return noteMalformed(encodedOffset, QStringLiteral("the signature has %1 bytes, fewer than a key hash and a signature")
                                                .arg(decoded->size()));
    }
    return SignatureLine{offset, name.toByteArray(), readBigEndian32(*decoded), decoded->sliced(kKeyHashSize)};
}

QByteArray keyHashInput(const QByteArray &nameUtf8, const crypto::Ed25519PublicKey &key)
{
    QByteArray input;
    input.reserve(nameUtf8.size() + 2 + crypto::kEd25519PublicKeySize);
    input.append(nameUtf8);
    input.append('\n');
    input.append(kNoteKeyTypeEd25519);
    input.append(key.raw());
    return input;
}

quint32 keyHashOf(const QByteArray &nameUtf8, const crypto::Ed25519PublicKey &key)
{
    return readBigEndian32(crypto::sha256(keyHashInput(nameUtf8, key)));
}

} // namespace

NoteVerifier::NoteVerifier(QString verifierName, crypto::Ed25519PublicKey verifierKey)
    : name(std::move(verifierName)), keyHash(noteKeyHash(name, verifierKey)), key(std::move(verifierKey))
{
}

quint32 noteKeyHash(const QString &name, const crypto::Ed25519PublicKey &key)
{
    return keyHashOf(name.toUtf8(), key);
}

QString verifierKeyText(const QString &name, const crypto::Ed25519PublicKey &key)
{
    const QByteArray encodedKey = QByteArray(QByteArray(1, kNoteKeyTypeEd25519) + key.raw()).toBase64();
    return name + QLatin1Char('+') + QStringLiteral("%1").arg(noteKeyHash(name, key), 8, 16, QLatin1Char('0'))
        + QLatin1Char('+') + QString::fromLatin1(encodedKey);
}

Result<NoteVerifier> parseVerifierKey(QStringView text)
{
    const auto invalid = [](const QString &what) { return makeError(QStringLiteral("note.invalid_key"), what); };
    if (text.size() > kMaxVerifierKeyLength) {
        return invalid(QStringLiteral("the verifier key is %1 characters long, more than %2")
                           .arg(text.size())
                           .arg(kMaxVerifierKeyLength));
    }
    // Names cannot contain '+', so the first two split the text.
    const qsizetype firstPlus = text.indexOf(QLatin1Char('+'));
    const qsizetype secondPlus = firstPlus < 0 ? -1 : text.indexOf(QLatin1Char('+'), firstPlus + 1);
    if (secondPlus < 0)
        return invalid(QStringLiteral("a verifier key is name+hash+key, with two plus signs"));
    const QStringView name = text.first(firstPlus);
    const QStringView hashText = text.sliced(firstPlus + 1, secondPlus - firstPlus - 1);
    const QStringView keyText = text.sliced(secondPlus + 1);
    if (const QString fault = keyNameFault(name); !fault.isEmpty())
        return invalid(fault);

    bool lowercaseHex = hashText.size() == 8;
    for (const QChar c : hashText)
        lowercaseHex = lowercaseHex && ((c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f')));
    if (!lowercaseHex) {
        return invalid(QStringLiteral("the key hash at character %1 must be 8 lowercase hex digits").arg(firstPlus + 1));
    }
    const quint32 hash = hashText.toUInt(nullptr, 16);

    bool ascii = true;
    for (const QChar c : keyText)
        ascii = ascii && c.unicode() < 0x80;
    const std::optional<QByteArray> keyBytes = ascii ? decodeCanonicalBase64(keyText.toLatin1()) : std::nullopt;
    if (!keyBytes)
        return invalid(QStringLiteral("the key at character %1 is not canonical standard base64").arg(secondPlus + 1));
    if (keyBytes->isEmpty() || keyBytes->at(0) != kNoteKeyTypeEd25519) {
        return invalid(QStringLiteral("the key's signature type is %1, not 0x01 (Ed25519)")
                           .arg(keyBytes->isEmpty() ? QStringLiteral("missing")
                                                    : QStringLiteral("0x%1").arg(quint8(keyBytes->at(0)), 2, 16, QLatin1Char('0'))));
    }
    Result<crypto::Ed25519PublicKey> key = crypto::Ed25519PublicKey::fromRaw(QByteArrayView(*keyBytes).sliced(1));
    if (!key)
        return invalid(QStringLiteral("the Ed25519 key is not valid: %1").arg(key.error().message));
    NoteVerifier verifier(name.toString(), std::move(key).value());
    if (verifier.keyHash != hash) {
        return invalid(QStringLiteral("the key hash %1 does not match the name and key (which give %2)")
                           .arg(hashText)
                           .arg(verifier.keyHash, 8, 16, QLatin1Char('0')));
    }
    return verifier;
}

QByteArray checkpointText(const Checkpoint &checkpoint)
{
    QByteArray text;
    text.append(checkpoint.origin.toUtf8());
    text.append('\n');
    text.append(QByteArray::number(checkpoint.size));
    text.append('\n');
    text.append(checkpoint.rootHash.toBase64());
    text.append('\n');
    for (const QString &extension : checkpoint.extensions) {
        text.append(extension.toUtf8());
        text.append('\n');
    }
    return text;
}

Result<Checkpoint> parseCheckpoint(QByteArrayView text)
{
    if (text.size() > kMaxNoteBytes) {
        return makeError(QStringLiteral("checkpoint.malformed"),
                         QStringLiteral("the checkpoint is %1 bytes, more than %2").arg(text.size()).arg(kMaxNoteBytes));
    }
    if (const std::optional<TextFault> fault = findTextFault(text)) {
        const qsizetype line = text.first(fault->offset).count('\n') + 1;
        return checkpointMalformed(line, QStringLiteral("byte offset %1: %2").arg(fault->offset).arg(fault->what));
    }
    if (!text.endsWith('\n'))
        return checkpointMalformed(text.count('\n') + 1, QStringLiteral("the text does not end with a newline"));

    QList<QByteArrayView> lines;
    for (qsizetype start = 0; start < text.size();) {
        const qsizetype end = text.indexOf('\n', start);
        lines.append(text.sliced(start, end - start));
        start = end + 1;
    }
    if (lines.size() < 3) {
        return checkpointMalformed(lines.size() + 1, QStringLiteral("a checkpoint has an origin, a tree size and a root hash, but the text ends after %1 lines")
                                                         .arg(lines.size()));
    }
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines.at(i).isEmpty())
            return checkpointMalformed(i + 1, QStringLiteral("the line is empty"));
    }

    Checkpoint checkpoint;
    checkpoint.origin = fromCheckedUtf8(lines.at(0));

    const QByteArrayView sizeText = lines.at(1);
    bool digits = true;
    for (const char c : sizeText)
        digits = digits && c >= '0' && c <= '9';
    if (!digits)
        return checkpointMalformed(2, QStringLiteral("the tree size must be decimal digits"));
    if (sizeText.size() > 1 && sizeText.front() == '0')
        return checkpointMalformed(2, QStringLiteral("the tree size has a leading zero"));
    bool inRange = false;
    checkpoint.size = sizeText.size() <= 19 ? sizeText.toLongLong(&inRange, 10) : 0;
    if (!inRange || checkpoint.size < 0)
        return checkpointMalformed(2, QStringLiteral("the tree size is larger than %1").arg(std::numeric_limits<qint64>::max()));

    const std::optional<QByteArray> root = decodeCanonicalBase64(lines.at(2));
    if (!root)
        return checkpointMalformed(3, QStringLiteral("the root hash is not canonical standard base64"));
    if (root->size() != kHashSize)
        return checkpointMalformed(3, QStringLiteral("the root hash is %1 bytes, not %2").arg(root->size()).arg(kHashSize));
    checkpoint.rootHash = *root;

    for (qsizetype i = 3; i < lines.size(); ++i)
        checkpoint.extensions.append(fromCheckedUtf8(lines.at(i)));
    return checkpoint;
}

QByteArray signNote(QByteArrayView text, const QString &name, const crypto::Ed25519PrivateKey &key)
{
    if (text.isEmpty() || !text.endsWith('\n') || text.size() > kMaxNoteBytes || findTextFault(text))
        return {};
    if (!keyNameFault(name).isEmpty())
        return {};
    const QByteArray nameUtf8 = name.toUtf8();
    const QByteArray signature = key.sign(text);
    if (signature.size() != crypto::kEd25519SignatureSize)
        return {};
    const QByteArray encoded =
        QByteArray(bigEndian32(keyHashOf(nameUtf8, key.publicKey())) + signature).toBase64();

    QByteArray note;
    note.reserve(text.size() + 1 + kSignaturePrefix.size() + nameUtf8.size() + 1 + encoded.size() + 1);
    note.append(text);
    note.append('\n');
    note.append(kSignaturePrefix);
    note.append(nameUtf8);
    note.append(' ');
    note.append(encoded);
    note.append('\n');
    if (note.size() > kMaxNoteBytes)
        return {};
    return note;
}

Result<VerifiedNote> verifyNote(QByteArrayView note, const QList<NoteVerifier> &verifiers)
{
    if (note.size() > kMaxNoteBytes) {
        return makeError(QStringLiteral("note.too_large"),
                         QStringLiteral("the note is %1 bytes, more than %2").arg(note.size()).arg(kMaxNoteBytes));
    }
    if (const std::optional<TextFault> fault = findTextFault(note))
        return noteMalformed(fault->offset, fault->what);
    if (!note.endsWith('\n'))
        return noteMalformed(note.size(), QStringLiteral("the note does not end with a newline"));
    // The text ends at the last blank line; signature lines are never empty, so whatever follows
    // it is the signature block.
    const qsizetype split = note.lastIndexOf(QByteArrayView("\n\n"));
    if (split < 0)
        return noteMalformed(note.size(), QStringLiteral("no blank line separates the text from signatures"));
    const QByteArrayView text = note.first(split + 1);
    const qsizetype signaturesStart = split + 2;
    if (signaturesStart >= note.size())
        return noteMalformed(signaturesStart, QStringLiteral("no signature lines follow the blank line"));

    QList<SignatureLine> signatures;
    for (qsizetype start = signaturesStart; start < note.size();) {
        const qsizetype end = note.indexOf('\n', start); // found: the note ends with a newline
        if (signatures.size() == kMaxNoteSignatures)
            return noteMalformed(start, QStringLiteral("more than %1 signature lines").arg(kMaxNoteSignatures));
        Result<SignatureLine> line = parseSignatureLine(note.sliced(start, end - start), start);
        if (!line)
            return line.error();
        signatures.append(std::move(line).value());
        start = end + 1;
    }

    struct Known
    {
        QByteArray name;
        quint32 keyHash;
        const crypto::Ed25519PublicKey *key;
    };
    QList<Known> known;
    known.reserve(verifiers.size());
    for (const NoteVerifier &verifier : verifiers) {
        const QByteArray nameUtf8 = verifier.name.toUtf8();
        known.append(Known{nameUtf8, keyHashOf(nameUtf8, verifier.key), &verifier.key});
    }

    VerifiedNote verified;
    verified.text = text.toByteArray();
    for (const SignatureLine &signature : signatures) {
        bool matched = false;
        bool valid = false;
        for (const Known &k : known) {
            if (k.keyHash != signature.keyHash || k.name != signature.name)
                continue;
            matched = true;
            if (k.key->verify(text, signature.signature)) {
                valid = true;
                break;
            }
        }
        if (!matched)
            continue; // a key we do not know: ignored, as the spec requires
        const QString name = fromCheckedUtf8(signature.name);
        if (!valid) {
            return makeError(QStringLiteral("note.bad_signature"),
                             QStringLiteral("byte offset %1: the signature by known key %2+%3 does not verify")
                                 .arg(signature.offset)
                                 .arg(name)
                                 .arg(signature.keyHash, 8, 16, QLatin1Char('0')));
        }
        if (!verified.verifiedBy.contains(name))
            verified.verifiedBy.append(name);
    }
    if (verified.verifiedBy.isEmpty()) {
        return makeError(QStringLiteral("note.unverified"),
                         QStringLiteral("none of the %1 signature lines is by a known key").arg(signatures.size()));
    }
    return verified;
}

} // namespace countersign::audit
