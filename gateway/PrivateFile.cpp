// Owner-only secret files in the gateway's data directory.
#include "gateway/PrivateFile.h"

#include <QFile>
#include <QSaveFile>

namespace countersign::gateway {

Status checkOwnerOnly(const QString &path, const QString &errorCode, const QString &hint)
{
#ifdef Q_OS_UNIX
    const QFileDevice::Permissions open = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
                                          | QFileDevice::ReadOther | QFileDevice::WriteOther
                                          | QFileDevice::ExeOther;
    if (QFile::permissions(path) & open) {
        return makeError(errorCode, QStringLiteral("%1 is accessible to other users; run chmod 600 on it (%2)")
                                        .arg(path, hint));
    }
#else
    Q_UNUSED(path)
    Q_UNUSED(errorCode)
    Q_UNUSED(hint)
#endif
    return {};
}

Status writeFileAtomically(const QString &path, const QByteArray &data, QFileDevice::Permissions permissions,
                           const QString &errorCode)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(errorCode, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    // Narrowed before the first byte is written.
    if (!file.setPermissions(permissions))
        return makeError(errorCode, QStringLiteral("cannot set permissions of %1").arg(path));
    if (file.write(data) != data.size() || !file.commit())
        return makeError(errorCode, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace countersign::gateway
