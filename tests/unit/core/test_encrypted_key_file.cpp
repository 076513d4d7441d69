// The encrypted Ed25519 key file: round trip, every refusal, what the file must never contain,
// its mode, and that the openssl tool (an independent reader and writer) agrees on the format.
#include "core/crypto/EncryptedKeyFile.h"

#include <cctype>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "core/crypto/Digest.h"
#include "core/crypto/Ed25519.h"

using namespace countersign;
using namespace countersign::crypto;

namespace {

// The key file stores the seed; the public key comes from the one Ed25519 implementation.
Result<QByteArray> publicKeyFromSeed(const SecureBuffer &seed)
{
    auto key = Ed25519PrivateKey::fromSeed(seed);
    if (!key)
        return key.error();
    return key.value().publicKey().raw();
}

// Cheap enough for unit tests; the smallest cost the format accepts, and the largest the
// OpenSSL 3.0 command line can read.
constexpr ScryptCost kCheap {uint64_t(1) << 14, 8, 1};

// PKCS#8 PrivateKeyInfo prefix for Ed25519 (RFC 8410): version 0, id-Ed25519, OCTET STRING
// wrapping the 32-byte CurvePrivateKey.
constexpr char kEd25519Pkcs8Prefix[] = "\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20";

const QByteArray kScryptOid = QByteArray::fromHex("2B06010401DA47040B"); // 1.3.6.1.4.1.11591.4.11
const QByteArray kPbes2Oid = QByteArray::fromHex("2A864886F70D01050D"); // 1.2.840.113549.1.5.13
const QByteArray kAes256CbcOid = QByteArray::fromHex("60864801650304012A"); // 2.16.840.1.101.3.4.1.42

SecureBuffer secret(QByteArrayView bytes)
{
    return SecureBuffer(bytes);
}

QByteArray pemWrap(const char *label, const QByteArray &der)
{
    QByteArray pem = QByteArray("-----BEGIN ") + label + "-----\n";
    const QByteArray base64 = der.toBase64();
    for (qsizetype i = 0; i < base64.size(); i += 64)
        pem += base64.mid(i, 64) + '\n';
    pem += QByteArray("-----END ") + label + "-----\n";
    return pem;
}

QByteArray pemBody(const QByteArray &pem)
{
    QByteArray base64;
    const QList<QByteArray> lines = pem.split('\n');
    for (const QByteArray &line : lines) {
        if (!line.startsWith("-----"))
            base64 += line.trimmed();
    }
    return QByteArray::fromBase64(base64);
}

QByteArray unencryptedPem(const QByteArray &seed)
{
    return pemWrap("PRIVATE KEY", QByteArray(kEd25519Pkcs8Prefix, 16) + seed);
}

bool writeFile(const QString &path, const QByteArray &contents,
    QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return false;
    if (file.write(contents) != contents.size())
        return false;
    file.close();
    return QFile::setPermissions(path, permissions);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

int fileMode(const QString &path)
{
#ifdef Q_OS_UNIX
    struct stat status { };
    if (::stat(QFile::encodeName(path).constData(), &status) != 0)
        return -1;
    return static_cast<int>(status.st_mode & 07777);
#else
    Q_UNUSED(path);
    return 0600;
#endif
}

// Runs the openssl tool; -1 when it is not installed.
int runOpenssl(const QStringList &arguments, QByteArray *output = nullptr)
{
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"), arguments);
    if (!openssl.waitForStarted(5000))
        return -1;
    openssl.closeWriteChannel();
    if (!openssl.waitForFinished(60000))
        return -2;
    if (output)
        *output = openssl.readAllStandardOutput() + openssl.readAllStandardError();
    return openssl.exitStatus() == QProcess::NormalExit ? openssl.exitCode() : -3;
}

QString failure(const Status &status)
{
    return status ? QString() : status.error().toString();
}

template<typename T> QString failure(const Result<T> &result)
{
    return result ? QString() : result.error().toString();
}

} // namespace

class TestEncryptedKeyFile final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void roundTrip();
    void freshSaltAndIvEachWrite();
    void publicKeyMatchesRfc8032();
    void refusesBadSeed();
    void refusesEmptyPassphrase();
    void refusesCostOutsideLimits_data();
    void refusesCostOutsideLimits();
    void wrongPassphrase();
    void tamperedFile_data();
    void tamperedFile();
    void fileCostOutsideLimits_data();
    void fileCostOutsideLimits();
    void truncatedFile_data();
    void truncatedFile();
    void refusesWideMode_data();
    void refusesWideMode();
    void refusesFileOfAnotherUser();
    void refusesUnencryptedKey();
    void refusesOversizedFile();
    void refusesGarbageAtTheLimit();
    void missingFile();
    void fileHoldsNoSecret();
    void formatIsEncryptedPkcs8WithScrypt();
    void writesMode0600_data();
    void writesMode0600();
    void opensslReadsOurFile();
    void weReadOpensslScryptFile();
    void refusesOtherOpensslEncryptions();
    void defaultCostTiming();

private:
    QString path(const QString &name) const { return m_dir->filePath(name); }
    QString writeKey(
        const QByteArray &seed, const QByteArray &passphrase, const QString &name = QStringLiteral("reviewer.key"));
    QString passFile(const QByteArray &passphrase);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestEncryptedKeyFile::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestEncryptedKeyFile::cleanup()
{
    m_dir.reset();
}

QString TestEncryptedKeyFile::writeKey(const QByteArray &seed, const QByteArray &passphrase, const QString &name)
{
    const QString file = path(name);
    const Status written = writeEncryptedKey(file, secret(seed), secret(passphrase), kCheap);
    if (!written) {
        qWarning() << written.error().toString();
        return {};
    }
    return file;
}

// The passphrase for the openssl tool, in a 0600 file: never on a command line.
QString TestEncryptedKeyFile::passFile(const QByteArray &passphrase)
{
    const QString file = path(QStringLiteral("pass.txt"));
    return writeFile(file, passphrase) ? file : QString();
}

void TestEncryptedKeyFile::roundTrip()
{
    const QByteArray seed = randomBytes(32);
    const QString file = writeKey(seed, "correct horse battery staple");
    QVERIFY(!file.isEmpty());
    const Result<SecureBuffer> read = readEncryptedKey(file, secret("correct horse battery staple"));
    QVERIFY2(read, qPrintable(failure(read)));
    QCOMPARE(read.value().size(), 32);
    QVERIFY(read.value().view() == seed);

    // Non-ASCII passphrases are bytes (UTF-8) end to end.
    const QByteArray utf8 = QStringLiteral("pässwörd ✓").toUtf8();
    const QString second = writeKey(seed, utf8, QStringLiteral("utf8.key"));
    const Result<SecureBuffer> again = readEncryptedKey(second, secret(utf8));
    QVERIFY2(again, qPrintable(failure(again)));
    QVERIFY(again.value().view() == seed);
}

void TestEncryptedKeyFile::freshSaltAndIvEachWrite()
{
    const QByteArray seed = randomBytes(32);
    const QByteArray a = readFile(writeKey(seed, "pw", QStringLiteral("a.key")));
    const QByteArray b = readFile(writeKey(seed, "pw", QStringLiteral("b.key")));
    QVERIFY(!a.isEmpty() && !b.isEmpty());
    QVERIFY(a != b);
}

void TestEncryptedKeyFile::publicKeyMatchesRfc8032()
{
    // RFC 8032 section 7.1, TEST 1.
    const SecureBuffer seed(QByteArray::fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    const Result<QByteArray> publicKey = publicKeyFromSeed(seed);
    QVERIFY2(publicKey, qPrintable(failure(publicKey)));
    QCOMPARE(publicKey.value().toHex(), QByteArray("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
}

void TestEncryptedKeyFile::refusesBadSeed()
{
    QVERIFY(!publicKeyFromSeed(SecureBuffer(randomBytes(31))));

    const QString file = path(QStringLiteral("short.key"));
    const Status written = writeEncryptedKey(file, SecureBuffer(randomBytes(33)), secret("pw"), kCheap);
    QVERIFY(!written);
    QCOMPARE(written.error().code, QStringLiteral("key.invalid_seed"));
    QVERIFY(!QFile::exists(file));
}

void TestEncryptedKeyFile::refusesEmptyPassphrase()
{
    const QString file = path(QStringLiteral("empty.key"));
    const Status written = writeEncryptedKey(file, SecureBuffer(randomBytes(32)), SecureBuffer(), kCheap);
    QVERIFY(!written);
    QCOMPARE(written.error().code, QStringLiteral("key.empty_passphrase"));
    QVERIFY2(written.error().message.contains(QLatin1String("must not be empty")), qPrintable(written.error().message));
    QVERIFY(!QFile::exists(file));

    const QString good = writeKey(randomBytes(32), "pw");
    const Result<SecureBuffer> read = readEncryptedKey(good, SecureBuffer());
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.empty_passphrase"));
}

void TestEncryptedKeyFile::refusesCostOutsideLimits_data()
{
    QTest::addColumn<quint64>("n");
    QTest::addColumn<uint>("r");
    QTest::addColumn<uint>("p");
    QTest::newRow("N below 2^14") << (quint64(1) << 13) << 8u << 1u;
    QTest::newRow("N not a power of two") << quint64(3) * (1 << 14) << 8u << 1u;
    QTest::newRow("N above 2^20") << (quint64(1) << 21) << 8u << 1u;
    QTest::newRow("N = 2^20 at r = 8 needs over 1 GiB") << (quint64(1) << 20) << 8u << 1u;
    QTest::newRow("r zero") << (quint64(1) << 14) << 0u << 1u;
    QTest::newRow("r above 32") << (quint64(1) << 14) << 33u << 1u;
    QTest::newRow("p zero") << (quint64(1) << 14) << 8u << 0u;
    QTest::newRow("p above 16") << (quint64(1) << 14) << 8u << 17u;
    QTest::newRow("too much work") << (quint64(1) << 19) << 8u << 4u;
}

void TestEncryptedKeyFile::refusesCostOutsideLimits()
{
    QFETCH(quint64, n);
    QFETCH(uint, r);
    QFETCH(uint, p);
    const QString file = path(QStringLiteral("cost.key"));
    QElapsedTimer timer;
    timer.start();
    const Status written = writeEncryptedKey(file, SecureBuffer(randomBytes(32)), secret("pw"), ScryptCost {n, r, p});
    QVERIFY(!written);
    QCOMPARE(written.error().code, QStringLiteral("key.invalid_cost"));
    QVERIFY(timer.elapsed() < 1000); // refused before any derivation
    QVERIFY(!QFile::exists(file));
}

void TestEncryptedKeyFile::wrongPassphrase()
{
    const QString file = writeKey(randomBytes(32), "the right one");
    const Result<SecureBuffer> read = readEncryptedKey(file, secret("the wrong one"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.wrong_passphrase"));
    QVERIFY(read.error().message.contains(file));
}

void TestEncryptedKeyFile::tamperedFile_data()
{
    // Offsets are located in the DER at run time from these anchors.
    QTest::addColumn<QString>("where");
    QTest::newRow("ciphertext first byte") << QStringLiteral("ciphertext-first");
    QTest::newRow("ciphertext middle byte") << QStringLiteral("ciphertext-middle");
    QTest::newRow("ciphertext last byte") << QStringLiteral("ciphertext-last");
    QTest::newRow("IV") << QStringLiteral("iv");
    QTest::newRow("salt") << QStringLiteral("salt");
    QTest::newRow("scrypt OID") << QStringLiteral("scrypt-oid");
    QTest::newRow("PBES2 OID") << QStringLiteral("pbes2-oid");
}

void TestEncryptedKeyFile::tamperedFile()
{
    QFETCH(QString, where);
    const QByteArray seed = randomBytes(32);
    const QString file = writeKey(seed, "pw");
    QByteArray der = pemBody(readFile(file));
    QCOMPARE(der.size() > 100, true);

    qsizetype offset = -1;
    const qsizetype ciphertextStart = der.size() - 64; // 48-byte PKCS#8 padded to 64
    if (where == QLatin1String("ciphertext-first"))
        offset = ciphertextStart;
    else if (where == QLatin1String("ciphertext-middle"))
        offset = ciphertextStart + 37;
    else if (where == QLatin1String("ciphertext-last"))
        offset = der.size() - 1;
    else if (where == QLatin1String("iv"))
        offset = ciphertextStart - 2 - 16 + 3;
    else if (where == QLatin1String("salt"))
        offset = der.indexOf(kScryptOid) + kScryptOid.size() + 2 + 2 + 5;
    else if (where == QLatin1String("scrypt-oid"))
        offset = der.indexOf(kScryptOid) + kScryptOid.size() - 1;
    else if (where == QLatin1String("pbes2-oid"))
        offset = der.indexOf(kPbes2Oid) + kPbes2Oid.size() - 1;
    QVERIFY(offset > 0 && offset < der.size());
    der[offset] = static_cast<char>(der[offset] ^ 0x01);
    QVERIFY(writeFile(file, pemWrap("ENCRYPTED PRIVATE KEY", der)));

    const Result<SecureBuffer> read = readEncryptedKey(file, secret("pw"));
    QVERIFY2(!read, "a tampered key file must never decrypt");
    QVERIFY2(read.error().code == QLatin1String("key.wrong_passphrase")
            || read.error().code == QLatin1String("key.malformed"),
        qPrintable(read.error().toString()));
}

void TestEncryptedKeyFile::fileCostOutsideLimits_data()
{
    // Our cheap files encode N = 2^14 as INTEGER 02 02 40 00 and r = 8 as 02 01 08.
    QTest::addColumn<QByteArray>("from");
    QTest::addColumn<QByteArray>("to");
    QTest::newRow("N = 2^13") << QByteArray::fromHex("02024000") << QByteArray::fromHex("02022000");
    QTest::newRow("N not a power of two") << QByteArray::fromHex("02024000") << QByteArray::fromHex("02027fff");
    QTest::newRow("N negative") << QByteArray::fromHex("02024000") << QByteArray::fromHex("0202c000");
    QTest::newRow("r = 64") << QByteArray::fromHex("020108") << QByteArray::fromHex("020140");
}

void TestEncryptedKeyFile::fileCostOutsideLimits()
{
    QFETCH(QByteArray, from);
    QFETCH(QByteArray, to);
    const QString file = writeKey(randomBytes(32), "pw");
    QByteArray der = pemBody(readFile(file));
    const qsizetype at = der.indexOf(from, der.indexOf(kScryptOid));
    QVERIFY(at > 0);
    der.replace(at, from.size(), to);
    QVERIFY(writeFile(file, pemWrap("ENCRYPTED PRIVATE KEY", der)));
    const Result<SecureBuffer> read = readEncryptedKey(file, secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.malformed"));
}

void TestEncryptedKeyFile::truncatedFile_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("empty file") << QStringLiteral("empty");
    QTest::newRow("BEGIN line only") << QStringLiteral("header");
    QTest::newRow("cut in half") << QStringLiteral("half");
    QTest::newRow("END line missing") << QStringLiteral("no-end");
    QTest::newRow("DER cut short, PEM intact") << QStringLiteral("short-der");
    QTest::newRow("trailing garbage after END") << QStringLiteral("trailing");
}

void TestEncryptedKeyFile::truncatedFile()
{
    QFETCH(QString, how);
    const QString file = writeKey(randomBytes(32), "pw");
    const QByteArray pem = readFile(file);
    QByteArray broken;
    if (how == QLatin1String("empty"))
        broken = QByteArray();
    else if (how == QLatin1String("header"))
        broken = pem.left(pem.indexOf('\n') + 1);
    else if (how == QLatin1String("half"))
        broken = pem.left(pem.size() / 2);
    else if (how == QLatin1String("no-end"))
        broken = pem.left(pem.indexOf("-----END"));
    else if (how == QLatin1String("short-der"))
        broken = pemWrap("ENCRYPTED PRIVATE KEY", pemBody(pem).chopped(16));
    else if (how == QLatin1String("trailing"))
        broken = pem + "extra\n";
    QVERIFY(writeFile(file, broken));
    const Result<SecureBuffer> read = readEncryptedKey(file, secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.malformed"));
}

void TestEncryptedKeyFile::refusesWideMode_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("0644") << 0644;
    QTest::newRow("0640") << 0640;
    QTest::newRow("0604") << 0604;
    QTest::newRow("0620 (group may replace it)") << 0620;
}

void TestEncryptedKeyFile::refusesWideMode()
{
#ifndef Q_OS_UNIX
    QSKIP("file modes are a Unix check");
#else
    QFETCH(int, mode);
    const QString file = writeKey(randomBytes(32), "pw");
    QCOMPARE(::chmod(QFile::encodeName(file).constData(), static_cast<mode_t>(mode)), 0);
    const Result<SecureBuffer> read = readEncryptedKey(file, secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.permissions"));
    QVERIFY2(read.error().message.contains(QLatin1String("chmod 600")), qPrintable(read.error().message));
    QVERIFY(read.error().message.contains(QString::number(mode, 8)));

    // And the fix it names works.
    QCOMPARE(::chmod(QFile::encodeName(file).constData(), 0600), 0);
    QVERIFY(readEncryptedKey(file, secret("pw")));
#endif
}

void TestEncryptedKeyFile::refusesFileOfAnotherUser()
{
#ifndef Q_OS_UNIX
    QSKIP("file ownership is a Unix check");
#else
    if (::geteuid() != 0)
        QSKIP("giving a file to another user needs root");
    const QString file = writeKey(randomBytes(32), "pw");
    QCOMPARE(::chown(QFile::encodeName(file).constData(), 65534, 65534), 0);
    const Result<SecureBuffer> read = readEncryptedKey(file, secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.permissions"));
#endif
}

void TestEncryptedKeyFile::refusesUnencryptedKey()
{
    const QByteArray seed = randomBytes(32);
    const QString file = path(QStringLiteral("plain.key"));
    QVERIFY(writeFile(file, unencryptedPem(seed)));
    const Result<SecureBuffer> read = readEncryptedKey(file, secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.malformed"));
    QVERIFY2(read.error().message.contains(QLatin1String("not encrypted")), qPrintable(read.error().message));

    // Even disguised under the encrypted label, plain PrivateKeyInfo DER is not accepted.
    QVERIFY(writeFile(file, pemWrap("ENCRYPTED PRIVATE KEY", QByteArray(kEd25519Pkcs8Prefix, 16) + seed)));
    const Result<SecureBuffer> disguised = readEncryptedKey(file, secret("pw"));
    QVERIFY(!disguised);
    QCOMPARE(disguised.error().code, QStringLiteral("key.malformed"));
}

void TestEncryptedKeyFile::refusesOversizedFile()
{
    const QString file = writeKey(randomBytes(32), "pw");
    QByteArray big = readFile(file);
    big += QByteArray(kEncryptedKeyMaxFileSize + 1 - big.size(), '\n');
    QVERIFY(writeFile(file, big));
    Result<SecureBuffer> read = readEncryptedKey(file, secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.too_large"));

    // The size is checked before reading: a sparse 4 GiB file is refused at once.
    QFile sparse(path(QStringLiteral("huge.key")));
    QVERIFY(sparse.open(QIODevice::WriteOnly));
    QVERIFY(sparse.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QVERIFY(sparse.resize(qint64(4) << 30));
    sparse.close();
    QElapsedTimer timer;
    timer.start();
    read = readEncryptedKey(sparse.fileName(), secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.too_large"));
    QVERIFY(timer.elapsed() < 1000);
}

void TestEncryptedKeyFile::refusesGarbageAtTheLimit()
{
    const QString file = path(QStringLiteral("garbage.key"));
    QVERIFY(writeFile(file, randomBytes(kEncryptedKeyMaxFileSize)));
    const Result<SecureBuffer> read = readEncryptedKey(file, secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.malformed"));
}

void TestEncryptedKeyFile::missingFile()
{
    Result<SecureBuffer> read = readEncryptedKey(path(QStringLiteral("absent.key")), secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.not_found"));

    read = readEncryptedKey(path(QStringLiteral("no/such/dir.key")), secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.not_found"));

    QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("dir.key")));
    read = readEncryptedKey(path(QStringLiteral("dir.key")), secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.not_found"));

#ifdef Q_OS_UNIX
    // A FIFO planted at the path must not hang the reader waiting for a writer.
    const QString fifo = path(QStringLiteral("fifo.key"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    read = readEncryptedKey(fifo, secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.not_found"));
#endif
}

void TestEncryptedKeyFile::fileHoldsNoSecret()
{
    const QByteArray seed = randomBytes(32);
    const QByteArray passphrase = "a passphrase nobody should find";
    const QByteArray pem = readFile(writeKey(seed, passphrase));
    QVERIFY(!pem.isEmpty());
    const QByteArray der = pemBody(pem);
    const Result<QByteArray> publicKey = publicKeyFromSeed(SecureBuffer(seed));
    QVERIFY(publicKey);

    const QList<QByteArray> forbidden = {
        seed,
        seed.toHex(),
        seed.toHex().toUpper(),
        seed.toBase64(),
        seed.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals),
        seed.left(8), // no fragment either
        seed.right(8),
        QByteArray(kEd25519Pkcs8Prefix, 16) + seed.left(4),
        passphrase,
        passphrase.toHex(),
        passphrase.toBase64(),
    };
    for (const QByteArray &needle : forbidden) {
        QVERIFY2(!pem.contains(needle), needle.toHex().constData());
        QVERIFY2(!der.contains(needle), needle.toHex().constData());
    }
}

void TestEncryptedKeyFile::formatIsEncryptedPkcs8WithScrypt()
{
    const QByteArray pem = readFile(writeKey(randomBytes(32), "pw"));
    QVERIFY(pem.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    QVERIFY(pem.trimmed().endsWith("-----END ENCRYPTED PRIVATE KEY-----"));
    const QByteArray der = pemBody(pem);
    QVERIFY2(der.contains(kScryptOid), der.toHex().constData());
    QVERIFY(der.contains(kPbes2Oid));
    QVERIFY(der.contains(kAes256CbcOid));
    QVERIFY(der.contains(QByteArray::fromHex("0410"))); // 16-byte salt and IV
    QVERIFY(der.contains(QByteArray::fromHex("02024000"
                                             "020108"
                                             "020101"))); // N=2^14, r=8, p=1
}

void TestEncryptedKeyFile::writesMode0600_data()
{
    QTest::addColumn<bool>("replaceExisting");
    QTest::newRow("new file, umask 000") << false;
    QTest::newRow("replacing a 0644 file, umask 000") << true;
}

void TestEncryptedKeyFile::writesMode0600()
{
    QFETCH(bool, replaceExisting);
    const QString file = path(QStringLiteral("mode.key"));
    if (replaceExisting)
        QVERIFY(writeFile(file, "old contents\n",
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));
#ifdef Q_OS_UNIX
    const mode_t previous = ::umask(0);
#endif
    const Status written = writeEncryptedKey(file, SecureBuffer(randomBytes(32)), secret("pw"), kCheap);
#ifdef Q_OS_UNIX
    ::umask(previous);
#endif
    QVERIFY2(written, qPrintable(failure(written)));
    QCOMPARE(fileMode(file), 0600);
    QVERIFY(readFile(file).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    // Nothing left beside it: no temporary file, whatever its mode.
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden | QDir::System),
        QStringList {QStringLiteral("mode.key")});
}

void TestEncryptedKeyFile::opensslReadsOurFile()
{
    const QByteArray seed = randomBytes(32);
    const QByteArray passphrase = "openssl can read this";
    const QString file = writeKey(seed, passphrase);
    const QString secretFile = passFile(passphrase);
    QVERIFY(!secretFile.isEmpty());
    QByteArray output;
    const int exitCode =
        runOpenssl({QStringLiteral("pkey"), QStringLiteral("-in"), file, QStringLiteral("-passin"),
                       QStringLiteral("file:") + secretFile, QStringLiteral("-noout"), QStringLiteral("-text_pub")},
            &output);
    if (exitCode == -1)
        QSKIP("openssl command line tool not available");
    QVERIFY2(exitCode == 0, output.constData());
    QVERIFY2(output.contains("ED25519 Public-Key"), output.constData());
    // The public key it prints is the one our seed gives.
    const Result<QByteArray> publicKey = publicKeyFromSeed(SecureBuffer(seed));
    QVERIFY(publicKey);
    QByteArray printed;
    for (const char c : output.mid(output.indexOf("pub:") + 4)) {
        if (std::isxdigit(static_cast<unsigned char>(c)))
            printed += c;
    }
    QCOMPARE(printed, publicKey.value().toHex());

    // With the wrong passphrase openssl fails too.
    QVERIFY(writeFile(secretFile, "not it"));
    QVERIFY(runOpenssl({QStringLiteral("pkey"), QStringLiteral("-in"), file, QStringLiteral("-passin"),
                QStringLiteral("file:") + secretFile, QStringLiteral("-noout")})
        != 0);
}

void TestEncryptedKeyFile::weReadOpensslScryptFile()
{
    const QByteArray seed = randomBytes(32);
    const QString plain = path(QStringLiteral("plain.pem"));
    QVERIFY(writeFile(plain, unencryptedPem(seed)));
    const QString secretFile = passFile("written by openssl");
    const QString encrypted = path(QStringLiteral("openssl.key"));
    QByteArray output;
    const int exitCode = runOpenssl(
        {QStringLiteral("pkcs8"), QStringLiteral("-topk8"), QStringLiteral("-in"), plain, QStringLiteral("-scrypt"),
            QStringLiteral("-passout"), QStringLiteral("file:") + secretFile, QStringLiteral("-out"), encrypted},
        &output);
    QVERIFY(QFile::remove(plain));
    if (exitCode == -1)
        QSKIP("openssl command line tool not available");
    QVERIFY2(exitCode == 0, output.constData());
    QVERIFY(QFile::setPermissions(encrypted, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    const Result<SecureBuffer> read = readEncryptedKey(encrypted, secret("written by openssl"));
    QVERIFY2(read, qPrintable(failure(read)));
    QVERIFY(read.value().view() == seed);
}

void TestEncryptedKeyFile::refusesOtherOpensslEncryptions()
{
    const QString secretFile = passFile("pw");
    const QString plain = path(QStringLiteral("plain.pem"));
    QVERIFY(writeFile(plain, unencryptedPem(randomBytes(32))));
    const QString pbkdf2 = path(QStringLiteral("pbkdf2.key"));
    int exitCode = runOpenssl({QStringLiteral("pkcs8"), QStringLiteral("-topk8"), QStringLiteral("-in"), plain,
        QStringLiteral("-v2"), QStringLiteral("aes-256-cbc"), QStringLiteral("-passout"),
        QStringLiteral("file:") + secretFile, QStringLiteral("-out"), pbkdf2});
    if (exitCode == -1)
        QSKIP("openssl command line tool not available");
    QCOMPARE(exitCode, 0);
    QVERIFY(QFile::setPermissions(pbkdf2, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    Result<SecureBuffer> read = readEncryptedKey(pbkdf2, secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.malformed"));
    QVERIFY2(read.error().message.contains(QLatin1String("scrypt")), qPrintable(read.error().message));

    // The right format around the wrong kind of key.
    const QString ecPlain = path(QStringLiteral("ec.pem"));
    QCOMPARE(
        runOpenssl({QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("EC"),
            QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-out"), ecPlain}),
        0);
    const QString ec = path(QStringLiteral("ec.key"));
    QCOMPARE(runOpenssl({QStringLiteral("pkcs8"), QStringLiteral("-topk8"), QStringLiteral("-in"), ecPlain,
                 QStringLiteral("-scrypt"), QStringLiteral("-passout"), QStringLiteral("file:") + secretFile,
                 QStringLiteral("-out"), ec}),
        0);
    QVERIFY(QFile::setPermissions(ec, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    read = readEncryptedKey(ec, secret("pw"));
    QVERIFY(!read);
    QCOMPARE(read.error().code, QStringLiteral("key.malformed"));
    QVERIFY2(read.error().message.contains(QLatin1String("not an Ed25519 key")), qPrintable(read.error().message));
}

void TestEncryptedKeyFile::defaultCostTiming()
{
    const ScryptCost cost;
    QCOMPARE(cost.n, uint64_t(1) << 17);
    QCOMPARE(cost.r, 8u);
    QCOMPARE(cost.p, 1u);
    const QByteArray seed = randomBytes(32);
    const QString file = path(QStringLiteral("default.key"));
    QElapsedTimer timer;
    timer.start();
    const Status written = writeEncryptedKey(file, SecureBuffer(seed), secret("pw"));
    const qint64 writeMs = timer.restart();
    QVERIFY2(written, qPrintable(failure(written)));
    const Result<SecureBuffer> read = readEncryptedKey(file, secret("pw"));
    const qint64 readMs = timer.restart();
    QVERIFY2(read, qPrintable(failure(read)));
    QVERIFY(read.value().view() == seed);
    const Result<SecureBuffer> wrong = readEncryptedKey(file, secret("nope"));
    const qint64 wrongMs = timer.restart();
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().code, QStringLiteral("key.wrong_passphrase"));
    const ScryptCost calibrated = calibrateScrypt(500);
    const qint64 calibrateMs = timer.elapsed();
    QVERIFY(calibrated.n >= kScryptCalibrationMinN && calibrated.n <= kScryptMaxN);
    qInfo("default scrypt N=2^17 r=8 p=1: write %lld ms, read %lld ms, wrong passphrase %lld ms",
        static_cast<long long>(writeMs), static_cast<long long>(readMs), static_cast<long long>(wrongMs));
    qInfo("calibrateScrypt(500) chose N=%llu r=%u p=%u in %lld ms", static_cast<unsigned long long>(calibrated.n),
        calibrated.r, calibrated.p, static_cast<long long>(calibrateMs));
}

QTEST_GUILESS_MAIN(TestEncryptedKeyFile)
#include "test_encrypted_key_file.moc"
