// Self-signed TLS certificates over OpenSSL 3's EVP and X509 interfaces.
#include "core/crypto/SelfSignedCertificate.h"

#include "core/crypto/OpenSslHandle.h"

#include "core/crypto/Digest.h"

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace countersign::crypto {

namespace {

using X509Ptr = OpenSslPtr<X509, X509_free>;
using BnPtr = OpenSslPtr<BIGNUM, BN_free>;
using ExtPtr = OpenSslPtr<X509_EXTENSION, X509_EXTENSION_free>;

Error cryptoError(const QString &what)
{
    return makeError(QStringLiteral("crypto.failed"), what);
}

QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return length > 0 ? QByteArray(data, length) : QByteArray();
}

BioPtr readOnlyBio(QByteArrayView data)
{
    return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

bool addExtension(X509 *certificate, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    const ExtPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

X509Ptr readCertificate(QByteArrayView pem)
{
    if (pem.isEmpty() || pem.size() > (1 << 20))
        return nullptr;
    const BioPtr bio = readOnlyBio(pem);
    if (!bio)
        return nullptr;
    return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

} // namespace

Result<SelfSignedCertificate> SelfSignedCertificate::generate(const QString &gatewayId,
                                                              int validityDays)
{
    // A pinned self-signed certificate is renewed by re-enrolment; a year bounds how long a
    // copied key stays useful.
    if (validityDays < 1 || validityDays > 365)
        return cryptoError(QStringLiteral("validity must be 1 to 365 days"));

    const PKeyPtr key(EVP_EC_gen("P-256"));
    if (!key)
        return cryptoError(QStringLiteral("cannot generate an ECDSA P-256 key"));

    const X509Ptr certificate(X509_new());
    if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1)
        return cryptoError(QStringLiteral("cannot create a certificate"));

    // 16 random bytes (RFC 5280 allows 20 octets); the top bit is cleared so the DER INTEGER is
    // positive without a padding byte.
    QByteArray serialBytes = randomBytes(16);
    serialBytes[0] = static_cast<char>(serialBytes[0] & 0x7f);
    const BnPtr serial(BN_bin2bn(reinterpret_cast<const unsigned char *>(serialBytes.constData()),
                                 static_cast<int>(serialBytes.size()), nullptr));
    if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get())))
        return cryptoError(QStringLiteral("cannot set the serial number"));

    // notBefore a few minutes back so that a client whose clock runs slightly behind accepts it.
    if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -300)
        || !X509_gmtime_adj(X509_getm_notAfter(certificate.get()), static_cast<long>(validityDays) * 86400))
        return cryptoError(QStringLiteral("cannot set the validity period"));

    X509_NAME *name = X509_get_subject_name(certificate.get());
    const QByteArray commonName = (QStringLiteral("Countersign gateway ") + gatewayId).toUtf8().left(64);
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char *>("Countersign"), -1, -1, 0) != 1
        || X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(commonName.constData()),
                                      static_cast<int>(commonName.size()), -1, 0) != 1
        || X509_set_issuer_name(certificate.get(), name) != 1
        || X509_set_pubkey(certificate.get(), key.get()) != 1)
        return cryptoError(QStringLiteral("cannot set the subject or public key"));

    if (!addExtension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE")
        || !addExtension(certificate.get(), NID_key_usage, "critical,digitalSignature")
        || !addExtension(certificate.get(), NID_ext_key_usage, "serverAuth")
        || !addExtension(certificate.get(), NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost")
        || !addExtension(certificate.get(), NID_subject_key_identifier, "hash"))
        return cryptoError(QStringLiteral("cannot add the certificate extensions"));

    if (X509_sign(certificate.get(), key.get(), EVP_sha256()) <= 0)
        return cryptoError(QStringLiteral("cannot sign the certificate"));

    const BioPtr keyBio(BIO_new(BIO_s_mem()));
    const BioPtr certificateBio(BIO_new(BIO_s_mem()));
    if (!keyBio || !certificateBio
        || PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1
        || PEM_write_bio_X509(certificateBio.get(), certificate.get()) != 1)
        return cryptoError(QStringLiteral("cannot encode the key or certificate as PEM"));

    SelfSignedCertificate result;
    result.privateKeyPem = bioContents(keyBio.get());
    result.certificatePem = bioContents(certificateBio.get());
    // The memory BIO held the key in clear: wipe it before it is freed.
    char *keyData = nullptr;
    const long keyLength = BIO_get_mem_data(keyBio.get(), &keyData);
    if (keyData && keyLength > 0)
        OPENSSL_cleanse(keyData, static_cast<size_t>(keyLength));
    return result;
}

Result<QByteArray> certificateSha256Hex(QByteArrayView certificatePem)
{
    const X509Ptr certificate = readCertificate(certificatePem);
    if (!certificate)
        return makeError(QStringLiteral("crypto.invalid_certificate"), QStringLiteral("not a PEM certificate"));
    unsigned char *der = nullptr;
    const int length = i2d_X509(certificate.get(), &der);
    if (length <= 0)
        return makeError(QStringLiteral("crypto.invalid_certificate"), QStringLiteral("cannot encode the certificate as DER"));
    QByteArray hex = sha256Hex(QByteArrayView(reinterpret_cast<const char *>(der), length));
    OPENSSL_free(der);
    return hex;
}

QString formatFingerprint(QByteArrayView sha256Hex)
{
    QString text;
    for (qsizetype i = 0; i + 1 < sha256Hex.size(); i += 2) {
        if (!text.isEmpty())
            text += QLatin1Char(':');
        text += QString::fromLatin1(sha256Hex.sliced(i, 2)).toUpper();
    }
    return text;
}

Status verifyKeyMatchesCertificate(QByteArrayView privateKeyPem, QByteArrayView certificatePem)
{
    const X509Ptr certificate = readCertificate(certificatePem);
    if (!certificate)
        return makeError(QStringLiteral("crypto.invalid_certificate"), QStringLiteral("not a PEM certificate"));
    const BioPtr bio = readOnlyBio(privateKeyPem);
    const PKeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key)
        return makeError(QStringLiteral("crypto.invalid_key"), QStringLiteral("not an unencrypted PEM private key"));
    if (X509_check_private_key(certificate.get(), key.get()) != 1)
        return makeError(QStringLiteral("crypto.key_mismatch"), QStringLiteral("the private key does not belong to the certificate"));
    return {};
}

} // namespace countersign::crypto
