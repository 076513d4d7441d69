// Signed checkpoints against C2SP signed-note v1.0.0 and tlog-checkpoint v1.0.0: the C2SP and
// Go signed-note examples, checkpoints derived over the RFC 6962 reference tree with the RFC 8032
// TEST 1 key (reproduced byte for byte, Ed25519 being deterministic), and the refusals: altered
// text or signature, unknown and wrong keys, bad base64, bad UTF-8, missing newlines, limits.
#include "core/audit/Checkpoint.h"

#include "core/audit/Merkle.h"
#include "core/json/Json.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace countersign;
using namespace countersign::audit;
using namespace countersign::crypto;

namespace {

const QString kDataDir = QStringLiteral(COUNTERSIGN_TEST_DATA "/checkpoint/");

QJsonObject loadJson(const QString &name)
{
    QFile file(kDataDir + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const auto parsed = json::parse(file.readAll());
    return parsed ? parsed.value().toObject() : QJsonObject();
}

QJsonArray upstreamCases()
{
    return loadJson(QStringLiteral("upstream_signed_notes.json")).value(QStringLiteral("cases")).toArray();
}

QByteArray utf8(const QJsonValue &value)
{
    return value.toString().toUtf8();
}

Ed25519PrivateKey keyFromSeedHex(const QJsonValue &seedHex)
{
    return Ed25519PrivateKey::fromSeed(SecureBuffer(QByteArray::fromHex(seedHex.toString().toLatin1()))).value();
}

NoteVerifier verifierOf(const QJsonValue &vkey)
{
    return parseVerifierKey(vkey.toString()).value();
}

// The RFC 8032 TEST 1 key, under the derived vectors' name.
const QString kLogName = QStringLiteral("example.com/approval-log");

Ed25519PrivateKey test1Key()
{
    return Ed25519PrivateKey::fromSeed(
               SecureBuffer(QByteArray::fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")))
        .value();
}

const QByteArray kEmDash = "\xE2\x80\x94";

QByteArray checkpointBody()
{
    return QByteArray("example.com/approval-log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
}

template<typename T>
QString describe(const Result<T> &result)
{
    return result ? QString() : result.error().toString();
}

} // namespace

class TestCheckpoint final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void c2spExampleNote();
    void goNoteResignsExactly();
    void goNoteWithTwoSignatures();
    void goMalformedNotes();
    void c2spExampleCheckpoint();
    void transparencyDevBodies();
    void derivedCheckpoints_data();
    void derivedCheckpoints();
    void noteRefusals_data();
    void noteRefusals();
    void signatureLimit();
    void sizeLimit();
    void checkpointRefusals_data();
    void checkpointRefusals();
    void checkpointRoundTrip();
    void verifierKeyRefusals_data();
    void verifierKeyRefusals();
    void verifierKeyRoundTrip();
    void signNoteRefusals();
};

void TestCheckpoint::c2spExampleNote()
{
    const QJsonObject c = upstreamCases().at(0).toObject();
    const auto verifier = parseVerifierKey(c.value(QStringLiteral("vkey")).toString());
    QVERIFY2(verifier, qPrintable(describe(verifier)));
    QCOMPARE(verifier.value().name, QStringLiteral("example.com/foo"));
    QCOMPARE(verifier.value().keyHash, 0x530d903aU);
    QCOMPARE(verifierKeyText(verifier.value().name, verifier.value().key), c.value(QStringLiteral("vkey")).toString());

    const auto note = verifyNote(utf8(c.value(QStringLiteral("signedNote"))), {verifier.value()});
    QVERIFY2(note, qPrintable(describe(note)));
    QCOMPARE(note.value().text, QByteArray("This is an example message.\n"));
    QCOMPARE(note.value().verifiedBy, QStringList{QStringLiteral("example.com/foo")});
}

void TestCheckpoint::goNoteResignsExactly()
{
    const QJsonObject c = upstreamCases().at(1).toObject();
    const NoteVerifier verifier = verifierOf(c.value(QStringLiteral("vkey")));
    QCOMPARE(verifier.name, QStringLiteral("PeterNeumann"));
    QCOMPARE(verifier.keyHash, 0xc74f20a3U);
    const Ed25519PrivateKey key = keyFromSeedHex(c.value(QStringLiteral("ed25519SeedHex")));
    QCOMPARE(key.publicKey(), verifier.key);

    const QByteArray signedNote = utf8(c.value(QStringLiteral("signedNote")));
    const auto note = verifyNote(signedNote, {verifier});
    QVERIFY2(note, qPrintable(describe(note)));
    QCOMPARE(signNote(note.value().text, QStringLiteral("PeterNeumann"), key), signedNote);
}

void TestCheckpoint::goNoteWithTwoSignatures()
{
    const QJsonArray cases = upstreamCases();
    const NoteVerifier peter = verifierOf(cases.at(1).toObject().value(QStringLiteral("vkey")));
    const NoteVerifier enoch = verifierOf(cases.at(2).toObject().value(QStringLiteral("vkey")));
    const QByteArray signedNote = utf8(cases.at(2).toObject().value(QStringLiteral("signedNote")));

    // The signature by a key we do not know is ignored, wherever it sits.
    const auto byPeter = verifyNote(signedNote, {peter});
    QVERIFY2(byPeter, qPrintable(describe(byPeter)));
    QCOMPARE(byPeter.value().verifiedBy, QStringList{QStringLiteral("PeterNeumann")});
    const auto byEnoch = verifyNote(signedNote, {enoch});
    QVERIFY2(byEnoch, qPrintable(describe(byEnoch)));
    QCOMPARE(byEnoch.value().verifiedBy, QStringList{QStringLiteral("EnochRoot")});
    const auto byBoth = verifyNote(signedNote, {enoch, peter});
    QVERIFY(byBoth);
    QCOMPARE(byBoth.value().verifiedBy, (QStringList{QStringLiteral("PeterNeumann"), QStringLiteral("EnochRoot")}));
    QCOMPARE(byBoth.value().text, byPeter.value().text);

    const auto byNobody = verifyNote(signedNote, {});
    QVERIFY(!byNobody);
    QCOMPARE(byNobody.error().code, QStringLiteral("note.unverified"));
    const auto byOther = verifyNote(signedNote, {NoteVerifier(kLogName, test1Key().publicKey())});
    QCOMPARE(byOther.error().code, QStringLiteral("note.unverified"));
}

void TestCheckpoint::goMalformedNotes()
{
    const QJsonObject c = upstreamCases().at(3).toObject();
    const NoteVerifier peter = verifierOf(upstreamCases().at(1).toObject().value(QStringLiteral("vkey")));
    QList<QByteArray> notes;
    for (const QJsonValue &note : c.value(QStringLiteral("malformed")).toArray())
        notes.append(utf8(note));
    QCOMPARE(notes.size(), 5);
    // Upstream also refuses a leading 0xFF, which JSON cannot carry.
    notes.append(QByteArray(QByteArray("\xFF") + utf8(upstreamCases().at(1).toObject().value(QStringLiteral("signedNote")))));
    for (const QByteArray &note : notes) {
        const auto result = verifyNote(note, {peter});
        QVERIFY2(!result, note.constData());
        QCOMPARE(result.error().code, QStringLiteral("note.malformed"));
        QVERIFY2(result.error().message.startsWith(QStringLiteral("byte offset ")), qPrintable(result.error().message));
    }
}

void TestCheckpoint::c2spExampleCheckpoint()
{
    const QJsonObject c = upstreamCases().at(4).toObject();
    const QByteArray signedNote = utf8(c.value(QStringLiteral("checkpoint")));
    const qsizetype split = signedNote.lastIndexOf("\n\n");
    const auto checkpoint = parseCheckpoint(signedNote.first(split + 1));
    QVERIFY2(checkpoint, qPrintable(describe(checkpoint)));
    QCOMPARE(checkpoint.value().origin, QStringLiteral("example.com/behind-the-sofa"));
    QCOMPARE(checkpoint.value().size, 20852163);
    QCOMPARE(checkpoint.value().rootHash, QByteArray::fromBase64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="));
    QVERIFY(checkpoint.value().extensions.isEmpty());
    QCOMPARE(checkpointText(checkpoint.value()), signedNote.first(split + 1));

    // Its key is not published: with a verifier of the same name but another key (so another
    // key hash), the signature is unknown and the note unverified.
    const auto note = verifyNote(signedNote, {NoteVerifier(QStringLiteral("example.com/behind-the-sofa"), test1Key().publicKey())});
    QVERIFY(!note);
    QCOMPARE(note.error().code, QStringLiteral("note.unverified"));
}

void TestCheckpoint::transparencyDevBodies()
{
    const QJsonObject c = upstreamCases().at(5).toObject();
    // Upstream's "valid" bodies carry short roots ("bananas"): this parser is for SHA-256 logs
    // and refuses them, on the root hash line and for its length only.
    const QJsonArray valid = c.value(QStringLiteral("valid")).toArray();
    QCOMPARE(valid.size(), 2);
    for (const QJsonValue &body : valid) {
        const auto parsed = parseCheckpoint(utf8(body));
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().code, QStringLiteral("checkpoint.malformed"));
        QVERIFY2(parsed.error().message.startsWith(QStringLiteral("line 3: the root hash is ")), qPrintable(parsed.error().message));
        QVERIFY2(parsed.error().message.endsWith(QStringLiteral("bytes, not 32")), qPrintable(parsed.error().message));
    }
    const QJsonArray invalid = c.value(QStringLiteral("invalid")).toArray();
    QCOMPARE(invalid.size(), 7);
    for (const QJsonValue &body : invalid) {
        const auto parsed = parseCheckpoint(utf8(body));
        QVERIFY2(!parsed, qPrintable(body.toString()));
        QCOMPARE(parsed.error().code, QStringLiteral("checkpoint.malformed"));
        QVERIFY(parsed.error().message.startsWith(QStringLiteral("line ")));
    }
}

void TestCheckpoint::derivedCheckpoints_data()
{
    QTest::addColumn<QJsonObject>("vector");
    const QJsonObject derived = loadJson(QStringLiteral("derived_checkpoints.json"));
    const QJsonArray cases = derived.value(QStringLiteral("cases")).toArray();
    QCOMPARE(cases.size(), 4);
    for (const QJsonValue &c : cases) {
        QTest::newRow(qPrintable(QStringLiteral("size %1").arg(c.toObject().value(QStringLiteral("treeSize")).toInteger())))
            << c.toObject();
    }
}

void TestCheckpoint::derivedCheckpoints()
{
    QFETCH(QJsonObject, vector);
    const QJsonObject derived = loadJson(QStringLiteral("derived_checkpoints.json"));
    QCOMPARE(derived.value(QStringLiteral("keyName")).toString(), kLogName);
    const Ed25519PrivateKey key = keyFromSeedHex(derived.value(QStringLiteral("ed25519SeedHex")));
    QCOMPARE(key.publicKey().raw().toHex(), derived.value(QStringLiteral("ed25519PublicKeyHex")).toString().toLatin1());
    QCOMPARE(QStringLiteral("%1").arg(noteKeyHash(kLogName, key.publicKey()), 8, 16, QLatin1Char('0')),
             derived.value(QStringLiteral("keyIdHex")).toString());
    QCOMPARE(verifierKeyText(kLogName, key.publicKey()), derived.value(QStringLiteral("vkey")).toString());

    Checkpoint checkpoint;
    checkpoint.origin = kLogName;
    checkpoint.size = vector.value(QStringLiteral("treeSize")).toInteger();
    checkpoint.rootHash = QByteArray::fromHex(vector.value(QStringLiteral("rootHashHex")).toString().toLatin1());
    const QByteArray noteText = utf8(vector.value(QStringLiteral("noteText")));
    QCOMPARE(checkpointText(checkpoint), noteText);
    const auto parsed = parseCheckpoint(noteText);
    QVERIFY2(parsed, qPrintable(describe(parsed)));
    QCOMPARE(parsed.value(), checkpoint);

    // The roots are those of the RFC 6962 reference tree (tests/data/merkle).
    const QList<QByteArray> inputs = {"", QByteArray::fromHex("00"), QByteArray::fromHex("10"), QByteArray::fromHex("2021"),
                                      QByteArray::fromHex("3031"), QByteArray::fromHex("40414243"),
                                      QByteArray::fromHex("5051525354555657"),
                                      QByteArray::fromHex("606162636465666768696a6b6c6d6e6f")};
    CompactTree tree;
    for (qint64 i = 0; i < checkpoint.size; ++i)
        tree.append(leafHash(inputs.at(i)));
    QCOMPARE(tree.root(), checkpoint.rootHash);

    // Ed25519 is deterministic: signing gives the published bytes exactly.
    const QByteArray signedNote = utf8(vector.value(QStringLiteral("signedNote")));
    QCOMPARE(signNote(noteText, kLogName, key), signedNote);
    const auto verified = verifyNote(signedNote, {verifierOf(derived.value(QStringLiteral("vkey")))});
    QVERIFY2(verified, qPrintable(describe(verified)));
    QCOMPARE(verified.value().text, noteText);
    QCOMPARE(verified.value().verifiedBy, QStringList{kLogName});
}

void TestCheckpoint::noteRefusals_data()
{
    QTest::addColumn<QByteArray>("note");
    QTest::addColumn<QString>("code");

    const QByteArray body = checkpointBody();
    const QByteArray good = signNote(body, kLogName, test1Key());
    QVERIFY(!good.isEmpty());
    const QByteArray signatureLine = good.sliced(body.size() + 1);
    const QByteArray encoded = signatureLine.sliced(kEmDash.size() + 1 + kLogName.size() + 1).chopped(1);
    const auto withSignature = [&](const QByteArray &base64) -> QByteArray {
        return body + '\n' + kEmDash + ' ' + kLogName.toUtf8() + ' ' + base64 + '\n';
    };
    const QByteArray raw = QByteArray::fromBase64(encoded);
    QCOMPARE(raw.size(), 68);
    const Ed25519PrivateKey other = Ed25519PrivateKey::generate().value();
    const QByteArray unknownLine = signNote(body, QStringLiteral("witness.example/other"), other).sliced(body.size() + 1);

    QTest::newRow("good") << good << QString();
    QTest::newRow("second signature by an unknown key is ignored") << QByteArray(good + unknownLine) << QString();
    QTest::newRow("unknown signature first") << QByteArray(body + '\n' + unknownLine + signatureLine) << QString();
    QTest::newRow("the same signature twice") << QByteArray(good + signatureLine) << QString();
    QTest::newRow("text with an empty line")
        << signNote(QByteArray("first\n\nsecond\n"), kLogName, test1Key()) << QString();
    QTest::newRow("unknown name, same hash")
        << QByteArray(body + '\n' + kEmDash + " example.com/other-log " + encoded + '\n') << QStringLiteral("note.unverified");
    QByteArray otherHash = raw;
    otherHash[0] = static_cast<char>(otherHash.at(0) ^ 0x01);
    QTest::newRow("known name, another key hash") << withSignature(otherHash.toBase64()) << QStringLiteral("note.unverified");
    QTest::newRow("signed by another key under the same name")
        << signNote(body, kLogName, other) << QStringLiteral("note.unverified");
    QTest::newRow("only an unknown signature") << QByteArray(body + '\n' + unknownLine) << QStringLiteral("note.unverified");

    QByteArray alteredBody = good;
    alteredBody[body.size() - 5] = 'A';
    QTest::newRow("altered body") << alteredBody << QStringLiteral("note.bad_signature");
    QByteArray alteredSize = good;
    alteredSize.replace("\n8\n", "\n9\n");
    QTest::newRow("altered tree size") << alteredSize << QStringLiteral("note.bad_signature");
    QByteArray alteredSignature = raw;
    alteredSignature[10] = static_cast<char>(alteredSignature.at(10) ^ 0x40);
    QTest::newRow("altered signature") << withSignature(alteredSignature.toBase64()) << QStringLiteral("note.bad_signature");
    QTest::newRow("short signature by a known key") << withSignature(raw.chopped(1).toBase64()) << QStringLiteral("note.bad_signature");
    QTest::newRow("long signature by a known key") << withSignature(QByteArray(raw + 'x').toBase64()) << QStringLiteral("note.bad_signature");
    QTest::newRow("a bad signature by a known key after a good one")
        << QByteArray(good + kEmDash + ' ' + kLogName.toUtf8() + ' ' + alteredSignature.toBase64() + '\n')
        << QStringLiteral("note.bad_signature");
    QTest::newRow("text altered by a line") << QByteArray("extra\n" + good) << QStringLiteral("note.bad_signature");

    QTest::newRow("missing final newline") << good.chopped(1) << QStringLiteral("note.malformed");
    QTest::newRow("extra final newline") << QByteArray(good + '\n') << QStringLiteral("note.malformed");
    QTest::newRow("no blank line") << QByteArray(body + signatureLine) << QStringLiteral("note.malformed");
    QTest::newRow("no signature") << QByteArray(body + '\n') << QStringLiteral("note.malformed");
    QTest::newRow("text only") << body << QStringLiteral("note.malformed");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("note.malformed");
    QTest::newRow("trailing line") << QByteArray(good + "Unexpected line.\n") << QStringLiteral("note.malformed");
    QTest::newRow("hyphen instead of em dash")
        << QByteArray(body + "\n- " + kLogName.toUtf8() + ' ' + encoded + '\n') << QStringLiteral("note.malformed");
    QTest::newRow("en dash instead of em dash")
        << QByteArray(body + "\n\xE2\x80\x93 " + kLogName.toUtf8() + ' ' + encoded + '\n') << QStringLiteral("note.malformed");
    QTest::newRow("no space after the dash")
        << QByteArray(body + '\n' + kEmDash + kLogName.toUtf8() + ' ' + encoded + '\n') << QStringLiteral("note.malformed");
    QTest::newRow("two spaces before the signature")
        << QByteArray(body + '\n' + kEmDash + ' ' + kLogName.toUtf8() + "  " + encoded + '\n') << QStringLiteral("note.malformed");
    QTest::newRow("space in the name")
        << QByteArray(body + '\n' + kEmDash + " Bad Name " + encoded + '\n') << QStringLiteral("note.malformed");
    QTest::newRow("no-break space in the name")
        << QByteArray(body + '\n' + kEmDash + " Bad\xC2\xA0Name " + encoded + '\n') << QStringLiteral("note.malformed");
    QTest::newRow("plus in the name")
        << QByteArray(body + '\n' + kEmDash + " a+b " + encoded + '\n') << QStringLiteral("note.malformed");
    QTest::newRow("empty name") << QByteArray(body + '\n' + kEmDash + "  " + encoded + '\n') << QStringLiteral("note.malformed");
    QTest::newRow("empty signature") << withSignature("") << QStringLiteral("note.malformed");
    QTest::newRow("base64 with a bad character") << withSignature(QByteArray(encoded).replace(5, 1, "*")) << QStringLiteral("note.malformed");
    QTest::newRow("base64url") << withSignature(raw.toBase64(QByteArray::Base64UrlEncoding)) << QStringLiteral("note.malformed");
    QTest::newRow("base64 without padding")
        << withSignature(raw.toBase64(QByteArray::OmitTrailingEquals)) << QStringLiteral("note.malformed");
    QByteArray nonCanonical = encoded;
    nonCanonical[nonCanonical.size() - 2] = 'R'; // "...Q=" and "...R=" decode alike
    QTest::newRow("base64 with trailing bits set") << withSignature(nonCanonical) << QStringLiteral("note.malformed");
    QTest::newRow("signature of only a key hash")
        << withSignature(raw.first(4).toBase64()) << QStringLiteral("note.malformed");
    QTest::newRow("control character in the text")
        << signNote(body, kLogName, test1Key()).replace("example.com", "example\x01com") << QStringLiteral("note.malformed");
    QTest::newRow("tab in the text") << QByteArray("a\tb\n\n" + signatureLine) << QStringLiteral("note.malformed");
    QTest::newRow("CRLF line ends") << QByteArray(good).replace("\n", "\r\n") << QStringLiteral("note.malformed");
    QTest::newRow("NUL byte") << QByteArray(QByteArray(1, '\0') + good) << QStringLiteral("note.malformed");
    QTest::newRow("invalid UTF-8") << QByteArray("\xFF" + good) << QStringLiteral("note.malformed");
    QTest::newRow("overlong UTF-8") << QByteArray("\xC0\xAF" + good) << QStringLiteral("note.malformed");
    QTest::newRow("UTF-16 surrogate in UTF-8") << QByteArray("\xED\xA0\x80\n" + good) << QStringLiteral("note.malformed");
    QTest::newRow("code point past U+10FFFF") << QByteArray("\xF4\x90\x80\x80\n" + good) << QStringLiteral("note.malformed");
    QTest::newRow("truncated UTF-8 at the end") << QByteArray(good + "\xE2\x80") << QStringLiteral("note.malformed");
}

void TestCheckpoint::noteRefusals()
{
    QFETCH(QByteArray, note);
    QFETCH(QString, code);
    const NoteVerifier verifier(kLogName, test1Key().publicKey());
    const auto result = verifyNote(note, {verifier});
    if (code.isEmpty()) {
        QVERIFY2(result, qPrintable(describe(result)));
        QCOMPARE(result.value().verifiedBy, QStringList{kLogName});
        return;
    }
    QVERIFY(!result);
    QCOMPARE(result.error().code, code);
    QVERIFY(!result.error().message.isEmpty());
    if (code != QStringLiteral("note.unverified"))
        QVERIFY2(result.error().message.contains(QStringLiteral("byte offset ")), qPrintable(result.error().message));
}

void TestCheckpoint::signatureLimit()
{
    const QByteArray body = checkpointBody();
    const QByteArray good = signNote(body, kLogName, test1Key());
    const QByteArray unknownLine = QByteArray(kEmDash + " witness.example/w " + QByteArray(68, '\x07').toBase64() + '\n');
    const NoteVerifier verifier(kLogName, test1Key().publicKey());

    QByteArray hundred = good;
    for (int i = 1; i < kMaxNoteSignatures; ++i)
        hundred.append(unknownLine);
    QVERIFY(verifyNote(hundred, {verifier}));
    const auto tooMany = verifyNote(QByteArray(hundred + unknownLine), {verifier});
    QVERIFY(!tooMany);
    QCOMPARE(tooMany.error().code, QStringLiteral("note.malformed"));
    QVERIFY2(tooMany.error().message.contains(QStringLiteral("more than 100 signature lines")), qPrintable(tooMany.error().message));
    QVERIFY(tooMany.error().message.startsWith(QStringLiteral("byte offset %1:").arg(hundred.size())));
}

void TestCheckpoint::sizeLimit()
{
    const NoteVerifier verifier(kLogName, test1Key().publicKey());
    // The largest text that still makes a note of kMaxNoteBytes with one signature line.
    const qsizetype overhead = signNote("x\n", kLogName, test1Key()).size() - 2;
    const QByteArray largest = QByteArray(kMaxNoteBytes - overhead - 1, 'a') + '\n';
    const QByteArray note = signNote(largest, kLogName, test1Key());
    QCOMPARE(note.size(), kMaxNoteBytes);
    QVERIFY(verifyNote(note, {verifier}));
    QVERIFY(signNote(QByteArray('a' + largest), kLogName, test1Key()).isEmpty());

    const auto refused = verifyNote(QByteArray('a' + note), {verifier});
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, QStringLiteral("note.too_large"));
    QVERIFY(refused.error().message.contains(QString::number(kMaxNoteBytes)));

    const auto checkpoint = parseCheckpoint(QByteArray(kMaxNoteBytes + 1, 'a'));
    QVERIFY(!checkpoint);
    QCOMPARE(checkpoint.error().code, QStringLiteral("checkpoint.malformed"));
}

void TestCheckpoint::checkpointRefusals_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("line"); // 0: accepted

    const QByteArray root = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";
    const auto body = [&](const QByteArray &origin, const QByteArray &size, const QByteArray &rootLine) -> QByteArray {
        return origin + '\n' + size + '\n' + rootLine + '\n';
    };
    QTest::newRow("good") << body("log", "8", root) << 0;
    QTest::newRow("empty tree") << body("log", "0", root) << 0;
    QTest::newRow("largest size") << body("log", "9223372036854775807", root) << 0;
    QTest::newRow("with extensions") << QByteArray(body("log", "8", root) + "ext one\n— ext two\n") << 0;
    QTest::newRow("origin with spaces and plus") << body("a log + more", "8", root) << 0;

    QTest::newRow("empty origin") << body("", "8", root) << 1;
    QTest::newRow("empty size") << body("log", "", root) << 2;
    QTest::newRow("leading zero") << body("log", "08", root) << 2;
    QTest::newRow("double zero") << body("log", "00", root) << 2;
    QTest::newRow("plus sign") << body("log", "+8", root) << 2;
    QTest::newRow("minus sign") << body("log", "-8", root) << 2;
    QTest::newRow("space after the size") << body("log", "8 ", root) << 2;
    QTest::newRow("hex size") << body("log", "0x8", root) << 2;
    QTest::newRow("size 2^63") << body("log", "9223372036854775808", root) << 2;
    QTest::newRow("size 2^64") << body("log", "18446744073709551616", root) << 2;
    QTest::newRow("31-byte root") << body("log", "8", QByteArray(31, 'r').toBase64()) << 3;
    QTest::newRow("33-byte root") << body("log", "8", QByteArray(33, 'r').toBase64()) << 3;
    QTest::newRow("root without padding") << body("log", "8", root.chopped(1)) << 3;
    QTest::newRow("root in base64url") << body("log", "8", QByteArray(root).replace('+', '-').replace('/', '_')) << 3;
    QTest::newRow("root with trailing bits") << body("log", "8", QByteArray(root).replace("Qyg=", "Qyh=")) << 3;
    QTest::newRow("root in hex") << body("log", "8", QByteArray::fromBase64(root).toHex()) << 3;
    QTest::newRow("empty root") << body("log", "8", "") << 3;
    QTest::newRow("two lines") << QByteArray("log\n8\n") << 3;
    QTest::newRow("nothing") << QByteArray() << 1;
    QTest::newRow("no final newline") << body("log", "8", root).chopped(1) << 3;
    QTest::newRow("empty extension line") << QByteArray(body("log", "8", root) + '\n') << 4;
    QTest::newRow("empty line between extensions") << QByteArray(body("log", "8", root) + "a\n\nb\n") << 5;
    QTest::newRow("CR at the end of the size") << body("log", "8\r", root) << 2;
    QTest::newRow("control character in the origin") << body("l\x1bg", "8", root) << 1;
    QTest::newRow("invalid UTF-8 in an extension") << QByteArray(body("log", "8", root) + "a\xFF\n") << 4;
}

void TestCheckpoint::checkpointRefusals()
{
    QFETCH(QByteArray, text);
    QFETCH(int, line);
    const auto parsed = parseCheckpoint(text);
    if (line == 0) {
        QVERIFY2(parsed, qPrintable(describe(parsed)));
        QCOMPARE(checkpointText(parsed.value()), text);
        return;
    }
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code, QStringLiteral("checkpoint.malformed"));
    QVERIFY2(parsed.error().message.startsWith(QStringLiteral("line %1: ").arg(line)), qPrintable(parsed.error().message));
}

void TestCheckpoint::checkpointRoundTrip()
{
    Checkpoint checkpoint;
    checkpoint.origin = QStringLiteral("countersign.example/gw-3a9e61c0d2f4 — ü 日本");
    checkpoint.size = 1234567;
    checkpoint.rootHash = leafHash("root");
    checkpoint.extensions = {QStringLiteral("first extension"), QStringLiteral("— looks like a signature")};
    const QByteArray text = checkpointText(checkpoint);
    QVERIFY(text.endsWith('\n'));
    const auto parsed = parseCheckpoint(text);
    QVERIFY2(parsed, qPrintable(describe(parsed)));
    QCOMPARE(parsed.value(), checkpoint);

    // Signed and verified, an extension line that looks like a signature stays in the text.
    const QByteArray note = signNote(text, kLogName, test1Key());
    const auto verified = verifyNote(note, {NoteVerifier(kLogName, test1Key().publicKey())});
    QVERIFY2(verified, qPrintable(describe(verified)));
    QCOMPARE(verified.value().text, text);
    QCOMPARE(parseCheckpoint(verified.value().text).value(), checkpoint);

    // A byte-order mark is an ordinary character of the origin and survives the round trip.
    const QByteArray withBom = "\xEF\xBB\xBFlog\n1\n" + leafHash("x").toBase64() + '\n';
    const auto bom = parseCheckpoint(withBom);
    QVERIFY2(bom, qPrintable(describe(bom)));
    QCOMPARE(checkpointText(bom.value()), withBom);
}

void TestCheckpoint::verifierKeyRefusals_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");

    const QByteArray keyB64 = QByteArray(QByteArray(1, '\x01') + test1Key().publicKey().raw()).toBase64();
    const QString good = verifierKeyText(kLogName, test1Key().publicKey());
    QCOMPARE(good, QStringLiteral("example.com/approval-log+20d392a8+") + QString::fromLatin1(keyB64));
    const auto vkey = [](const QString &name, const QString &hash, const QByteArray &key) -> QString {
        return name + QLatin1Char('+') + hash + QLatin1Char('+') + QString::fromLatin1(key);
    };

    QTest::newRow("good") << good << QString();
    QTest::newRow("uppercase hash") << vkey(kLogName, QStringLiteral("20D392A8"), keyB64) << QStringLiteral("lowercase hex");
    QTest::newRow("short hash") << vkey(kLogName, QStringLiteral("20d392a"), keyB64) << QStringLiteral("8 lowercase hex");
    QTest::newRow("long hash") << vkey(kLogName, QStringLiteral("20d392a80"), keyB64) << QStringLiteral("8 lowercase hex");
    QTest::newRow("wrong hash") << vkey(kLogName, QStringLiteral("20d392a9"), keyB64) << QStringLiteral("does not match");
    QTest::newRow("another name") << vkey(QStringLiteral("example.com/other"), QStringLiteral("20d392a8"), keyB64)
                                  << QStringLiteral("does not match");
    QTest::newRow("space in the name") << vkey(QStringLiteral("bad name"), QStringLiteral("20d392a8"), keyB64)
                                       << QStringLiteral("space");
    QTest::newRow("empty name") << vkey(QString(), QStringLiteral("20d392a8"), keyB64) << QStringLiteral("empty");
    QTest::newRow("one plus") << QStringLiteral("name+20d392a8") << QStringLiteral("two plus signs");
    QTest::newRow("nothing") << QString() << QStringLiteral("two plus signs");
    QTest::newRow("extra plus") << QString(good + QStringLiteral("+x")) << QStringLiteral("base64");
    QTest::newRow("signature type 0x02")
        << vkey(kLogName, QStringLiteral("20d392a8"), QByteArray(QByteArray(1, '\x02') + test1Key().publicKey().raw()).toBase64())
        << QStringLiteral("0x02");
    QTest::newRow("no type byte")
        << vkey(kLogName, QStringLiteral("20d392a8"), test1Key().publicKey().raw().toBase64()) << QStringLiteral("Ed25519");
    QTest::newRow("empty key") << vkey(kLogName, QStringLiteral("20d392a8"), "") << QStringLiteral("missing");
    QTest::newRow("31-byte key")
        << vkey(kLogName, QStringLiteral("20d392a8"), QByteArray(QByteArray(1, '\x01') + QByteArray(31, 'k')).toBase64())
        << QStringLiteral("not valid");
    QTest::newRow("small-order key")
        << vkey(kLogName, QStringLiteral("20d392a8"), QByteArray(QByteArray(1, '\x01') + QByteArray::fromHex("01") + QByteArray(31, '\0')).toBase64())
        << QStringLiteral("not valid");
    QTest::newRow("unpadded key") << vkey(kLogName, QStringLiteral("20d392a8"), keyB64.chopped(1)) << QStringLiteral("base64");
    QTest::newRow("non-ASCII in the key") << QString(good.chopped(1) + QStringLiteral("é")) << QStringLiteral("base64");
    QTest::newRow("too long") << QString(kMaxVerifierKeyLength - good.size() + 1, QLatin1Char('a')) + good
                              << QStringLiteral("more than 4096");
}

void TestCheckpoint::verifierKeyRefusals()
{
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    const auto parsed = parseVerifierKey(text);
    if (mentions.isEmpty()) {
        QVERIFY2(parsed, qPrintable(describe(parsed)));
        return;
    }
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code, QStringLiteral("note.invalid_key"));
    QVERIFY2(parsed.error().message.contains(mentions), qPrintable(parsed.error().message));
}

void TestCheckpoint::verifierKeyRoundTrip()
{
    for (int i = 0; i < 20; ++i) {
        const Ed25519PrivateKey key = Ed25519PrivateKey::generate().value();
        const QString name = QStringLiteral("example.com/ü-%1").arg(i);
        const QString text = verifierKeyText(name, key.publicKey());
        const auto parsed = parseVerifierKey(text);
        QVERIFY2(parsed, qPrintable(describe(parsed)));
        QCOMPARE(parsed.value().name, name);
        QCOMPARE(parsed.value().key, key.publicKey());
        QCOMPARE(parsed.value().keyHash, noteKeyHash(name, key.publicKey()));
        QCOMPARE(NoteVerifier(name, key.publicKey()).keyHash, parsed.value().keyHash);

        const QByteArray note = signNote("hello\n", name, key);
        const auto verified = verifyNote(note, {parsed.value()});
        QVERIFY2(verified, qPrintable(describe(verified)));
        QCOMPARE(verified.value().verifiedBy, QStringList{name});
    }
}

void TestCheckpoint::signNoteRefusals()
{
    const Ed25519PrivateKey key = test1Key();
    QVERIFY(!signNote("text\n", kLogName, key).isEmpty());
    QVERIFY(signNote("", kLogName, key).isEmpty());
    QVERIFY(signNote("no final newline", kLogName, key).isEmpty());
    QVERIFY(signNote("control \x07\n", kLogName, key).isEmpty());
    QVERIFY(signNote("bad \xFF\n", kLogName, key).isEmpty());
    QVERIFY(signNote("text\n", QString(), key).isEmpty());
    QVERIFY(signNote("text\n", QStringLiteral("a b"), key).isEmpty());
    QVERIFY(signNote("text\n", QStringLiteral("a+b"), key).isEmpty());
    QVERIFY(signNote("text\n", QStringLiteral("a\u3000b"), key).isEmpty());
    QVERIFY(signNote("text\n", QStringLiteral("a\x01"), key).isEmpty());
    QVERIFY(signNote("text\n", QString(QChar(0xD800)), key).isEmpty());
}

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
