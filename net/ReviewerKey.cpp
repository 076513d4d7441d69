// The reviewer's signing key: enrolment, lock and unlock, idle lock, signing.
#include "net/ReviewerKey.h"

#include "core/crypto/Jwk.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>

namespace countersign {

namespace {

constexpr qint64 kMaxMetadataBytes = 16 * 1024;
constexpr qsizetype kMaxReviewerBytes = 128;

const QString kReviewer = QStringLiteral("reviewer");
const QString kKey = QStringLiteral("key");
const QString kKeyId = QStringLiteral("keyId");
const QString kCreated = QStringLiteral("created");

Error lockedError()
{
    return makeError(QStringLiteral("key.locked"),
        QStringLiteral("the reviewer key is locked; unlock it with your passphrase to sign"));
}

bool isIdentifier(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9._:@/+-]+$"));
    return !text.isEmpty() && text.toUtf8().size() <= kMaxReviewerBytes && pattern.match(text).hasMatch();
}

QJsonObject metadataJson(const QString &reviewerId, const crypto::Ed25519PublicKey &key, const QDateTime &created)
{
    return QJsonObject {
        {kCreated, json::formatTimestamp(created)},
        {kKey, crypto::publicKeyToJwk(key)},
        {kKeyId, QString::fromLatin1(crypto::jwkThumbprint(key))},
        {kReviewer, reviewerId},
    };
}

Status writePublicFile(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        return makeError(QStringLiteral("key.write_failed"),
            QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    }
    return {};
}

Status writeMetadata(const QString &path, const QJsonObject &metadata)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return makeError(QStringLiteral("key.write_failed"),
            QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    }
    // Public, but only its owner needs it; nobody else should be able to swap it.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
        | QFileDevice::ReadOther);
    QByteArray text = json::canonicalize(metadata);
    text.append('\n');
    if (file.write(text) != text.size() || !file.commit()) {
        return makeError(QStringLiteral("key.write_failed"),
            QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    }
    return {};
}

} // namespace

ReviewerKey::ReviewerKey(
    QString keyPath, QString reviewerId, crypto::Ed25519PublicKey publicKey, QDateTime created, const Clock &clock)
    : m_clock(clock), m_keyPath(std::move(keyPath)), m_reviewerId(std::move(reviewerId)),
      m_publicKey(std::move(publicKey)), m_keyId(QString::fromLatin1(crypto::jwkThumbprint(m_publicKey))),
      m_created(std::move(created))
{
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, &ReviewerKey::onIdleTimer);
}

ReviewerKey::~ReviewerKey() = default;

QString ReviewerKey::metadataPath(const QString &keyPath)
{
    return keyPath + QLatin1String(kMetadataSuffix);
}

Result<std::unique_ptr<ReviewerKey>> ReviewerKey::enrol(const QString &keyPath, const QString &reviewerId,
    const crypto::SecureBuffer &passphrase, crypto::ScryptCost cost, const Clock &clock)
{
    Result<crypto::Ed25519PrivateKey> generated = crypto::Ed25519PrivateKey::generate();
    if (!generated)
        return generated.error();
    return importKey(keyPath, reviewerId, generated.value().seed(), passphrase, cost, clock);
}

Result<std::unique_ptr<ReviewerKey>> ReviewerKey::importKey(const QString &keyPath, const QString &reviewerId,
    const crypto::SecureBuffer &seed, const crypto::SecureBuffer &passphrase, crypto::ScryptCost cost,
    const Clock &clock)
{
    if (!isIdentifier(reviewerId)) {
        return makeError(QStringLiteral("key.invalid_reviewer"),
            QStringLiteral("the reviewer id must be 1 to 128 bytes of letters, digits and . _ : @ / + -"));
    }
    if (QString::fromUtf8(passphrase.view()).size() < kMinPassphraseChars) {
        return makeError(QStringLiteral("key.weak_passphrase"),
            QStringLiteral("the passphrase must be at least %1 characters long").arg(kMinPassphraseChars));
    }
    Result<crypto::Ed25519PrivateKey> fromSeed = crypto::Ed25519PrivateKey::fromSeed(seed);
    if (!fromSeed)
        return makeError(QStringLiteral("key.invalid_seed"), fromSeed.error().message);
    crypto::Ed25519PrivateKey privateKey = std::move(fromSeed).value();

    const QString metaPath = metadataPath(keyPath);
    for (const QString &path : {keyPath, metaPath}) {
        if (QFileInfo::exists(path) || QFileInfo(path).isSymLink()) {
            return makeError(QStringLiteral("key.exists"),
                QStringLiteral("%1 already exists; a reviewer key is never overwritten. Move it away first "
                               "if you really mean to replace it.")
                    .arg(path));
        }
    }
    const QFileInfo keyInfo(keyPath);
    const QString directory = keyInfo.absolutePath();
    if (!QFileInfo::exists(directory)) {
        if (!QDir().mkpath(directory)) {
            return makeError(
                QStringLiteral("key.write_failed"), QStringLiteral("cannot create the directory %1").arg(directory));
        }
        QFile::setPermissions(directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }

    const crypto::Ed25519PublicKey publicKey = privateKey.publicKey();
    if (const Status written = crypto::writeEncryptedKey(keyPath, privateKey.seed(), passphrase, cost); !written)
        return written.error();
    const QDateTime created = clock.nowUtc();
    if (const Status written = writeMetadata(metaPath, metadataJson(reviewerId, publicKey, created)); !written) {
        QFile::remove(keyPath); // half a key is worse than none: enrolment can simply run again
        return written.error();
    }

    std::unique_ptr<ReviewerKey> key(new ReviewerKey(keyPath, reviewerId, publicKey, created, clock));
    key->m_key.emplace(std::move(privateKey));
    key->m_lastActivityMs = clock.monotonicMs();
    return key;
}

Result<std::unique_ptr<ReviewerKey>> ReviewerKey::open(const QString &keyPath, const Clock &clock)
{
    if (!QFileInfo(keyPath).isFile())
        return makeError(QStringLiteral("key.not_found"), QStringLiteral("no reviewer key at %1").arg(keyPath));
    const QString metaPath = metadataPath(keyPath);
    auto metadataError = [&metaPath](const QString &what) {
        return makeError(QStringLiteral("key.metadata"), QStringLiteral("%1: %2").arg(metaPath, what));
    };
    QFile file(metaPath);
    if (!file.open(QIODevice::ReadOnly))
        return metadataError(QStringLiteral("cannot read it (%1)").arg(file.errorString()));
    if (file.size() > kMaxMetadataBytes)
        return metadataError(QStringLiteral("larger than %1 bytes").arg(kMaxMetadataBytes));
    const QByteArray text = file.read(kMaxMetadataBytes + 1);
    const Result<QJsonValue> parsed = json::parse(text);
    if (!parsed)
        return metadataError(parsed.error().message);
    if (!parsed.value().isObject())
        return metadataError(QStringLiteral("not a JSON object"));
    const QJsonObject object = parsed.value().toObject();

    json::FieldReader reader(QStringLiteral("key.metadata"));
    reader.onlyKnownMembers(object, {}, {kCreated, kKey, kKeyId, kReviewer});
    const QString reviewer = reader.identifier(object, {}, kReviewer, kMaxReviewerBytes);
    const QJsonObject jwk = reader.object(object, {}, kKey);
    const QString keyId = reader.string(object, {}, kKeyId, 64);
    const QDateTime created = reader.timestamp(object, {}, kCreated);
    if (reader.failed())
        return metadataError(reader.error().message);
    Result<crypto::Ed25519PublicKey> publicKey = crypto::publicKeyFromJwk(jwk);
    if (!publicKey)
        return metadataError(QStringLiteral("key: ") + publicKey.error().message);
    if (keyId != QString::fromLatin1(crypto::jwkThumbprint(publicKey.value())))
        return metadataError(QStringLiteral("keyId is not the thumbprint of key"));

    return std::unique_ptr<ReviewerKey>(new ReviewerKey(keyPath, reviewer, publicKey.value(), created, clock));
}

QString ReviewerKey::fingerprint() const
{
    QString grouped;
    for (qsizetype i = 0; i < m_keyId.size(); i += 4) {
        if (i > 0)
            grouped += QLatin1Char(' ');
        grouped += m_keyId.mid(i, 4);
    }
    return grouped;
}

QJsonObject ReviewerKey::publicJwk() const
{
    return crypto::publicKeyToJwk(m_publicKey);
}

QJsonObject ReviewerKey::exportJwk() const
{
    QJsonObject jwk = publicJwk();
    jwk.insert(QStringLiteral("kid"), m_keyId);
    jwk.insert(QStringLiteral("use"), QStringLiteral("sig"));
    jwk.insert(QStringLiteral("alg"), QStringLiteral("EdDSA"));
    return jwk;
}

QByteArray ReviewerKey::publicPem() const
{
    return m_publicKey.toPem();
}

Status ReviewerKey::writePublicJwk(const QString &path) const
{
    return writePublicFile(path, QJsonDocument(exportJwk()).toJson(QJsonDocument::Indented));
}

Status ReviewerKey::writePublicPem(const QString &path) const
{
    return writePublicFile(path, publicPem());
}

Result<crypto::Ed25519PrivateKey> ReviewerKey::decrypt(const crypto::SecureBuffer &passphrase) const
{
    Result<crypto::SecureBuffer> seed = crypto::readEncryptedKey(m_keyPath, passphrase);
    if (!seed)
        return seed.error();
    Result<crypto::Ed25519PrivateKey> key = crypto::Ed25519PrivateKey::fromSeed(seed.value());
    if (!key)
        return key.error();
    if (!(key.value().publicKey() == m_publicKey)) {
        return makeError(QStringLiteral("key.mismatch"),
            QStringLiteral("%1 holds a different key than the one enrolled for %2 (%3): the key file was replaced")
                .arg(m_keyPath, m_reviewerId, m_keyId));
    }
    return key;
}

Status ReviewerKey::unlock(const crypto::SecureBuffer &passphrase)
{
    Result<crypto::Ed25519PrivateKey> key = decrypt(passphrase);
    if (!key)
        return key.error();
    const bool wasLocked = !m_key.has_value();
    m_key.reset();
    m_key.emplace(std::move(key).value());
    m_lastActivityMs = m_clock.monotonicMs();
    armIdleTimer();
    if (wasLocked)
        Q_EMIT lockedChanged(false);
    return {};
}

void ReviewerKey::lock(LockReason reason)
{
    m_idleTimer.stop();
    if (!m_key.has_value())
        return;
    m_key.reset(); // frees the OpenSSL key, which wipes it
    m_lockReason = reason;
    Q_EMIT lockedChanged(true);
}

Status ReviewerKey::checkPassphrase(const crypto::SecureBuffer &passphrase) const
{
    const Result<crypto::Ed25519PrivateKey> key = decrypt(passphrase);
    if (!key)
        return key.error();
    return {};
}

Result<QByteArray> ReviewerKey::signDecision(decision::DecisionClaims claims) const
{
    if (!m_key)
        return lockedError();
    claims.reviewer = m_reviewerId;
    return decision::signDecision(std::move(claims), *m_key, m_clock);
}

Result<QByteArray> ReviewerKey::signSignIn(auth::SignInClaims claims) const
{
    if (!m_key)
        return lockedError();
    claims.reviewer = m_reviewerId;
    return auth::signSignIn(std::move(claims), *m_key, m_clock);
}

void ReviewerKey::setIdleTimeout(std::chrono::milliseconds timeout)
{
    m_idleTimeout = timeout.count() > 0 ? timeout : std::chrono::milliseconds {0};
    m_lastActivityMs = m_clock.monotonicMs();
    armIdleTimer();
}

void ReviewerKey::noteActivity()
{
    // Only a time stamp: the timer checks it when it fires, so a stream of mouse moves costs
    // nothing more than this.
    m_lastActivityMs = m_clock.monotonicMs();
    if (m_key && m_idleTimeout.count() > 0 && !m_idleTimer.isActive())
        armIdleTimer();
}

void ReviewerKey::armIdleTimer()
{
    if (!m_key || m_idleTimeout.count() <= 0) {
        m_idleTimer.stop();
        return;
    }
    const qint64 idle = m_clock.monotonicMs() - m_lastActivityMs;
    const qint64 left = qMax<qint64>(0, m_idleTimeout.count() - idle);
    m_idleTimer.start(std::chrono::milliseconds(left));
}

void ReviewerKey::onIdleTimer()
{
    if (!m_key || m_idleTimeout.count() <= 0)
        return;
    const qint64 idle = m_clock.monotonicMs() - m_lastActivityMs;
    if (idle >= m_idleTimeout.count())
        lock(LockReason::Idle);
    else
        armIdleTimer();
}

} // namespace countersign
