// Ed25519 over OpenSSL 3's EVP interface (EVP_PKEY_ED25519, one-shot EVP_DigestSign/Verify).
#include "core/crypto/Ed25519.h"

#include "core/crypto/OpenSslHandle.h"

#include <array>
#include <cstddef>
#include <cstring>
#include <optional>
#include <utility>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <QString>

namespace countersign::crypto {

namespace {

using PKeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;

// PEM_read_bio allocates these with OPENSSL_malloc.
struct OpenSslFree
{
    void operator()(void *p) const { OPENSSL_free(p); }
};

// Public keys arrive in configuration and enrolment messages; nothing legitimate is this large.
constexpr qsizetype kMaxPemBytes = 4096;

// OpenSSL keeps a per-thread error queue; a refusal here must not leave entries behind for
// unrelated code (a TLS socket, another parse) to misreport later.
template<typename T>
T failed(T result)
{
    ERR_clear_error();
    return result;
}

Error invalidKey(const QString &what)
{
    ERR_clear_error();
    return makeError(QStringLiteral("crypto.invalid_key"), what);
}

Error cryptoFailed(const QString &what)
{
    ERR_clear_error();
    return makeError(QStringLiteral("crypto.failed"), what);
}

const unsigned char *bytes(QByteArrayView data)
{
    // An empty view may have a null data pointer; OpenSSL is given a valid one regardless.
    static const unsigned char empty = 0;
    return data.isEmpty() ? &empty : reinterpret_cast<const unsigned char *>(data.data());
}

bool isOnlyWhitespace(QByteArrayView text)
{
    for (const char c : text) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return false;
    }
    return true;
}

// OpenSSL verifies as RFC 8032 section 5.1.7 allows, without the cofactor, and does not look at
// the public key first. Under the identity point one fixed signature verifies for every message,
// and under the other points of small order a forger needs only a few tries per message: such a
// key binds its holder to nothing, so it is refused wherever a public key enters. The encodings
// are compared without the sign bit of x. Every key has exactly one accepted encoding, so it has
// one JWK thumbprint.
std::optional<QString> weakKeyReason(QByteArrayView raw)
{
    if (raw.size() != kEd25519PublicKeySize)
        return QStringLiteral("an Ed25519 public key is 32 bytes, not %1").arg(raw.size());
    std::array<unsigned char, kEd25519PublicKeySize> y{};
    std::memcpy(y.data(), raw.data(), y.size());
    y[31] &= 0x7F;

    // y must be below p = 2^255 - 19 (little-endian ed ff .. ff 7f); p and p + 1 would be
    // second spellings of the small-order y = 0 and y = 1.
    bool belowP = y[31] < 0x7F || y[0] < 0xED;
    for (std::size_t i = 1; i < 31 && !belowP; ++i)
        belowP = y[i] < 0xFF;
    if (!belowP)
        return QStringLiteral("the point is not canonically encoded (y is not below 2^255 - 19)");

    // The y-coordinates of the eight points of small order: 0 (order 4), 1 (the identity),
    // p - 1 (order 2) and the two of order 8.
    static const std::array<QByteArray, 5> smallOrder = {
        QByteArray::fromHex("0000000000000000000000000000000000000000000000000000000000000000"),
        QByteArray::fromHex("0100000000000000000000000000000000000000000000000000000000000000"),
        QByteArray::fromHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        QByteArray::fromHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        QByteArray::fromHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    };
    const QByteArrayView masked(reinterpret_cast<const char *>(y.data()), qsizetype(y.size()));
    for (const QByteArray &weak : smallOrder) {
        if (masked == weak)
            return QStringLiteral("the point has small order: anyone could forge signatures for this key");
    }
    return std::nullopt;
}

} // namespace

struct Ed25519PublicKey::Impl
{
    Impl(PKeyPtr k, QByteArray r) : key(std::move(k)), raw(std::move(r)) {}
    PKeyPtr key;
    QByteArray raw;
};

Ed25519PublicKey::Ed25519PublicKey(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}

Result<Ed25519PublicKey> Ed25519PublicKey::fromRaw(QByteArrayView raw)
{
    if (raw.size() != kEd25519PublicKeySize)
        return invalidKey(QStringLiteral("an Ed25519 public key is 32 bytes, not %1").arg(raw.size()));
    if (const auto weak = weakKeyReason(raw))
        return invalidKey(QStringLiteral("refused Ed25519 public key: ") + *weak);
    PKeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(raw),
                                            static_cast<size_t>(raw.size())));
    if (!key)
        return invalidKey(QStringLiteral("OpenSSL refused the Ed25519 public key"));
    return Ed25519PublicKey(std::make_shared<const Impl>(std::move(key), raw.toByteArray()));
}

Result<Ed25519PublicKey> Ed25519PublicKey::fromPem(QByteArrayView pem)
{
    if (pem.size() > kMaxPemBytes)
        return invalidKey(QStringLiteral("PEM public key is %1 bytes, more than the %2 allowed")
                              .arg(pem.size())
                              .arg(kMaxPemBytes));
    if (!pem.trimmed().startsWith("-----BEGIN PUBLIC KEY-----"))
        return invalidKey(QStringLiteral("not a PEM public key: expected \"-----BEGIN PUBLIC KEY-----\""));

    const BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio)
        return cryptoFailed(QStringLiteral("cannot allocate a buffer for the PEM key"));
    char *rawName = nullptr;
    char *rawHeader = nullptr;
    unsigned char *rawDer = nullptr;
    long derLength = 0;
    if (PEM_read_bio(bio.get(), &rawName, &rawHeader, &rawDer, &derLength) != 1)
        return invalidKey(QStringLiteral("the PEM block is damaged (bad base64 or missing END line)"));
    const std::unique_ptr<char, OpenSslFree> name(rawName);
    const std::unique_ptr<char, OpenSslFree> header(rawHeader);
    const std::unique_ptr<unsigned char, OpenSslFree> der(rawDer);

    // Exactly one unencrypted SubjectPublicKeyInfo and nothing after it, so a key file cannot
    // carry a second block that another tool would read instead.
    if (std::strcmp(name.get(), "PUBLIC KEY") != 0 || (header && header.get()[0] != '\0'))
        return invalidKey(QStringLiteral("expected an unencrypted \"PUBLIC KEY\" PEM block"));
    char *rest = nullptr;
    const long restLength = BIO_get_mem_data(bio.get(), &rest);
    if (restLength > 0 && !isOnlyWhitespace(QByteArrayView(rest, restLength)))
        return invalidKey(QStringLiteral("unexpected text after the PEM public key"));

    const unsigned char *cursor = der.get();
    PKeyPtr key(d2i_PUBKEY(nullptr, &cursor, derLength));
    if (!key || cursor != der.get() + derLength)
        return invalidKey(QStringLiteral("the PEM block is not a single DER SubjectPublicKeyInfo"));
    if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
        const char *type = EVP_PKEY_get0_type_name(key.get());
        return invalidKey(QStringLiteral("the PEM public key is %1, not Ed25519")
                              .arg(QString::fromLatin1(type ? type : "of an unknown type")));
    }

    // DER is unique: re-encoding must give back the same bytes, or the input was BER or padded.
    unsigned char *reencoded = nullptr;
    const int reencodedLength = i2d_PUBKEY(key.get(), &reencoded);
    const std::unique_ptr<unsigned char, OpenSslFree> reencodedOwner(reencoded);
    if (reencodedLength != derLength || std::memcmp(reencoded, der.get(), static_cast<size_t>(derLength)) != 0)
        return invalidKey(QStringLiteral("the public key is not in canonical DER"));

    QByteArray raw(kEd25519PublicKeySize, Qt::Uninitialized);
    auto rawLength = static_cast<size_t>(raw.size());
    if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char *>(raw.data()), &rawLength) != 1
        || rawLength != static_cast<size_t>(kEd25519PublicKeySize))
        return invalidKey(QStringLiteral("cannot read the Ed25519 public key"));
    if (const auto weak = weakKeyReason(raw))
        return invalidKey(QStringLiteral("refused Ed25519 public key: ") + *weak);
    return Ed25519PublicKey(std::make_shared<const Impl>(std::move(key), std::move(raw)));
}

QByteArray Ed25519PublicKey::raw() const
{
    return m_impl->raw;
}

QByteArray Ed25519PublicKey::toPem() const
{
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), m_impl->key.get()) != 1)
        return failed(QByteArray());
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return length > 0 ? QByteArray(data, length) : QByteArray();
}

bool Ed25519PublicKey::verify(QByteArrayView message, QByteArrayView signature) const
{
    // Refused before OpenSSL sees it: a truncated or padded signature is never "almost valid".
    if (signature.size() != kEd25519SignatureSize)
        return false;
    const MdCtxPtr context(EVP_MD_CTX_new());
    // Ed25519 hashes internally (SHA-512 over R || A || M), so the digest argument must be null.
    if (!context || EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, m_impl->key.get()) != 1)
        return failed(false);
    const int verdict = EVP_DigestVerify(context.get(), bytes(signature), static_cast<size_t>(signature.size()),
                                         bytes(message), static_cast<size_t>(message.size()));
    if (verdict != 1)
        return failed(false);
    return true;
}

struct Ed25519PrivateKey::Impl
{
    Impl(PKeyPtr k, Ed25519PublicKey p) : key(std::move(k)), publicKey(std::move(p)) {}
    PKeyPtr key;
    Ed25519PublicKey publicKey; // derived once: callers ask for it with every signature
};

Ed25519PrivateKey::Ed25519PrivateKey(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Ed25519PrivateKey::~Ed25519PrivateKey() = default;
Ed25519PrivateKey::Ed25519PrivateKey(Ed25519PrivateKey &&other) noexcept = default;
Ed25519PrivateKey &Ed25519PrivateKey::operator=(Ed25519PrivateKey &&other) noexcept = default;

namespace {

Result<Ed25519PublicKey> publicHalf(EVP_PKEY *key)
{
    std::array<unsigned char, kEd25519PublicKeySize> raw{};
    size_t length = raw.size();
    if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1 || length != raw.size())
        return cryptoFailed(QStringLiteral("cannot derive the Ed25519 public key"));
    return Ed25519PublicKey::fromRaw(QByteArrayView(reinterpret_cast<const char *>(raw.data()), qsizetype(raw.size())));
}

} // namespace

Result<Ed25519PrivateKey> Ed25519PrivateKey::generate()
{
    const PKeyCtxPtr context(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
    EVP_PKEY *generated = nullptr;
    // The seed comes from OpenSSL's DRBG, which is seeded from the operating system.
    if (!context || EVP_PKEY_keygen_init(context.get()) != 1 || EVP_PKEY_keygen(context.get(), &generated) != 1)
        return cryptoFailed(QStringLiteral("cannot generate an Ed25519 key"));
    PKeyPtr key(generated);
    auto publicKey = publicHalf(key.get());
    if (!publicKey)
        return publicKey.error();
    return Ed25519PrivateKey(std::make_unique<Impl>(std::move(key), std::move(publicKey).value()));
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::fromSeed(const SecureBuffer &seed)
{
    if (seed.size() != kEd25519SeedSize)
        return invalidKey(QStringLiteral("an Ed25519 seed is 32 bytes, not %1").arg(seed.size()));
    PKeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(),
                                             static_cast<size_t>(seed.size())));
    if (!key)
        return invalidKey(QStringLiteral("OpenSSL refused the Ed25519 seed"));
    auto publicKey = publicHalf(key.get());
    if (!publicKey)
        return publicKey.error();
    return Ed25519PrivateKey(std::make_unique<Impl>(std::move(key), std::move(publicKey).value()));
}

SecureBuffer Ed25519PrivateKey::seed() const
{
    if (!m_impl)
        return {};
    SecureBuffer out(kEd25519SeedSize);
    auto length = static_cast<size_t>(out.size());
    if (EVP_PKEY_get_raw_private_key(m_impl->key.get(), out.data(), &length) != 1
        || length != static_cast<size_t>(kEd25519SeedSize))
        return failed(SecureBuffer());
    return out;
}

Ed25519PublicKey Ed25519PrivateKey::publicKey() const
{
    // A moved-from key has no public half and there is no empty public key to return; asking
    // for one is a programming error, stopped here rather than left undefined.
    if (!m_impl)
        qFatal("Ed25519PrivateKey::publicKey() called on a moved-from key");
    return m_impl->publicKey;
}

QByteArray Ed25519PrivateKey::sign(QByteArrayView message) const
{
    if (!m_impl)
        return {};
    const MdCtxPtr context(EVP_MD_CTX_new());
    if (!context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, m_impl->key.get()) != 1)
        return failed(QByteArray());
    QByteArray signature(kEd25519SignatureSize, Qt::Uninitialized);
    auto length = static_cast<size_t>(signature.size());
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(signature.data()), &length, bytes(message),
                       static_cast<size_t>(message.size()))
            != 1
        || length != static_cast<size_t>(kEd25519SignatureSize))
        return failed(QByteArray());
    return signature;
}

Status ed25519SelfTest()
{
    // RFC 8032 section 7.1, TEST 1: the empty message.
    const QByteArray seedBytes =
        QByteArray::fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    const QByteArray expectedPublic =
        QByteArray::fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    const QByteArray expectedSignature = QByteArray::fromHex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    const QByteArrayView message;

    const auto failure = [](const QString &what) {
        return makeError(QStringLiteral("crypto.self_test_failed"),
                         QStringLiteral("Ed25519 known-answer test (RFC 8032 TEST 1): ") + what);
    };

    auto key = Ed25519PrivateKey::fromSeed(SecureBuffer(seedBytes));
    if (!key)
        return failure(key.error().message);
    if (key.value().publicKey().raw() != expectedPublic)
        return failure(QStringLiteral("wrong public key derived from the seed"));
    if (key.value().seed().view() != seedBytes)
        return failure(QStringLiteral("the seed does not round-trip"));
    const QByteArray signature = key.value().sign(message);
    if (signature != expectedSignature)
        return failure(QStringLiteral("wrong signature"));
    auto publicKey = Ed25519PublicKey::fromRaw(expectedPublic);
    if (!publicKey)
        return failure(publicKey.error().message);
    if (!publicKey.value().verify(message, signature))
        return failure(QStringLiteral("the known signature does not verify"));
    // A verifier that accepts everything would pass every check above.
    QByteArray corrupted = signature;
    corrupted[0] = static_cast<char>(corrupted[0] ^ 0x01);
    if (publicKey.value().verify(message, corrupted))
        return failure(QStringLiteral("a corrupted signature verifies"));
    if (publicKey.value().verify("x", signature))
        return failure(QStringLiteral("the signature verifies for a different message"));
    return {};
}

} // namespace countersign::crypto
