// Loading and first-time creation of the gateway's action-signing key.
#include "gateway/SigningKey.h"

#include "core/crypto/Jwk.h"
#include "gateway/PrivateFile.h"

#include <QDir>
#include <QFile>

namespace countersign::gateway {

namespace {

const QString kKeyFile = QStringLiteral("gateway-signing.key");

Error keyError(const QString &message)
{
    return makeError(QStringLiteral("signing_key.unavailable"), message);
}

} // namespace

SigningKey::SigningKey(crypto::Ed25519PrivateKey key, bool created)
    : m_key(std::move(key)),
      m_publicKey(m_key.publicKey()),
      m_thumbprint(crypto::jwkThumbprint(m_publicKey)),
      m_created(created)
{
}

Result<SigningKey> SigningKey::loadOrCreate(const QString &dataDir)
{
    const QString path = QDir(dataDir).filePath(kKeyFile);
    if (!QFile::exists(path)) {
        auto generated = crypto::Ed25519PrivateKey::generate();
        if (!generated)
            return generated.error();
        const crypto::SecureBuffer seed = generated.value().seed();
        // fromRawData: the seed is not copied into an unwiped QByteArray.
        const QByteArray bytes = QByteArray::fromRawData(seed.view().data(), seed.size());
        if (Status written = writeFileAtomically(path, bytes, QFileDevice::ReadOwner | QFileDevice::WriteOwner,
                                                 QStringLiteral("signing_key.unavailable"));
            !written)
            return written.error();
        return SigningKey(std::move(generated).value(), true);
    }

    // Never silently replaced: a new key is exactly what pinning consoles must refuse, so a
    // person decides (by deleting the file and re-configuring the consoles).
    if (Status owner = checkOwnerOnly(path, QStringLiteral("signing_key.permissions"),
                                      QStringLiteral("deleting it creates a new key, which every console must then pin"));
        !owner)
        return owner.error();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return keyError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    crypto::SecureBuffer seed(crypto::kEd25519SeedSize);
    const qint64 read = file.read(reinterpret_cast<char *>(seed.data()), seed.size());
    char extra = 0;
    if (read != crypto::kEd25519SeedSize || file.read(&extra, 1) != 0)
        return keyError(QStringLiteral("%1 is not a 32-byte Ed25519 seed").arg(path));
    auto key = crypto::Ed25519PrivateKey::fromSeed(seed);
    if (!key)
        return key.error();
    return SigningKey(std::move(key).value(), false);
}

} // namespace countersign::gateway
