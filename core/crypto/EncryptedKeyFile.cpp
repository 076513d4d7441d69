// Encrypted PKCS#8 key files over OpenSSL 3. The PBES2 structure is built and parsed here rather
// than with PKCS5_pbe2_set_scrypt/PKCS8_set0_pbe/PKCS8_decrypt or OSSL_ENCODER: in OpenSSL 3.0
// the encoder only offers PBKDF2, and the PKCS#5 scrypt path calls scrypt with OpenSSL's built-in
// 32 MiB memory cap (128 * 8 * (2^15 + 2) already exceeds it), so nothing above N = 2^14 can be
// written or read that way. EVP_PBE_scrypt with an explicit memory limit has no such cap.
// The PrivateKeyInfo inside is likewise built and taken apart with the ASN.1 primitives, not
// EVP_PKEY2PKCS8/EVP_PKCS82PKEY, whose encoder/decoder round trips leave uncleansed key copies.
#include "core/crypto/EncryptedKeyFile.h"

#include "core/crypto/OpenSslHandle.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <QElapsedTimer>
#include <QFile>
#include <QSaveFile>

#include "core/crypto/Digest.h"

namespace countersign::crypto {

namespace {

void freeOpenSslMemory(void *p)
{
    OPENSSL_free(p);
}

using SigPtr = OpenSslPtr<X509_SIG, X509_SIG_free>;
using P8Ptr = OpenSslPtr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;
using Pbe2Ptr = OpenSslPtr<PBE2PARAM, PBE2PARAM_free>;
using ScryptParamsPtr = OpenSslPtr<SCRYPT_PARAMS, SCRYPT_PARAMS_free>;
using AsnStringPtr = OpenSslPtr<ASN1_STRING, ASN1_STRING_free>;
using CipherCtxPtr = OpenSslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using OpenSslBytes = OpenSslPtr<void, freeOpenSslMemory>;

// The Ed25519 private key as RFC 8032 defines it (named apart from Ed25519.h, which may be
// included beside this header).
constexpr int kSeedSize = 32;
constexpr int kSaltSize = 16;
constexpr int kMinSaltSize = 8; // what `openssl pkcs8 -scrypt` writes
constexpr int kMaxSaltSize = 64;
constexpr int kAesKeySize = 32;
constexpr int kCurvePrivateKeySize = 2 + kSeedSize;
constexpr int kAesBlockSize = 16;
constexpr int kMaxCiphertextSize = 4096;
constexpr uint32_t kMaxR = 32;
constexpr uint32_t kMaxP = 16;
// No more work than the largest single-lane derivation the memory limit admits.
constexpr uint64_t kMaxWork = uint64_t(1) << 23; // N * r * p
constexpr uint32_t kCalibrationR = 8;

constexpr char kEncryptedPemBegin[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
constexpr char kPlainPemBegin[] = "-----BEGIN PRIVATE KEY-----";

Error keyError(const char *code, const QString &message)
{
    // Nothing we report comes from OpenSSL's error queue; leave it empty for the next caller.
    ERR_clear_error();
    return makeError(QString::fromLatin1(code), message);
}

Error cryptoError(const QString &what)
{
    return keyError("crypto.failed", what);
}

QString costText(ScryptCost cost)
{
    return QStringLiteral("N=%1, r=%2, p=%3").arg(cost.n).arg(cost.r).arg(cost.p);
}

// OpenSSL's own accounting (crypto/evp/pbe_scrypt.c, providers/.../kdfs/scrypt.c): B is
// 128 * r * p bytes, V is 128 * r * (N + 2). Only call after r and p are bounded.
uint64_t scryptMemoryBytes(ScryptCost cost)
{
    return uint64_t(128) * cost.r * (cost.n + 2 + cost.p);
}

// Why a cost is outside what Countersign writes or reads, or an empty string.
QString scryptCostProblem(ScryptCost cost)
{
    if (cost.n < kScryptMinN || cost.n > kScryptMaxN || (cost.n & (cost.n - 1)) != 0)
        return QStringLiteral("scrypt N must be a power of two from 2^14 to 2^20 (%1)").arg(costText(cost));
    if (cost.r < 1 || cost.r > kMaxR)
        return QStringLiteral("scrypt r must be 1 to %1 (%2)").arg(kMaxR).arg(costText(cost));
    if (cost.p < 1 || cost.p > kMaxP)
        return QStringLiteral("scrypt p must be 1 to %1 (%2)").arg(kMaxP).arg(costText(cost));
    if (scryptMemoryBytes(cost) > kScryptMaxMemoryBytes)
        return QStringLiteral("scrypt would need %1 MiB, over the 1024 MiB limit (%2)")
            .arg(scryptMemoryBytes(cost) >> 20)
            .arg(costText(cost));
    if (cost.n * cost.r * cost.p > kMaxWork)
        return QStringLiteral("scrypt N*r*p must not exceed 2^23 (%1)").arg(costText(cost));
    return {};
}

const unsigned char *bytes(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

// The AES key for a passphrase, salt and cost (already validated).
Result<SecureBuffer> deriveKey(const SecureBuffer &passphrase, QByteArrayView salt, ScryptCost cost)
{
    SecureBuffer key(kAesKeySize);
    if (EVP_PBE_scrypt(reinterpret_cast<const char *>(passphrase.data()), static_cast<size_t>(passphrase.size()),
            bytes(salt), static_cast<size_t>(salt.size()), cost.n, cost.r, cost.p, kScryptMaxMemoryBytes, key.data(),
            static_cast<size_t>(key.size()))
        != 1)
        return cryptoError(QStringLiteral("scrypt key derivation failed (%1)").arg(costText(cost)));
    return key;
}

PKeyPtr ed25519FromSeed(const SecureBuffer &seed)
{
    return PKeyPtr(
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), static_cast<size_t>(seed.size())));
}

// The DER EncryptedPrivateKeyInfo for seed. The output is ciphertext and parameters only.
Result<QByteArray> encryptSeed(const SecureBuffer &seed, const SecureBuffer &passphrase, ScryptCost cost)
{
    // PrivateKeyInfo (RFC 5958/8410) built by hand rather than with EVP_PKEY2PKCS8, whose OpenSSL
    // 3 implementation encodes through OSSL_ENCODER and frees that DER copy of the key without
    // cleansing it. Here the seed exists in three places only: the caller's buffer, the
    // PKCS8_PRIV_KEY_INFO (whose free callback cleanses it) and our wiping buffer.
    auto *curvePrivateKey = static_cast<unsigned char *>(OPENSSL_malloc(kCurvePrivateKeySize));
    if (!curvePrivateKey)
        return cryptoError(QStringLiteral("out of memory"));
    curvePrivateKey[0] = V_ASN1_OCTET_STRING; // CurvePrivateKey ::= OCTET STRING (32 bytes)
    curvePrivateKey[1] = kSeedSize;
    std::memcpy(curvePrivateKey + 2, seed.data(), kSeedSize);
    const P8Ptr p8(PKCS8_PRIV_KEY_INFO_new());
    if (!p8
        || PKCS8_pkey_set0(
               p8.get(), OBJ_nid2obj(NID_ED25519), 0, V_ASN1_UNDEF, nullptr, curvePrivateKey, kCurvePrivateKeySize)
            != 1) {
        OPENSSL_clear_free(curvePrivateKey, kCurvePrivateKeySize);
        return cryptoError(QStringLiteral("cannot encode the key as PKCS#8"));
    }
    const int plainLength = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr);
    if (plainLength <= 0 || plainLength > kMaxCiphertextSize - kAesBlockSize)
        return cryptoError(QStringLiteral("cannot encode the key as PKCS#8"));
    SecureBuffer plain(plainLength);
    unsigned char *cursor = plain.data();
    if (i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &cursor) != plainLength)
        return cryptoError(QStringLiteral("cannot encode the key as PKCS#8"));

    const QByteArray salt = randomBytes(kSaltSize);
    const QByteArray iv = randomBytes(kAesBlockSize);
    const Result<SecureBuffer> aesKey = deriveKey(passphrase, salt, cost);
    if (!aesKey)
        return aesKey.error();

    QByteArray ciphertext(plainLength + kAesBlockSize, Qt::Uninitialized);
    const CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int written = 0;
    int finalWritten = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, aesKey.value().data(), bytes(iv)) != 1
        || EVP_EncryptUpdate(
               ctx.get(), reinterpret_cast<unsigned char *>(ciphertext.data()), &written, plain.data(), plainLength)
            != 1
        || EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(ciphertext.data()) + written, &finalWritten)
            != 1)
        return cryptoError(QStringLiteral("AES-256-CBC encryption failed"));
    ciphertext.truncate(written + finalWritten);

    // scrypt-params ::= SEQUENCE { salt, costParameter, blockSize, parallelizationParameter }
    const ScryptParamsPtr scryptParams(SCRYPT_PARAMS_new());
    if (!scryptParams || ASN1_OCTET_STRING_set(scryptParams->salt, bytes(salt), kSaltSize) != 1
        || ASN1_INTEGER_set_uint64(scryptParams->costParameter, cost.n) != 1
        || ASN1_INTEGER_set_uint64(scryptParams->blockSize, cost.r) != 1
        || ASN1_INTEGER_set_uint64(scryptParams->parallelizationParameter, cost.p) != 1)
        return cryptoError(QStringLiteral("cannot encode the scrypt parameters"));
    AsnStringPtr scryptSequence(ASN1_item_pack(scryptParams.get(), ASN1_ITEM_rptr(SCRYPT_PARAMS), nullptr));

    // PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme }
    const Pbe2Ptr pbes2(PBE2PARAM_new());
    AsnStringPtr ivString(ASN1_OCTET_STRING_new());
    if (!scryptSequence || !pbes2 || !ivString || ASN1_OCTET_STRING_set(ivString.get(), bytes(iv), kAesBlockSize) != 1)
        return cryptoError(QStringLiteral("cannot encode the PBES2 parameters"));
    if (X509_ALGOR_set0(pbes2->keyfunc, OBJ_nid2obj(NID_id_scrypt), V_ASN1_SEQUENCE, scryptSequence.get()) != 1)
        return cryptoError(QStringLiteral("cannot encode the PBES2 parameters"));
    scryptSequence.release(); // owned by pbes2 now
    if (X509_ALGOR_set0(pbes2->encryption, OBJ_nid2obj(NID_aes_256_cbc), V_ASN1_OCTET_STRING, ivString.get()) != 1)
        return cryptoError(QStringLiteral("cannot encode the PBES2 parameters"));
    ivString.release();
    AsnStringPtr pbes2Sequence(ASN1_item_pack(pbes2.get(), ASN1_ITEM_rptr(PBE2PARAM), nullptr));

    // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData }
    const SigPtr info(X509_SIG_new());
    if (!pbes2Sequence || !info)
        return cryptoError(QStringLiteral("cannot encode the encrypted key"));
    X509_ALGOR *algorithm = nullptr;
    ASN1_OCTET_STRING *encrypted = nullptr;
    X509_SIG_getm(info.get(), &algorithm, &encrypted);
    if (X509_ALGOR_set0(algorithm, OBJ_nid2obj(NID_pbes2), V_ASN1_SEQUENCE, pbes2Sequence.get()) != 1)
        return cryptoError(QStringLiteral("cannot encode the encrypted key"));
    pbes2Sequence.release();
    if (ASN1_OCTET_STRING_set(encrypted, bytes(ciphertext), static_cast<int>(ciphertext.size())) != 1)
        return cryptoError(QStringLiteral("cannot encode the encrypted key"));

    const int derLength = i2d_X509_SIG(info.get(), nullptr);
    if (derLength <= 0)
        return cryptoError(QStringLiteral("cannot encode the encrypted key"));
    QByteArray der(derLength, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    if (i2d_X509_SIG(info.get(), &out) != derLength)
        return cryptoError(QStringLiteral("cannot encode the encrypted key"));
    return der;
}

Result<QByteArray> toPem(const QByteArray &der)
{
    const auto *cursor = bytes(der);
    const SigPtr info(d2i_X509_SIG(nullptr, &cursor, static_cast<long>(der.size())));
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!info || !bio || PEM_write_bio_PKCS8(bio.get(), info.get()) != 1)
        return cryptoError(QStringLiteral("cannot write the PEM encoding"));
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    if (length <= 0)
        return cryptoError(QStringLiteral("cannot write the PEM encoding"));
    return QByteArray(data, length);
}

Status writeAtomically0600(const QString &path, const QByteArray &contents)
{
    QSaveFile file(path);
    file.setDirectWriteFallback(false);
    if (!file.open(QIODevice::WriteOnly))
        return keyError("key.write_failed",
            QStringLiteral("cannot create a temporary file next to %1: %2").arg(path, file.errorString()));
    // QSaveFile creates its temporary file 0666 & ~umask, or copies the mode of the file it
    // replaces: narrow it to 0600 while it is still empty.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        file.cancelWriting();
        return keyError("key.write_failed",
            QStringLiteral("cannot restrict the temporary file for %1 to mode 0600: %2").arg(path, file.errorString()));
    }
#ifdef Q_OS_UNIX
    struct stat status { };
    if (::fstat(file.handle(), &status) != 0 || (status.st_mode & 07777) != 0600) {
        file.cancelWriting();
        return keyError("key.write_failed",
            QStringLiteral("the temporary file for %1 is not mode 0600; nothing was written").arg(path));
    }
#endif
    if (file.write(contents) != contents.size() || !file.commit())
        return keyError("key.write_failed", QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
#ifdef Q_OS_UNIX
    struct stat written { };
    if (::stat(QFile::encodeName(path).constData(), &written) != 0 || (written.st_mode & 07777) != 0600)
        return keyError(
            "key.write_failed", QStringLiteral("%1 was written but is not mode 0600; run chmod 600 on it").arg(path));
#endif
    return {};
}

#ifdef Q_OS_UNIX
struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
};
#endif

// The file's bytes, after the presence, ownership, mode and size checks, all made on the open
// descriptor so that what is checked is what is read.
Result<QByteArray> readKeyFileBytes(const QString &path)
{
#ifdef Q_OS_UNIX
    // O_NONBLOCK: a FIFO planted at the path must not hang us in open().
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT || error == ENOTDIR)
            return keyError("key.not_found", QStringLiteral("no key file at %1").arg(path));
        return keyError("key.unreadable", QStringLiteral("cannot open %1: %2").arg(path, qt_error_string(error)));
    }
    const FdCloser closer {fd};
    struct stat status { };
    if (::fstat(fd, &status) != 0)
        return keyError("key.unreadable", QStringLiteral("cannot inspect %1").arg(path));
    if (!S_ISREG(status.st_mode))
        return keyError("key.not_found", QStringLiteral("%1 is not a regular file, so not a key file").arg(path));
    if (status.st_uid != ::geteuid())
        return keyError("key.permissions",
            QStringLiteral("%1 belongs to user id %2, not to you (%3): a private key file must be owned by the "
                           "person who unlocks it")
                .arg(path, QString::number(status.st_uid), QString::number(::geteuid())));
    if ((status.st_mode & 077) != 0)
        return keyError("key.permissions",
            QStringLiteral("%1 has mode %2: group or others can access it, and a private key file must be yours "
                           "alone. Fix it with: chmod 600 '%1'")
                .arg(path, QStringLiteral("%1").arg(status.st_mode & 07777, 4, 8, QLatin1Char('0'))));
    if (status.st_size > kEncryptedKeyMaxFileSize)
        return keyError("key.too_large",
            QStringLiteral("%1 is %2 bytes; an encrypted key file is at most %3 bytes")
                .arg(path, QString::number(status.st_size), QString::number(kEncryptedKeyMaxFileSize)));
    if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        return keyError("key.unreadable", QStringLiteral("cannot read %1").arg(path));

    // One byte more than the limit tells us if the file grew after fstat.
    QByteArray contents(kEncryptedKeyMaxFileSize + 1, Qt::Uninitialized);
    qsizetype total = 0;
    while (total < contents.size()) {
        const ssize_t got = ::read(fd, contents.data() + total, static_cast<size_t>(contents.size() - total));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return keyError("key.unreadable", QStringLiteral("cannot read %1").arg(path));
        if (got == 0)
            break;
        total += got;
    }
    if (total > kEncryptedKeyMaxFileSize)
        return keyError("key.too_large",
            QStringLiteral("%1 is over %2 bytes").arg(path, QString::number(kEncryptedKeyMaxFileSize)));
    contents.truncate(total);
    return contents;
#else
    // Elsewhere the ACL decides who may read the file; it is the key store's job to set it.
    QFile file(path);
    if (!file.exists())
        return keyError("key.not_found", QStringLiteral("no key file at %1").arg(path));
    if (file.size() > kEncryptedKeyMaxFileSize)
        return keyError("key.too_large",
            QStringLiteral("%1 is %2 bytes; an encrypted key file is at most %3 bytes")
                .arg(path, QString::number(file.size()), QString::number(kEncryptedKeyMaxFileSize)));
    if (!file.open(QIODevice::ReadOnly))
        return keyError("key.unreadable", QStringLiteral("cannot open %1: %2").arg(path, file.errorString()));
    QByteArray contents = file.read(kEncryptedKeyMaxFileSize + 1);
    if (contents.size() > kEncryptedKeyMaxFileSize)
        return keyError("key.too_large",
            QStringLiteral("%1 is over %2 bytes").arg(path, QString::number(kEncryptedKeyMaxFileSize)));
    return contents;
#endif
}

Error malformed(const QString &path, const QString &what)
{
    return keyError("key.malformed", QStringLiteral("%1: %2").arg(path, what));
}

QString objectName(const ASN1_OBJECT *object)
{
    const int nid = OBJ_obj2nid(object);
    if (nid != NID_undef)
        return QString::fromLatin1(OBJ_nid2sn(nid));
    char text[80] = {};
    OBJ_obj2txt(text, sizeof text, object, 1);
    return QString::fromLatin1(text);
}

// Unpacks a SEQUENCE parameter and insists that re-encoding gives back exactly its bytes:
// no trailing data, no non-canonical DER.
template<typename T, auto Free>
OpenSslPtr<T, Free> unpackExact(const void *parameter, const ASN1_ITEM *item)
{
    const auto *packed = static_cast<const ASN1_STRING *>(parameter);
    OpenSslPtr<T, Free> value(static_cast<T *>(ASN1_item_unpack(packed, item)));
    if (!value)
        return value;
    unsigned char *encoded = nullptr;
    const int length = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE *>(value.get()), &encoded, item);
    const OpenSslBytes owner(encoded);
    if (length <= 0 || length != ASN1_STRING_length(packed)
        || std::memcmp(encoded, ASN1_STRING_get0_data(packed), static_cast<size_t>(length)) != 0)
        value.reset();
    return value;
}

bool readUint(const ASN1_INTEGER *integer, uint64_t limit, uint64_t *out)
{
    uint64_t value = 0;
    if (!integer || ASN1_INTEGER_get_uint64(&value, integer) != 1 || value > limit)
        return false;
    *out = value;
    return true;
}

// The encrypted PKCS#8 parts we need, with every parameter checked before any derivation.
struct EncryptedSeed {
    QByteArray salt;
    ScryptCost cost;
    QByteArray iv;
    QByteArray ciphertext;
};

Result<EncryptedSeed> parseEncryptedPem(const QString &path, const QByteArray &pem)
{
    const QByteArray text = pem.trimmed();
    if (text.startsWith(kPlainPemBegin))
        return malformed(path,
            QStringLiteral("the private key is not encrypted; Countersign "
                           "refuses unencrypted key files. Re-encrypt it "
                           "with a passphrase"));
    if (!text.startsWith(kEncryptedPemBegin))
        return malformed(
            path, QStringLiteral("not a PEM file starting with \"%1\"").arg(QString::fromLatin1(kEncryptedPemBegin)));

    const BioPtr bio(BIO_new_mem_buf(text.constData(), static_cast<int>(text.size())));
    char *rawName = nullptr;
    char *rawHeader = nullptr;
    unsigned char *rawDer = nullptr;
    long derLength = 0;
    const int read = bio ? PEM_read_bio(bio.get(), &rawName, &rawHeader, &rawDer, &derLength) : 0;
    const OpenSslBytes name(rawName);
    const OpenSslBytes header(rawHeader);
    const OpenSslBytes der(rawDer);
    if (read != 1 || derLength <= 0)
        return malformed(path, QStringLiteral("the PEM encoding is damaged or truncated"));
    if (std::strcmp(rawName, PEM_STRING_PKCS8) != 0 || (rawHeader && rawHeader[0] != '\0'))
        return malformed(path, QStringLiteral("not a PKCS#8 \"ENCRYPTED PRIVATE KEY\" block"));
    char *rest = nullptr;
    const long restLength = BIO_get_mem_data(bio.get(), &rest);
    if (restLength > 0)
        return malformed(path, QStringLiteral("unexpected data after the END line"));

    const unsigned char *cursor = rawDer;
    const SigPtr info(d2i_X509_SIG(nullptr, &cursor, derLength));
    if (!info || cursor != rawDer + derLength)
        return malformed(path, QStringLiteral("not a DER EncryptedPrivateKeyInfo"));
    if (i2d_X509_SIG(info.get(), nullptr) != derLength)
        return malformed(path, QStringLiteral("not canonical DER"));

    const X509_ALGOR *algorithm = nullptr;
    const ASN1_OCTET_STRING *encrypted = nullptr;
    X509_SIG_get0(info.get(), &algorithm, &encrypted);
    const ASN1_OBJECT *oid = nullptr;
    int parameterType = 0;
    const void *parameter = nullptr;
    X509_ALGOR_get0(&oid, &parameterType, &parameter, algorithm);
    if (OBJ_obj2nid(oid) != NID_pbes2 || parameterType != V_ASN1_SEQUENCE)
        return malformed(path,
            QStringLiteral("encrypted with %1; Countersign key files use "
                           "PBES2 with scrypt")
                .arg(objectName(oid)));
    const auto pbes2 = unpackExact<PBE2PARAM, PBE2PARAM_free>(parameter, ASN1_ITEM_rptr(PBE2PARAM));
    if (!pbes2)
        return malformed(path, QStringLiteral("damaged PBES2 parameters"));

    X509_ALGOR_get0(&oid, &parameterType, &parameter, pbes2->keyfunc);
    if (OBJ_obj2nid(oid) != NID_id_scrypt || parameterType != V_ASN1_SEQUENCE)
        return malformed(path,
            QStringLiteral("the key derivation function is %1; Countersign "
                           "key files use scrypt")
                .arg(objectName(oid)));
    const auto scryptParams = unpackExact<SCRYPT_PARAMS, SCRYPT_PARAMS_free>(parameter, ASN1_ITEM_rptr(SCRYPT_PARAMS));
    if (!scryptParams)
        return malformed(path, QStringLiteral("damaged scrypt parameters"));
    EncryptedSeed result;
    const int saltLength = ASN1_STRING_length(scryptParams->salt);
    if (saltLength < kMinSaltSize || saltLength > kMaxSaltSize)
        return malformed(path, QStringLiteral("the scrypt salt is %1 bytes; 8 to 64 are accepted").arg(saltLength));
    result.salt = QByteArray(reinterpret_cast<const char *>(ASN1_STRING_get0_data(scryptParams->salt)), saltLength);
    uint64_t r = 0;
    uint64_t p = 0;
    uint64_t keyLength = kAesKeySize;
    if (!readUint(scryptParams->costParameter, kScryptMaxN, &result.cost.n)
        || !readUint(scryptParams->blockSize, kMaxR, &r) || !readUint(scryptParams->parallelizationParameter, kMaxP, &p)
        || (scryptParams->keyLength && !readUint(scryptParams->keyLength, kAesKeySize, &keyLength)))
        return malformed(path,
            QStringLiteral("scrypt parameters outside the limits (N at most "
                           "2^20, r at most %1, p at most %2)")
                .arg(kMaxR)
                .arg(kMaxP));
    result.cost.r = static_cast<uint32_t>(r);
    result.cost.p = static_cast<uint32_t>(p);
    if (keyLength != kAesKeySize)
        return malformed(path, QStringLiteral("the scrypt key length is %1, not 32").arg(keyLength));
    if (const QString problem = scryptCostProblem(result.cost); !problem.isEmpty())
        return malformed(path, problem);

    X509_ALGOR_get0(&oid, &parameterType, &parameter, pbes2->encryption);
    if (OBJ_obj2nid(oid) != NID_aes_256_cbc || parameterType != V_ASN1_OCTET_STRING)
        return malformed(path,
            QStringLiteral("the cipher is %1; Countersign key files use "
                           "AES-256-CBC")
                .arg(objectName(oid)));
    const auto *iv = static_cast<const ASN1_OCTET_STRING *>(parameter);
    if (ASN1_STRING_length(iv) != kAesBlockSize)
        return malformed(path, QStringLiteral("the AES-256-CBC IV is not 16 bytes"));
    result.iv = QByteArray(reinterpret_cast<const char *>(ASN1_STRING_get0_data(iv)), kAesBlockSize);

    const int ciphertextLength = ASN1_STRING_length(encrypted);
    if (ciphertextLength < kAesBlockSize || ciphertextLength > kMaxCiphertextSize
        || ciphertextLength % kAesBlockSize != 0)
        return malformed(path,
            QStringLiteral("the encrypted key is %1 bytes, not a whole number "
                           "of AES blocks")
                .arg(ciphertextLength));
    result.ciphertext = QByteArray(reinterpret_cast<const char *>(ASN1_STRING_get0_data(encrypted)), ciphertextLength);
    return result;
}

Error wrongPassphrase(const QString &path)
{
    return keyError("key.wrong_passphrase",
        QStringLiteral("cannot decrypt %1: the passphrase is wrong, or the file has "
                       "been altered")
            .arg(path));
}

Result<SecureBuffer> decryptSeed(const QString &path, const EncryptedSeed &encrypted, const SecureBuffer &passphrase)
{
    const Result<SecureBuffer> aesKey = deriveKey(passphrase, encrypted.salt, encrypted.cost);
    if (!aesKey)
        return aesKey.error();

    SecureBuffer plain(encrypted.ciphertext.size() + kAesBlockSize);
    const CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int written = 0;
    int finalWritten = 0;
    if (!ctx
        || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, aesKey.value().data(), bytes(encrypted.iv)) != 1)
        return cryptoError(QStringLiteral("cannot set up AES-256-CBC"));
    if (EVP_DecryptUpdate(ctx.get(), plain.data(), &written, bytes(encrypted.ciphertext),
            static_cast<int>(encrypted.ciphertext.size()))
            != 1
        || EVP_DecryptFinal_ex(ctx.get(), plain.data() + written, &finalWritten) != 1)
        return wrongPassphrase(path);

    // Wrong keys pass the padding check about one time in 256; the DER check catches those.
    const long plainLength = written + finalWritten;
    const unsigned char *cursor = plain.data();
    const P8Ptr p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &cursor, plainLength));
    if (!p8 || cursor != plain.data() + plainLength)
        return wrongPassphrase(path);
    // The seed is taken straight from the PrivateKeyInfo: EVP_PKCS82PKEY would run it through
    // OSSL_DECODER, which makes more copies of the key DER than we can account for.
    const ASN1_OBJECT *keyType = nullptr;
    const unsigned char *privateKey = nullptr;
    int privateKeyLength = 0;
    const X509_ALGOR *keyAlgorithm = nullptr;
    if (PKCS8_pkey_get0(&keyType, &privateKey, &privateKeyLength, &keyAlgorithm, p8.get()) != 1
        || OBJ_obj2nid(keyType) != NID_ED25519)
        return malformed(path,
            QStringLiteral("holds a %1 key, not an Ed25519 key")
                .arg(keyType ? objectName(keyType) : QStringLiteral("unknown")));
    int parameterType = 0;
    X509_ALGOR_get0(nullptr, &parameterType, nullptr, keyAlgorithm);
    // RFC 8410: no algorithm parameters, and CurvePrivateKey is an OCTET STRING of 32 bytes.
    if (parameterType != V_ASN1_UNDEF || privateKeyLength != kCurvePrivateKeySize
        || privateKey[0] != V_ASN1_OCTET_STRING || privateKey[1] != kSeedSize)
        return malformed(path, QStringLiteral("the Ed25519 private key is not in RFC 8410 form"));
    SecureBuffer seed(QByteArrayView(privateKey + 2, kSeedSize));
    return seed;
}

Error emptyPassphrase()
{
    return keyError("key.empty_passphrase",
        QStringLiteral("the passphrase must not be empty: private keys never rest "
                       "unencrypted"));
}

double timeScryptMs(ScryptCost cost)
{
    static constexpr char kPassphrase[] = "countersign-calibration";
    static constexpr unsigned char kSalt[kSaltSize] = {};
    unsigned char key[kAesKeySize];
    QElapsedTimer timer;
    timer.start();
    const int ok = EVP_PBE_scrypt(kPassphrase, sizeof kPassphrase - 1, kSalt, sizeof kSalt, cost.n, cost.r, cost.p,
        kScryptMaxMemoryBytes, key, sizeof key);
    const double elapsed = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    OPENSSL_cleanse(key, sizeof key);
    ERR_clear_error();
    return ok == 1 ? elapsed : -1.0;
}

} // namespace

ScryptCost calibrateScrypt(int targetMs)
{
    ScryptCost cost {kScryptCalibrationMinN, kCalibrationR, 1};
    if (targetMs <= 0)
        return cost;
    // Stop at the first N whose time is at least target / sqrt(2): with times doubling, that
    // is the power of two nearest the target on a logarithmic scale. A busy machine makes a
    // run slower and so the choice weaker, so a run that would stop is repeated and the faster
    // of the two decides.
    const double threshold = targetMs / std::sqrt(2.0);
    for (;;) {
        double elapsed = timeScryptMs(cost);
        if (elapsed >= threshold)
            elapsed = std::min(elapsed, timeScryptMs(cost));
        if (elapsed < 0 || elapsed >= threshold)
            return cost;
        const ScryptCost next {cost.n * 2, cost.r, cost.p};
        if (!scryptCostProblem(next).isEmpty())
            return cost;
        cost = next;
    }
}

Status writeEncryptedKey(
    const QString &path, const SecureBuffer &ed25519Seed, const SecureBuffer &passphrase, ScryptCost cost)
{
    if (passphrase.isEmpty())
        return emptyPassphrase();
    if (ed25519Seed.size() != kSeedSize)
        return keyError(
            "key.invalid_seed", QStringLiteral("an Ed25519 seed is 32 bytes, not %1").arg(ed25519Seed.size()));
    if (const QString problem = scryptCostProblem(cost); !problem.isEmpty())
        return keyError("key.invalid_cost", problem);
    if (!ed25519FromSeed(ed25519Seed))
        return cryptoError(QStringLiteral("OpenSSL does not accept the seed as an Ed25519 key"));

    const Result<QByteArray> der = encryptSeed(ed25519Seed, passphrase, cost);
    if (!der)
        return der.error();
    const Result<QByteArray> pem = toPem(der.value());
    if (!pem)
        return pem.error();
    return writeAtomically0600(path, pem.value());
}

Result<SecureBuffer> readEncryptedKey(const QString &path, const SecureBuffer &passphrase)
{
    if (passphrase.isEmpty())
        return emptyPassphrase();
    const Result<QByteArray> contents = readKeyFileBytes(path);
    if (!contents)
        return contents.error();
    const Result<EncryptedSeed> encrypted = parseEncryptedPem(path, contents.value());
    if (!encrypted)
        return encrypted.error();
    return decryptSeed(path, encrypted.value(), passphrase);
}

} // namespace countersign::crypto
